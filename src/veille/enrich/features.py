"""Hashed word and character n-grams, the same columns scikit-learn's ``HashingVectorizer`` gives.

scikit-learn builds every n-gram of every post in pure Python before hashing them; on tweets that is
most of the cost of sentiment. Posts reuse words, so here the hashed columns of each word (its
character n-grams) and of each word pair are computed once and remembered. Only the columns a model
knows are kept, as positions in that model's column list, so a batch is a few array concatenations
and one sparse product.

The analyzers repeat scikit-learn's exactly (``lowercase=True``, ``token_pattern`` ``(?u)\\b\\w\\w+\\b``
for words, ``char_wb`` for characters: each whitespace-separated word padded with one space on each
side) and hashing goes through its ``FeatureHasher`` (signed 32-bit MurmurHash3, seed 0, absolute
value modulo the number of columns), so models trained with ``HashingVectorizer`` give the same
scores; ``tests/unit/enrich/test_features.py`` checks it against scikit-learn.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

__all__ = ["CharNgramColumns", "WordNgramColumns", "char_wb_ngrams", "hash_terms", "word_ngrams"]

_TOKEN_RE = re.compile(r"(?u)\b\w\w+\b")
# Memory bound of each cache (entries); tweets in one language use far fewer distinct words.
_CACHE_LIMIT = 200_000
# N-grams a model knows are bounded by its columns (plus rare hash collisions): kept much longer.
_KNOWN_LIMIT = 1_000_000
_EMPTY = np.zeros(0, dtype=np.int32)


def char_wb_ngrams(word: str, low: int, high: int) -> list[str]:
    """scikit-learn's ``char_wb`` n-grams of one (lower-cased, space-free) word."""
    padded = f" {word} "
    length = len(padded)
    grams: list[str] = []
    for size in range(low, high + 1):
        if length <= size:
            # A word shorter than the n-gram size counts once, and larger sizes add nothing.
            grams.append(padded)
            break
        grams.extend(padded[start : start + size] for start in range(length - size + 1))
    return grams


def word_ngrams(text: str, low: int, high: int) -> list[str]:
    """scikit-learn's word n-grams of a text: tokens of two or more word characters, lower-cased."""
    tokens = _TOKEN_RE.findall(text.lower())
    grams = tokens if low == 1 else []
    grams = list(grams)
    for size in range(max(low, 2), min(high, len(tokens)) + 1):
        grams.extend(" ".join(tokens[start : start + size]) for start in range(len(tokens) - size + 1))
    return grams


def hash_terms(groups: Sequence[Sequence[str]], hash_bits: int) -> sp.csr_matrix:
    """One row per group of terms: hashed column counts, as ``HashingVectorizer`` computes them."""
    from sklearn.feature_extraction import FeatureHasher

    hasher = FeatureHasher(1 << hash_bits, input_type="string", alternate_sign=False, dtype=np.float32)
    try:
        return hasher.transform(groups).tocsr()
    except UnicodeEncodeError:
        # Lone surrogates (broken emoji from some JSON sources) cannot be UTF-8 encoded: hash their
        # replacement character instead of failing the batch.
        cleaned = [[_encodable(term) for term in group] for group in groups]
        return hasher.transform(cleaned).tocsr()


def _encodable(term: str) -> str:
    return term.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


class CharNgramColumns:
    """Character n-gram columns of texts, as positions in a model's ``columns``, cached per word."""

    def __init__(self, columns: np.ndarray, ngrams: tuple[int, int], hash_bits: int) -> None:
        self.columns = columns
        self.low, self.high = ngrams
        self.hash_bits = hash_bits
        self._by_word: dict[str, np.ndarray] = {}

    def _learn(self, words: list[str]) -> None:
        counts = hash_terms([char_wb_ngrams(word, self.low, self.high) for word in words], self.hash_bits)
        # Repeated n-grams of a word ("lool") count as often as they occur.
        repeats = counts.data.astype(np.int64)
        hashed = np.repeat(counts.indices.astype(np.int64), repeats)
        owners = np.repeat(np.repeat(np.arange(len(words)), np.diff(counts.indptr)), repeats)
        if len(self.columns):
            where = np.searchsorted(self.columns, hashed)
            where[where == len(self.columns)] = 0
            kept = self.columns[where] == hashed
            positions, owners = where[kept].astype(np.int32), owners[kept]
        else:
            positions, owners = _EMPTY, owners[:0]
        bounds = np.searchsorted(owners, np.arange(len(words) + 1)).tolist()
        for row, word in enumerate(words):
            self._by_word[word] = positions[bounds[row] : bounds[row + 1]]

    def matrix(self, texts: Sequence[str]) -> sp.csr_matrix:
        """(texts, len(columns)) n-gram counts."""
        split = [text.lower().split() for text in texts]
        words = [word for text_words in split for word in text_words]
        missing = _missing(self._by_word, words)
        if missing:
            self._learn(missing)
        known = self._by_word
        arrays = [known[word] for word in words]
        sizes = np.fromiter(map(len, arrays), dtype=np.int64, count=len(arrays))
        rows = np.repeat(np.repeat(np.arange(len(texts)), list(map(len, split))), sizes)
        positions = np.concatenate(arrays) if arrays else _EMPTY
        return _count_matrix(rows, positions, len(texts), len(self.columns))


class WordNgramColumns:
    """Word n-gram columns of texts, as positions in a model's ``columns``, cached per n-gram.

    Most word pairs of a stream are new and not in the model: they are remembered apart (a bounded
    set, emptied when full), so that they never push out the n-grams the model knows.
    """

    def __init__(self, columns: np.ndarray, ngrams: tuple[int, int], hash_bits: int) -> None:
        self.columns = columns
        self.low, self.high = ngrams
        self.hash_bits = hash_bits
        self._by_term: dict[str, int] = {}
        self._unknown: set[str] = set()

    def _learn(self, terms: list[str]) -> bool:
        """Remember ``terms``; ``True`` when the known n-grams had to be forgotten to make room."""
        hashed = hash_terms([[term] for term in terms], self.hash_bits).indices.astype(np.int64)
        where = np.searchsorted(self.columns, hashed)
        where[where == len(self.columns)] = 0
        found = self.columns[where] == hashed if len(self.columns) else np.zeros(len(terms), dtype=bool)
        reset = len(self._by_term) + int(found.sum()) > _KNOWN_LIMIT
        if reset:
            self._by_term.clear()
        if len(self._unknown) + len(terms) > _CACHE_LIMIT:
            self._unknown.clear()
        for term, known, position in zip(terms, found.tolist(), where.tolist(), strict=True):
            if known:
                self._by_term[term] = position
            else:
                self._unknown.add(term)
        return reset

    def matrix(self, texts: Sequence[str]) -> sp.csr_matrix:
        grams = [word_ngrams(text, self.low, self.high) for text in texts]
        terms = [term for text_terms in grams for term in text_terms]
        known, unknown = self._by_term, self._unknown
        missing = list({term for term in terms if term not in known and term not in unknown})
        if missing and self._learn(missing):
            # The known n-grams were forgotten: learn this batch's again so none is missed.
            self._unknown.clear()
            self._learn(list(dict.fromkeys(terms)))
        known = self._by_term
        # -1: an n-gram the model never saw in training.
        positions = np.fromiter((known.get(term, -1) for term in terms), dtype=np.int64, count=len(terms))
        rows = np.repeat(np.arange(len(texts)), list(map(len, grams)))
        kept = positions >= 0
        return _count_matrix(rows[kept], positions[kept], len(texts), len(self.columns))


def _missing(cache: dict[str, Any], terms: list[str]) -> list[str]:
    """Distinct terms not in ``cache``; a full cache is emptied first so a batch always fits."""
    missing = list({term for term in terms if term not in cache})
    if missing and len(cache) + len(missing) > _CACHE_LIMIT:
        cache.clear()
        missing = list(dict.fromkeys(terms))
    return missing


def _count_matrix(rows: np.ndarray, positions: np.ndarray, height: int, width: int) -> sp.csr_matrix:
    data = np.ones(len(positions), dtype=np.float32)
    # coo -> csr adds up the repeated (text, column) pairs: the n-gram counts.
    matrix = sp.csr_matrix((data, (rows, positions)), shape=(height, width))
    matrix.sum_duplicates()
    return matrix
