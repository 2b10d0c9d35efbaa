"""Trend terms read apostrophes by language: elisions dropped, contractions and compounds kept whole."""

from __future__ import annotations

import pytest

from veille.analytics.terms import term_words
from veille.analytics.trends import item_terms


@pytest.mark.parametrize(
    ("text", "lang", "words"),
    [
        ("aujourd'hui", "fr", ["aujourd'hui"]),
        ("Aujourd’hui", "fr", ["aujourd'hui"]),  # the typographic apostrophe too
        ("l'opérateur", "fr", ["operateur"]),
        ("qu'aujourd'hui", "fr", ["aujourd'hui"]),
        ("jusqu'à lorsqu'il d'Orange c'est", "fr", ["a", "il", "orange", "est"]),
        ("prud'hommes presqu'île", "fr", ["prud'hommes", "presqu'ile"]),
        ("dell'anno un'altra", "it", ["anno", "altra"]),
        ("don't can't we're I'm", "en", ["don't", "can't", "we're", "i'm"]),
        ("Nova's outage, it's down", "en", ["nova", "outage", "it", "down"]),
        ("l'opérateur", "en", ["l'operateur"]),  # no elision in English
        ("l'opérateur Nova's", None, ["operateur", "nova"]),  # unknown language: every rule
        ("l' opérateur", "fr", ["l", "operateur"]),  # a space after the apostrophe: two words
        ("https://ex.org/l'operateur aujourd'hui", "fr", ["aujourd'hui"]),  # URLs are not read
    ],
)
def test_apostrophes_per_language(text: str, lang: str | None, words: list[str]) -> None:
    assert term_words(text, lang) == words


def test_terms_drop_short_words_stop_words_and_contractions() -> None:
    assert item_terms("L'opérateur coupe l'accès aujourd'hui", "fr") == {
        "operateur",
        "coupe",
        "acces",
        "aujourd'hui",
    }
    english = item_terms("I don't see why Nova's network can't cope, it's outrageous", "en")
    assert english == {"see", "nova", "network", "cope", "outrageous"}  # not don, t, can, nova's
    # Hashtags and mentions are not terms, apostrophe or not.
    assert item_terms("#Nova's @nova's panne", "en") == {"panne"}
