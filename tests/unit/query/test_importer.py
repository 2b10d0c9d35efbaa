"""The importer's rules, one per documented difference between the tools (spec §9)."""

from __future__ import annotations

import pytest

from veille.query import QueryError, match, parse_query, view_text
from veille.query.importer import DIALECTS, import_query


@pytest.mark.parametrize(
    ("dialect", "text", "converted", "exact"),
    [
        # NEAR: Brandwatch and Meltwater count the words between, as here
        ("brandwatch", "a NEAR/0f b", "a NEAR/0f b", True),
        ("meltwater", "a NEAR b", "a NEAR/4 b", True),
        ("meltwater", "a ONEAR b", "a NEAR/4f b", True),
        ("talkwalker", "a ONEAR/2 b", "a NEAR/2f b", False),
        # Lucene's slop: in order with n between, reversed with n - 2
        ("x", '"a b"~4', "a NEAR/4f b OR b NEAR/2f a", True),
        ("lucene", '"a b"~1', "a NEAR/1f b", True),
        ("lucene", '"a"~3', "a", True),
        # words side by side
        ("x", "a b OR c", "(a AND b) OR c", True),
        ("talkwalker", "a -b", "a AND NOT b", True),
        ("sprinklr", "internet of things OR iot", '"internet of things" OR iot', True),
        ("brandwatch", "a b", "a AND b", False),
        # Lucene's clauses (default OR, + required, - excluded, AND makes both required)
        ("lucene", "a b", "a OR b", True),
        ("lucene", "+a b", "a", True),
        ("lucene", "-a b", "b AND NOT a", True),
        ("lucene", "a OR b AND c", "b AND c", True),
        ("lucene", "a && b || c", "a AND b", True),
        ("lucene", "!a b", "b AND NOT a", True),
        ("lucene", "(a b) AND c", "(a OR b) AND c", True),
        # boosts and preferences only rank
        ("meltwater", "(a OR b)^9 c", "(a OR b) AND c", False),  # side by side is not documented
        ("lucene", "a^2", "a", True),
        # fields
        ("talkwalker", 'x site:"a.com" site:"b.com"', "x AND (site:a.com OR site:b.com)", True),
        ("brandwatch", "author:(a OR b) AND country:fra", "(author:a OR author:b) AND country:FR", True),
        ("brandwatch", "x AND authorFollowers:[1000 TO *]", "x AND followers:>=1000", True),
        ("brandwatch", "x <<<note>>> AND y", "x AND y", True),
        ("sprinklr", "message: (a OR b) AND language: en", "(a OR b) AND lang:en", True),
        ("x", "cats -is:nullcast", "cats", False),
        ("x", "a lang:iw", "a AND lang:he", True),
        ("lucene", "title:x", "title:x", False),
        ("brandwatch", "raw:Google+", "{Google}", False),
        # mixed AND and OR without parentheses: only X and Lucene document it
        ("meltwater", "a OR b AND c", "a OR (b AND c)", False),
        ("x", "a OR b c", "a OR (b AND c)", True),
    ],
)
def test_conversions(dialect: str, text: str, converted: str, exact: bool) -> None:
    result = import_query(text, dialect)
    assert result.query == str(parse_query(converted))
    assert result.exact is exact
    assert bool(result.warnings) or exact


def test_slop_is_the_proximity_x_documents() -> None:
    query = import_query('"social media"~5', "x").query
    assert match(query, view_text("social a b c d e media")) is not None  # 5 between, in order
    assert match(query, view_text("social a b c d e f media")) is None
    assert match(query, view_text("media a b c social")) is not None  # reversed: at most 5 - 2
    assert match(query, view_text("media a b c d social")) is None


@pytest.mark.parametrize(
    ("dialect", "text", "column", "fragment"),
    [
        ("x", '"a b c"~2', 1, "over 3 words"),
        ("x", "apple~", 1, "fuzzy"),
        ("lucene", "(a b)~2", 1, "proximity over a group"),
        ("x", "a NEAR/2 b", 3, "not X syntax"),
        ("brandwatch", "a ONEAR/2 b", 3, "ONEAR is not Brandwatch syntax"),
        ("brandwatch", "a NEAR b", 3, "without a distance"),
        ("meltwater", "a NEAR/80 b", 3, "at most 50"),
        ("brandwatch", "a^2", 1, "no documented meaning"),
        ("x", "{BT}", 1, "not X syntax"),
        ("lucene", "date:[1 TO 2]", 1, "unknown field"),
        ("x", "cats has:media", 6, "no media"),
        ("brandwatch", "city:bedo AND x", 1, "no city"),
        ("x", "-is:nullcast", 1, "nothing is left"),
        ("lucene", 'NOT "a b"', None, "only negative terms"),
        ("x", "(a OR b", 8, "expected ')'"),
        ("x", "", 1, "empty"),
        ("x", "(" * 3000 + "a" + ")" * 3000, 33, "levels deep"),
        ("brandwatch", "NOT " * 1000 + "a", 129, "levels deep"),
        ("lucene", "(" * 50 + "a" + ")" * 50, 33, "levels deep"),
        ("brandwatch", "x AND author:(" + "(" * 100 + "a" + ")" * 101, 46, "levels deep"),
        ("x", "a " * 9000, None, "the limit is 16,384"),
    ],
)
def test_refusals_name_the_column_in_the_pasted_text(
    dialect: str, text: str, column: int | None, fragment: str
) -> None:
    with pytest.raises(QueryError) as caught:
        import_query(text, dialect)
    assert fragment in str(caught.value), caught.value
    if column is not None:
        assert caught.value.column == column


def test_an_unknown_dialect_is_refused() -> None:
    with pytest.raises(QueryError, match="unknown dialect 'bing'"):
        import_query("a", "bing")
    assert DIALECTS == ("brandwatch", "talkwalker", "meltwater", "sprinklr", "x", "lucene")
