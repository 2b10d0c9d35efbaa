"""The in-process bus (one machine): fan-out to bounded subscriber queues.

A slow subscriber never slows the pipeline: when its queue is full the oldest event is dropped and
the subscription is marked ``lagged`` so that it can catch up from the store.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from veille.bus.base import BusEvent

__all__ = ["MemoryBus", "MemorySubscription"]

_CLOSED = object()


class MemorySubscription:
    def __init__(self, bus: MemoryBus, subject: str, buffer: int) -> None:
        self._bus = bus
        self.subject = subject
        self.lagged = False
        self._queue: asyncio.Queue[object] = asyncio.Queue(maxsize=buffer)

    def offer(self, event: BusEvent) -> None:
        if self._queue.full():
            self._queue.get_nowait()
            self.lagged = True
        self._queue.put_nowait(event)

    def __aiter__(self) -> AsyncIterator[BusEvent]:
        return self._events()

    async def _events(self) -> AsyncIterator[BusEvent]:
        while True:
            item = await self._queue.get()
            if item is _CLOSED:
                return
            assert isinstance(item, BusEvent)
            yield item

    async def close(self) -> None:
        self._bus.unsubscribe(self)
        if self._queue.full():
            self._queue.get_nowait()
        self._queue.put_nowait(_CLOSED)


class MemoryBus:
    def __init__(self, *, buffer: int = 2000) -> None:
        self.buffer = buffer
        self._subscribers: set[MemorySubscription] = set()

    async def publish(self, events: list[BusEvent]) -> None:
        for event in events:
            for subscription in list(self._subscribers):
                if subscription.subject == event.subject:
                    subscription.offer(event)

    async def subscribe(self, subject: str) -> MemorySubscription:
        subscription = MemorySubscription(self, subject, self.buffer)
        self._subscribers.add(subscription)
        return subscription

    def unsubscribe(self, subscription: MemorySubscription) -> None:
        self._subscribers.discard(subscription)

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    async def close(self) -> None:
        for subscription in list(self._subscribers):
            await subscription.close()
