"""Minute rollups past ``minute_rollup_days`` are pruned, and the analytics still answer old ranges
exactly (hour and day rows, the posts at the edges), on both engines."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.integration.analytics.dataset import ODD_END, ODD_START, START, build_posts
from tests.integration.analytics.oracle import Ask, volume_rows
from veille.analytics.filters import AnalyticsFilter
from veille.analytics.scope import Scope
from veille.analytics.volume import volume
from veille.clock import now_us, to_us
from veille.hub import Hub
from veille.settings import Settings, SettingsError, load_settings
from veille.store import rollups
from veille.store.sql import SqlStore


def _volume(
    store: SqlStore, start: Any, end: Any, interval: str, tz: str
) -> dict[tuple[str, Any], dict[str, int]]:
    filters = AnalyticsFilter.of(start=start, end=end, interval=interval, tz=tz)
    rows = volume(store, filters=filters, scope=Scope()).to_json_dict()["rows"]
    return {
        (row["bucket"], None): {k: v for k, v in row.items() if k != "bucket"} for row in rows if row["posts"]
    }


def _count(store: SqlStore, table: Any, *condition: Any) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table).where(*condition)).scalar_one())


def _days_to(moment_us: int) -> int:
    """A retention that puts the minute floor a little before ``moment_us`` (the data is from 2026)."""
    return (now_us() - moment_us) // rollups.DAY_US + 1


def test_old_minutes_are_pruned_and_the_analytics_still_answer_exactly(store: SqlStore) -> None:
    posts = build_posts(400, seed=17)
    store.upsert_posts(posts)
    cut = to_us(START + timedelta(days=3, hours=2))
    days = _days_to(cut)
    hours_before = {
        shape.table.name: _count(store, shape.table)
        for shape in rollups.SHAPES
        if shape.unit_us != rollups.MINUTE_US
    }
    asks = [
        (ODD_START, ODD_END, "hour", "Europe/Paris"),
        (ODD_START, ODD_END, "day", "UTC"),
        # Minute buckets across the floor: posts before it, minute rows after.
        (
            START + timedelta(days=2, minutes=7, seconds=3),
            START + timedelta(days=4, minutes=1),
            "minute",
            "UTC",
        ),
    ]

    report = rollups.prune_minutes(store, days=days, now=now_us())
    assert not report.skipped
    assert report.deleted["rollup_minute"] > 0
    for shape in rollups.MINUTE_SHAPES:
        table = shape.table
        assert _count(store, table, table.c.bucket_us < report.before_us) == 0
        assert _count(store, table, table.c.bucket_us >= report.before_us) > 0  # the recent ones stay
    for shape in rollups.SHAPES:
        if shape.unit_us != rollups.MINUTE_US:
            assert _count(store, shape.table) == hours_before[shape.table.name]

    # A reader that does not know of the pruning misses the old minutes (what the floor prevents).
    start, end, interval, tz = asks[2]
    expected = volume_rows(posts, Ask(start, end, interval=interval, tz=tz))
    assert _volume(store, start, end, interval, tz) != expected
    store.minute_rollup_days = days
    for start, end, interval, tz in asks:
        assert _volume(store, start, end, interval, tz) == volume_rows(
            posts, Ask(start, end, interval=interval, tz=tz)
        )

    # Idempotent and cheap the second time; a late edit of an old post is still counted exactly.
    again = rollups.prune_minutes(store, days=days, now=now_us())
    assert sum(again.deleted.values()) == 0
    metrics = posts[0].metrics.model_copy(update={"likes": (posts[0].metrics.likes or 0) + 5})
    old = posts[0].model_copy(update={"metrics": metrics})
    store.upsert_posts([old])
    for start, end, interval, tz in asks:
        assert _volume(store, start, end, interval, tz) == volume_rows(
            [old, *posts[1:]], Ask(start, end, interval=interval, tz=tz)
        )


def test_no_retention_keeps_every_minute(store: SqlStore) -> None:
    store.upsert_posts(build_posts(50, seed=2))
    before = _count(store, rollups.rollup_minute)
    report = rollups.prune_minutes(store, days=0, now=now_us())
    assert report.deleted == {}
    assert _count(store, rollups.rollup_minute) == before > 0


@pytest.mark.parametrize("days", [0, 1])
async def test_the_hub_job_prunes_with_its_setting(hub_settings: Settings, days: int) -> None:
    settings = hub_settings.model_copy(update={"minute_rollup_days": days, "maintenance_every_s": 3600.0})
    hub = Hub.build(settings, stages=[])
    try:
        hub.store.upsert_posts(build_posts(60, seed=4))  # from 2026-03: older than a day
        assert hub.store.minute_rollup_days == days
        report = hub.maintain_store()
        left = _count(hub.store, rollups.rollup_minute)
        if days:
            assert report.deleted["rollup_minute"] > 0 and left == 0
            assert hub.metrics.rollup_minute_pruned._value.get() == sum(report.deleted.values())
        else:
            assert left > 0
    finally:
        await hub.stop()
        hub.store.close()


def test_a_negative_retention_is_refused_naming_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VEILLE_MINUTE_ROLLUP_DAYS", "-1")
    with pytest.raises(SettingsError, match="VEILLE_MINUTE_ROLLUP_DAYS"):
        load_settings()
