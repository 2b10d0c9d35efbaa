"""Time as the store keeps it: integer microseconds since the epoch, UTC."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol

__all__ = ["EPOCH", "Clock", "SystemClock", "from_us", "iso_from_epoch", "now_us", "to_us"]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def now_us() -> int:
    return time.time_ns() // 1000


def to_us(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: a time zone is required")
    delta = moment.astimezone(UTC) - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_us(micros: int) -> datetime:
    return EPOCH + timedelta(microseconds=micros)


def iso_from_epoch(seconds: float) -> str:
    """RFC 3339 UTC timestamp of epoch seconds (for platforms that give numbers)."""
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")


class Clock(Protocol):
    """Wall time, monotonic time and sleeping: injected so that tests need not wait."""

    def time(self) -> float: ...

    def monotonic(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock."""

    def time(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
