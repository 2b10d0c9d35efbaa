"""Queries written for other tools, converted to Veille's query language (``POST /api/v1/query/import``).

The topic editor's "paste from another tool" calls this: the answer is the equivalent query, the
warnings for whatever could not be kept exactly, and whether the meaning was kept in full. A query
that cannot be converted at all (it does not parse as that tool's syntax, or holds something with no
equivalent here) answers 422 with ``detail``, ``field`` (``query``) and ``column`` (1-based, in the
pasted text).
"""

from __future__ import annotations

import asyncio
from typing import Literal

from fastapi import status
from pydantic import BaseModel, ConfigDict, Field

from veille.query.importer import import_query
from veille.web.api._routing import api_router
from veille.web.schemas import ErrorRead

__all__ = ["ImportAnswer", "ImportBody", "router"]

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
