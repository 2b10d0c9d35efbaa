"""The reading rules shared by the matcher and the stages (query-language spec §1 and §6)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from veille.text import (
    _iter_raw_tokens,
    _iter_raw_tokens_slow,
    extract_hashtags,
    extract_mentions,
    extract_urls,
    fold,
    folded_words,
    host_of,
    token_columns,
    tokenize,
)

_ALPHABET = st.sampled_from(
    [
        *"aZé9 _-'’.#@:/",
        "e\u0301",
        "\u0301",
        "²",
        "½",
        "٣",
        "Ⅻ",
        "ß",
        "İ",
        "日本",
        "😀",
        "\u094d",
        "\u1dc0",
        "\U0001e8d0",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_ALPHABET, max_size=30).map("".join))
def test_fast_tokenizer_agrees_with_the_character_rule(sample: str) -> None:
    assert _iter_raw_tokens(sample, 0, len(sample)) == _iter_raw_tokens_slow(sample, 0, len(sample))


def test_separators_and_folding() -> None:
    assert [t.folded for t in tokenize("l’Orange e-commerce Données_perso x²")] == [
        "l",
        "orange",
        "e",
        "commerce",
        "donnees",
        "perso",
        "x",
    ]
    assert fold("DONNÉES") == "donnees"
    assert fold("Straße") == "strasse"


def test_decomposed_accents_stay_inside_the_token_and_spans_point_at_the_original() -> None:
    text = "Cafe\u0301 ouvert"
    tokens = tokenize(text)
    assert [(t.raw, t.folded, t.start, t.end) for t in tokens] == [
        ("Cafe\u0301", "cafe", 0, 5),
        ("ouvert", "ouvert", 6, 12),
    ]


def test_urls_are_taken_out_and_trimmed() -> None:
    text = "voir https://ex.org/a?b=1), et www.site.fr. fin"
    assert extract_urls(text) == ["https://ex.org/a?b=1", "www.site.fr"]
    assert [t.folded for t in tokenize(text)] == ["voir", "et", "fin"]
    assert host_of("www.site.fr") == "site.fr" or host_of("www.site.fr") == "www.site.fr"


def test_hashtags_and_mentions() -> None:
    text = "#LiveBox @orange_fr joe@example.com @alice.bsky.social. x#no https://a.b/#frag"
    assert [tag for tag, _ in extract_hashtags(text)] == ["livebox"]
    assert [handle for handle, _ in extract_mentions(text)] == ["orange_fr", "alice.bsky.social"]
    assert extract_mentions("_@nope a@nope 9@nope (@yes") == [("yes", (22, 26))]


_PIECES = st.sampled_from(
    [
        "Orange",
        "LIVEBOX",
        "5G",
        " ",
        "-",
        "_",
        "'",
        "#tag",
        "@x_y",
        "é",
        "Données",
        "http://a.fr/b?c=1",
        "www.x.com",
        ".",
        "ß",
        "Œuvre",
        "×",
        "ª",
        "e\u0301",
        "²",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=12).map("".join))
def test_token_columns_are_the_columns_of_tokenize(sample: str) -> None:
    tokens = tokenize(sample)
    assert token_columns(sample) == (
        [t.raw for t in tokens],
        [t.folded for t in tokens],
        [t.start for t in tokens],
        [t.end for t in tokens],
    )


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=30).map("".join))
def test_folded_words_are_the_folded_tokens_urls_included(sample: str) -> None:
    assert folded_words(sample) == [token.folded for token in tokenize(sample, skip_urls=False)]
    url_text = f"voir https://Exemple.org/Données {sample}"
    assert folded_words(url_text) == [token.folded for token in tokenize(url_text, skip_urls=False)]
