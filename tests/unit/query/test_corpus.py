"""Real public queries, verbatim and through the importer: each keeps its documented meaning, or is
refused or warned about. None changes meaning silently (issue 19, "Done means")."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import pytest

from tests.unit.query.corpus import CORPUS, SOURCES, Case, Sample
from veille.model import Author, Post
from veille.query import QueryError, match, parse_query
from veille.query.importer import DIALECTS, import_query

Outcome = Literal["kept", "refused", "warned", "silently changed"]
DOCS = Path(__file__).resolve().parents[3] / "docs" / "query-language.md"


def _post(sample: Sample) -> Post:
    spec: dict[str, Any] = {"text": sample} if isinstance(sample, str) else dict(sample)
    extra = {"title": spec["title"]} if "title" in spec else {}
    entities = {"country_from": spec["country_from"]} if "country_from" in spec else {}
    return Post(
        id="t:1",
        source=spec.get("source", "x"),
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        text=spec["text"],
        url=spec.get("url"),
        links=spec.get("links", []),
        lang=spec.get("lang"),
        country=spec.get("country"),
        author=Author(
            handle=spec.get("author", "someone"), name=spec.get("name"), verified=spec.get("verified", False)
        ),
        reply_to="t:0" if spec.get("reply") else None,
        repost_of="t:0" if spec.get("repost") else None,
        quote_of="t:0" if spec.get("quote") else None,
        extra=extra,
        entities=entities,
    )


def _keeps_meaning(query: str, item: Case) -> bool:
    if not item.matches and not item.misses:
        return False  # a case without posts is one no query may claim to keep
    return all(match(query, _post(sample)) is not None for sample in item.matches) and all(
        match(query, _post(sample)) is None for sample in item.misses
    )


def verbatim(item: Case) -> Outcome:
    try:
        query = parse_query(item.query)
    except QueryError:
        return "refused"
    if _keeps_meaning(item.query, item):
        return "kept"
    return "warned" if query.warnings else "silently changed"


def imported(item: Case) -> Outcome:
    try:
        result = import_query(item.query, item.tool)
    except QueryError:
        return "refused"
    if not result.exact:
        return "warned"  # exit status 2, with the warnings saying what is not kept
    # An importer that says the meaning is kept must be right.
    return "kept" if _keeps_meaning(result.query, item) else "silently changed"


def tally(outcome_of: Any) -> dict[str, Counter[str]]:
    counts: dict[str, Counter[str]] = {tool: Counter() for tool in DIALECTS}
    for item in CORPUS:
        counts[item.tool][outcome_of(item)] += 1
    return counts


@pytest.mark.parametrize("item", CORPUS, ids=[f"{item.tool}:{item.query}" for item in CORPUS])
def test_no_query_changes_meaning_silently(item: Case) -> None:
    assert item.source in SOURCES and item.meaning
    assert verbatim(item) != "silently changed", ("verbatim", item.query, item.meaning)
    outcome = imported(item)
    assert outcome != "silently changed", ("imported", item.query, item.meaning)


def test_the_importer_keeps_what_it_says_it_keeps() -> None:
    """An exact conversion keeps the meaning on every post; an inexact one says why."""
    for item in CORPUS:
        try:
            result = import_query(item.query, item.tool)
        except QueryError as error:
            assert error.column is None or error.column >= 1
            continue
        if result.exact:
            assert _keeps_meaning(result.query, item), (item.query, result.query)
        else:
            assert result.warnings, item.query


def table_rows(label: str, counts: dict[str, Counter[str]]) -> list[str]:
    """Rows of the table in docs/query-language.md: tool, run, queries, kept, refused, warned, silent."""
    rows = []
    for tool in DIALECTS:
        count = counts[tool]
        rows.append(
            f"| {tool} | {label} | {sum(count.values())} | {count['kept']} | {count['refused']} "
            f"| {count['warned']} | {count['silently changed']} |"
        )
    return rows


def test_the_documented_counts_are_the_measured_ones() -> None:
    """docs/query-language.md gives these counts; they are recomputed here so the page stays true."""
    text = DOCS.read_text(encoding="utf-8")
    for label, counts in (("verbatim", tally(verbatim)), ("import", tally(imported))):
        for row in table_rows(label, counts):
            assert row in text, row
