"""Hashed word and character n-grams, the same columns scikit-learn's ``HashingVectorizer`` gives.

scikit-learn builds every n-gram of every post in pure Python before hashing them; on tweets that is
most of the cost of sentiment. N-grams never cross whitespace except word n-grams, and posts reuse
words, so here what each whitespace-separated word gives (its character n-grams' columns, its tokens)
is computed once and kept in one array (:mod:`veille.enrich.sentiment.word_slices`). Only the columns a model
knows are kept, as positions in that model's column list, so a batch is a few array operations:
gather the words' positions, sort (text, position) keys, count (:mod:`veille.enrich.sentiment.counts`). What
must be hashed (new words' n-grams, every batch's word pairs) is hashed in NumPy, all at once
(:mod:`veille.enrich.sentiment.murmur`).

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
from itertools import chain

import numpy as np
import scipy.sparse as sp

from veille.enrich.sentiment.counts import count_matrix
from veille.enrich.sentiment.murmur import Utf8Text, byte_blocks, hashed_columns, stable_order
from veille.enrich.sentiment.word_slices import WordSlices, words_of

__all__ = ["CharNgramColumns", "WordNgramColumns", "char_wb_ngrams", "hash_terms", "word_ngrams"]

_TOKEN_RE = re.compile(r"(?u)\b\w\w+\b")
# Memory bound of each cache (entries); tweets in one language use far fewer distinct words.
_CACHE_LIMIT = 200_000


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
        order = stable_order(owner)
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
        words, words_per_text = words_of(texts)
        with self._lock:
            numbers = self._words.numbers(words, learn=self._learn, limit=_CACHE_LIMIT)
            positions, rows = self._words.gather(numbers, words_per_text)
        return count_matrix(rows, positions, len(texts), len(self.columns))


class WordNgramColumns:
    """Word n-gram columns of texts, as positions in a model's ``columns``.

    Each whitespace-separated word met keeps the numbers of its tokens and their UTF-8 bytes, each
    followed by a space; a token's own column is found once. For a batch, the words' bytes laid end to
    end hold every n-gram as it is hashed (tokens joined by single spaces) at consecutive bytes, so
    n-grams of several tokens, mostly new in a stream, are hashed for every batch as byte slices,
    without a string per n-gram or a cache.
    """

    def __init__(self, columns: np.ndarray, ngrams: tuple[int, int], hash_bits: int) -> None:
        self.columns = columns
        self.low, self.high = ngrams
        self.hash_bits = hash_bits
        self._positions_of = _ColumnPositions(columns, hash_bits)
        self._lock = threading.Lock()
        self._words = WordSlices(np.int64)  # by word: its tokens' numbers
        self._word_bytes = WordSlices(np.uint8)  # by word: its tokens' UTF-8 bytes, each then a space
        self._forget()

    def _forget(self) -> None:
        self._words.clear()
        self._word_bytes.clear()
        self._token_numbers: dict[str, int] = {}
        self._token_lengths = np.zeros(0, dtype=np.int64)  # by token number: its UTF-8 length
        self._unigram_positions = np.zeros(0, dtype=np.int64)

    def _learn(self, words: list[str]) -> None:
        tokens_of = [_TOKEN_RE.findall(word) for word in words]
        tokens = list(chain.from_iterable(tokens_of))
        # Tokens are word characters: never a lone surrogate, always encodable.
        encoded = [token.encode("utf-8") for token in tokens]
        new = dict.fromkeys(token for token in tokens if token not in self._token_numbers)
        if new:
            first = len(self._token_numbers)
            self._token_numbers.update(zip(new, range(first, first + len(new)), strict=True))
            new_encoded = [token.encode("utf-8") for token in new]
            lengths = np.fromiter(map(len, new_encoded), dtype=np.int64, count=len(new_encoded))
            starts = np.cumsum(lengths) - lengths
            hashed = hashed_columns(byte_blocks(b"".join(new_encoded)), starts, lengths, 1 << self.hash_bits)
            self._token_lengths = np.concatenate([self._token_lengths, lengths])
            self._unigram_positions = np.concatenate([self._unigram_positions, self._positions_of(hashed)])
        token_owners = np.repeat(np.arange(len(words)), [len(word_tokens) for word_tokens in tokens_of])
        numbers = np.fromiter(map(self._token_numbers.__getitem__, tokens), dtype=np.int64, count=len(tokens))
        self._words.add(words, numbers, token_owners)
        spaced = np.frombuffer(b"".join(token + b" " for token in encoded), dtype=np.uint8)
        self._word_bytes.add(words, spaced, np.repeat(token_owners, self._token_lengths[numbers] + 1))

    def matrix(self, texts: Sequence[str]) -> sp.csr_matrix:
        words, words_per_text = words_of(texts)
        rows: list[np.ndarray] = []
        positions: list[np.ndarray] = []
        with self._lock:
            word_numbers = self._words.numbers(
                words, learn=self._learn, limit=_CACHE_LIMIT, forget=self._forget
            )
            numbers, token_rows = self._words.gather(word_numbers, words_per_text)
            if self.low == 1:
                rows.append(token_rows)
                positions.append(self._unigram_positions[numbers])
            if self.high >= 2:
                # _words and _word_bytes are filled together: the same word numbers.
                blocks = byte_blocks(self._word_bytes.values(word_numbers))
                lengths = self._token_lengths[numbers]
                places = np.cumsum(lengths + 1) - (lengths + 1)  # of each token in those bytes
            for size in range(max(self.low, 2), self.high + 1):
                # Runs of ``size`` consecutive tokens of one text (n-grams span whitespace, not texts).
                firsts = np.flatnonzero(
                    token_rows[size - 1 :] == token_rows[: max(len(numbers) - size + 1, 0)]
                )
                lasts = firsts + size - 1
                starts = places[firsts]
                hashed = hashed_columns(
                    blocks, starts, places[lasts] + lengths[lasts] - starts, 1 << self.hash_bits
                )
                rows.append(token_rows[firsts])
                positions.append(self._positions_of(hashed))
        all_rows = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
        all_positions = np.concatenate(positions) if positions else np.zeros(0, dtype=np.int64)
        kept = all_positions >= 0
        return count_matrix(all_rows[kept], all_positions[kept], len(texts), len(self.columns))
