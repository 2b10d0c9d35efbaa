"""Parser, errors with columns, limits and printer of the query language (spec §2-§6)."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from veille.query import QueryLimitError, QuerySyntaxError, parse_query, to_query
from veille.query.syntax import (
    And,
    Field,
    Followers,
    Near,
    Not,
    Or,
    Tag,
    Words,
    _split_query_words_by_character,
    count_terms,
    split_query_words,
)


def w(*tokens: str, exact: bool = False) -> Words:
    return Words(tuple(tokens), exact)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("livebox", w("livebox")),
        ("LiveBox", w("livebox")),
        ("Données", w("donnees")),
        ("paiement*", w("paiement*")),
        ("colo*r", w("colo*r")),
        ("wom?n", w("wom?n")),
        ('"mobile payment"', w("mobile", "payment")),
        ('"mobile pay*"', w("mobile", "pay*")),
        ("{Orange}", w("Orange", exact=True)),
        ('{"Orange Business"}', w("Orange", "Business", exact=True)),
        ("#LiveBox", Tag("hashtag", "livebox")),
        ("#live*", Tag("hashtag", "live*")),
        ("@Orange_FR", Tag("mention", "orange_fr")),
        ("@alice.bsky.social", Tag("mention", "alice.bsky.social")),
        # §6: words with separators are tokenised like post text and become a phrase
        ("e-commerce", w("e", "commerce")),
        ("l'orange", w("l", "orange")),
        ("l’Orange", w("l", "orange")),
        ("orange_fr", w("orange", "fr")),
        # lower-case operators are ordinary words
        ("and", w("and")),
        ("a or b", And((w("a"), w("or"), w("b")))),
        ("near", w("near")),
    ],
)
def test_terms(text: str, expected: object) -> None:
    assert parse_query(text).root == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a b", And((w("a"), w("b")))),
        ("a AND b", And((w("a"), w("b")))),
        ("a OR b", Or((w("a"), w("b")))),
        ("a OR b AND c", Or((w("a"), And((w("b"), w("c")))))),
        ("a NOT b", And((w("a"), Not(w("b"))))),
        ("a -b", And((w("a"), Not(w("b"))))),
        ("(a OR b) c", And((Or((w("a"), w("b"))), w("c")))),
        ("a NEAR/3 b", Near(w("a"), w("b"), 3)),
        ("a NEAR/3f b", Near(w("a"), w("b"), 3, ordered=True)),
        ("c -a NEAR/2 b", And((w("c"), Not(Near(w("a"), w("b"), 2))))),
        ("c NOT a NEAR/2 b", And((w("c"), Not(Near(w("a"), w("b"), 2))))),
        (
            "(fibre OR adsl) NEAR/2 (panne OR coupure)",
            Near(Or((w("fibre"), w("adsl"))), Or((w("panne"), w("coupure"))), 2),
        ),
        ('"a b" NEAR/2 #c', Near(w("a", "b"), Tag("hashtag", "c"), 2)),
        ("a AND (b OR NOT c)", And((w("a"), Or((w("b"), Not(w("c"))))))),
    ],
)
def test_operators_and_precedence(text: str, expected: object) -> None:
    assert parse_query(text).root == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("author:@Orange*", Field("author", "orange*")),
        ("author:jérôme", Field("author", "jerome")),
        ("lang:FR", Field("lang", "fr")),
        ("country:sn", Field("country", "SN")),
        ("source:Bluesky", Field("source", "bluesky")),
        ("site:LeMonde.fr", Field("site", "lemonde.fr")),
        ("url:/LiveBox", Field("url", "/livebox")),
        ('url:"a b"', Field("url", "a b")),
        ("followers:>10", Followers(11, None)),
        ("followers:>=10", Followers(10, None)),
        ("followers:<10", Followers(None, 9)),
        ("followers:<=10", Followers(None, 10)),
        ("followers:10..20", Followers(10, 20)),
        ("followers:10", Followers(10, 10)),
        ("is:reply", Field("is", "reply")),
        ("is:Verified", Field("is", "verified")),
        ("sentiment:Negative", Field("sentiment", "negative")),
        ("topic:payment", Field("topic", "payment")),
        ('topic:"mobile payment"', Field("topic", "mobile payment")),
    ],
)
def test_fields(text: str, expected: object) -> None:
    assert parse_query(text).root == expected


@pytest.mark.parametrize(
    ("text", "column", "fragment"),
    [
        ("livebox AND", 12, "expected a term or '(' after AND"),
        ("livebox OR", 11, "expected a term or '(' after OR"),
        ("NOT", 4, "expected a term or '(' after NOT"),
        ("", 1, "empty"),
        ("AND a", 1, "expected a term or '(', found AND"),
        ("a OR OR b", 6, "after OR, found OR"),
        ("(a OR b", 8, "expected ')' to close the '(' at column 1"),
        ("a)", 2, "unexpected ')'"),
        ("()", 2, "after '('"),
        ('"abc', 5, "closing '\"'"),
        ("{abc", 5, "closing '}'"),
        ("a}", 2, "unexpected '}'"),
        ("a - b", 4, "right after '-'"),
        ("(a)-b", 4, "negates only at the start"),
        ("foo:bar", 1, "unknown field 'foo'"),
        ("lang:xx", 6, "lang: unknown value 'xx'"),
        ("country:ZZ", 9, "country: unknown value"),
        ("source:myspace", 8, "source: unknown value"),
        ("is:happy", 4, "is: unknown value"),
        ("sentiment:angry", 11, "sentiment: unknown value"),
        ("followers:lots", 11, "followers: expected"),
        ("followers:20..10", 11, "empty range"),
        ("site:not_a_domain!", 6, "site: expected a domain"),
        ("author:", 8, "expected a value after 'author:'"),
        ("*box", 1, "cannot start with '*'"),
        ("a*", 1, "at least 2 letters or digits"),
        ("#a*", 2, "at least 2 letters or digits"),
        ("a NEAR b", 7, "expected a distance after NEAR"),
        ("a NEAR/2 b NEAR/2 c", 12, "cannot be chained"),
        ("(a AND b) NEAR/2 c", 2, "not AND"),
        ("a NEAR/2 lang:fr", 10, "not a field"),
        ("a NEAR/2 -b", 10, "expected a term, phrase or '(' after NEAR/2"),
        ("#", 2, "expected a hashtag"),
        ("@", 2, "expected a handle"),
        ("...", 1, "letter or digit"),
        ("NOT spam", 1, "only negative terms"),
        ("-a -b", 1, "only negative terms"),
        ("a OR NOT b", 1, "only negative terms"),
        ("NOT (a OR b)", 1, "only negative terms"),
    ],
)
def test_errors_name_column_and_expectation(text: str, column: int, fragment: str) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        parse_query(text)
    assert caught.value.column == column
    assert fragment in caught.value.message
    assert str(caught.value).startswith(f"column {column}: ")


def test_limits() -> None:
    parse_query(" ".join(["a"] * 500))
    with pytest.raises(QueryLimitError, match="501 terms; the limit is 500"):
        parse_query(" ".join(["a"] * 501))
    # a phrase, hashtag or {…} counts once, fields not at all
    assert count_terms(parse_query('"a b c" #d {E} lang:fr followers:>3').root) == 3
    parse_query("a" * 4096)
    with pytest.raises(QueryLimitError, match="4,096"):
        parse_query("a" * 4097)
    parse_query("a NEAR/50 b")
    with pytest.raises(QueryLimitError, match="at most 50") as caught:
        parse_query("a NEAR/51 b")
    assert caught.value.column == 3


@pytest.mark.parametrize(
    "text",
    [
        "a OR b AND c",
        "(a OR b) AND (c OR d)",
        "NOT NOT a AND b",
        "a AND NOT (b OR c)",
        '{"Orange Business"} NEAR/3f (#fibre OR @orange_fr OR "mobile pay*")',
        'url:"a b" author:x* followers:3..9 followers:<=4 topic:"x y"',
        "a AND (b AND c)",
    ],
)
def test_printer_round_trip(text: str) -> None:
    root = parse_query(text).root
    assert parse_query(to_query(root)).root == root


@given(st.text(alphabet=string.printable, max_size=20))
def test_ascii_query_words_split_as_the_character_rule(word: str) -> None:
    assert split_query_words(word) == _split_query_words_by_character(word)
