"""SLA clocks in business hours: a Friday-evening post is due on Monday, across the weekend (and a
daylight-saving change); around the clock without business hours."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from veille.accounts.models import BusinessHours
from veille.clock import from_us, to_us
from veille.inbox.priority import priority_of
from veille.inbox.sla import due_us, sla_clock

PARIS = ZoneInfo("Europe/Paris")
OFFICE = BusinessHours(
    timezone="Europe/Paris", days=("mon", "tue", "wed", "thu", "fri"), start="09:00", end="18:00"
)


def _us(*args: int, zone: ZoneInfo = PARIS) -> int:
    return to_us(datetime(*args, tzinfo=zone))  # type: ignore[misc]


def _local(micros: int) -> datetime:
    return from_us(micros).astimezone(PARIS)


def test_friday_evening_post_is_due_monday_morning() -> None:
    friday = _us(2026, 11, 27, 17, 30)  # a Friday
    due = due_us(hours=OFFICE, start_us=friday, sla_s=3600)
    # 30 minutes on Friday, the other 30 on Monday from 09:00
    assert _local(due) == datetime(2026, 11, 30, 9, 30, tzinfo=PARIS)


def test_saturday_post_waits_for_monday_opening() -> None:
    saturday = _us(2026, 11, 28, 11, 0)
    assert _local(due_us(hours=OFFICE, start_us=saturday, sla_s=7200)) == datetime(
        2026, 11, 30, 11, 0, tzinfo=PARIS
    )


def test_a_long_sla_spans_several_days() -> None:
    thursday_night = _us(2026, 11, 26, 20, 0)
    # 12 business hours: Friday 9 h, then 3 h on Monday
    assert _local(due_us(hours=OFFICE, start_us=thursday_night, sla_s=12 * 3600)) == datetime(
        2026, 11, 30, 12, 0, tzinfo=PARIS
    )


def test_across_the_daylight_saving_change() -> None:
    friday = _us(2026, 10, 23, 17, 0)  # clocks go back on Sunday 25 October 2026
    assert _local(due_us(hours=OFFICE, start_us=friday, sla_s=2 * 3600)) == datetime(
        2026, 10, 26, 10, 0, tzinfo=PARIS
    )


def test_without_business_hours_the_clock_runs_around_the_clock() -> None:
    friday = _us(2026, 11, 27, 17, 30)
    assert due_us(hours=None, start_us=friday, sla_s=3600) == friday + 3_600_000_000


def test_breached_and_remaining_counted_in_business_seconds() -> None:
    friday = _us(2026, 11, 27, 17, 30)
    saturday_noon = _us(2026, 11, 28, 12, 0)
    monday_0945 = _us(2026, 11, 30, 9, 45)
    waiting = sla_clock(hours=OFFICE, created_us=friday, sla_s=3600, now_us=saturday_noon, answered_us=None)
    assert not waiting.breached and waiting.remaining_s == 1800  # only Friday's half hour counted
    late = sla_clock(hours=OFFICE, created_us=friday, sla_s=3600, now_us=monday_0945, answered_us=None)
    assert late.breached and late.remaining_s == -900
    answered_saturday = sla_clock(
        hours=OFFICE, created_us=friday, sla_s=3600, now_us=monday_0945, answered_us=saturday_noon
    )
    assert not answered_saturday.breached and answered_saturday.stopped
    assert answered_saturday.to_json_dict()["due"] == "2026-11-30T08:30:00Z"


def test_priority_levels_and_reasons() -> None:
    calm = priority_of(
        followers=50,
        sentiment_label="neutral",
        sentiment_score=0.0,
        sensitive_topics=[],
        waited_s=60,
        sla_s=3600,
    )
    storm = priority_of(
        followers=2_000_000,
        sentiment_label="negative",
        sentiment_score=-1.0,
        sensitive_topics=["outage"],
        waited_s=7200,
        sla_s=3600,
    )
    assert calm.level == "low" and storm.level == "urgent" and storm.score == 100
    assert [r.factor for r in storm.reasons] == ["influence", "negative", "sensitive", "waiting"]
    assert "SLA passed" in storm.reasons[-1].detail
