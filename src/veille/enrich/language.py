"""Language of a post: py3langid restricted to the configured languages, ``und`` when too short.

The post's own ``lang`` (given by the platform or the author) wins. Identification reads the text
without links and @handles, which are language-neutral and would otherwise pull short posts
towards English.
"""

from __future__ import annotations

import copy
import re
import string
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import scipy.sparse as sp

from veille.enrich.sentiment.counts import count_matrix
from veille.model import Post

__all__ = ["DEFAULT_LANGUAGES", "MIN_LETTERS", "LanguageIdentifier", "LanguageStage", "text_for_language_id"]

# The 8 UMSAB languages, then the other languages of the hub's countries.
DEFAULT_LANGUAGES: tuple[str, ...] = (
    "en", "fr", "de", "es", "it", "pt", "ar", "hi",
    "nl", "pl", "ro", "tr", "sw", "ru", "el", "ja", "zh",
)  # fmt: skip
MIN_LETTERS = 10
UNDETERMINED = "und"

# Links (the start rule of ``veille.text.url_spans``; trailing punctuation does not matter here) and
# @handles (the look-behind after the "@", so that the engine jumps from "@" to "@").
_LINK_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_HANDLE_RE = re.compile(r"@(?<!\w@)\w+(?:[.-]\w+)*")
_ASCII_LETTERS = string.ascii_letters.encode()


def text_for_language_id(text: str) -> str:
    """The text without links and @handles; ``#`` is dropped but the hashtag's word is kept."""
    # Each pass only where it can match ("www." in any case: nothing else lower-cases to "w"). A
    # link runs to whitespace, so removing links first leaves the character before each "@" as it was.
    if "://" in text or "www." in text.lower():
        text = _LINK_RE.sub(" ", text)
    if "@" in text:
        text = _HANDLE_RE.sub(" ", text)
    return text.replace("#", " ")


def _letter_count(text: str) -> int:
    if text.isascii():
        return len(text) - len(text.encode("ascii").translate(None, _ASCII_LETTERS))
    return sum(map(str.isalpha, text))


@lru_cache(maxsize=1)
def _full_identifier() -> Any:
    # Loaded lazily (the model file is decompressed once per process, about 0.5 s).
    from py3langid.langid import MODEL_FILE
    from py3langid.langid import LanguageIdentifier as _PyLangId

    identifier = _PyLangId.from_model_file(MODEL_FILE, norm_probs=True)
    # Its two 104,583-entry tables of ints as tuples rather than lists (py3langid only indexes them):
    # the garbage collector leaves tuples of ints alone, and walked the lists at every full collection.
    identifier._rowbase = tuple(identifier._rowbase)
    identifier.tk_output = tuple(identifier.tk_output)
    return identifier


@lru_cache(maxsize=8)
def _identifier(languages: tuple[str, ...]) -> Any:
    # A shallow copy shares the full model's arrays; restricting builds new ones for the copy only.
    identifier = copy.copy(_full_identifier())
    identifier.set_languages(list(languages))
    return identifier


@lru_cache(maxsize=1)
def _automaton() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """py3langid's byte automaton as arrays: transitions, row offset of each state, feature of each state."""
    full = _full_identifier()
    nextmove = np.frombuffer(full.tk_nextmove, dtype=full.tk_nextmove.typecode)
    return nextmove, np.asarray(full._rowbase, dtype=np.int64), np.asarray(full.tk_output, dtype=np.int64)


@lru_cache(maxsize=8)
def _batch_classifier(languages: tuple[str, ...]) -> _BatchClassifier:
    return _BatchClassifier(_identifier(languages))


class _BatchClassifier:
    """py3langid's ``classify`` for many texts at once.

    py3langid walks its byte automaton in a Python loop per text and scores each text with small
    NumPy calls; here the automaton advances every text of a batch by one byte per step (texts sorted
    by length, so the texts still running are a prefix), and one sparse product scores the batch.
    The decisions are py3langid's (same features, counts, naive Bayes weights, length temperature and
    alias folding); ``tests/unit/enrich/test_language.py`` compares them text by text.
    """

    # Texts longer than this many bytes go through py3langid one by one: a few long posts would
    # otherwise make every step of a batch walk one text.
    LONGEST = 600

    def __init__(self, identifier: Any) -> None:
        self.identifier = identifier
        self.nextmove, self.rowbase, self.output = _automaton()
        self.weights = np.asarray(identifier.nb_ptc, dtype=np.float32)
        self.priors = np.asarray(identifier.nb_pc, dtype=np.float32)
        self.labels: list[str] = list(identifier.nb_classes)
        self.alias_pairs: list[tuple[int, int]] = list(identifier._alias_pairs)

    def classify(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        encoded: list[bytes] = [self.identifier._encode(text) for text in texts]
        results: list[tuple[str, float]] = [("", 0.0)] * len(texts)
        short = [index for index, data in enumerate(encoded) if len(data) <= self.LONGEST]
        for index, data in enumerate(encoded):
            if len(data) > self.LONGEST:
                code, probability = self.identifier.classify(data)
                results[index] = (str(code), float(probability))
        if short:
            for index, result in zip(short, self._classify_short([encoded[i] for i in short]), strict=True):
                results[index] = result
        return results

    def _features(self, encoded: list[bytes]) -> sp.csr_matrix:
        """(texts, features) counts of the automaton's features, as py3langid's ``visit_counts``."""
        lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
        order = np.argsort(-lengths, kind="stable")
        sorted_lengths = lengths[order]
        longest = int(sorted_lengths[0]) if len(order) else 0
        # Column i holds byte i of every text (longest first); shorter texts are padded but never read.
        padded = b"".join(encoded[i].ljust(longest, b"\0") for i in order)
        steps = np.frombuffer(padded, dtype=np.uint8).reshape(len(order), longest).T.copy()
        running = np.searchsorted(-sorted_lengths, -np.arange(longest), side="left")
        # The walk only moves: the state after each byte of each text is kept, features read after.
        visited = np.zeros((longest, len(order)), dtype=self.nextmove.dtype)
        state = np.zeros(len(order), dtype=self.nextmove.dtype)
        for step, count in enumerate(running.tolist()):
            state = self.nextmove[self.rowbase[state[:count]] + steps[step, :count]]
            visited[step, :count] = state
        features = self.output[visited]
        read = np.arange(longest)[:, None] < sorted_lengths[None, :]
        hit_steps, hit_texts = np.nonzero((features >= 0) & read)
        return count_matrix(
            order[hit_texts], features[hit_steps, hit_texts], len(encoded), self.weights.shape[0]
        )

    def _classify_short(self, encoded: list[bytes]) -> list[tuple[str, float]]:
        counts = self._features(encoded)
        counts.data = np.log1p(counts.data)
        scores = np.asarray(counts @ self.weights, dtype=np.float32) + self.priors
        # A text without any feature scores 0 for every language (py3langid's norm_probs rule).
        scores[np.diff(counts.indptr) == 0] = 0.0
        lengths = np.fromiter((len(data) or 1 for data in encoded), dtype=np.float32, count=len(encoded))
        scores *= (1.0 / np.sqrt(lengths.astype(np.float64))).astype(np.float32)[:, None]
        scores = np.exp(scores - scores.max(axis=1, keepdims=True))
        scores /= scores.sum(axis=1, keepdims=True)
        for first, duplicate in self.alias_pairs:
            scores[:, first] += scores[:, duplicate]
            scores[:, duplicate] = 0.0
        best = scores.argmax(axis=1)
        confidence = scores[np.arange(len(encoded)), best]
        labels = self.labels
        return [
            (labels[index], value) for index, value in zip(best.tolist(), confidence.tolist(), strict=True)
        ]


class LanguageIdentifier:
    """Classifies texts among ``languages`` (ISO 639-1 codes known to py3langid)."""

    def __init__(
        self, languages: Sequence[str] = DEFAULT_LANGUAGES, *, min_letters: int = MIN_LETTERS
    ) -> None:
        cleaned = tuple(dict.fromkeys(code.strip().lower() for code in languages if code.strip()))
        if not cleaned:
            raise ValueError("languages: at least one language code is needed")
        try:
            _identifier(cleaned)
        except ValueError as error:
            raise ValueError(f"languages: {error}") from None
        if min_letters < 0:
            raise ValueError("min_letters: must be zero or more")
        self.languages = cleaned
        self.min_letters = min_letters

    def identify(self, text: str) -> tuple[str, float]:
        """``(code, probability)``; ``("und", 0.0)`` when fewer than ``min_letters`` letters remain."""
        cleaned = text_for_language_id(text)
        if _letter_count(cleaned) < self.min_letters:
            return UNDETERMINED, 0.0
        code, probability = _identifier(self.languages).classify(cleaned)
        return str(code), float(probability)

    def identify_many(self, texts: Iterable[str]) -> list[str]:
        """The code of each text (as :meth:`identify`), classified as one batch."""
        return [code for code, _ in self.identify_batch(list(texts))]

    def identify_batch(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        """``(code, probability)`` of each text, as :meth:`identify` gives, much faster on many texts."""
        cleaned = [text_for_language_id(text) for text in texts]
        results: list[tuple[str, float]] = [(UNDETERMINED, 0.0)] * len(texts)
        long_enough = [index for index, text in enumerate(cleaned) if _letter_count(text) >= self.min_letters]
        if long_enough:
            decided = _batch_classifier(self.languages).classify([cleaned[index] for index in long_enough])
            for index, result in zip(long_enough, decided, strict=True):
                results[index] = result
        return results


class LanguageStage:
    """Sets ``post.lang`` when the source gave none (``und`` for texts too short to tell)."""

    name = "language"

    def __init__(
        self, languages: Sequence[str] = DEFAULT_LANGUAGES, *, min_letters: int = MIN_LETTERS
    ) -> None:
        self.identifier = LanguageIdentifier(languages, min_letters=min_letters)

    def process(self, posts: list[Post]) -> list[Post]:
        unknown = [post for post in posts if not post.lang]
        if unknown:
            codes = self.identifier.identify_many([post.text for post in unknown])
            for post, code in zip(unknown, codes, strict=True):
                post.lang = code
        return posts
