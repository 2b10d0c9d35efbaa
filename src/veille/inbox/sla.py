"""SLA clocks: when an inbound post's answer is due, counted in its account's business hours.

An account without business hours answers around the clock: the due time is the post's time plus
the SLA. With business hours, only the seconds inside them count (the care metrics' business-hours
mode, :func:`veille.accounts.hours.business_seconds`): a post written on Friday at 17:30 to an
account open 09:00-18:00 Monday to Friday with a one-hour SLA is due on Monday at 09:30.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from veille.accounts.hours import business_seconds
from veille.accounts.models import BusinessHours
from veille.clock import from_us, rfc3339_from_us, to_us

__all__ = ["SlaClock", "due_us", "sla_clock"]

# A deadline further than this is not searched for (an account open one day a year).
_MAX_DAYS = 400


def _local_us(day: Any, seconds: int, hours: BusinessHours) -> int:
    midnight = datetime(day.year, day.month, day.day)
    local = (midnight + timedelta(seconds=seconds)).replace(tzinfo=hours.zone)
    return to_us(local)


def due_us(*, hours: BusinessHours | None, start_us: int, sla_s: float) -> int:
    """The instant ``sla_s`` seconds of business hours after ``start_us`` (epoch µs)."""
    budget_us = round(sla_s * 1_000_000)
    if hours is None:
        return start_us + budget_us
    day = from_us(start_us).astimezone(hours.zone).date()
    for _ in range(_MAX_DAYS):
        if day.weekday() in hours.weekdays:
            opens = _local_us(day, hours.start_seconds, hours)
            closes = _local_us(day, hours.end_seconds, hours)
            begin = max(opens, start_us)
            if closes > begin:
                available = closes - begin
                if budget_us <= available:
                    return begin + budget_us
                budget_us -= available
        day += timedelta(days=1)
    raise ValueError(f"no business hours within {_MAX_DAYS} days to fit an SLA of {sla_s} s")


@dataclass(frozen=True, slots=True)
class SlaClock:
    """An item's SLA: due when, breached or not, seconds left (negative: late by), counted how."""

    sla_s: float
    due_us: int
    breached: bool
    remaining_s: float
    business_hours: bool
    stopped: bool  # answered (or closed): the clock no longer runs

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "sla_s": self.sla_s,
            "due": rfc3339_from_us(self.due_us),
            "breached": self.breached,
            "remaining_s": self.remaining_s,
            "business_hours": self.business_hours,
            "stopped": self.stopped,
        }


def sla_clock(
    *,
    hours: BusinessHours | None,
    created_us: int,
    sla_s: float,
    now_us: int,
    answered_us: int | None,
    closed: bool = False,
) -> SlaClock:
    """The clock of a post created at ``created_us``: stopped at its first answer, or at closing.

    Breached when the answer came after the due time, or when none came and the due time passed
    (a post closed without answer is breached only if it was already late).
    """
    due = due_us(hours=hours, start_us=created_us, sla_s=sla_s)
    until = answered_us if answered_us is not None else now_us
    if hours is None:
        spent = max(0, until - created_us) / 1_000_000
    else:
        spent = business_seconds(hours, created_us, until) if until > created_us else 0.0
    return SlaClock(
        sla_s=sla_s,
        due_us=due,
        breached=(answered_us if answered_us is not None else now_us) > due,
        remaining_s=sla_s - spent,
        business_hours=hours is not None,
        stopped=answered_us is not None or closed,
    )
