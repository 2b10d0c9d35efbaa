"""The filters every analytics query takes, and what remains of them inside the caller's scope.

:class:`AnalyticsFilter` is what a caller asks for (time range ``[start, end)``, bucket interval,
IANA time zone, topics, countries, languages, sources, sentiments, near-duplicates or not);
:meth:`AnalyticsFilter.within` meets it with a :class:`~veille.analytics.scope.Scope` and gives the
:class:`Criteria` the queries run on. Meeting is an intersection: a topic, country or source outside
the scope is never read, whatever the request says.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal, get_args
from zoneinfo import ZoneInfo

from veille.analytics.scope import Scope, meet
from veille.clock import to_us, zone_named
from veille.errors import Invalid

__all__ = ["INTERVALS", "SENTIMENTS", "AnalyticsFilter", "Criteria", "Interval"]

Interval = Literal["minute", "hour", "day", "week", "month"]
INTERVALS: tuple[str, ...] = get_args(Interval)
SENTIMENTS: tuple[str, ...] = ("positive", "neutral", "negative")
# A series longer than this many buckets is refused (ask for a coarser interval).
MAX_BUCKETS = 100_000


def _names(values: Iterable[str] | None, field: str, case: str | None = None) -> frozenset[str] | None:
    if values is None:
        return None
    cleaned = frozenset(
        value.upper() if case == "upper" else value.lower() if case == "lower" else value
        for value in (raw.strip() for raw in values)
        if value
    )
    if not cleaned:
        raise Invalid(f"{field}: give at least one value, or leave the filter out", field=field)
    return cleaned


@dataclass(frozen=True, slots=True)
class AnalyticsFilter:
    """What a caller asks for. ``None`` for a set means "no restriction"."""

    start: datetime
    end: datetime
    interval: Interval = "day"
    tz: str = "UTC"
    topics: frozenset[str] | None = None
    countries: frozenset[str] | None = None
    languages: frozenset[str] | None = None
    sources: frozenset[str] | None = None
    sentiments: frozenset[str] | None = None
    include_duplicates: bool = True

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            if getattr(self, name).tzinfo is None:
                raise ValueError(f"{name}: a time-zone offset is required")
        if self.start >= self.end:
            raise Invalid("from: must be before to", field="from")
        if self.interval not in INTERVALS:
            raise Invalid(
                f"interval: {self.interval!r} is not one of {', '.join(INTERVALS)}", field="interval"
            )
        zone_named(self.tz)
        if self.sentiments is not None:
            unknown = sorted(self.sentiments - set(SENTIMENTS))
            if unknown:
                raise Invalid(
                    f"sentiment: {unknown[0]!r} is not one of {', '.join(SENTIMENTS)}", field="sentiment"
                )
        # A month counts as its shortest (28 days): the bound errs on the side of refusing.
        step = {"minute": 60, "hour": 3600, "day": 86_400, "week": 7 * 86_400, "month": 28 * 86_400}[
            self.interval
        ]
        if (self.end - self.start).total_seconds() / step > MAX_BUCKETS:
            raise Invalid(
                f"interval: more than {MAX_BUCKETS} {self.interval}s in the range; use a coarser one",
                field="interval",
            )

    @classmethod
    def of(
        cls,
        *,
        start: datetime,
        end: datetime,
        interval: str = "day",
        tz: str = "UTC",
        topics: Iterable[str] | None = None,
        countries: Iterable[str] | None = None,
        languages: Iterable[str] | None = None,
        sources: Iterable[str] | None = None,
        sentiments: Iterable[str] | None = None,
        include_duplicates: bool = True,
    ) -> AnalyticsFilter:
        """A filter from any iterables, normalised (countries upper case, languages, sources and sentiments lower)."""
        if interval not in INTERVALS:
            raise Invalid(f"interval: {interval!r} is not one of {', '.join(INTERVALS)}", field="interval")
        return cls(
            start=start,
            end=end,
            interval=interval,  # type: ignore[arg-type]  # checked just above
            tz=tz,
            topics=_names(topics, "topic"),
            countries=_names(countries, "country", "upper"),
            languages=_names(languages, "lang", "lower"),
            sources=_names(sources, "source", "lower"),
            sentiments=_names(sentiments, "sentiment", "lower"),
            include_duplicates=include_duplicates,
        )

    def within(self, scope: Scope) -> Criteria:
        return Criteria(
            start_us=to_us(self.start),
            end_us=to_us(self.end),
            interval=self.interval,
            zone=zone_named(self.tz),
            topics=meet(self.topics, scope.topics),
            countries=meet(self.countries, scope.countries),
            languages=self.languages,
            sources=meet(self.sources, scope.sources),
            sentiments=self.sentiments,
            include_duplicates=self.include_duplicates,
        )

    def to_json_dict(self) -> dict[str, object]:
        def listed(values: frozenset[str] | None) -> list[str] | None:
            return None if values is None else sorted(values)

        return {
            "from": self.start.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "to": self.end.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "interval": self.interval,
            "tz": self.tz,
            "topics": listed(self.topics),
            "countries": listed(self.countries),
            "languages": listed(self.languages),
            "sources": listed(self.sources),
            "sentiments": listed(self.sentiments),
            "include_duplicates": self.include_duplicates,
        }


@dataclass(frozen=True, slots=True)
class Criteria:
    """A filter met with the scope: what the queries read. An empty set matches no post."""

    start_us: int
    end_us: int
    interval: Interval
    zone: ZoneInfo
    topics: frozenset[str] | None
    countries: frozenset[str] | None
    languages: frozenset[str] | None
    sources: frozenset[str] | None
    sentiments: frozenset[str] | None
    include_duplicates: bool

    @property
    def matches_nothing(self) -> bool:
        sets = (self.topics, self.countries, self.languages, self.sources, self.sentiments)
        return any(values is not None and not values for values in sets)

    @property
    def span(self) -> timedelta:
        return timedelta(microseconds=self.end_us - self.start_us)
