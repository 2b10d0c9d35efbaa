"""Values computed once per distinct word of a text stream, kept end to end in one NumPy array.

Sentiment features (character n-grams, word tokens, lexicon valences) never cross whitespace, so
they are those of each whitespace-separated word in turn. Posts reuse words: each new word's
values are computed once and appended to one array, a word being its slice of it. A batch of texts
is then a dictionary look-up per word and one gather.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cached_property
from itertools import chain, repeat

import numpy as np

__all__ = ["Texts", "WordSlices", "words_of"]


def _split(texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
    split = [text.lower().split() for text in texts]
    return list(chain.from_iterable(split)), np.fromiter(map(len, split), dtype=np.int64, count=len(split))


class Texts(list[str]):
    """Texts that several feature families read: their words are split (and hashed) once."""

    @cached_property
    def words(self) -> tuple[list[str], np.ndarray]:
        return _split(self)


def words_of(texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """The lower-cased whitespace-separated words of the texts end to end, and how many each has."""
    return texts.words if isinstance(texts, Texts) else _split(texts)


def _grown(array: np.ndarray, needed: int) -> np.ndarray:
    if needed <= len(array):
        return array
    bigger = np.zeros((max(needed, 2 * len(array)), *array.shape[1:]), dtype=array.dtype)
    bigger[: len(array)] = array
    return bigger


class WordSlices:
    """Per word, a run of values (rows of ``width`` values when ``width`` is given).

    Words are numbered in the order they are added; structures filled together with the same words
    share the numbers.
    """

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

    def numbers(
        self,
        words: Sequence[str],
        *,
        learn: Callable[[list[str]], None],
        limit: int,
        forget: Callable[[], None] | None = None,
    ) -> np.ndarray:
        """The number of each word, after ``learn`` has added the words not added yet.

        When they would bring the count past ``limit``, everything is forgotten first (``forget``,
        which must clear this too, else :meth:`clear`) and the batch's words are all learnt again,
        so that a batch always fits.
        """
        found = np.fromiter(map(self._ids.get, words, repeat(-1)), dtype=np.int64, count=len(words))
        unknown = np.flatnonzero(found < 0)
        if not len(unknown):
            return found
        unknown_words = [words[index] for index in unknown.tolist()]
        missing = list(dict.fromkeys(unknown_words))
        if len(self._ids) + len(missing) > limit:
            (forget or self.clear)()
            learn(list(dict.fromkeys(words)))
            return np.fromiter(map(self._ids.__getitem__, words), dtype=np.int64, count=len(words))
        learn(missing)
        found[unknown] = list(map(self._ids.__getitem__, unknown_words))
        return found

    def gather(self, numbers: np.ndarray, words_per_text: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The values of the numbered words in order, and the text (row) of each value."""
        sizes, where = self._runs(numbers)
        rows = np.repeat(np.repeat(np.arange(len(words_per_text)), words_per_text), sizes)
        return self._values[where], rows

    def values(self, numbers: np.ndarray) -> np.ndarray:
        """The values of the numbered words in order, end to end."""
        return self._values[self._runs(numbers)[1]]

    def _runs(self, numbers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Size of each word's run, and where each value of the runs, end to end, lies."""
        sizes = self._sizes[numbers]
        ends = np.cumsum(sizes)
        total = int(ends[-1]) if len(ends) else 0
        return sizes, np.arange(total) + np.repeat(self._starts[numbers] - (ends - sizes), sizes)
