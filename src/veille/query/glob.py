"""Wildcard patterns matched without backtracking.

A pattern is cut at each ``*`` into fixed-length segments (``?`` stands for one character inside
a segment). A token matches when the first segment is its start, the last its end, and each middle
segment is found, in order, at its leftmost place after the previous one. Leftmost placement is
optimal because a ``*`` absorbs anything and every segment has a fixed length, so the answer is
exact with one forward pass: at most one search per segment, each a quantifier-free scan (``str.find``
or a regular expression made only of literals and ``.``), so the cost is O(len(token) × len(pattern))
whatever the pattern. A regular expression with ``.*`` for each ``*`` backtracks instead: for
``aa*a*a*a*a*a*a*b`` against a 100-letter word it tries every way of splitting the word (seconds to
minutes), which is how one saved topic could freeze the hub (issue 18, fault 4).
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["Glob", "glob"]


def _segment_regex(segment: str, question: bool) -> re.Pattern[str] | None:
    """A quantifier-free expression for a segment holding ``?`` (None when it has none)."""
    if not question or "?" not in segment:
        return None
    return re.compile("".join("." if ch == "?" else re.escape(ch) for ch in segment), re.DOTALL)


def _segment_at(segment: str, token: str, position: int, question: bool) -> bool:
    """Does ``segment`` (with ``?`` when ``question``) match ``token`` exactly at ``position``?"""
    if position < 0 or position + len(segment) > len(token):
        return False
    if not question or "?" not in segment:
        return token.startswith(segment, position)
    return all(ch == "?" or token[position + offset] == ch for offset, ch in enumerate(segment))


class Glob:
    """A compiled wildcard pattern: ``*`` any run (possibly empty), ``?`` exactly one character."""

    __slots__ = ("head", "middle", "minimum", "pattern", "question", "stars", "tail")

    def __init__(self, pattern: str, *, question: bool = True) -> None:
        """``question=False`` reads ``?`` as itself (``author:`` values have ``*`` only)."""
        self.pattern = pattern
        self.question = question
        segments = pattern.split("*")
        self.stars = len(segments) - 1
        self.head = segments[0]
        self.tail = segments[-1] if self.stars else ""
        # (segment, its expression when it holds '?') for the segments between two stars.
        self.middle = [(segment, _segment_regex(segment, question)) for segment in segments[1:-1] if segment]
        self.minimum = sum(len(segment) for segment in segments)

    def fullmatch(self, token: str, steps: list[int] | None = None) -> bool:
        """Does the whole ``token`` match? ``steps``, when given, counts the scans made (for tests)."""
        if not self.stars:
            if steps is not None:
                steps[0] += 1
            return len(token) == len(self.head) and _segment_at(self.head, token, 0, self.question)
        if len(token) < self.minimum:
            return False
        head, tail = self.head, self.tail
        if steps is not None:
            steps[0] += 2
        question = self.question
        if not _segment_at(head, token, 0, question) or not _segment_at(
            tail, token, len(token) - len(tail), question
        ):
            return False
        position, end = len(head), len(token) - len(tail)
        for segment, expression in self.middle:
            if steps is not None:
                steps[0] += 1
            if expression is None:
                found = token.find(segment, position, end)
            else:
                hit = expression.search(token, position, end)
                found = hit.start() if hit is not None else -1
            if found < 0:
                return False
            position = found + len(segment)
        return True

    def __call__(self, token: str) -> bool:
        return self.fullmatch(token)

    def __repr__(self) -> str:
        return f"Glob({self.pattern!r})"


@lru_cache(maxsize=65536)
def glob(pattern: str, *, question: bool = True) -> Glob:
    """The compiled form of ``pattern`` (cached: the same patterns recur across queries)."""
    return Glob(pattern, question=question)
