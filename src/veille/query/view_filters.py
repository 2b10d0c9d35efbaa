"""The filters a view of posts follows (a dashboard's filter bar, a wall's settings): a period
(a preset or a custom range read in a time zone), topics, countries, languages, sources, sentiment,
duplicates. Dashboards and walls share this shape (``veille.dashboards``, ``veille.walls``).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from veille.query.countries import country_code
from veille.query.fields import LANGUAGE_CODES

__all__ = ["RANGE_PRESETS", "CustomRange", "DashboardFilters"]

RangePreset = Literal["24h", "7d", "30d"]
RANGE_PRESETS: tuple[str, ...] = get_args(RangePreset)
SentimentLabel = Literal["positive", "neutral", "negative"]
MAX_LISTED = 100


def _strict() -> ConfigDict:
    return ConfigDict(extra="forbid", str_strip_whitespace=True, populate_by_name=True)


def _moment(value: str, zone: ZoneInfo) -> datetime:
    """An ISO date (local midnight) or date-time (without an offset: local) as an aware datetime."""
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time(), tzinfo=zone)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO date or date-time") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


class CustomRange(BaseModel):
    """A fixed range ``[from, to)``: ISO dates or date-times, as given (read in the filters' ``tz``)."""

    model_config = _strict()

    from_: str = Field(alias="from", min_length=10, max_length=40)
    to: str = Field(min_length=10, max_length=40)

    @field_validator("from_", "to")
    @classmethod
    def _iso(cls, value: str) -> str:
        _moment(value, ZoneInfo("UTC"))
        return value

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        return _moment(self.from_, zone), _moment(self.to, zone)


def _listed(value: Any) -> Any:
    """A single value is a list of one: ``"negative"`` → ``["negative"]``."""
    return [value] if isinstance(value, str) else value


class DashboardFilters(BaseModel):
    """What every widget of a dashboard follows (the filter bar's state)."""

    model_config = _strict()

    range: RangePreset | CustomRange = "7d"
    tz: str = Field(default="UTC", max_length=64)
    topics: list[str] = Field(default_factory=list, max_length=MAX_LISTED)
    countries: list[str] = Field(default_factory=list, max_length=MAX_LISTED)
    languages: list[str] = Field(default_factory=list, max_length=MAX_LISTED)
    sources: list[str] = Field(default_factory=list, max_length=MAX_LISTED)
    sentiment: list[SentimentLabel] = Field(default_factory=list, max_length=3)
    include_duplicates: bool = True

    @field_validator("range", mode="before")
    @classmethod
    def _range(cls, value: Any) -> Any:
        """A preset name or ``{"from", "to"}``, with one clear message rather than a union's two."""
        if isinstance(value, CustomRange):
            return value
        if isinstance(value, str):
            if value not in RANGE_PRESETS:
                raise ValueError(f"{value!r} is not one of {', '.join(RANGE_PRESETS)} or {{'from', 'to'}}")
            return value
        if not isinstance(value, dict):
            raise ValueError(f"expected one of {', '.join(RANGE_PRESETS)} or {{'from', 'to'}}")
        if set(value) != {"from", "to"}:
            raise ValueError("a custom range is {'from', 'to'} (ISO dates or date-times)")
        bounds = {}
        for name in ("from", "to"):
            given = value[name]
            if not isinstance(given, str):
                raise ValueError(f"{name}: expected an ISO date or date-time")
            try:
                _moment(given, ZoneInfo("UTC"))
            except ValueError as error:
                raise ValueError(f"{name}: {error}") from None
            bounds[name] = given
        # Both bounds are read in the same zone, so their order does not depend on which one.
        start, end = (_moment(bounds[name], ZoneInfo("UTC")) for name in ("from", "to"))
        if end <= start:
            raise ValueError("'to' must come after 'from'")
        return CustomRange.model_validate(bounds)

    @field_validator("tz")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone such as 'Europe/Paris'") from None
        return value

    @field_validator("topics", "countries", "languages", "sources", "sentiment", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return _listed(value)

    @field_validator("countries")
    @classmethod
    def _countries(cls, value: list[str]) -> list[str]:
        """ISO 3166-1 alpha-2 codes (alpha-3 codes and English names are read as the query language does)."""
        codes = []
        for given in value:
            code = country_code(given.strip())
            if code is None:
                raise ValueError(f"{given!r} is not an ISO 3166-1 alpha-2 country code such as 'FR'")
            codes.append(code)
        return list(dict.fromkeys(codes))

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: list[str]) -> list[str]:
        codes = [code.strip().lower() for code in value]
        unknown = [code for code in codes if code not in LANGUAGE_CODES]
        if unknown:
            raise ValueError(f"{unknown[0]!r} is not an ISO 639-1 language code such as 'fr'")
        return list(dict.fromkeys(codes))

    @field_validator("topics", "sources")
    @classmethod
    def _names(cls, value: list[str]) -> list[str]:
        names = [name.strip() for name in value]
        if any(not name or len(name) > 64 for name in names):
            raise ValueError("names are 1 to 64 characters")
        return list(dict.fromkeys(names))
