"""Batches prepared away from the transaction (issue 15) write exactly what ``upsert_posts`` wrote:
the same rows, one rollup upsert per key per batch whatever the number of posts sharing it, and
counters equal to a rebuild after re-deliveries and edits split across batches."""

from __future__ import annotations

import json
import pickle
import random
from typing import Any

from sqlalchemy import select

from tests.integration.analytics.dataset import build_posts, changed_copy
from veille.store import rollups
from veille.store.prepared import POST_COLUMNS, prepare_posts
from veille.store.rollups import SHAPES, rebuild
from veille.store.schema import post_topics, posts
from veille.store.sql import SqlStore


def _rollups(store: SqlStore) -> dict[str, list[tuple[Any, ...]]]:
    with store.engine.connect() as connection:
        return {
            table.name: sorted(tuple(row) for row in connection.execute(select(table)) if row.posts)
            for table in (shape.table for shape in SHAPES)
        }


def test_prepared_rows_follow_the_posts_table() -> None:
    assert set(POST_COLUMNS) == set(posts.c.keys())
    post = build_posts(1, seed=2)[0]
    prepared = prepare_posts([post])
    row = dict(zip(POST_COLUMNS[2:], prepared.rows[0], strict=True))
    assert row["id"] == post.id
    # The document is serialised once, and is the spec's JSON form (RFC 3339 "Z" times).
    assert json.loads(row["doc"]) == post.to_json_dict()


def test_a_batch_sums_each_key_once() -> None:
    base = build_posts(1, seed=5)[0]
    # 50 posts of the same minute and dimensions: one key per table, posts = 50.
    same = [base.model_copy(update={"id": f"{base.source}:{index}"}) for index in range(50)]
    prepared = prepare_posts(same)
    for table_sums in rollups.project(prepared.minute_sums):
        assert table_sums and all(values[0] == 50 for values in table_sums.values())
        assert len([key for key in table_sums if "*" in key]) == 1
    # Plain values only: the batch crosses a process boundary.
    again = pickle.loads(pickle.dumps(prepare_posts(same, keep_posts=False)))
    assert again.ids == prepared.ids and again.minute_sums == prepared.minute_sums


def test_prepared_batches_keep_every_counter_exact(store: SqlStore) -> None:
    batch = build_posts(400, seed=17)
    rng = random.Random(9)
    changed = [changed_copy(post, rng) for post in batch[::4]]
    # First delivery, a re-delivery split differently, edits, an edit delivered again with the
    # original in the same batch (the last version of an id wins).
    for part in (batch[:250], batch[200:], batch[:100] + batch[100:], changed, batch[:3] + changed[:3]):
        seqs = store.write_prepared(prepare_posts(part, keep_posts=False), checkpoint=("prepared", "x"))
        assert len(seqs) == len({post.id for post in part})
    incremental = _rollups(store)
    rebuild(store)
    assert _rollups(store) == incremental
    current = {post.id: post for post in [*batch, *changed]}
    with store.engine.connect() as connection:
        stored = {
            row.id: row.sentiment_label
            for row in connection.execute(select(posts.c.id, posts.c.sentiment_label))
        }
        matches = sorted(
            tuple(row) for row in connection.execute(select(post_topics.c.post_id, post_topics.c.topic))
        )
    assert stored == {post.id: post.sentiment.label if post.sentiment else None for post in current.values()}
    assert matches == sorted(
        (post.id, name) for post in current.values() for name in dict.fromkeys(m.name for m in post.topics)
    )
    assert store.get_checkpoint("prepared") == "x"


def test_upsert_posts_and_write_prepared_agree(store: SqlStore) -> None:
    batch = build_posts(120, seed=23)
    stored = store.upsert_posts(batch[:60])
    assert [item.post.id for item in stored] == [post.id for post in batch[:60]]
    seqs = store.write_prepared(prepare_posts(batch[60:]))
    assert seqs == sorted(seqs) and min(seqs) > max(item.seq for item in stored)
    assert store.get_post(batch[70].id) == batch[70]
    incremental = _rollups(store)
    rebuild(store)
    assert _rollups(store) == incremental
