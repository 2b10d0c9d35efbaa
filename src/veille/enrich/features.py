"""Hashed word and character n-grams, the same columns scikit-learn's ``HashingVectorizer`` gives.

scikit-learn builds every n-gram of every post in pure Python before hashing them; on tweets that is
most of the cost of sentiment. Posts reuse words, so here the columns of each word (its character
n-grams) are computed once and kept in one array, and word pairs are remembered as pairs of word
numbers. Only the columns a model knows are kept, as positions in that model's column list, so a
batch is a few array operations: gather the words' positions, sort (text, position) keys, count.
New words and pairs are hashed together, in NumPy (:mod:`veille.enrich.murmur`).

The analyzers repeat scikit-learn's exactly (``lowercase=True``, ``token_pattern`` ``(?u)\\b\\w\\w+\\b``
for words, ``char_wb`` for characters: each whitespace-separated word padded with one space on each
side) and hashing gives its ``FeatureHasher``'s columns (signed 32-bit MurmurHash3, seed 0, absolute
value modulo the number of columns), so models trained with ``HashingVectorizer`` give the same
scores; ``tests/unit/enrich/test_features.py`` checks it against scikit-learn.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from itertools import chain, repeat

import numpy as np
import scipy.sparse as sp

from veille.enrich.murmur import Utf8Text, hashed_columns
from veille.enrich.word_slices import WordSlices

__all__ = ["CharNgramColumns", "WordNgramColumns", "char_wb_ngrams", "hash_terms", "word_ngrams"]

_TOKEN_RE = re.compile(r"(?u)\b\w\w+\b")
# Memory bound of each cache (entries); tweets in one language use far fewer distinct words.
_CACHE_LIMIT = 200_000
# N-grams a model knows are bounded by its columns (plus rare hash collisions): kept much longer.
_KNOWN_LIMIT = 1_000_000
_UNSEEN = -2  # a word pair not met yet (-1: met, and not a column of the model)


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


# Set bits of each byte value, to count the set bits of 64-bit words (numpy < 2 has no bitwise_count).
_BYTE_BITS = np.array([bin(value).count("1") for value in range(256)], dtype=np.uint8)


def _set_bits(words: np.ndarray) -> np.ndarray:
    if hasattr(np, "bitwise_count"):
        return np.bitwise_count(words).astype(np.int64)
    return _BYTE_BITS[np.ascontiguousarray(words).view(np.uint8).reshape(-1, 8)].sum(axis=1, dtype=np.int64)


class _ColumnPositions:
    """Position of hashed columns in a model's sorted column list (-1 for columns not in it).

    A bitmap of the hashed space says whether a column is there; its position is the number of set
    bits before it (kept per 64-bit word, the rest counted). A sixteenth of a dense table's memory,
    and far faster than a binary search for the tens of thousands of new n-grams of a batch.
    """

    def __init__(self, columns: np.ndarray, hash_bits: int) -> None:
        self._bits = np.zeros(max((1 << hash_bits) >> 6, 1), dtype=np.uint64)
        np.bitwise_or.at(
            self._bits, columns >> 6, np.left_shift(np.uint64(1), (columns & 63).astype(np.uint64))
        )
        set_bits = _set_bits(self._bits)
        self._before = np.cumsum(set_bits) - set_bits

    def __call__(self, hashed: np.ndarray) -> np.ndarray:
        word_index = hashed >> 6
        bit = (hashed & 63).astype(np.uint64)
        words = self._bits[word_index]
        present = ((words >> bit) & np.uint64(1)).astype(bool)
        below = words & ((np.uint64(1) << bit) - np.uint64(1))
        return np.where(present, self._before[word_index] + _set_bits(below), -1)


def _words_of(texts: Sequence[str]) -> list[list[str]]:
    return [text.lower().split() for text in texts]


class CharNgramColumns:
    """Character n-gram columns of texts, as positions in a model's ``columns``, cached per word.

    A word's known positions are computed once (an n-gram repeated in it, as in "lool", is there
    twice); a text is the positions of its words, counted per column.
    """

    def __init__(self, columns: np.ndarray, ngrams: tuple[int, int], hash_bits: int) -> None:
        self.columns = columns
        self.low, self.high = ngrams
        self.hash_bits = hash_bits
        self._positions_of = _ColumnPositions(columns, hash_bits)
        self._words = WordSlices(np.int32)
        self._lock = threading.Lock()

    def _learn(self, words: list[str]) -> None:
        positions, owners = self._known_ngrams(words)
        self._words.add(words, positions, owners)

    def _known_ngrams(self, words: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(positions, index of the word) of the words' n-grams the model knows, in word order."""
        try:
            text = Utf8Text([f" {word} " for word in words])
        except UnicodeEncodeError:
            return self._known_ngrams_slowly(words)
        padded = np.diff(text.char_starts)
        word_starts = text.char_starts[:-1]
        starts: list[np.ndarray] = []
        sizes: list[np.ndarray] = []
        owners: list[np.ndarray] = []
        for size in range(self.low, self.high + 1):
            having = np.flatnonzero(padded > size)
            counts = padded[having] - size + 1
            first = np.cumsum(counts) - counts
            owner = np.repeat(having, counts)
            starts.append(word_starts[owner] + np.arange(int(counts.sum())) - np.repeat(first, counts))
            sizes.append(np.full(len(owner), size, dtype=np.int64))
            owners.append(owner)
        # A padded word no longer than the largest size counts once whole (as char_wb_ngrams).
        whole = np.flatnonzero(padded <= self.high)
        starts.append(word_starts[whole])
        sizes.append(padded[whole])
        owners.append(whole)
        char_starts, char_sizes = np.concatenate(starts), np.concatenate(sizes)
        byte_starts = text.byte_offsets[char_starts]
        byte_lengths = text.byte_offsets[char_starts + char_sizes] - byte_starts
        hashed = hashed_columns(text.blocks, byte_starts, byte_lengths, 1 << self.hash_bits)
        positions = self._positions_of(hashed)
        kept = np.flatnonzero(positions >= 0)
        owner = np.concatenate(owners)[kept]
        order = np.argsort(owner, kind="stable")
        return positions[kept][order].astype(np.int32), owner[order]

    def _known_ngrams_slowly(self, words: list[str]) -> tuple[np.ndarray, np.ndarray]:
        counts = hash_terms([char_wb_ngrams(word, self.low, self.high) for word in words], self.hash_bits)
        # Repeated n-grams of a word ("lool") count as often as they occur.
        repeats = counts.data.astype(np.int64)
        positions = self._positions_of(np.repeat(counts.indices.astype(np.int64), repeats))
        owners = np.repeat(np.repeat(np.arange(len(words)), np.diff(counts.indptr)), repeats)
        kept = positions >= 0
        return positions[kept].astype(np.int32), owners[kept]

    def matrix(self, texts: Sequence[str]) -> sp.csr_matrix:
        """(texts, len(columns)) n-gram counts."""
        split = _words_of(texts)
        with self._lock:
            missing = self._words.unknown(chain.from_iterable(split))
            if missing:
                if len(self._words) + len(missing) > _CACHE_LIMIT:
                    # A full cache is emptied first, so a batch always fits.
                    self._words.clear()
                    missing = set(chain.from_iterable(split))
                self._learn(list(missing))
            positions, rows = self._words.gather(split)
        return _count_matrix(rows, positions, len(texts), len(self.columns))


class WordNgramColumns:
    """Word n-gram columns of texts, as positions in a model's ``columns``.

    Each token met gets a number, and each whitespace-separated word the numbers of its tokens. A
    token's unigram position is kept by number; a word pair is remembered by its two numbers, with
    its position or -1 when the model does not know it. Most pairs of a stream are new and unknown:
    they are forgotten apart (bounded), so they never push out the pairs the model knows. Longer
    n-grams (no shipped model has them) are hashed each time.
    """

    def __init__(self, columns: np.ndarray, ngrams: tuple[int, int], hash_bits: int) -> None:
        self.columns = columns
        self.low, self.high = ngrams
        self.hash_bits = hash_bits
        self._positions_of = _ColumnPositions(columns, hash_bits)
        self._lock = threading.Lock()
        self._forget()

    def _forget(self) -> None:
        self._words = WordSlices(np.int64)
        self._token_ids: dict[str, int] = {}
        self._tokens: list[str] = []
        self._unigram_positions = np.zeros(0, dtype=np.int64)
        self._pairs: dict[int, int] = {}
        self._known_pairs = self._unknown_pairs = 0

    def _term_positions(self, terms: list[str]) -> np.ndarray:
        try:
            text = Utf8Text(terms)
        except UnicodeEncodeError:
            hashed = hash_terms([[term] for term in terms], self.hash_bits).indices.astype(np.int64)
        else:
            starts, lengths = text.string_slices()
            hashed = hashed_columns(text.blocks, starts, lengths, 1 << self.hash_bits)
        return self._positions_of(hashed)

    def _learn(self, words: list[str]) -> None:
        tokens_of = [_TOKEN_RE.findall(word) for word in words]
        tokens = list(chain.from_iterable(tokens_of))
        new = list(set(tokens).difference(self._token_ids))
        if new:
            first = len(self._tokens)
            self._tokens.extend(new)
            self._token_ids.update(zip(new, range(first, len(self._tokens)), strict=True))
            self._unigram_positions = np.concatenate([self._unigram_positions, self._term_positions(new)])
        numbers = np.fromiter(map(self._token_ids.__getitem__, tokens), dtype=np.int64, count=len(tokens))
        owners = np.repeat(np.arange(len(words)), [len(word_tokens) for word_tokens in tokens_of])
        self._words.add(words, numbers, owners)

    def _pair_positions(self, keys: np.ndarray) -> np.ndarray:
        found = np.fromiter(
            map(self._pairs.get, keys.tolist(), repeat(_UNSEEN)), dtype=np.int64, count=len(keys)
        )
        unseen = np.flatnonzero(found == _UNSEEN)
        if len(unseen):
            fresh, inverse = np.unique(keys[unseen], return_inverse=True)
            tokens = self._tokens
            pairs = [f"{tokens[key >> 32]} {tokens[key & 0xFFFFFFFF]}" for key in fresh.tolist()]
            positions = self._term_positions(pairs)
            found[unseen] = positions[inverse]
            self._remember_pairs(fresh, positions)
        return found

    def _remember_pairs(self, keys: np.ndarray, positions: np.ndarray) -> None:
        known = int((positions >= 0).sum())
        if self._known_pairs + known > _KNOWN_LIMIT:
            self._pairs.clear()
            self._known_pairs = self._unknown_pairs = 0
        elif self._unknown_pairs + len(keys) - known > _CACHE_LIMIT:
            self._pairs = {key: position for key, position in self._pairs.items() if position >= 0}
            self._unknown_pairs = 0
        self._pairs.update(zip(keys.tolist(), positions.tolist(), strict=True))
        self._known_pairs += known
        self._unknown_pairs += len(keys) - known

    def matrix(self, texts: Sequence[str]) -> sp.csr_matrix:
        split = _words_of(texts)
        rows: list[np.ndarray] = []
        positions: list[np.ndarray] = []
        with self._lock:
            missing = self._words.unknown(chain.from_iterable(split))
            if missing:
                if len(self._words) + len(missing) > _CACHE_LIMIT:
                    self._forget()
                    missing = set(chain.from_iterable(split))
                self._learn(list(missing))
            numbers, token_rows = self._words.gather(split)
            if self.low == 1:
                rows.append(token_rows)
                positions.append(self._unigram_positions[numbers])
            if self.low <= 2 <= self.high:
                # Consecutive tokens of one text (pairs span whitespace, never texts).
                within = np.flatnonzero(token_rows[1:] == token_rows[:-1])
                rows.append(token_rows[within])
                positions.append(self._pair_positions((numbers[within] << 32) | numbers[within + 1]))
        tokens_of = [_TOKEN_RE.findall(text.lower()) for text in texts] if self.high > 2 else []
        for size in range(max(self.low, 3), self.high + 1):
            counts = [max(len(text_tokens) - size + 1, 0) for text_tokens in tokens_of]
            grams = [
                " ".join(text_tokens[start : start + size])
                for text_tokens, count in zip(tokens_of, counts, strict=True)
                for start in range(count)
            ]
            rows.append(np.repeat(np.arange(len(texts)), counts))
            positions.append(self._term_positions(grams) if grams else np.zeros(0, dtype=np.int64))
        all_rows = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
        all_positions = np.concatenate(positions) if positions else np.zeros(0, dtype=np.int64)
        kept = all_positions >= 0
        return _count_matrix(all_rows[kept], all_positions[kept], len(texts), len(self.columns))


def _count_matrix(rows: np.ndarray, positions: np.ndarray, height: int, width: int) -> sp.csr_matrix:
    """CSR counts of (row, position) pairs, indices sorted within rows (what ``sum_duplicates`` gives)."""
    # One sortable key per pair, the row in the high bits (32-bit keys sort fastest).
    shift = max(width - 1, 1).bit_length()
    key_type = np.dtype(np.uint32 if shift + max(height - 1, 1).bit_length() <= 32 else np.uint64)
    shift_by = np.array(shift, dtype=key_type)
    keys = np.left_shift(rows.astype(key_type), shift_by) | positions.astype(key_type)
    keys.sort()
    first = np.ones(len(keys), dtype=bool)
    np.not_equal(keys[1:], keys[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    unique = keys[starts]
    indptr = np.zeros(height + 1, dtype=np.int64)
    np.cumsum(np.bincount(np.right_shift(unique, shift_by).astype(np.intp), minlength=height), out=indptr[1:])
    counts = np.diff(starts, append=len(keys)).astype(np.float32)
    indices = (unique & np.array((1 << shift) - 1, dtype=key_type)).astype(np.int32)
    return sp.csr_matrix((counts, indices, indptr), shape=(height, width))
