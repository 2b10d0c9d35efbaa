"""Values computed once per distinct word of a text stream, kept end to end in one NumPy array.

Sentiment features (character n-grams, word tokens, lexicon valences) never cross whitespace, so
they are those of each whitespace-separated word in turn. Posts reuse words: each new word's
values are computed once and appended to one array, a word being its slice of it. A batch of texts
is then a dictionary look-up per word and one gather.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import chain

import numpy as np

__all__ = ["WordSlices"]


def _grown(array: np.ndarray, needed: int) -> np.ndarray:
    if needed <= len(array):
        return array
    bigger = np.zeros((max(needed, 2 * len(array)), *array.shape[1:]), dtype=array.dtype)
    bigger[: len(array)] = array
    return bigger


class WordSlices:
    """Per word, a run of values (rows of ``width`` values when ``width`` is given)."""

    def __init__(self, dtype: type[np.generic], width: int | None = None) -> None:
        self._shape = () if width is None else (width,)
        self._dtype = dtype
        self.clear()

    def clear(self) -> None:
        self._ids: dict[str, int] = {}
        self._starts = np.zeros(1024, dtype=np.int64)  # by word number: where its values start
        self._sizes = np.zeros(1024, dtype=np.int64)  # and how many there are
        self._values = np.zeros((4096, *self._shape), dtype=self._dtype)
        self._used = 0

    def __len__(self) -> int:
        return len(self._ids)

    def unknown(self, words: Iterable[str]) -> set[str]:
        return set(words).difference(self._ids)

    def add(self, words: Sequence[str], values: np.ndarray, owners: np.ndarray) -> None:
        """Remember ``values``; ``owners`` (non-decreasing) gives the index in ``words`` of each."""
        bounds = np.searchsorted(owners, np.arange(len(words) + 1))
        first = len(self._ids)
        self._starts = _grown(self._starts, first + len(words))
        self._sizes = _grown(self._sizes, first + len(words))
        self._values = _grown(self._values, self._used + len(values))
        self._values[self._used : self._used + len(values)] = values
        self._starts[first : first + len(words)] = self._used + bounds[:-1]
        self._sizes[first : first + len(words)] = np.diff(bounds)
        self._used += len(values)
        self._ids.update(zip(words, range(first, first + len(words)), strict=True))

    def gather(self, split: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
        """The values of each text's words in order, and the text (row) of each value."""
        words = list(chain.from_iterable(split))
        numbers = np.fromiter(map(self._ids.__getitem__, words), dtype=np.int64, count=len(words))
        sizes = self._sizes[numbers]
        ends = np.cumsum(sizes)
        total = int(ends[-1]) if len(ends) else 0
        where = np.arange(total) + np.repeat(self._starts[numbers] - (ends - sizes), sizes)
        words_per_text = np.fromiter(map(len, split), dtype=np.int64, count=len(split))
        rows = np.repeat(np.repeat(np.arange(len(split)), words_per_text), sizes)
        return self._values[where], rows
