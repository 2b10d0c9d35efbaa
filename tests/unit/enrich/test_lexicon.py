from __future__ import annotations

import math
import random

import numpy as np
import pytest

from veille.enrich.sentiment import lexicon
from veille.enrich.sentiment.lexicon import lexicon_features


def _one_text_at_a_time(text: str, name: str) -> tuple[float, float]:
    """The rule as written in the module docstring, token by token."""
    valences = lexicon._valences(name)
    token_re, is_negation = (
        (lexicon._FRENCH_TOKEN_RE, lexicon._is_french_negation)
        if name == "fr"
        else (lexicon._TOKEN_RE, lexicon._is_negation)
    )
    tokens = token_re.findall(text.lower())
    positive = negative = 0.0
    for index, token in enumerate(tokens):
        valence = valences.get(token)
        if valence is None:
            continue
        if any(map(is_negation, tokens[max(0, index - 3) : index])):
            valence *= -0.74
        if valence > 0:
            positive += valence
        else:
            negative -= valence
    return math.log1p(positive), math.log1p(negative)


def _texts(words: list[str]) -> list[str]:
    generator = random.Random(7)
    spaces = [" ", "  ", "\t", "\n", " , ", "! ", "\u00a0", "\u2003"]
    return [
        "".join(generator.choice(words) + generator.choice(spaces) for _ in range(generator.randint(0, 14)))
        for _ in range(400)
    ]


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("vader", ["good", "bad", "not", "never", "isn't", "GREAT", "the", "love", "hate", ":)", "no", "x"]),
        ("fr", ["bon", "mauvais", "n'est", "pas", "jamais", "l'horrible", "Excellent", "le", "vol", "sans"]),
    ],
)
def test_batches_give_what_each_text_gives_alone(
    name: str, words: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = _texts(words)
    expected = np.array([_one_text_at_a_time(text, name) for text in texts])
    # A tiny word memory forces it to be emptied between batches; the features must not change.
    lexicon._lexicon_words.cache_clear()
    monkeypatch.setattr(lexicon, "_WORD_LIMIT", 5)
    for start in range(0, len(texts), 37):
        np.testing.assert_array_equal(
            lexicon_features(texts[start : start + 37], name), expected[start : start + 37]
        )
    lexicon._lexicon_words.cache_clear()
    np.testing.assert_array_equal(lexicon_features(texts, name), expected)


def test_no_texts() -> None:
    assert lexicon_features([]).shape == (0, 2)
