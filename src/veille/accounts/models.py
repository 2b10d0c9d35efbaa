"""A brand account: an official account (ours or a competitor's) on one platform, with its business hours."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from veille.clock import format_rfc3339
from veille.sharing.models import Sharing, Visibility
from veille.text import handle_key

__all__ = [
    "DAYS",
    "AccountRead",
    "AccountSpec",
    "BrandAccount",
    "BusinessHours",
    "account_label",
    "handle_key",
]

DAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_PLATFORM_RE = re.compile(r"^[a-z][a-z0-9_-]*$")
_COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
_CLOCK_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$|^24:00$")


def account_label(platform: str, handle: str) -> str:
    """How reports name an account: ``x:@NovaTelecom_FR`` (a handle alone is ambiguous across platforms)."""
    return f"{platform}:@{handle}"


def _clock_seconds(value: str) -> int:
    hours, minutes = value.split(":")
    return int(hours) * 3600 + int(minutes) * 60


class BusinessHours(BaseModel):
    """When the care team works, in its own time zone: ``[start, end)`` on each of ``days``.

    ``end`` may be ``24:00`` (until midnight). Shifts across midnight are two accounts' worth of
    ambiguity (which day does 22:00-02:00 belong to?), so ``end`` must come after ``start``.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    timezone: str
    days: tuple[str, ...] = DAYS[:5]
    start: str = "09:00"
    end: str = "18:00"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if value.upper() == "UTC":
            return "UTC"
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone such as 'Europe/Paris'") from None
        return value

    @field_validator("days", mode="before")
    @classmethod
    def _day_names(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [part for part in re.split(r"[\s,;]+", value) if part]
        if not isinstance(value, list | tuple):
            return value
        days: set[str] = set()
        for item in value:
            day = str(item).strip().lower()[:3]
            if day not in DAYS:
                raise ValueError(f"{item!r} is not a day (mon, tue, wed, thu, fri, sat, sun)")
            days.add(day)
        if not days:
            raise ValueError("at least one day is needed")
        return tuple(day for day in DAYS if day in days)

    @field_validator("start", "end")
    @classmethod
    def _clock(cls, value: str) -> str:
        if not _CLOCK_RE.match(value):
            raise ValueError(f"{value!r} is not a time of day HH:MM (00:00 to 24:00)")
        return value

    @model_validator(mode="after")
    def _end_after_start(self) -> BusinessHours:
        if _clock_seconds(self.end) <= _clock_seconds(self.start):
            raise ValueError(f"end {self.end} must come after start {self.start} (no shift across midnight)")
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def start_seconds(self) -> int:
        return _clock_seconds(self.start)

    @property
    def end_seconds(self) -> int:
        return _clock_seconds(self.end)

    @property
    def weekdays(self) -> frozenset[int]:
        """Python weekday numbers (Monday 0)."""
        return frozenset(DAYS.index(day) for day in self.days)


class AccountSpec(BaseModel):
    """What a client gives to register an account (and one line of an import file)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    platform: str = Field(min_length=1, max_length=32)
    handle: str = Field(min_length=1, max_length=200)
    brand: str = Field(min_length=1, max_length=128)
    country: str | None = None
    ours: bool = False
    business_hours: BusinessHours | None = None
    owner_team: str | None = Field(default=None, max_length=128, description="the team that runs it")
    visibility: Visibility = "organisation"

    @field_validator("platform")
    @classmethod
    def _platform(cls, value: str) -> str:
        folded = value.lower()
        if not _PLATFORM_RE.match(folded):
            raise ValueError(f"{value!r} is not a platform name such as 'x' or 'bluesky' (the posts' source)")
        return folded

    @field_validator("handle")
    @classmethod
    def _handle(cls, value: str) -> str:
        handle = value.removeprefix("@")
        if not handle or any(ch.isspace() for ch in handle) or "@" in handle:
            raise ValueError(f"{value!r} is not a handle (no spaces, at most one leading '@')")
        return handle

    @field_validator("country", mode="before")
    @classmethod
    def _country(cls, value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, str) or not _COUNTRY_RE.match(value.strip().upper()):
            raise ValueError(
                f"{value!r} is not an ISO 3166 country code such as 'FR' (empty: global account)"
            )
        return value.strip().upper()

    @property
    def key(self) -> tuple[str, str]:
        return (self.platform, handle_key(self.handle))


class BrandAccount(AccountSpec):
    """A registered account."""

    id: int
    created_by: str | None = None
    created_at: datetime
    updated_at: datetime

    def sharing(self) -> Sharing:
        return Sharing(owner_team=self.owner_team, visibility=self.visibility, created_by=self.created_by)

    @property
    def label(self) -> str:
        return account_label(self.platform, self.handle)

    def to_json_dict(self) -> dict[str, Any]:
        payload = self.model_dump(mode="json", exclude={"created_at", "updated_at"})
        payload["account"] = self.label
        payload["created_at"] = format_rfc3339(self.created_at)
        payload["updated_at"] = format_rfc3339(self.updated_at)
        return payload


class BusinessHoursRead(BaseModel):
    timezone: str
    days: list[str]
    start: str
    end: str


class AccountRead(BaseModel):
    """An account as the API shows it; ``account`` is how reports name it (``x:@NovaTelecom_FR``)."""

    id: int
    platform: str
    handle: str
    brand: str
    country: str | None
    ours: bool
    business_hours: BusinessHoursRead | None = Field(description="null: answers around the clock")
    owner_team: str | None = None
    visibility: str = "organisation"
    created_by: str | None = None
    account: str
    created_at: str = Field(description="RFC 3339, UTC")
    updated_at: str = Field(description="RFC 3339, UTC")
