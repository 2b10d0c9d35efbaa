"""The bus contract shared by the in-process bus and NATS JetStream."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = ["POSTS_SUBJECT", "Bus", "BusEvent", "Subscription"]

POSTS_SUBJECT = "posts"


@dataclass(frozen=True, slots=True)
class BusEvent:
    """One event: ``seq`` is the store's write sequence (the stream's resumable event id)."""

    subject: str
    seq: int
    data: dict[str, Any]


class Subscription(Protocol):
    """Events of one subject in publication order. ``lagged`` turns true if events were dropped
    because the subscriber was too slow; it should then resynchronise from the store."""

    lagged: bool

    def __aiter__(self) -> AsyncIterator[BusEvent]: ...

    async def close(self) -> None: ...


class Bus(Protocol):
    async def publish(self, events: list[BusEvent]) -> None: ...

    async def subscribe(self, subject: str) -> Subscription: ...

    async def close(self) -> None: ...
