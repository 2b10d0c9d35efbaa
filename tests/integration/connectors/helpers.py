"""What the connector tests share: build a connector of a known class, read a few batches.

- :func:`build` — ``build_connector`` with no environment (a test never reads the machine's
  variables) and a :class:`~tests.fakes.RecordingClock`, checked to be the expected class;
- :func:`take` — the first ``count`` batches (polling connectors: one batch per poll);
- :func:`collect` — batches until enough posts arrived (streams), with a hard time limit.

The fixtures (``client``, ``server``) are in this folder's ``conftest.py``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx

from tests.fakes import RecordingClock
from veille.contracts import SourceBatch
from veille.model import Post
from veille.sources.connectors import Connector, build_connector

__all__ = ["Collected", "build", "collect", "take"]

ConnectorT = TypeVar("ConnectorT", bound=Connector)


def build(
    kind: type[ConnectorT],
    table: Mapping[str, Any],
    *,
    client: httpx.AsyncClient,
    clock: RecordingClock | None = None,
) -> ConnectorT:
    """The connector of ``table``, of class ``kind``, with an empty environment."""
    connector = build_connector(dict(table), http_client=client, clock=clock or RecordingClock(), environ={})
    assert isinstance(connector, kind)
    return connector


async def take(source: Connector, count: int, checkpoint: str | None = None) -> list[SourceBatch]:
    """The first ``count`` batches read from ``checkpoint``; the stream is closed afterwards."""
    batches: list[SourceBatch] = []
    stream = source.batches(checkpoint)
    async for batch in stream:
        batches.append(batch)
        if len(batches) >= count:
            break
    await stream.aclose()  # type: ignore[attr-defined]
    return batches


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
