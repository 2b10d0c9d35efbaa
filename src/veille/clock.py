"""Every time helper of the hub in one place.

- the store's time: integer microseconds since the epoch, UTC (:func:`now_us`, :func:`to_us`,
  :func:`from_us`);
- RFC 3339 on the wire (:func:`parse_rfc3339`, :func:`format_rfc3339`, :func:`rfc3339_from_us`): an
  offset is required on the way in, UTC with a ``Z`` on the way out;
- what people type (:func:`parse_moment`: an ISO date or date-time, read in a time zone when it has
  no offset; :func:`zone_named`: an IANA time zone by name).

Refusals are :class:`veille.errors.Invalid` naming the parameter, so the API answers 422 and the
command line prints the same sentence.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from veille.errors import Invalid

__all__ = [
    "EPOCH",
    "Clock",
    "SystemClock",
    "format_rfc3339",
    "from_us",
    "iso_from_epoch",
    "now_us",
    "parse_moment",
    "parse_rfc3339",
    "rfc3339_from_us",
    "to_us",
    "zone_named",
]

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


# -- RFC 3339 ------------------------------------------------------------------------------------


def parse_rfc3339(value: Any) -> datetime:
    """Parse an RFC 3339 timestamp (offset required) and return it in UTC.

    Raises a plain ``ValueError`` without a field name: callers (the post model, an API parameter)
    know which field they are reading and prefix it.
    """
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and len(value) >= 19 and value[10:11] in ("T", "t", " "):
        try:
            parsed = datetime.fromisoformat(value.replace("z", "Z"))
        except ValueError:
            raise ValueError("not an RFC 3339 timestamp") from None
    else:
        raise ValueError("not an RFC 3339 timestamp")
    if parsed.tzinfo is None:
        raise ValueError("not an RFC 3339 timestamp (no time-zone offset)")
    return parsed.astimezone(UTC)


def format_rfc3339(moment: datetime) -> str:
    """UTC, second precision unless there are microseconds, with a ``Z``."""
    moment = moment.astimezone(UTC)
    text = moment.isoformat(timespec="microseconds" if moment.microsecond else "seconds")
    return text.replace("+00:00", "Z")


def rfc3339_from_us(moment_us: int) -> str:
    """A store time (microseconds since the epoch) as RFC 3339 UTC: ``2026-11-28T23:01:06Z``."""
    return format_rfc3339(from_us(moment_us))


# -- what people type ----------------------------------------------------------------------------


def zone_named(name: str, *, field: str = "tz") -> ZoneInfo:
    """The IANA time zone ``name`` (``Europe/Paris``, ``UTC``); refused naming ``field``."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid(
            f"{field}: {name!r} is not an IANA time zone (such as 'Europe/Paris' or 'UTC')", field=field
        ) from None


def parse_moment(name: str, value: str, zone: tzinfo) -> datetime:
    """An ISO date or date-time; without an offset it is read in ``zone`` (a date is its midnight).

    ``name`` is the parameter read (``from``, ``to``): the refusal names it.
    """
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)
        moment = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        raise Invalid(f"{name}: {value!r} is not an ISO date or date-time", field=name) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


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
