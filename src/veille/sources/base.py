"""The source contract: what every connector, the file replay, the push API and the simulator give.

A source yields :class:`SourceBatch` objects. Each carries the posts it read, the items it had to
refuse (with the reason naming the field) and an opaque checkpoint. The pipeline commits that
checkpoint only after the batch is stored, so a crash replays the last batch and loses nothing.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from veille.model import Post, PostRejected

__all__ = ["Backoff", "Source", "SourceBatch"]


@dataclass(slots=True)
class SourceBatch:
    posts: list[Post]
    checkpoint: str | None = None
    rejected: list[PostRejected] = field(default_factory=list)


@runtime_checkable
class Source(Protocol):
    """A named producer of post batches that can resume from its last committed checkpoint."""

    name: str

    def batches(self, checkpoint: str | None) -> AsyncIterator[SourceBatch]:
        """Yield batches, starting after ``checkpoint`` (``None``: from the beginning/now)."""
        ...


@dataclass(slots=True)
class Backoff:
    """Exponential backoff with full jitter, capped; ``reset()`` after a healthy period."""

    initial_s: float = 1.0
    maximum_s: float = 60.0
    factor: float = 2.0
    rng: random.Random = field(default_factory=random.Random)
    _attempt: int = 0

    def next_delay(self) -> float:
        ceiling = min(self.maximum_s, self.initial_s * self.factor**self._attempt)
        self._attempt += 1
        return self.rng.uniform(ceiling / 2, ceiling)

    def reset(self) -> None:
        self._attempt = 0
