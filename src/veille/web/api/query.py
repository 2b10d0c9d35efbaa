"""The query editor's routes: lint (errors and warnings at their line and column), preview (what a
query would have caught lately, its daily volume and its overlap with existing topics) and import
(queries written for other tools, converted to Veille's query language: ``POST /api/v1/query/import``).

The topic editor's "paste from another tool" calls this: the answer is the equivalent query, the
warnings for whatever could not be kept exactly, and whether the meaning was kept in full. A query
that cannot be converted at all (it does not parse as that tool's syntax, or holds something with no
equivalent here) answers 422 with ``detail``, ``field`` (``query``) and ``column`` (1-based, in the
pasted text).
"""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from fastapi import status
from pydantic import BaseModel, ConfigDict, Field

from veille.query.importer import import_query
from veille.query.lint import lint_query
from veille.topics import service as topic_service
from veille.topics.evaluate import compile_query
from veille.topics.overlap import owner_teams, similar_topics, visible_overlaps
from veille.topics.preview import preview_query
from veille.topics.service import TopicError
from veille.web.api._params import scope_of
from veille.web.api._routing import api_router
from veille.web.deps import CurrentPrincipal, Store, Topics
from veille.web.schemas import ErrorRead

__all__ = ["ImportAnswer", "ImportBody", "LintAnswer", "LintBody", "PreviewBody", "router"]

router = api_router(prefix="/query", tags=["query"])


class ImportBody(BaseModel):
    """A query as written for another tool."""

    model_config = ConfigDict(extra="forbid")

    dialect: Literal["brandwatch", "talkwalker", "meltwater", "sprinklr", "x", "lucene"] = Field(
        description="The tool the query was written for."
    )
    query: str = Field(min_length=1, max_length=16_384, description="The query as that tool reads it.")


class ImportAnswer(BaseModel):
    """The query in Veille's language, with what could not be kept."""

    query: str = Field(description="The equivalent query in Veille's language (docs/query-language.md).")
    warnings: list[str] = Field(description="What has no exact equivalent, each with its column.")
    exact: bool = Field(description="True when the converted query means exactly what the tool documents.")


@router.post(
    "/import",
    response_model=ImportAnswer,
    responses={status.HTTP_422_UNPROCESSABLE_CONTENT: {"model": ErrorRead}},
)
async def import_foreign_query(body: ImportBody) -> ImportAnswer:
    """Convert a Brandwatch, Talkwalker, Meltwater, Sprinklr, X or Lucene query to this language."""
    # Pure work, but a 16 kB query is parsed twice: keep it off the event loop. A QueryError is an
    # Invalid: the app's handler answers 422 naming the column.
    result = await asyncio.to_thread(import_query, body.query, body.dialect)
    return ImportAnswer(query=result.query, warnings=list(result.warnings), exact=result.exact)


# -- lint ----------------------------------------------------------------------------------------


class LintBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: str = Field(max_length=16_384, description="The query as typed (several lines allowed).")


class LintNote(BaseModel):
    line: int = Field(description="1-based line of the query text")
    column: int = Field(description="1-based column within that line")
    offset: int = Field(description="0-based character offset into the whole text")
    code: str
    message: str


class LintAnswer(BaseModel):
    errors: list[LintNote] = Field(description="Why the query is refused (at most one: the first).")
    warnings: list[LintNote] = Field(description="Forms that parse but probably mean something else.")


def _note(text: str, column: int | None, code: str, message: str) -> LintNote:
    offset = max(0, min(len(text), (column or 1) - 1))
    line_start = text.rfind("\n", 0, offset) + 1
    return LintNote(
        line=text.count("\n", 0, offset) + 1,
        column=offset - line_start + 1,
        offset=offset,
        code=code,
        message=message,
    )


def lint_text(text: str, topics: Any) -> LintAnswer:
    if not text.strip():
        return LintAnswer(errors=[], warnings=[])
    try:
        compiled = compile_query(live=topics, text=text)
    except TopicError as error:
        message = str(error).removeprefix("query: ")
        if error.column is not None:
            message = message.removeprefix(f"column {error.column}: ")
        return LintAnswer(errors=[_note(text, error.column, "error", message)], warnings=[])
    warnings = [
        _note(text, warning.column, warning.code, warning.message) for warning in lint_query(compiled.query)
    ]
    return LintAnswer(errors=[], warnings=warnings)


@router.post("/lint", response_model=LintAnswer)
def lint_route(body: LintBody, topics: Topics) -> LintAnswer:
    """Errors (the query does not parse, or names an unknown topic) and warnings, each at its line
    and column, as the editor shows them. Never a 422: a refused query is an answer here."""
    return lint_text(body.query, topics)


# -- preview -------------------------------------------------------------------------------------


class PreviewBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: str = Field(min_length=1, max_length=16_384)
    days: int = Field(default=30, ge=1, le=365, description="how many days back")
    tz: str = Field(default="UTC", description="IANA time zone of the daily buckets")
    limit: int = Field(default=20, ge=0, le=200, description="matches returned with their highlights")
    topic: str | None = Field(
        default=None, max_length=64, description="the topic being edited (not its own duplicate)"
    )


@router.post(
    "/preview",
    responses={status.HTTP_422_UNPROCESSABLE_CONTENT: {"model": ErrorRead}},
)
def preview_route(
    body: PreviewBody, store: Store, topics: Topics, principal: CurrentPrincipal
) -> dict[str, Any]:
    """What the query would have caught over the last ``days``: ``matched`` of ``scanned`` posts (the
    newest 20,000 at most: ``complete`` says whether every post of the period was read), the first
    ``items`` with highlight ``spans``, ``daily`` volume, ``overlaps`` with existing topics
    (``common`` matches, ``share_of_query`` and ``share_of_topic``), ``similar`` topics (nearly the
    same query words), ``owner_teams`` (each named topic's team) and the linter's ``warnings``. Only
    topics the caller may see are named (veille.sharing)."""
    scope = scope_of(principal)
    preview = preview_query(
        store=store,
        live=topics,
        text=body.query,
        days=body.days,
        tz=body.tz,
        shown=body.limit,
        # Only the posts the writer may see count and show (their teams' scope).
        admits=None
        if scope.is_everything
        else lambda post: scope.allows_post(
            source=post.source, country=post.country, topics=(match.name for match in post.topics)
        ),
    ).to_json_dict()
    seen = {topic.name: topic for topic in topic_service.list_topics(store=store, viewer=principal)}
    preview["overlaps"] = visible_overlaps(preview["overlaps"], seen)
    preview["similar"] = similar_topics(body.query, seen.values(), exclude=body.topic)
    named = [overlap["topic"] for overlap in preview["overlaps"]] + [
        item["topic"] for item in preview["similar"]
    ]
    preview["owner_teams"] = owner_teams(named, seen)
    return preview
