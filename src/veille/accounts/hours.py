"""Seconds of a time span that fall inside an account's business hours (time zone and DST aware)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

from veille.accounts.models import BusinessHours
from veille.clock import from_us, to_us

__all__ = ["business_seconds"]


def business_seconds(hours: BusinessHours, start_us: int, end_us: int) -> float:
    """Seconds of ``[start_us, end_us)`` inside ``hours``.

    Each local day listed in ``hours.days`` contributes its opening interval, converted to UTC on
    that very day, so a DST change is honoured (a 09:00-18:00 day is 9 hours either side of it).
    """
    if end_us <= start_us:
        return 0.0
    zone = hours.zone
    first_day = from_us(start_us).astimezone(zone).date()
    last_day = from_us(end_us).astimezone(zone).date()
    weekdays = hours.weekdays
    total_us = 0
    day = first_day
    while day <= last_day:
        if day.weekday() in weekdays:
            midnight = datetime(day.year, day.month, day.day)
            opens = _local_us(midnight + timedelta(seconds=hours.start_seconds), zone)
            closes = _local_us(midnight + timedelta(seconds=hours.end_seconds), zone)
            overlap = min(closes, end_us) - max(opens, start_us)
            if overlap > 0:
                total_us += overlap
        day += timedelta(days=1)
    return total_us / 1_000_000


def _local_us(naive_local: datetime, zone: tzinfo) -> int:
    """A local wall-clock time (``24:00`` is the next midnight) as epoch microseconds."""
    return to_us(naive_local.replace(tzinfo=zone).astimezone(UTC))
