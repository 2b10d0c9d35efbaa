"""scikit-learn's hashed columns of many strings at once: MurmurHash3 (x86, 32-bit) in NumPy.

``FeatureHasher`` hashes each term in a loop (UTF-8 bytes, signed 32-bit MurmurHash3 with seed 0,
absolute value modulo the number of columns). Sentiment meets tens of thousands of new character
n-grams and word pairs per second, so here the same hash runs as a few array operations over all the
terms of a batch: the bytes of the terms lie in one buffer, and each term is a (start, length) slice
of it. ``tests/unit/enrich/test_murmur.py`` checks the columns against ``FeatureHasher``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["Utf8Text", "byte_blocks", "hashed_columns", "murmur3_32", "stable_order"]

_C1 = np.uint32(0xCC9E2D51)
_C2 = np.uint32(0x1B873593)
_MIX = np.uint32(0xE6546B64)
_FINAL1 = np.uint32(0x85EBCA6B)
_FINAL2 = np.uint32(0xC2B2AE35)
_FIVE = np.uint32(5)


def _rotate_left(values: np.ndarray, bits: int) -> np.ndarray:
    return (values << np.uint32(bits)) | (values >> np.uint32(32 - bits))


def _scrambled(block: np.ndarray) -> np.ndarray:
    block = block * _C1
    return _rotate_left(block, 15) * _C2


class Utf8Text:
    """The UTF-8 bytes of strings laid end to end, and the byte offset of each of their characters.

    ``byte_offsets[i]`` is where character ``i`` of the joined text starts (one entry more than
    characters), so any run of characters is a byte slice. Raises ``UnicodeEncodeError`` on lone
    surrogates, which have no UTF-8 form (callers hash those strings the slow way).
    """

    def __init__(self, strings: Sequence[str]) -> None:
        joined = "".join(strings)
        code_points = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
        widths = (
            1 + (code_points >= 0x80).astype(np.int64) + (code_points >= 0x800) + (code_points >= 0x10000)
        )
        self.byte_offsets = np.zeros(len(code_points) + 1, dtype=np.int64)
        np.cumsum(widths, out=self.byte_offsets[1:])
        self.blocks = byte_blocks(joined.encode("utf-8"))
        lengths = np.fromiter(map(len, strings), dtype=np.int64, count=len(strings))
        self.char_starts = np.zeros(len(strings) + 1, dtype=np.int64)
        np.cumsum(lengths, out=self.char_starts[1:])

    def string_slices(self) -> tuple[np.ndarray, np.ndarray]:
        """(byte start, byte length) of each whole string."""
        bounds = self.byte_offsets[self.char_starts]
        return bounds[:-1], np.diff(bounds)


def stable_order(keys: np.ndarray) -> np.ndarray:
    """``np.argsort(keys, kind="stable")`` for non-negative integer keys; small keys are sorted as
    16-bit integers, for which NumPy's stable sort is a radix sort (ten times faster here)."""
    if len(keys) and keys.max() < 1 << 16:
        keys = keys.astype(np.uint16)
    return np.argsort(keys, kind="stable")


def byte_blocks(data: bytes | np.ndarray) -> np.ndarray:
    """The little-endian 32-bit word starting at each byte of ``data`` (zero bytes past its end)."""
    size = len(data)
    padded = np.zeros(size + 3, dtype=np.uint32)
    padded[:size] = np.frombuffer(data, dtype=np.uint8) if isinstance(data, bytes) else data
    return (
        padded[:size]
        | (padded[1 : size + 1] << np.uint32(8))
        | (padded[2 : size + 2] << np.uint32(16))
        | (padded[3 : size + 3] << np.uint32(24))
    )


def murmur3_32(blocks: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Unsigned MurmurHash3_x86_32 (seed 0) of byte slices, given as (start, length) in the bytes
    whose :func:`byte_blocks` are ``blocks``."""
    order = stable_order(lengths.max(initial=0) - lengths)
    starts, lengths = starts[order], lengths[order]
    block_counts = lengths >> 2
    hashes = np.zeros(len(starts), dtype=np.uint32)
    # Slices sorted longest first: those still having a block ``j`` are a prefix.
    longest = int(block_counts[0]) if len(block_counts) else 0
    having = np.searchsorted(-block_counts, -np.arange(longest), side="left")
    for block_index, count in enumerate(having.tolist()):
        mixed = _rotate_left(hashes[:count] ^ _scrambled(blocks[starts[:count] + 4 * block_index]), 13)
        hashes[:count] = mixed * _FIVE + _MIX
    # The last 1 to 3 bytes, if any: the low bytes of the word starting there.
    tail = (lengths & 3).astype(np.uint32)
    masks = (np.uint32(1) << (tail << np.uint32(3))) - np.uint32(1)
    last = blocks[np.minimum(starts + 4 * block_counts, len(blocks) - 1)] & masks if len(blocks) else masks
    hashes ^= np.where(tail > 0, _scrambled(last), np.uint32(0))
    hashes ^= lengths.astype(np.uint32)
    hashes ^= hashes >> np.uint32(16)
    hashes *= _FINAL1
    hashes ^= hashes >> np.uint32(13)
    hashes *= _FINAL2
    hashes ^= hashes >> np.uint32(16)
    result = np.empty_like(hashes)
    result[order] = hashes
    return result


def hashed_columns(
    blocks: np.ndarray, starts: np.ndarray, lengths: np.ndarray, n_features: int
) -> np.ndarray:
    """``FeatureHasher``'s column (int64) of each byte slice: ``abs(signed hash) % n_features``."""
    signed = murmur3_32(blocks, starts, lengths).view(np.int32).astype(np.int64)
    columns = np.abs(signed) % n_features
    # abs(-2**31) does not fit in 32 bits; scikit-learn defines that case this way.
    columns[signed == -(1 << 31)] = (2147483647 - (n_features - 1)) % n_features
    return columns
