"""The per-hour care summaries kept on the write path give the pairing computation's figures.

Posts are written in shuffled batches (replies before the posts they answer, responses after the
hour boundary in a later batch, late posts, re-deliveries), on SQLite and PostgreSQL; the report
read from the summaries must equal the report that pairs the posts at query time, for windows with
edges inside hours, and the maintained tables must equal a rebuild from scratch.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from veille.accounts import import_accounts
from veille.analytics.care import care_report
from veille.analytics.scope import Scope
from veille.model import Post
from veille.store import care_hours
from veille.store.sql import SqlStore

from .dataset import ACCOUNTS, END, PREVIOUS_START, START, _Posts, build_posts
from .oracle import utc


def _boundary_posts() -> list[Post]:
    """A response after the hour boundary, written later; a post written after its response."""
    p = _Posts()
    p._count = 10_000
    late_hour = p.add("gina", utc("2026-11-04T10:59:30"), "@OrbisMobile my bill doubled", country="GB")
    p.reply("OrbisMobile", late_hour, 75, "@gina we are looking")  # 11:00:45, next hour
    answered_first = p.add(
        "hugo", utc("2026-11-05T14:20:00"), "@SiroccoTelecom_SN réseau coupé", country="SN"
    )
    p.reply("SiroccoTelecom_SN", answered_first, 4000)
    p.reply("SiroccoTelecom_SN", answered_first, 30)  # the earlier one counts, whatever the order written
    for index in range(40):
        at = utc("2026-10-27T00:00:00") + timedelta(minutes=173 * index + index % 7)
        post = p.add(
            f"user{index}",
            at,
            f"@NovaCare help {index}",
            country=random.Random(index).choice(["FR", "BE", None]),
        )
        if index % 3:
            p.reply("NovaCare", post, 50 + 997 * index)
    return p.items


def _report(
    store: SqlStore, start: datetime, end: datetime, scope: Scope | None = None, **options: Any
) -> dict[str, Any]:
    return care_report(store=store, scope=scope or Scope(), start=start, end=end, **options).to_json_dict()


def _tables(store: SqlStore) -> tuple[list[Any], list[Any], list[Any]]:
    with store.engine.connect() as connection:
        pairs = sorted(tuple(row) for row in connection.execute(select(care_hours.care_pairs)))
        hours, days = (
            sorted(
                (*tuple(row[:-1]), sorted(care_hours.unpack_times(row.times_us)))
                for row in connection.execute(select(table))
            )
            for table in (care_hours.care_hours, care_hours.care_days)
        )
    return pairs, hours, days


@pytest.mark.parametrize("seed", [1, 2])
def test_summaries_written_in_any_order_equal_the_pairing(store: SqlStore, seed: int) -> None:
    import_accounts(store=store, specs=ACCOUNTS)
    _report(store, START, END)  # builds the (empty) summaries for this registry
    items = build_posts() + _boundary_posts()
    shuffled = items[:]
    random.Random(seed).shuffle(shuffled)
    # Responses after their posts, in later batches, for half of them; the rest in any order.
    batches = [shuffled[start : start + 7] for start in range(0, len(shuffled), 7)]
    for number, batch in enumerate(batches):
        store.upsert_posts(batch)
        if number % 3 == 0:
            store.upsert_posts(batch[:3])  # re-delivered: nets to nothing
    with store.engine.connect() as connection:
        assert care_hours.is_current(connection)
    odd = timedelta(minutes=17, seconds=3)
    windows = [
        (START, END),
        (START + odd, END - odd),
        (utc("2026-11-04T10:30:00"), utc("2026-11-04T11:30:00")),
        # Periods meeting at a whole hour inside a day: that day is read by hours (care_days).
        (utc("2026-11-05T10:00:00"), utc("2026-11-08T10:00:00")),
        (utc("2026-11-04T23:20:00"), utc("2026-11-07T00:40:00")),
    ]
    for start, end in windows:
        for business_hours in (False, True):
            for group_by in ("account", "country"):
                options = {"business_hours": business_hours, "group_by": group_by, "sla_s": 1800.0}
                summaries = _report(store, start, end, **options)
                pairs = _report(store, start, end, method="pairs", **options)
                assert summaries == pairs, (start, end, options)
    # A country filter reads the per-country hour rows (a post's own country, else its account's).
    for countries in (["FR"], ["BE", "GB", "SN"]):
        scope = Scope.of(countries=countries)
        for start, end in windows[:2]:
            summaries = _report(store, start, end, scope, group_by="country")
            assert summaries == _report(store, start, end, scope, group_by="country", method="pairs")
    maintained = _tables(store)
    with store.engine.begin() as connection:
        care_hours.rebuild(connection)
    assert _tables(store) == maintained
    with store.engine.begin() as connection:
        care_hours.rebuild_days(connection)  # as migration 0061 backfills them
    assert _tables(store) == maintained
    pairs_rows, hour_rows, day_rows = maintained
    assert len(day_rows) < len(hour_rows)
    assert sum(row[5] for row in day_rows) == sum(row[5] for row in hour_rows)
    assert any(row[1] == "orbismobile" and row[-1] is not None for row in pairs_rows)
    # Each pair counts once in its country's row and once in the row of every country ("*").
    assert sum(row[5] for row in hour_rows if row[3] == care_hours.ALL_COUNTRIES) == len(pairs_rows)
    assert sum(row[5] for row in hour_rows if row[3] != care_hours.ALL_COUNTRIES) == len(pairs_rows)


def test_a_registry_change_rebuilds_the_summaries(store: SqlStore) -> None:
    store.upsert_posts(build_posts())
    import_accounts(store=store, specs=ACCOUNTS[:2])
    before = _report(store, PREVIOUS_START, END)
    assert {row["account"] for row in before["items"]} == {"x:@NovaTelecom_FR", "x:@NovaCare"}
    import_accounts(store=store, specs=ACCOUNTS)
    with store.engine.connect() as connection:
        assert not care_hours.is_current(connection)
    after = _report(store, START, END)
    assert after == _report(store, START, END, method="pairs")
    helix = next(row for row in after["items"] if row["account"] == "x:@HelixTelecom_FR")
    assert helix["inbound"] > 0
