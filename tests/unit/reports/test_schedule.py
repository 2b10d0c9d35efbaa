"""The schedule's arithmetic: the next local HH:MM in a time zone, daily or on a weekday, across
daylight-saving changes (the local time is kept; a skipped time runs after the gap, a repeated
time once)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from veille.reports.models import ReportSpec, next_run


def _spec(**fields: object) -> ReportSpec:
    return ReportSpec.model_validate({"name": "Brief", "dashboard_id": 1, **fields})


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_daily_in_paris_keeps_nine_oclock_across_the_spring_change() -> None:
    spec = _spec(at="09:00", timezone="Europe/Paris")
    # 28 March 2026: still CET (UTC+1); clocks go forward on Sunday 29 March at 02:00.
    first = next_run(spec, after=_utc("2026-03-28T07:00:00"))
    assert first == _utc("2026-03-28T08:00:00")
    second = next_run(spec, after=first)
    assert second == _utc("2026-03-29T07:00:00")  # 09:00 CEST
    assert second - first == timedelta(hours=23)
    third = next_run(spec, after=second)
    assert third - second == timedelta(hours=24)


def test_daily_in_paris_across_the_autumn_change() -> None:
    spec = _spec(at="09:00", timezone="Europe/Paris")
    first = next_run(spec, after=_utc("2026-10-24T12:00:00"))  # after Saturday's run
    assert first == _utc("2026-10-25T08:00:00")  # Sunday 25 October, 09:00 CET (UTC+1)
    assert next_run(spec, after=_utc("2026-10-24T06:00:00")) == _utc("2026-10-24T07:00:00")  # CEST


def test_a_skipped_local_time_runs_after_the_gap_and_a_repeated_one_once() -> None:
    skipped = _spec(at="02:30", timezone="Europe/Paris")
    run = next_run(skipped, after=_utc("2026-03-28T12:00:00"))
    assert run == _utc("2026-03-29T01:30:00")  # 03:30 CEST: the wall clock passes 02:30 at the jump
    assert next_run(skipped, after=run) == _utc("2026-03-30T00:30:00")  # 02:30 CEST the next day
    repeated = _spec(at="02:30", timezone="Europe/Paris")
    first = next_run(repeated, after=_utc("2026-10-24T12:00:00"))
    assert first == _utc("2026-10-25T00:30:00")  # the first 02:30 (CEST)
    following = next_run(repeated, after=first)
    assert following == _utc("2026-10-26T01:30:00")  # not the second 02:30 an hour later


def test_weekly_on_a_day_in_new_york() -> None:
    spec = _spec(schedule="weekly", weekday="monday", at="07:45", timezone="America/New_York")
    after = _utc("2026-03-04T12:00:00")  # a Wednesday
    first = next_run(spec, after=after)
    assert first == _utc("2026-03-09T11:45:00")  # Monday 9 March, EDT since Sunday 8 March
    assert next_run(spec, after=first) == _utc("2026-03-16T11:45:00")
    assert next_run(spec, after=first - timedelta(seconds=1)) == first


@pytest.mark.parametrize("weekday", ["monday", "Mon", "1", 1, "lundi"])
def test_weekday_forms(weekday: object) -> None:
    assert _spec(schedule="weekly", weekday=weekday).weekday == "monday"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"at": "25:00"}, "at"),
        ({"at": "9h"}, "at"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"schedule": "weekly", "weekday": "someday"}, "weekday"),
        ({"schedule": "weekly", "weekday": 8}, "weekday"),
        ({"schedule": "hourly"}, "schedule"),
        ({"language": "de"}, "language"),
        ({"notify": ["not a url"]}, "notify"),
    ],
)
def test_bad_fields_are_named(fields: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as raised:
        _spec(**fields)
    assert field in {str(error["loc"][0]) for error in raised.value.errors()}


def test_weekly_without_a_day_names_weekday() -> None:
    with pytest.raises(ValidationError) as raised:
        _spec(schedule="weekly")
    assert [error["loc"] for error in raised.value.errors()] == [("weekday",)]
    assert _spec(schedule="daily", weekday="friday").weekday is None  # a daily report has no day
