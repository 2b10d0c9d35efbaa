"""The time helpers: RFC 3339 both ways, store microseconds, and what people type (refusals name it)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from veille.clock import (
    format_rfc3339,
    from_us,
    parse_moment,
    parse_rfc3339,
    rfc3339_from_us,
    to_us,
    zone_named,
)
from veille.errors import Invalid


def test_rfc3339_round_trip() -> None:
    moment = parse_rfc3339("2026-11-28T23:01:06.791365+01:00")
    assert moment == datetime(2026, 11, 28, 22, 1, 6, 791365, tzinfo=UTC)
    assert format_rfc3339(moment) == "2026-11-28T22:01:06.791365Z"
    assert (
        format_rfc3339(datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2))))
        == "2026-01-02T01:04:05Z"
    )
    assert rfc3339_from_us(to_us(moment)) == "2026-11-28T22:01:06.791365Z"
    assert from_us(0) == datetime(1970, 1, 1, tzinfo=UTC)
    for bad in ("2026-11-28", "2026-11-28T23:01:06", "yesterday", 42):
        with pytest.raises(ValueError, match="not an RFC 3339 timestamp"):
            parse_rfc3339(bad)


def test_moments_people_type() -> None:
    paris = zone_named("Europe/Paris")
    assert parse_moment("from", "2026-07-01", paris) == datetime(2026, 6, 30, 22, tzinfo=UTC)
    assert parse_moment("to", "2026-07-01T12:00:00", paris) == datetime(2026, 7, 1, 10, tzinfo=UTC)
    assert parse_moment("to", "2026-07-01T12:00:00Z", paris) == datetime(2026, 7, 1, 12, tzinfo=UTC)
    with pytest.raises(Invalid) as refused:
        parse_moment("from", "yesterday", paris)
    assert (str(refused.value), refused.value.field) == (
        "from: 'yesterday' is not an ISO date or date-time",
        "from",
    )
    with pytest.raises(Invalid) as unknown:
        zone_named("Mars/Olympus")
    assert unknown.value.field == "tz" and "'Mars/Olympus' is not an IANA time zone" in str(unknown.value)
