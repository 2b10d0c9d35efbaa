"""Matching and highlight spans (spec §1, §2, §4, §6, §7, §8)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from veille.model import Author, Post, Sentiment
from veille.query import (
    QueryCycleError,
    QueryLimitError,
    UnknownTopicError,
    compile_tester,
    match,
    parse_query,
    view_post,
    view_text,
)


def matches(query: str, text: str, **fields: object) -> bool:
    view = view_text(text, **fields)  # type: ignore[arg-type]
    found = match(query, view)
    # The yes/no tester of the monitor must always agree with the span evaluator.
    assert compile_tester(parse_query(query).root)(view) == (found is not None)
    return found is not None


@pytest.mark.parametrize(
    ("query", "text", "expected"),
    [
        ("livebox", "Ma Livebox est en panne", True),
        ("livebox", "#LiveBox encore HS", True),
        ("#livebox", "Ma livebox est en panne", False),
        ('"mobile payment"', "Mobile-payment is the future", True),
        ("{Orange}", "I love orange juice", False),
        ("{Orange}", "Orange raised its prices", True),
        ("donnees personnelles", "Protection des données personnelles", True),
        ("paiement* NOT arnaque", "Paiements sans contact: une arnaque ?", False),
        ("panne NEAR/3 fibre", "la fibre est encore en panne", True),
        ("panne NEAR/2 fibre", "la fibre est encore en panne", False),
        ("panne NEAR/3f fibre", "la fibre est encore en panne", False),
        ("panne NEAR/0 fibre", "panne fibre depuis hier", True),
        ("(fibre OR adsl) NEAR/2 (panne OR coupure)", "coupure adsl depuis hier", True),
    ],
)
def test_spec_examples(query: str, text: str, expected: bool) -> None:
    assert matches(query, text) is expected


def test_spec_example_with_language() -> None:
    assert matches("orange AND lang:en", "Orange raised its prices", lang="en")
    assert not matches("orange AND lang:en", "Orange raised its prices", lang="fr")


@pytest.mark.parametrize(
    ("query", "text", "expected"),
    [
        # tokens: apostrophes, hyphens, dots and underscores separate
        ("orange", "J'adore l’Orange", True),
        ("commerce", "le e-commerce", True),
        ('"e commerce"', "le e-commerce", True),
        ("e-commerce", "le e commerce", True),
        ("l'orange", "chez l orange", True),
        ("box", "livebox", False),
        # wildcards
        ("paiement*", "paiement", True),
        ("colo*r", "colour and color", True),
        ("colo*r", "colors", False),
        ("wom?n", "women", True),
        ("wom?n", "woman", True),
        ("wom?n", "womn", False),
        ('"mobile pay*"', "mobile payments rock", True),
        ('"mobile pay*"', "payments mobile", False),
        # folding: case and accents, both ways
        ("données", "DONNEES", True),
        ("CAFÉ", "cafe", True),
        ("straße", "STRASSE", True),
        ("{Données}", "Données", True),
        ("{Données}", "Donnees", False),
        ("{Données}", "Donne\u0301es", True),  # decomposed é in the post
        ('{"Orange Business"}', "Orange Business Services", True),
        ('{"Orange Business"}', "orange business", False),
        ("{Ora*}", "Orange", True),
        ("{Ora*}", "orange", False),
        # hashtags and mentions: also text tokens, but not the other way round
        ("livebox", "#LiveBox", True),
        ("#live*", "#LiveBox est là", True),
        ("#livebox", "livebox", False),
        ("@orange_fr", "merci @Orange_FR", True),
        ('"orange fr"', "merci @orange_fr", True),
        ("@orange_fr", "orange_fr", False),
        ("@example", "joe@example.com", False),
        ("@alice.bsky.social", "hi @alice.bsky.social.", True),
        ("#tag", "mot#tag", False),
        # links are not text; only url: and site: see them
        ("lemonde", "voir https://www.lemonde.fr/article", False),
        ("site:lemonde.fr", "voir https://www.lemonde.fr/article", True),
        ("site:monde.fr", "voir https://www.lemonde.fr/article", False),
        ("site:www.lemonde.fr", "voir https://lemonde.fr/article", False),
        ("url:/ARTICLE", "voir https://www.lemonde.fr/article.", True),
        ("url:lemonde", "www.lemonde.fr", True),
        # NEAR
        ("a NEAR/0 b", "a b", True),
        ("a NEAR/0 b", "a x b", False),
        ("b NEAR/0 a", "a b", True),
        ("b NEAR/0f a", "a b", False),
        ("a NEAR/0 a", "a", False),
        ("a NEAR/0 a", "a a", True),
        ('"a b" NEAR/0 c', "a b c", True),
        ('"a b" NEAR/0 c', "c a b", True),
        ('"a b" NEAR/0 "b c"', "a b c", False),
        ("#x NEAR/1 y", "#x z y", True),
        # NOT
        ("a NOT b", "a c", True),
        ("a NOT b", "a b", False),
        ("a -(b OR c)", "a c", False),
        ("a AND (b OR NOT c)", "a", True),
        ("a AND (b OR NOT c)", "a c", False),
        ("c -a NEAR/0 b", "c a b", False),
        ("c -a NEAR/0 b", "c a x b", True),
    ],
)
def test_rules(query: str, text: str, expected: bool) -> None:
    assert matches(query, text) is expected


def _post(**changes: object) -> Post:
    data: dict[str, object] = {
        "id": "x:1",
        "source": "bluesky",
        "url": "https://bsky.app/profile/x/post/1",
        "created_at": datetime(2026, 1, 1, tzinfo=UTC),
        "text": "Orange encore en panne",
        "lang": "fr",
        "author": Author(handle="@Jérôme_Orange", followers=12000, verified=True),
        "links": ["https://www.orange.fr/offres"],
        "country": "SN",
        "reply_to": "x:0",
        "sentiment": Sentiment(label="negative", score=-0.6),
    }
    data.update(changes)
    return Post.model_validate(data)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("orange author:jerome_orange", True),
        ("orange author:@Jérôme*", True),
        ("orange author:*orange", True),
        ("orange author:jerome", False),
        ("orange lang:fr", True),
        ("orange lang:en", False),
        ("orange country:sn", True),
        ("orange country:FR", False),
        ("orange source:bluesky", True),
        ("orange source:x", False),
        ("orange site:orange.fr", True),
        ("orange site:bsky.app", True),
        ("orange url:/offres", True),
        ("orange url:/autre", False),
        ("orange followers:>=12000", True),
        ("orange followers:>12000", False),
        ("orange followers:<12001", True),
        ("orange followers:10000..12000", True),
        ("orange followers:12000", True),
        ("orange followers:<=11999", False),
        ("orange is:reply", True),
        ("orange is:verified", True),
        ("orange is:repost", False),
        ("orange is:quote", False),
        ("orange sentiment:negative", True),
        ("orange sentiment:positive", False),
    ],
)
def test_fields_on_a_post(query: str, expected: bool) -> None:
    view = view_post(_post())
    assert (match(query, view) is not None) is expected
    assert compile_tester(parse_query(query).root)(view) is expected


def test_missing_data_matches_no_value() -> None:
    bare = view_post(
        _post(lang=None, country=None, sentiment=None, author=Author(handle="someone"), reply_to=None)
    )
    for query in ["orange lang:fr", "orange country:SN", "orange sentiment:neutral", "orange followers:<=10"]:
        assert match(query, bare) is None
    assert match("orange author:some*", bare) is not None


def test_spans_are_characters_of_the_original_text() -> None:
    text = "Ma LIVEBOX 🙂 est en panne, #LiveBox https://orange.fr/x"
    found = match("livebox AND panne", view_text(text))
    assert found is not None
    assert [text[s:e] for s, e in found.spans] == ["LIVEBOX", "panne", "LiveBox"]
    found = match("#livebox site:orange.fr", view_text(text))
    assert found is not None
    assert [text[s:e] for s, e in found.spans] == ["#LiveBox", "https://orange.fr/x"]
    found = match('"en panne" NOT fibre', view_text(text))
    assert found is not None and [text[s:e] for s, e in found.spans] == ["en panne"]
    found = match("panne NEAR/2 ma", view_text("ma box en panne"))
    assert found is not None and found.spans == ((0, 2), (10, 15))


def test_topic_references() -> None:
    saved = {
        "fibre": "fibre OR adsl",
        "incident": "topic:fibre AND panne",
        "loop": "topic:loop2",
        "loop2": "topic:loop",
    }
    view = view_text("la fibre est en panne")
    found = match("topic:incident AND lang:fr", view_text("la fibre est en panne", lang="fr"), saved.get)
    assert found is not None and len(found.spans) == 2
    assert match("topic:incident", view_text("panne adsl"), saved.get) is not None
    with pytest.raises(UnknownTopicError, match="nope"):
        match("topic:nope", view, saved.get)
    with pytest.raises(QueryCycleError) as caught:
        match("topic:loop", view, saved.get)
    assert caught.value.cycle == ["loop", "loop2", "loop"]
    chain = {f"t{i}": f"topic:t{i + 1}" for i in range(6)} | {"t6": "fibre"}
    assert match("topic:t2", view, chain.get) is not None  # 5 levels: t2 -> t3 -> t4 -> t5 -> t6
    with pytest.raises(QueryLimitError, match="levels"):
        match("topic:t0", view, chain.get)
