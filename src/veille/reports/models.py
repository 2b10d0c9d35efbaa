"""Scheduled reports: a dashboard printed as PDF every day or every week, at a local time, and sent
through Apprise (``POST /api/v1/reports``).

:func:`next_run` is the schedule's arithmetic, pure and time-zone aware: the next moment, strictly
after a given instant, at which the local wall clock of ``timezone`` reads ``at`` (on ``weekday``
for a weekly report). Across daylight-saving changes the local time is kept (09:00 stays 09:00, so
the UTC instant moves by an hour); a local time that does not exist that day (02:30 when clocks
jump from 02:00 to 03:00) is read as the instant the wall clock passes it (03:30: the same
offset before the jump), and a local time that happens twice (the autumn's 02:30) runs once, at
its first occurrence.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

__all__ = [
    "WEEKDAYS",
    "Report",
    "ReportDelivery",
    "ReportRun",
    "ReportSpec",
    "next_run",
]

WEEKDAYS: tuple[str, ...] = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_SHORT = {name[:3]: name for name in WEEKDAYS}
_FRENCH = dict(
    zip(("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"), WEEKDAYS, strict=True)
)
_AT = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
MAX_NOTIFY = 16


class ReportSpec(BaseModel):
    """What a client sends to create or replace a scheduled report."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    dashboard_id: int = Field(ge=1, le=2**63 - 1, description="the dashboard printed")
    schedule: Literal["daily", "weekly"] = "daily"
    at: str = Field(default="08:00", description="local time HH:MM (24 h) in ``timezone``")
    weekday: str | None = Field(
        default=None,
        validate_default=True,
        description="weekly: monday … sunday (or mon … sun, or ISO 1 = Monday … 7 = Sunday)",
    )
    timezone: str = Field(default="UTC", max_length=64, description="an IANA time zone: Europe/Paris")
    language: Literal["en", "fr"] = "en"
    notify: list[str] = Field(default_factory=list, max_length=MAX_NOTIFY, description="Apprise URLs")
    enabled: bool = True

    @field_validator("at")
    @classmethod
    def _at(cls, value: str) -> str:
        if not _AT.match(value):
            raise ValueError(f"{value[:20]!r} is not a time of day HH:MM such as 08:30")
        return value

    @field_validator("weekday", mode="before")
    @classmethod
    def _weekday(cls, value: Any) -> Any:
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise ValueError("a day of the week: monday … sunday")
        if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
            number = int(value)
            if not 1 <= number <= 7:
                raise ValueError(f"{number} is not an ISO day of the week (1 = Monday … 7 = Sunday)")
            return WEEKDAYS[number - 1]
        if isinstance(value, str):
            folded = value.strip().lower()
            found = folded if folded in WEEKDAYS else _SHORT.get(folded) or _FRENCH.get(folded)
            if found:
                return found
            raise ValueError(f"{value[:20]!r} is not a day of the week: monday … sunday")
        raise ValueError("a day of the week: monday … sunday")

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value[:64]!r} is not an IANA time zone such as Europe/Paris") from None
        return value

    @field_validator("notify")
    @classmethod
    def _urls(cls, value: list[str]) -> list[str]:
        urls = [url.strip() for url in value]
        for url in urls:
            scheme, separator, rest = url.partition("://")
            if not separator or not scheme or not rest or len(url) > 2000:
                raise ValueError(f"{url[:80]!r} is not an Apprise URL such as json://host/path")
        return urls

    @field_validator("weekday", mode="after")
    @classmethod
    def _weekly_needs_a_day(cls, value: str | None, info: ValidationInfo) -> str | None:
        schedule = info.data.get("schedule")
        if schedule == "weekly" and value is None:
            raise ValueError("a weekly report needs its day (monday … sunday)")
        return value if schedule == "weekly" else None


def _local(day: date, at: time, zone: ZoneInfo) -> datetime:
    """``day`` at ``at`` in ``zone`` as a UTC instant (a skipped time read past the gap; fold 0)."""
    naive = datetime.combine(day, at)
    moment = naive.replace(tzinfo=zone, fold=0)
    # A wall time in a spring-forward gap does not round-trip: read it with the offset before the
    # jump, which lands after the gap (02:30 CET → 01:30 UTC → 03:30 CEST).
    return moment.astimezone(UTC)


def next_run(spec: ReportSpec, *, after: datetime) -> datetime:
    """The first scheduled instant strictly after ``after`` (UTC)."""
    zone = ZoneInfo(spec.timezone)
    hours, minutes = (int(part) for part in spec.at.split(":"))
    at = time(hours, minutes)
    local_day = after.astimezone(zone).date() - timedelta(days=1)
    for offset in range(0, 16):
        day = local_day + timedelta(days=offset)
        if spec.schedule == "weekly" and WEEKDAYS[day.weekday()] != spec.weekday:
            continue
        moment = _local(day, at, zone)
        if moment > after:
            return moment
    raise AssertionError("a daily or weekly schedule always has a run within two weeks")  # pragma: no cover


class ReportDelivery(BaseModel):
    """One target of one run: its attempts, as the report shows them."""

    id: int
    run_id: int
    target: str = Field(description="the Apprise URL, its secrets masked")
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    last_error: str | None
    next_attempt_at: str | None
    delivered_at: str | None
    created_at: str


class ReportRun(BaseModel):
    """One printing of the report and what became of it."""

    id: int
    trigger: Literal["schedule", "missed", "manual"]
    scheduled_for: str | None = Field(description="the scheduled instant (a manual run: null)")
    started_at: str
    finished_at: str | None
    status: Literal["printing", "printed", "failed"]
    error: str | None
    pdf_bytes: int | None
    deliveries: list[ReportDelivery] = Field(default_factory=list)


class Report(ReportSpec):
    """A stored report: its spec, owner, next run and its last runs with their deliveries."""

    id: int
    owner: str
    next_run: str | None = Field(description="RFC 3339 (UTC); null when the report is disabled")
    last_run: str | None = None
    created_at: str
    updated_at: str
    runs: list[ReportRun] = Field(default_factory=list, description="the last runs, newest first")
