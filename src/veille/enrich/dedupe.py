"""Near-duplicates: MinHash over word shingles of normalised text, LSH buckets in a sliding window.

A post whose text is nearly the same as an earlier post's (a repost with a short comment, a
copy-paste campaign, a bot) gets ``duplicate_of`` = the id of the first post of that cluster, so
analytics can count with or without duplicates. Memory is bounded: only the ``window`` most recent
posts are remembered (signatures of 64 x 4 bytes plus their bucket keys).

Shingles are hashed with CRC-32 and permuted with fixed seeds, so the same posts give the same
clusters in every process and every run.
"""

from __future__ import annotations

import re
import zlib
from collections import OrderedDict, deque
from collections.abc import Sequence
from typing import AnyStr, NamedTuple

import numpy as np

from veille.model import Post
from veille.text import fold

__all__ = ["DedupeStage", "NearDuplicateIndex", "normalise_for_dedupe", "shingles"]

_PRIME = np.uint64((1 << 31) - 1)
_SHIFT = np.uint64(31)
_REPOST_PREFIX_RE = re.compile(r"^\s*(?:rt|mt)\s+@\w+:?\s*", re.IGNORECASE)
# Links, and @handles not preceded by a word character (checked just after the "@", so that the
# regular expression engine can skip from one possible first character to the next).
_NOISE_RE = re.compile(r"(?:https?://|www\.)\S+|@(?<!\w@)\w+(?:[.-]\w+)*")
_WORD_RE = re.compile(r"\w+")


# ASCII bytes: word characters (\w: letters, digits, "_") lower-cased, the others spaces.
_ASCII_WORDS = (
    bytes(
        ord(chr(code).lower()) if chr(code).isalnum() or chr(code) == "_" else ord(" ") for code in range(128)
    )
    + b" " * 128
)


def _without_noise(text: str) -> str:
    stripped = _REPOST_PREFIX_RE.sub("", text) if "@" in text else text
    if "@" in stripped or "://" in stripped or "www." in stripped:
        stripped = _NOISE_RE.sub(" ", stripped)
    return stripped


def normalise_for_dedupe(text: str) -> list[str]:
    """Folded words without links, @handles and a leading ``RT @handle:`` (they vary between copies)."""
    stripped = _without_noise(text)
    # ASCII text needs no accent folding; skipping it halves the cost on English posts.
    return _WORD_RE.findall(stripped.casefold() if stripped.isascii() else fold(stripped))


def _encoded_words(text: str) -> list[bytes]:
    """:func:`normalise_for_dedupe` as UTF-8 bytes (what shingles are hashed as); ASCII text is split
    by a byte table rather than the regular expression."""
    stripped = _without_noise(text)
    if stripped.isascii():
        return stripped.encode("ascii").translate(_ASCII_WORDS).split()
    return [word.encode() for word in _WORD_RE.findall(fold(stripped))]


def shingles(words: Sequence[str], size: int) -> list[str]:
    """Overlapping runs of ``size`` words (the whole text when it is shorter)."""
    return _joined_runs(words, size, " ")


def _joined_runs(words: Sequence[AnyStr], size: int, space: AnyStr) -> list[AnyStr]:
    if len(words) <= size:
        return [space.join(words)] if words else []
    return list(map(space.join, zip(*(words[start:] for start in range(size)), strict=False)))


class _Entry(NamedTuple):
    post_id: str
    root_id: str
    root_order: int  # arrival number of the root, to prefer the earliest cluster
    signature: np.ndarray
    keys: tuple[bytes, ...]


class NearDuplicateIndex:
    """MinHash signatures of recent texts, bucketed by LSH bands; answers "first near-copy of this?".

    With 64 permutations in 16 bands of 4 rows, texts with Jaccard similarity 0.5 share a bucket
    with probability 0.65 and 0.8 with probability 0.999; a candidate is kept only when the signatures
    agree on at least ``threshold`` of their positions (the estimated Jaccard similarity).
    """

    def __init__(
        self,
        *,
        threshold: float = 0.6,
        permutations: int = 64,
        bands: int = 16,
        shingle_size: int = 2,
        min_words: int = 5,
        window: int = 50_000,
    ) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError("threshold: must be in (0, 1]")
        if permutations % bands:
            raise ValueError("bands: must divide permutations")
        if window < 1:
            raise ValueError("window: must be at least 1")
        self.threshold = threshold
        self.bands = bands
        self.rows = permutations // bands
        self.shingle_size = shingle_size
        self.min_words = min_words
        self.window = window
        generator = np.random.default_rng(20240229)
        self._a = generator.integers(1, int(_PRIME), size=permutations, dtype=np.uint64)
        self._b = generator.integers(0, int(_PRIME), size=permutations, dtype=np.uint64)
        # Entries by arrival number; buckets hold numbers, not entries, so that the garbage collector
        # need not walk the bucket table (ints and bytes only) on every full collection.
        self._entries: dict[int, _Entry] = {}
        self._buckets: dict[bytes, int] = {}
        self._recent: deque[int] = deque()
        self._added = 0

    def signatures(self, texts: Sequence[str]) -> list[np.ndarray | None]:
        """MinHash signature of each text (``None`` for texts shorter than ``min_words``)."""
        return [signature for signature, _ in self.signatures_and_keys(texts)]

    def signatures_and_keys(
        self, texts: Sequence[str]
    ) -> list[tuple[np.ndarray, tuple[bytes, ...]] | tuple[None, None]]:
        """Signature and bucket keys (:meth:`keys`) of each text, ``(None, None)`` for short texts."""
        hashes: list[int] = []
        counts: list[int] = []
        owners: list[int] = []
        for index, text in enumerate(texts):
            words = _encoded_words(text)
            if len(words) < self.min_words:
                continue
            # A shingle repeated in a text hashes the same: the minima need no set of distinct ones.
            before = len(hashes)
            hashes.extend(map(zlib.crc32, _joined_runs(words, self.shingle_size, b" ")))
            owners.append(index)
            counts.append(len(hashes) - before)
        result: list[tuple[np.ndarray, tuple[bytes, ...]] | tuple[None, None]] = [(None, None)] * len(texts)
        if not owners:
            return result
        minima = self._minima(np.asarray(hashes, dtype=np.uint64), np.cumsum(counts) - np.asarray(counts))
        keys = self._batch_keys(minima)
        for row, index in enumerate(owners):
            result[index] = (minima[row], keys[row])
        return result

    def _minima(self, hashes: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        """(texts, permutations) minima of (a*h + b) mod p over each text's run of ``hashes``."""
        minima = np.empty((len(self._a), len(offsets)), dtype=np.uint64)
        # A row per permutation (contiguous runs reduce fastest), a few permutations at a time so that
        # the intermediate arrays stay in cache.
        for first in range(0, len(self._a), 8):
            a, b = self._a[first : first + 8, None], self._b[first : first + 8, None]
            permuted = a * hashes
            permuted += b
            # mod 2**31 - 1 without division: 2**31 = 1 (mod p), so fold the high bits in twice
            # (below 2**31 + 3 then), and subtract p once if still needed (x - p wraps when x < p).
            for _ in range(2):
                high = permuted >> _SHIFT
                permuted &= _PRIME
                permuted += high
            np.minimum(permuted, permuted - _PRIME, out=permuted)
            minima[first : first + 8] = np.minimum.reduceat(permuted, offsets, axis=1)
        return minima.T.astype(np.uint32, order="C")

    def keys(self, signature: np.ndarray) -> tuple[bytes, ...]:
        """Bucket key of each band: the band number, then the band's bytes of the signature."""
        raw = signature.tobytes()
        width = self.rows * signature.itemsize
        return tuple(bytes((band,)) + raw[band * width : (band + 1) * width] for band in range(self.bands))

    def _batch_keys(self, minima: np.ndarray) -> list[tuple[bytes, ...]]:
        """:meth:`keys` of each row of ``minima``, built as one byte array."""
        width = self.rows * minima.itemsize
        tagged = np.empty((len(minima), self.bands, 1 + width), dtype=np.uint8)
        tagged[:, :, 0] = np.arange(self.bands)
        tagged[:, :, 1:] = minima.view(np.uint8).reshape(len(minima), self.bands, width)
        flat = tagged.reshape(-1, 1 + width).view(f"V{1 + width}").ravel().tolist()
        return [tuple(flat[start : start + self.bands]) for start in range(0, len(flat), self.bands)]

    def match(self, signature: np.ndarray, keys: tuple[bytes, ...] | None = None) -> _Entry | None:
        """The earliest remembered entry similar enough to ``signature``, if any."""
        best: _Entry | None = None
        for key in keys or self.keys(signature):
            number = self._buckets.get(key)
            if number is None:
                continue
            entry = self._entries[number]
            if best is not None and entry is best:
                continue
            # The share of equal positions (the estimated Jaccard similarity), as np.mean gives it.
            agreeing = np.count_nonzero(entry.signature == signature) / signature.size
            if agreeing >= self.threshold and (best is None or entry.root_order < best.root_order):
                best = entry
        return best

    def add(
        self,
        post_id: str,
        root_id: str,
        root_order: int,
        signature: np.ndarray,
        keys: tuple[bytes, ...] | None = None,
    ) -> None:
        keys = keys or self.keys(signature)
        number = self._added
        for key in keys:
            # The first post of a bucket stays its representative, so clusters point at the earliest.
            self._buckets.setdefault(key, number)
        self._store(number, _Entry(post_id, root_id, root_order, signature, keys))

    def match_and_add(
        self, post_id: str, arrival: int, signature: np.ndarray, keys: tuple[bytes, ...] | None = None
    ) -> tuple[str, int]:
        """:meth:`match`, then :meth:`add` with the root found, in one pass over the buckets.

        Returns the root (id, arrival number) of the post's cluster: the matched entry's, else the
        post's own.
        """
        number = self._added
        best: _Entry | None = None
        best_number = -1
        for key in keys or self.keys(signature):
            # The first post of a bucket stays its representative, so clusters point at the earliest.
            found = self._buckets.setdefault(key, number)
            if found in (number, best_number):
                continue
            entry = self._entries[found]
            agreeing = np.count_nonzero(entry.signature == signature) / signature.size
            if agreeing >= self.threshold and (best is None or entry.root_order < best.root_order):
                best, best_number = entry, found
        root = (post_id, arrival) if best is None else (best.root_id, best.root_order)
        self._store(number, _Entry(post_id, root[0], root[1], signature, keys or self.keys(signature)))
        return root

    def _store(self, number: int, entry: _Entry) -> None:
        self._added = number + 1
        self._entries[number] = entry
        self._recent.append(number)
        while len(self._recent) > self.window:
            old = self._recent.popleft()
            for key in self._entries.pop(old).keys:
                if self._buckets.get(key) == old:
                    del self._buckets[key]

    def __len__(self) -> int:
        return len(self._recent)


class DedupeStage:
    """Sets ``duplicate_of`` to the first post of each post's near-duplicate cluster (or ``None``).

    A repost (``repost_of`` set) points at the root of its original when the original was seen,
    else at the original itself. Posts with fewer than ``min_words`` words are never clustered by
    text: "thank you" written twice is not a campaign.
    """

    name = "dedupe"

    def __init__(
        self,
        *,
        threshold: float = 0.6,
        window: int = 50_000,
        min_words: int = 5,
        shingle_size: int = 2,
    ) -> None:
        self.index = NearDuplicateIndex(
            threshold=threshold, window=window, min_words=min_words, shingle_size=shingle_size
        )
        # Root of each recent post id, for repost chains (bounded like the index).
        self._roots: OrderedDict[str, tuple[str, int]] = OrderedDict()
        self.window = window
        self._arrivals = 0

    def _remember_root(self, post_id: str, root: tuple[str, int]) -> None:
        self._roots[post_id] = root
        self._roots.move_to_end(post_id)
        while len(self._roots) > self.window:
            self._roots.popitem(last=False)

    def process(self, posts: list[Post]) -> list[Post]:
        signed = self.index.signatures_and_keys([post.text for post in posts])
        for post, (signature, keys) in zip(posts, signed, strict=True):
            known = self._roots.get(post.id)
            if known is not None:
                # Seen before (a re-delivery with new metrics): keep its earlier answer.
                post.duplicate_of = None if known[0] == post.id else known[0]
                continue
            self._arrivals += 1
            if post.repost_of:
                own_root = self._roots.get(post.repost_of, (post.repost_of, self._arrivals))
                if signature is not None:
                    self.index.add(post.id, own_root[0], own_root[1], signature, keys)
            elif signature is not None:
                own_root = self.index.match_and_add(post.id, self._arrivals, signature, keys)
            else:
                own_root = (post.id, self._arrivals)
            post.duplicate_of = None if own_root[0] == post.id else own_root[0]
            self._remember_root(post.id, own_root)
        return posts
