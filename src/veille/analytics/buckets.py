"""Time buckets in a time zone: a minute, an hour, a local day, an ISO week (Monday to Monday) or a
calendar month (from the 1st at local midnight: 28 to 31 days, and one hour shorter or longer when
the clocks change in it).

A bucket is named by the UTC instant (epoch µs) at which it starts locally, so a Paris day is
23:00→23:00 UTC in winter and 22:00→22:00 UTC in summer, and a day with a clock change lasts 23 or
25 hours. Hour rollups can serve local days and weeks only in a zone whose offset stays a whole
number of hours over the range (:func:`hour_aligned`); elsewhere (India, Nepal…) minute rollups do.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from veille.analytics.filters import INTERVALS
from veille.clock import from_us, to_us
from veille.errors import Invalid

__all__ = ["Bucketer", "hour_aligned"]

_UNIT_US = {"minute": 60_000_000, "hour": 3_600_000_000}
_SAMPLE_US = 6 * 3_600_000_000


def _offset_us(zone: ZoneInfo, micros: int) -> int:
    offset = from_us(micros).astimezone(zone).utcoffset()
    return 0 if offset is None else int(offset.total_seconds()) * 1_000_000


def hour_aligned(zone: ZoneInfo, start_us: int, end_us: int) -> bool:
    """Whether every offset the zone takes in ``[start, end)`` is a whole number of hours.

    Sampled every 6 hours: offsets last months between changes, so every offset taken is seen.
    """
    if zone.key == "UTC":
        return True
    moment = start_us
    while moment < end_us + _SAMPLE_US:
        if _offset_us(zone, min(moment, end_us)) % 3_600_000_000:
            return False
        moment += _SAMPLE_US
    return True


class Bucketer:
    """Start of the local bucket holding an instant, the buckets of a range, and their labels."""

    def __init__(self, interval: str, zone: ZoneInfo) -> None:
        if interval not in INTERVALS:
            raise Invalid(f"interval: {interval!r} is not one of {', '.join(INTERVALS)}", field="interval")
        self.interval = interval
        self.zone = zone
        self._day_starts: dict[date, int] = {}

    def _local_midnight(self, day: date) -> int:
        start = self._day_starts.get(day)
        if start is None:
            start = to_us(datetime.combine(day, time(0), tzinfo=self.zone))
            self._day_starts[day] = start
        return start

    def floor(self, micros: int) -> int:
        unit = _UNIT_US.get(self.interval)
        if unit is not None:
            # Within one local minute or hour the offset is constant (zones change at such boundaries).
            offset = _offset_us(self.zone, micros)
            local = micros + offset
            return local - local % unit - offset
        day = from_us(micros).astimezone(self.zone).date()
        if self.interval == "week":
            day -= timedelta(days=day.weekday())
        elif self.interval == "month":
            day = day.replace(day=1)
        return self._local_midnight(day)

    def following(self, bucket_us: int) -> int:
        """Start of the next bucket."""
        unit = _UNIT_US.get(self.interval)
        if unit is not None:
            return self.floor(bucket_us + unit)
        day = from_us(bucket_us).astimezone(self.zone).date()
        if self.interval == "month":
            return self._local_midnight(date(day.year + day.month // 12, day.month % 12 + 1, 1))
        return self._local_midnight(day + timedelta(days=7 if self.interval == "week" else 1))

    def buckets(self, start_us: int, end_us: int) -> list[int]:
        """Every bucket meeting ``[start, end)``, in order (the first may start before ``start``)."""
        found = []
        bucket = self.floor(start_us)
        while bucket < end_us:
            found.append(bucket)
            bucket = self.following(bucket)
        return found

    def label(self, bucket_us: int) -> datetime:
        return from_us(bucket_us).astimezone(self.zone)
