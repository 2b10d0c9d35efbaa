"""Hostile queries and posts (issue 18): nesting, cost and repeated words never exhaust the hub."""

from __future__ import annotations

import pytest

from veille.query import Monitor, QueryLimitError, compile_tester, match, parse_query, view_text
from veille.query.compiled import compile_program
from veille.query.near import near_test
from veille.query.syntax import MAX_NESTING, MAX_QUERY_COST, estimate_cost


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("(" * 2000 + "a" + ")" * 2000, MAX_NESTING + 1),
        ("NOT " * 1000 + "a", 4 * MAX_NESTING + 1),
        ("a AND " + "(" * 40 + "b" + ")" * 40, 7 + MAX_NESTING),
        ("author:(" + "(" * 40 + "a" + ")" * 41, 9 + MAX_NESTING - 1),
    ],
)
def test_deep_nesting_is_refused_with_its_column_never_a_recursion_error(text: str, column: int) -> None:
    with pytest.raises(QueryLimitError) as caught:
        parse_query(text)
    assert caught.value.column == column
    assert "levels deep" in caught.value.message


def test_the_deepest_query_accepted_runs_in_every_evaluator() -> None:
    """At the nesting limit the parser, printer, closures and generated code all stay far from
    Python's limits (the generated code's parentheses included)."""
    deepest = "(" * (MAX_NESTING - 1) + "NOT a AND b" + ")" * (MAX_NESTING - 1)
    query = parse_query(deepest)
    program = compile_program(query.root)
    view = view_text("b c")
    assert program.test(view, None) is True  # type: ignore[arg-type]
    assert program.spans(view, None) == [(0, 1)]  # type: ignore[arg-type]
    assert compile_tester(query.root)(view)
    assert match(query, view) is not None
    alternating = "(a OR (b AND " * 15 + "c" + "))" * 15
    monitor = Monitor()
    monitor.add("deep", alternating)
    assert [name for name, _ in monitor.match_post(view_text("b c"))] == ["deep"]


def test_costly_queries_are_refused_at_parse_time() -> None:
    assert estimate_cost(parse_query("a AND b").root) == 2
    assert estimate_cost(parse_query("a NEAR/3 b").root) == 2 + 4  # two terms, one length each at 4 gaps
    # nested NEAR: the inner one spans 2 to 5 tokens, so the outer one tries 4 lengths at 4 gaps
    assert estimate_cost(parse_query("(a NEAR/3 b) NEAR/3 c").root) == 3 + 4 + 4 * 4
    heavy = "((a NEAR/50 b) NEAR/50 (c NEAR/50 d)) NEAR/50 e"
    with pytest.raises(QueryLimitError, match="steps per word") as caught:
        parse_query(heavy)
    assert f"{MAX_QUERY_COST:,}" in caught.value.message
    many_wildcards = " OR ".join(f"?{i:03}*b" for i in range(400))
    with pytest.raises(QueryLimitError, match="fewer wildcards"):
        parse_query(many_wildcards)
    parse_query(" OR ".join(f"word{i}*" for i in range(300)))  # prefixes are cheap


def test_near_on_a_post_repeating_one_word_is_linear() -> None:
    """Listing pairs is quadratic in the occurrences, cubic once nested: 20,000 repetitions would never
    end. Bit sets do (lengths x lengths x gaps) operations over the post, whatever it repeats."""
    post = view_text(" ".join(["a"] * 20_000))
    nested = parse_query("(a NEAR/10 a) NEAR/10 (a NEAR/10 a)").root
    assert near_test(nested, post)  # type: ignore[arg-type]
    found = match("(a NEAR/10 a) NEAR/10 b", post)
    assert found is None
    spans = match("(a NEAR/0f a) NEAR/0f a", view_text("a a a x a a"))
    assert spans is not None and spans.spans == ((0, 1), (2, 3), (4, 5))
