"""Shared test helpers: consume a connector until enough posts arrived, with a hard time limit."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from veille.contracts import SourceBatch
from veille.model import Post
from veille.sources.connectors import Connector

__all__ = ["Collected", "collect"]


@dataclass
class Collected:
    batches: list[SourceBatch] = field(default_factory=list)

    @property
    def posts(self) -> list[Post]:
        return [post for batch in self.batches for post in batch.posts]

    @property
    def ids(self) -> list[str]:
        return [post.id for post in self.posts]

    @property
    def checkpoint(self) -> str | None:
        marks = [batch.checkpoint for batch in self.batches if batch.checkpoint is not None]
        return marks[-1] if marks else None


async def collect(
    connector: Connector,
    checkpoint: str | None = None,
    *,
    posts: int | None = None,
    until: Callable[[Collected], bool] | None = None,
    timeout_s: float = 10.0,
) -> Collected:
    """Read batches until ``posts`` posts (or ``until``) — fails the test after ``timeout_s``."""
    collected = Collected()
    stream = connector.batches(checkpoint)

    async def run() -> None:
        async for batch in stream:
            collected.batches.append(batch)
            if posts is not None and len(collected.posts) >= posts:
                return
            if until is not None and until(collected):
                return

    try:
        await asyncio.wait_for(run(), timeout=timeout_s)
    finally:
        await stream.aclose()  # type: ignore[attr-defined]
    return collected
