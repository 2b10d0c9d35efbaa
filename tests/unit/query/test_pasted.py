"""Spec §9: what other tools' queries may hold, accepted as written, refused or warned (never swallowed)."""

from __future__ import annotations

import pytest

from tests.unit.query.test_match import _post
from veille.model import Author, Post
from veille.query import QueryError, QuerySyntaxError, lint, match, parse_query, to_query, view_text
from veille.query.ast import Emoji, Field, Tag, Words


@pytest.mark.parametrize(
    ("text", "same_as"),
    [
        # typographic quotes, as help centres publish them
        ("Apple NOT “apple juice”", 'apple NOT "apple juice"'),
        ("„mobile payment“", '"mobile payment"'),
        ("”mobile payment”", '"mobile payment"'),
        ("« paiement mobile »", '"paiement mobile"'),
        ("{“Orange Business”}", '{"Orange Business"}'),
        # a space after a field's colon (Sprinklr writes "language: en")
        ("language: en AND apple", "lang:en AND apple"),
        ('country: "United Kingdom"', "country:GB"),
        # a field over a group
        ("author:(a OR b OR @c)", "author:a OR author:b OR author:c"),
        ("url:(guardian.com OR sun.com)", "url:guardian.com OR url:sun.com"),
        ("lang:(en OR fr) AND x", "(lang:en OR lang:fr) AND x"),
        ("site: (lemonde.fr OR lefigaro.fr)", "site:lemonde.fr OR site:lefigaro.fr"),
        # field aliases
        ("from:bob", "author:bob"),
        ("language:fr", "lang:fr"),
        ("links:msn.com", "url:msn.com"),
        ("hashtags:fibre", "#fibre"),
        ("hashtag:fibre", "#fibre"),
        ("at_mentions:orange_fr", "@orange_fr"),
        ("is:retweet", "is:repost"),
        ("text:hello", "hello"),
        ('message:("Gandalf" AND ("Frodo" OR "SAM"))', "gandalf AND (frodo OR sam)"),
        ("to:XDevelopers", "@xdevelopers"),
        ("source:twitter", "source:x"),
        # site: values with a scheme use their host
        ('site:"http://www.wort.lu"', "site:www.wort.lu"),
        ("site:https://lemonde.fr/economie", "site:lemonde.fr"),
        # alpha-3 codes and English names
        ("country:gbr", "country:GB"),
        ("country:FRA", "country:FR"),
        ('country:"united states"', "country:US"),
        ("country:senegal", "country:SN"),
        ("lang:iw", "lang:he"),
        # Brandwatch comments are ignored
        ("apple <<<the brand, not the fruit>>> AND iphone", "apple AND iphone"),
        # NEAR with a capital F
        ("summer NEAR/1F holiday", "summer NEAR/1f holiday"),
    ],
)
def test_accepted_as_written(text: str, same_as: str) -> None:
    assert parse_query(text).root == parse_query(same_as).root


def test_emoji_cashtags_and_new_fields_parse_to_their_nodes() -> None:
    assert parse_query("😬").root == Emoji("😬")
    assert parse_query("❤️").root == Emoji("❤")  # the variation selector is not part of the emoji
    assert parse_query("$TSLA").root == Tag("cashtag", "tsla")
    assert parse_query("$brk.b").root == Tag("cashtag", "brk.b")
    assert parse_query('title:"Model 3"').root == Field("title", "model 3")
    assert parse_query('name:"Justin Blake"').root == Field("name", "justin blake")
    assert parse_query("has:links").root == Field("has", "links")
    assert parse_query("nоva").root == Words(("nova",))  # Cyrillic о folded to its Latin look-alike
    for text in ["(😃 OR 😡) 😬", "$twtr OR @x -$fb", 'title:"a b" has:geo name:x', "pizza 🍕"]:
        root = parse_query(text).root
        assert parse_query(to_query(root)).root == root


@pytest.mark.parametrize(
    ("text", "column", "fragment"),
    [
        ('"apple juice"~5', 14, "apple NEAR/5 juice"),
        ('"a b c"~2', 8, "proximity"),
        ("apple~", 6, "fuzzy"),
        ("apple~2", 6, "fuzzy"),
        ("(a OR b)~5", 9, "proximity"),
        ("apple^9", 6, "ranking"),
        ('"apple"^2', 8, "ranking"),
        ("(watch OR iwatch)^9", 18, "ranking"),
        ("apple /5 juice", 7, "NEAR/n"),
        ("apple w/5 juice", 7, "NEAR/n"),
        ("apple ONEAR/5 juice", 7, "NEAR/5f"),
        ("apple ONEAR juice", 7, "NEAR/4f"),
        ("apple NEAR juice", 11, "NEAR/4"),
        ("apple near/5 juice", 7, "upper case"),
        ("a | b", 3, "write OR"),
        ("a|b", 2, "write OR"),
        ("a || b", 3, "write OR"),
        ("a && b", 3, "write AND"),
        ("!GDP AND economy", 1, "{GDP}"),
        ("economy AND !GDP", 13, "NOT GDP"),
        ("at_mention:x", 1, "unknown field 'at_mention'"),
        ("bio_location:paris", 1, "unknown field"),
        ("city:berlin AND x", 1, "no city"),
        ("continent:europe", 1, "no continent"),
        ("place_country:US", 1, "country:"),
        ("has:media", 5, "no media"),
        ("has:images", 5, "no media"),
        ("is:nullcast", 4, "is: unknown value"),
        ('author:"Justin Blake"', 9, 'name:"Justin Blake"'),
        ("country:atlantis", 9, "English country name"),
        ("lang:zh-TW", 6, "lang:zh"),
        ("$TOOLONGTICKER", 2, "cashtag"),
        ("apple <<<unfinished", 20, "'>>>'"),
        ("“unfinished", 12, "closing quote"),
        ("author:(a NEAR/2 b)", 11, "NEAR cannot stand inside"),
        ("title:(lang:fr)", 8, "cannot stand inside"),
        ("(a OR (b NEAR/1 c)) NEAR/2 d", 2, "NEAR inside OR"),
        ("😃 NEAR/2 a", 1, "an emoji"),
    ],
)
def test_foreign_forms_are_refused_with_what_to_write(text: str, column: int, fragment: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(text)
    assert caught.value.column == column, caught.value
    assert fragment in caught.value.message, caught.value


@pytest.mark.parametrize(
    ("text", "code", "column"),
    [
        ("apple or orange", "lowercase-operator", 7),
        ("apple and orange", "lowercase-operator", 7),
        ("apple Not orange", "lowercase-operator", 7),
        ("fibre near panne", "lowercase-operator", 7),
        ("internet of things OR iot", "juxtaposed-words", 1),
        ("jakarta apache", "juxtaposed-words", 1),
        ("BlackBerry site:www.cnet.com site:bild.de", "site-and-site", 30),
        ("x url:/a url:/b", "site-and-site", 10),
        ('"I ❤ NY"', "emoji-in-phrase", 1),
    ],
)
def test_forms_other_tools_read_differently_are_warned(text: str, code: str, column: int) -> None:
    assert (column, code) in [(warning.column, warning.code) for warning in lint(text)]


def test_a_lower_case_operator_is_warned_once() -> None:
    assert [warning.code for warning in lint("apple or orange")] == ["lowercase-operator"]


def test_no_warning_for_plain_queries() -> None:
    for text in ["apple AND orange", "apple OR orange", '"apple juice" -pie', "a NEAR/2 b", "or", "a AND or"]:
        assert [warning.code for warning in lint(text)] == [], text


def test_nothing_foreign_becomes_a_required_word() -> None:
    """The issue's list: each used to turn into words the post must contain, silently."""
    for text in [
        "a ~5",
        "a ^9",
        "a | b",
        "!GDP",
        "ONEAR/3",
        "a NEAR b",
        '"a b"~3',
        "<<<x",
        "at_mention:x",
        "a_b:c",
    ]:
        try:
            query = parse_query(text)
        except QuerySyntaxError:
            continue
        assert query.warnings or lint(text), text


def test_new_fields_match_what_the_post_record_holds() -> None:
    assert match("😃", view_text("so happy 😃!")) is not None
    assert match("😃", view_text("so happy 😄")) is None
    assert match("👍", view_text("ok 👍🏽")) is not None  # no skin tone in the query: every skin tone
    assert match("👍🏽", view_text("ok 👍")) is None
    assert match("❤", view_text("I ❤️ NY")) is not None
    assert match("$tsla", view_text("buy $TSLA now")) is not None
    assert match("$tsla", view_text("buy TSLA now")) is None
    assert match("has:links", view_text("see https://a.com")) is not None
    assert match("has:links", view_text("no link", url="https://x.com/p/1")) is None  # its own URL is no link
    assert match("has:links", view_text("stored", links=["https://a.com"])) is not None
    assert match("has:hashtags AND has:mentions", view_text("#a @b")) is not None
    assert match("has:cashtags", view_text("$AAPL")) is not None
    assert match("has:geo", view_text("x", country="FR", geo=True)) is not None
    assert match("has:geo", view_text("x", country="FR")) is None
    assert match('name:"justin blake"', view_text("hi", author_name="Justin Blake")) is not None
    assert match("name:blake", view_text("hi", author_name="Justin Blake")) is not None
    assert match("name:justin", view_text("hi")) is None


def test_title_is_the_first_paragraph_of_titled_sources_or_the_given_title() -> None:
    text = "Tesla recalls cars\n\nThe report says Ford did not."
    rss = _post(text=text, source="rss", reply_to=None)
    assert match("title:tesla", rss) is not None
    assert match("title:ford", rss) is None
    assert match("ford", rss) is not None
    found = match("title:recalls", rss)
    assert found is not None and [text[s:e] for s, e in found.spans] == ["recalls"]
    assert match("title:tesla", _post(text=text, source="mastodon", reply_to=None)) is None  # no title there
    assert match("title:tesla", _post(text=text, source="hackernews", reply_to="hackernews:1")) is None
    given = _post(text="body only", extra={"title": "Tesla Model 3"})
    assert match('title:"model 3"', given) is not None


def test_look_alike_letters_do_not_evade_keywords() -> None:
    """Issue 18, fault 11: a Cyrillic о in a brand name is still the brand."""
    assert match("nova", view_text("la nоva est là")) is not None
    assert match("#nova", view_text("#nоva top")) is not None
    assert match("@nova", view_text("merci @nоva")) is not None
    assert match("author:nova", view_text("x", author="nоva")) is not None
    assert match("{Nova}", view_text("la Nоva")) is not None
    assert match("nоva", view_text("la nova")) is not None  # a look-alike in the query too
    # A word wholly in another script is that script's word, not a spoof.
    assert match("cop", view_text("сор")) is None
    assert match("новая", view_text("новая модель")) is not None


def test_a_post_model_reaches_the_new_fields() -> None:
    post = Post.model_validate(
        {
            "id": "x:1",
            "source": "x",
            "created_at": "2026-01-01T00:00:00Z",
            "text": "$TSLA 🚀 #ev",
            "author": Author(handle="elon", name="Elon M").model_dump(),
            "country": "US",
        }
    )
    assert match("$tsla AND 🚀 AND has:hashtags AND has:geo AND name:elon", post) is not None
