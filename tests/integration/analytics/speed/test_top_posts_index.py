"""The top posts by engagement read by walking ``ix_posts_engagement`` equal those read by sorting
the range, on SQLite and PostgreSQL, whatever the filters and the scope (ties, missing counts,
near-duplicates, topics); and on SQLite the walk really reads the index, without a sort."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, literal_column, select, text

from veille.analytics.filters import AnalyticsFilter
from veille.analytics.reader import posts_conditions
from veille.analytics.scope import Scope
from veille.analytics.top import top_posts
from veille.model import Post
from veille.store.prepared import prepare_posts
from veille.store.schema import posts
from veille.store.sql import SqlStore

START = datetime(2026, 9, 1, tzinfo=UTC)
END = START + timedelta(days=3)


def _posts(count: int, seed: int) -> list[Post]:
    rng = random.Random(seed)
    found = []
    for index in range(count):
        metric = lambda top: None if rng.random() < 0.1 else rng.randrange(top)  # noqa: E731
        topics = rng.sample(["nova", "helix", "orbis"], rng.choice([0, 1, 1, 2]))
        found.append(
            Post.model_validate(
                {
                    "id": f"{rng.choice(['x', 'bluesky'])}:{index}",
                    "source": "x",
                    "created_at": START + timedelta(seconds=rng.randrange(3 * 86_400)),
                    "text": f"post {index}",
                    "lang": rng.choice(["fr", "en", None]),
                    "country": rng.choice(["FR", "ES", None]),
                    "author": {"handle": f"author{index % 13}", "followers": rng.randrange(1000)},
                    "metrics": {"likes": metric(8), "reposts": metric(3), "replies": metric(2)},
                    "duplicate_of": "x:0" if index and rng.random() < 0.15 else None,
                    "topics": [{"name": name} for name in topics],
                }
            )
        )
    for post in found:
        post.source = post.id.split(":", 1)[0]
    return found


FILTERS: list[dict[str, Any]] = [
    {},
    {"topics": ["nova"]},
    {"topics": ["nova", "orbis"], "countries": ["FR"]},
    {"languages": ["fr"], "sources": ["x"], "include_duplicates": False},
    {"start": START + timedelta(hours=5, seconds=7), "end": START + timedelta(hours=9)},
    {"sentiments": ["positive"]},
]


@pytest.mark.parametrize("limit", [1, 7, 50])
def test_walking_the_index_gives_the_sorted_range(store: SqlStore, limit: int) -> None:
    items = _posts(600, seed=limit)
    store.upsert_posts(items[:300])
    store.write_prepared(prepare_posts(items[300:]))  # the prepared-batch write path as well
    for scope in (Scope(), Scope.of(countries=["FR", "ES"]), Scope.of(topics=["helix", "nova"])):
        for given in FILTERS:
            filters = AnalyticsFilter.of(**{"start": START, "end": END, **given})
            walked = top_posts(store, filters=filters, scope=scope, limit=limit, plan=True).rows
            sorted_range = top_posts(store, filters=filters, scope=scope, limit=limit, plan=False).rows
            chosen = top_posts(store, filters=filters, scope=scope, limit=limit).rows
            assert walked == sorted_range == chosen, (scope, given)
            expected = min(limit, len(sorted_range))
            assert [row["rank"] for row in walked] == list(range(1, expected + 1))
    every = top_posts(store, filters=AnalyticsFilter.of(start=START, end=END), scope=Scope(), limit=50).rows
    assert every and every[0]["engagement"] >= every[-1]["engagement"]


def test_sqlite_walks_the_engagement_index_without_sorting(store: SqlStore) -> None:
    if store.dialect != "sqlite":
        pytest.skip("PostgreSQL's planner chooses from its statistics")
    store.upsert_posts(_posts(50, seed=3))
    criteria = AnalyticsFilter.of(start=START, end=END, countries=["FR"]).within(Scope())
    zero = literal_column("0")
    engagement = (
        func.coalesce(posts.c.likes, zero)
        + func.coalesce(posts.c.reposts, zero)
        + func.coalesce(posts.c.replies, zero)
    )
    query = (
        select(posts.c.id)
        .where(*posts_conditions(criteria, criteria.start_us, criteria.end_us, indexed=False))
        .order_by(engagement.desc(), posts.c.id)
        .limit(5)
    )
    compiled = str(query.compile(store.engine, compile_kwargs={"literal_binds": True}))
    with store.engine.connect() as connection:
        plan = " | ".join(str(row[-1]) for row in connection.execute(text("EXPLAIN QUERY PLAN " + compiled)))
    assert "ix_posts_engagement" in plan and "TEMP B-TREE" not in plan, plan
