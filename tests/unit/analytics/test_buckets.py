"""Local buckets: calendar months start on the 1st at local midnight, whatever the clocks do."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from veille.analytics.buckets import Bucketer
from veille.analytics.filters import AnalyticsFilter
from veille.clock import to_us
from veille.errors import Invalid

PARIS = ZoneInfo("Europe/Paris")


def test_months_start_on_the_first_at_local_midnight_across_a_year_and_clock_changes() -> None:
    bucketer = Bucketer("month", PARIS)
    start = to_us(datetime(2026, 10, 20, tzinfo=UTC))
    end = to_us(datetime(2027, 4, 2, tzinfo=UTC))
    labels = [bucketer.label(bucket).isoformat() for bucket in bucketer.buckets(start, end)]
    assert labels == [
        "2026-10-01T00:00:00+02:00",
        "2026-11-01T00:00:00+01:00",  # October is an hour longer: the clocks went back in it
        "2026-12-01T00:00:00+01:00",
        "2027-01-01T00:00:00+01:00",
        "2027-02-01T00:00:00+01:00",
        "2027-03-01T00:00:00+01:00",
        "2027-04-01T00:00:00+02:00",
    ]
    # The last instant of a local month belongs to it; the first of the next does not.
    march_end = to_us(datetime(2027, 3, 31, 21, 59, 59, 999_999, tzinfo=UTC))
    assert bucketer.label(bucketer.floor(march_end)).isoformat() == "2027-03-01T00:00:00+01:00"
    assert bucketer.label(bucketer.floor(march_end + 1)).isoformat() == "2027-04-01T00:00:00+02:00"


def test_a_utc_month_and_a_local_month_differ_by_the_offset() -> None:
    moment = to_us(datetime(2026, 2, 28, 23, 30, tzinfo=UTC))  # already March 1st in Paris
    assert (
        Bucketer("month", ZoneInfo("UTC")).label(Bucketer("month", ZoneInfo("UTC")).floor(moment)).month == 2
    )
    assert Bucketer("month", PARIS).label(Bucketer("month", PARIS).floor(moment)).month == 3


def test_month_is_an_interval_of_the_filters_and_other_names_are_refused() -> None:
    start, end = datetime(2020, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)
    assert AnalyticsFilter.of(start=start, end=end, interval="month").interval == "month"
    with pytest.raises(Invalid, match="interval: 'fortnight' is not one of minute, hour, day, week, month"):
        AnalyticsFilter.of(start=start, end=end, interval="fortnight")
