from __future__ import annotations

from tests.unit.enrich.conftest import make_post
from veille.enrich.entities import EntitiesStage, extract_cashtags, extract_emojis, link_domain


def test_cashtags_are_tickers_not_amounts() -> None:
    assert extract_cashtags("Buying $TSLA and $brk.b, not $100 or US$5; $AAPL again $AAPL") == [
        "TSLA",
        "BRK.B",
        "AAPL",
    ]
    assert extract_cashtags("see https://x.org/$ABC") == []


def test_emojis_keep_sequences_whole() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    thumbs = "\U0001f44d\U0001f3fd"
    flag = "\U0001f1eb\U0001f1f7"
    assert extract_emojis(f"great {thumbs} {flag} {family} \u2764\ufe0f!") == [
        thumbs,
        flag,
        family,
        "\u2764\ufe0f",
    ]
    assert extract_emojis("no emoji here: 3 + 4 = 7") == []


def test_link_domain() -> None:
    assert link_domain("https://WWW.Example.org/path?q=1") == "example.org"
    assert link_domain("www.lemonde.fr/article") == "lemonde.fr"


def test_stage_fills_entities_and_keeps_other_keys() -> None:
    post = make_post(
        1,
        "Panne #Livebox chez @Orange_FR 😡 voir https://www.lemonde.fr/x et $ORA",
        links=["https://t.co/abc"],
    )
    post.entities["country_confidence"] = 0.9
    EntitiesStage().process([post])
    assert post.hashtags == ["livebox"]
    assert post.mentions == ["orange_fr"]
    assert post.links == ["https://t.co/abc", "https://www.lemonde.fr/x"]
    assert post.entities["domains"] == ["t.co", "lemonde.fr"]
    assert post.entities["cashtags"] == ["ORA"]
    assert post.entities["emojis"] == ["😡"]
    assert post.entities["country_confidence"] == 0.9


def test_core_fields_follow_the_query_language_reading() -> None:
    text = "#A #a @b.c x@y https://e.org/#tag @Z"
    post = make_post(1, text)
    EntitiesStage().process([post])
    assert (post.hashtags, post.mentions, post.links) == (["a"], ["b.c", "z"], ["https://e.org/#tag"])
