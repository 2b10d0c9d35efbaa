"""PostgreSQL: posts partitioned by month (migration 0071_posts_by_month), on the real server.

Posts of three months land in three partitions; an upsert by id stays exact (one row per id, the
rollups equal a rebuild) even when a post comes back with another creation time; a post far outside
any month goes to the default partition; the migration converts a table that already holds posts.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import select, text

from tests.integration.analytics.dataset import build_posts, changed_copy
from veille.model import Post
from veille.store import partitions
from veille.store.rollups import SHAPES, rebuild
from veille.store.sql import SqlStore, open_store

pytestmark = pytest.mark.postgres

MIGRATIONS = Path(str(resources.files("veille.store") / "migrations"))


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _rollups(store: SqlStore) -> dict[str, list[tuple[Any, ...]]]:
    with store.engine.connect() as connection:
        return {
            table.name: sorted(tuple(row) for row in connection.execute(select(table)) if row.posts)
            for table in (shape.table for shape in SHAPES)
        }


def _where(store: SqlStore) -> dict[str, str]:
    """Each stored post id → the partition holding it."""
    rows = store.execute_text("SELECT id, tableoid::regclass::text AS part FROM posts")
    return {str(row["id"]): str(row["part"]).rsplit(".", 1)[-1] for row in rows}


def _month_of(post: Post) -> str:
    return partitions.partition_name(partitions.month_of(int(post.created_at.timestamp() * 1_000_000)))


def _moved(posts: list[Post], delta: timedelta) -> list[Post]:
    return [post.model_copy(update={"created_at": post.created_at + delta}) for post in posts]


@pytest.fixture
def pg_store(postgres_url: str) -> Any:
    store = open_store(postgres_url)
    yield store
    store.close()


def test_posts_of_three_months_land_in_three_partitions_and_upserts_stay_exact(pg_store: SqlStore) -> None:
    store = pg_store
    base = build_posts(240, seed=21)  # late March 2026 to early April: two months already
    january = _moved(base[:80], timedelta(days=-70))
    posts = [*january, *base[80:]]
    store.upsert_posts(posts)
    where = _where(store)
    assert len(where) == len(posts)
    months = {_month_of(post) for post in posts}
    assert len(months) == 3
    assert set(where.values()) == months
    for post in posts:
        assert where[post.id] == _month_of(post)
    first = _rollups(store)

    # Delivered again, in other splits, and edited: still one row per id, counters exact.
    store.upsert_posts(posts[50:200])
    store.upsert_posts(posts)
    assert store.count_posts() == len(posts)
    assert _rollups(store) == first
    rng = random.Random(4)
    changed = [changed_copy(post, rng) for post in posts[::4]]
    store.upsert_posts(changed)
    assert store.count_posts() == len(posts)
    current = {post.id: post for post in [*posts, *changed]}
    for post_id in list(current)[:20]:
        stored = store.get_post(post_id)
        assert stored is not None and stored.text == current[post_id].text

    # A source sends another creation time for some ids (another month): the row moves, once.
    shifted = _moved(posts[:30], timedelta(days=40))
    store.upsert_posts(shifted)
    assert store.count_posts() == len(posts)
    where = _where(store)
    for post in shifted:
        assert where[post.id] == _month_of(post)
    incremental = _rollups(store)
    rebuild(store)
    assert _rollups(store) == incremental
    rows = store.execute_text("SELECT id, count(*) AS n FROM posts GROUP BY id HAVING count(*) > 1")
    assert rows == []


def test_a_post_far_outside_any_month_goes_to_the_default_partition(pg_store: SqlStore) -> None:
    post = build_posts(1, seed=3)[0]
    far = post.model_copy(update={"created_at": datetime(1990, 1, 1, tzinfo=UTC)})
    pg_store.upsert_posts([far])
    assert _where(pg_store) == {far.id: partitions.DEFAULT_PARTITION}
    pg_store.upsert_posts([far])  # the upsert's key works there too
    assert pg_store.count_posts() == 1


def test_partitions_are_created_ahead(pg_store: SqlStore) -> None:
    now = datetime.now(UTC)
    this_month = now.year * 12 + now.month - 1
    with pg_store.engine.begin() as connection:
        connection.execute(text(f"DROP TABLE {partitions.partition_name(this_month + 2)}"))
    assert pg_store.maintain_partitions() == [partitions.partition_name(this_month + 2)]
    assert pg_store.maintain_partitions() == []
    with pg_store.engine.connect() as connection:
        months = partitions.existing_months(connection)
    assert {this_month, this_month + 1, this_month + 2} <= months


def test_the_migration_converts_a_table_holding_posts(postgres_url: str) -> None:
    store = open_store(postgres_url, migrate=False)
    try:
        with store.engine.begin() as connection:
            config = _config()
            config.attributes["connection"] = connection
            command.upgrade(config, "0061_widget_speed")
        posts = build_posts(200, seed=8)
        posts = [*_moved(posts[:50], timedelta(days=-120)), *posts[50:]]
        store.upsert_posts(posts)  # the unpartitioned table, upsert on (id)
        assert store.execute_text("SELECT relkind FROM pg_class WHERE oid = to_regclass('posts')") == [
            {"relkind": "r"}
        ]
        before = _rollups(store)
        docs = {row["id"]: row["doc"] for row in store.execute_text("SELECT id, doc FROM posts")}
    finally:
        store.close()
    store = open_store(postgres_url)  # migrates to the head: 0071 converts the table
    try:
        assert store.execute_text("SELECT relkind FROM pg_class WHERE oid = to_regclass('posts')") == [
            {"relkind": "p"}
        ]
        assert {row["id"]: row["doc"] for row in store.execute_text("SELECT id, doc FROM posts")} == docs
        where = _where(store)
        assert len(set(where.values())) >= 3
        assert all(where[post.id] == _month_of(post) for post in posts)
        # Full-text search (the generated column and its index came along) and the upsert.
        assert store.execute_text("SELECT count(*) AS n FROM posts WHERE search_tsv IS NULL") == [{"n": 0}]
        store.upsert_posts(posts)
        assert store.count_posts() == len(posts)
        assert _rollups(store) == before
        # And back: downgrade gives one plain table with every post.
        with store.engine.begin() as connection:
            config = _config()
            config.attributes["connection"] = connection
            command.downgrade(config, "0061_widget_speed")
        assert store.execute_text("SELECT relkind FROM pg_class WHERE oid = to_regclass('posts')") == [
            {"relkind": "r"}
        ]
        assert store.execute_text("SELECT count(*) AS n FROM posts") == [{"n": len(posts)}]
    finally:
        store.close()
