"""Rollups stay exact when posts are delivered again or change, and equal a rebuild from the posts."""

from __future__ import annotations

import random
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import insert, select

from tests.integration.analytics.dataset import END, ODD_END, ODD_START, START, build_posts, changed_copy
from tests.integration.analytics.oracle import Ask, volume_rows
from veille.analytics.filters import AnalyticsFilter
from veille.analytics.scope import Scope
from veille.analytics.volume import volume
from veille.clock import to_us
from veille.store.rollups import SHAPES, rebuild, refresh_topic, rollup_hour, rollup_minute
from veille.store.schema import post_topics
from veille.store.sql import SqlStore


def _rollups(store: SqlStore) -> dict[str, list[tuple[Any, ...]]]:
    with store.engine.connect() as connection:
        return {
            table.name: sorted(tuple(row) for row in connection.execute(select(table)) if row.posts)
            for table in (shape.table for shape in SHAPES)
        }


def _volume(store: SqlStore, **asked: Any) -> dict[tuple[str, Any], dict[str, int]]:
    filters = AnalyticsFilter.of(start=ODD_START, end=ODD_END, interval="hour", tz="Europe/Paris", **asked)
    rows = volume(store, filters=filters, scope=Scope()).to_json_dict()["rows"]
    return {
        (row["bucket"], None): {k: v for k, v in row.items() if k != "bucket"} for row in rows if row["posts"]
    }


def test_redelivered_and_changed_posts_never_double_count(store: SqlStore) -> None:
    posts = build_posts(300, seed=11)
    store.upsert_posts(posts)
    first = _rollups(store)
    # At-least-once delivery: the same batches again, in other splits.
    store.upsert_posts(posts[100:250])
    store.upsert_posts(posts[:120] + posts[120:])
    assert _rollups(store) == first
    # Enrichment and platforms change posts: new sentiment, topics, country, duplicate flag, metrics.
    rng = random.Random(3)
    changed = [changed_copy(post, rng) for post in posts[::3]]
    store.upsert_posts(changed)
    store.upsert_posts(changed[:10])
    current = {post.id: post for post in [*posts, *changed]}
    incremental = _rollups(store)
    ask = Ask(ODD_START, ODD_END, interval="hour", tz="Europe/Paris")
    assert _volume(store) == volume_rows(current.values(), ask)
    ask_topic = Ask(
        ODD_START, ODD_END, interval="hour", tz="Europe/Paris", topics=["outage"], include_duplicates=False
    )
    assert _volume(store, topics=["outage"], include_duplicates=False) == volume_rows(
        current.values(), ask_topic
    )
    # A rebuild from the posts finds exactly the counters kept incrementally.
    report = rebuild(store)
    assert _rollups(store) == incremental
    assert report == {name: len(rows) for name, rows in incremental.items()}


def test_rebuild_since_keeps_earlier_buckets(store: SqlStore) -> None:
    store.upsert_posts(build_posts(200, seed=2))
    before = _rollups(store)
    with store.engine.begin() as connection:  # counters gone wrong (a bug, a manual edit…)
        connection.execute(rollup_minute.delete().where(rollup_minute.c.bucket_us >= to_us(START)))
        connection.execute(rollup_hour.delete().where(rollup_hour.c.bucket_us >= to_us(START)))
        connection.execute(
            rollup_hour.update().where(rollup_hour.c.bucket_us < to_us(START)).values(likes=-1)
        )
    rebuild(store, since=START + timedelta(minutes=20))  # from the UTC day holding it
    after = _rollups(store)
    assert {name: rows for name, rows in after.items() if name != "rollup_hour"} == {
        name: rows for name, rows in before.items() if name != "rollup_hour"
    }
    # Buckets before the day holding `since` are left as they were.
    assert [row for row in after["rollup_hour"] if row[0] >= to_us(START)] == [
        row for row in before["rollup_hour"] if row[0] >= to_us(START)
    ]
    assert {row[8] for row in after["rollup_hour"] if row[0] < to_us(START)} == {-1}


def test_refresh_topic_after_matches_written_outside_upsert(store: SqlStore) -> None:
    posts = build_posts(200, seed=4)
    store.upsert_posts(posts)
    # A backfill writes post_topics directly: the counters learn of it from refresh_topic.
    chosen = [post for post in posts[::4] if all(match.name != "newtopic" for match in post.topics)]
    with store.engine.begin() as connection:
        connection.execute(
            insert(post_topics),
            [{"post_id": p.id, "topic": "newtopic", "created_us": 0, "spans": []} for p in chosen],
        )
    refresh_topic(store, "newtopic")
    expected = {
        key: value["posts"] for key, value in volume_rows(chosen, Ask(START, END, interval="day")).items()
    }
    filters = AnalyticsFilter.of(start=START, end=END, topics=["newtopic"])
    rows = volume(store, filters=filters, scope=Scope()).to_json_dict()["rows"]
    assert {(row["bucket"], None): row["posts"] for row in rows if row["posts"]} == expected
    with store.engine.begin() as connection:
        connection.execute(post_topics.delete().where(post_topics.c.topic == "newtopic"))
    refresh_topic(store, "newtopic")
    assert all(row["posts"] == 0 for row in volume(store, filters=filters, scope=Scope()).rows)


def test_migration_fills_the_counters_of_posts_already_stored(store: SqlStore) -> None:
    store.upsert_posts(build_posts(150, seed=9))
    incremental = _rollups(store)
    config = Config()
    config.set_main_option("script_location", str(Path(str(resources.files("veille.store") / "migrations"))))
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0020_rollups-1")
    store.migrate()
    assert _rollups(store) == incremental


def test_topic_backfill_and_deletion_move_the_counters(store: SqlStore) -> None:
    """The topics backfill rewrites post_topics outside upsert_posts; the counters follow it exactly."""
    from veille.topics.repository import delete_topic, replace_topic_matches

    posts = build_posts(240, seed=6)
    store.upsert_posts(posts)
    rng = random.Random(1)
    # Twice, so that the second pass has posts gaining, keeping and losing the topic.
    for _ in range(2):
        matches = {post.id: [(0, 4)] for post in posts if rng.random() < 0.4}
        for start in range(0, len(posts), 70):
            replace_topic_matches(store, "outage", posts[start : start + 70], matches)
        matched = [post for post in posts if post.id in matches]
        ask = Ask(START, END, interval="day")
        expected = {key: value["posts"] for key, value in volume_rows(matched, ask).items()}
        filters = AnalyticsFilter.of(start=START, end=END, topics=["outage"])
        rows = volume(store, filters=filters, scope=Scope()).to_json_dict()["rows"]
        assert {(row["bucket"], None): row["posts"] for row in rows if row["posts"]} == expected
    incremental = _rollups(store)
    rebuild(store)
    assert _rollups(store) == incremental
    with store.engine.begin() as connection:
        delete_topic(connection, "outage")
    assert all(row[1] != "outage" for rows in _rollups(store).values() for row in rows)
