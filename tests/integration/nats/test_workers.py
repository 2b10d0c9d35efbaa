"""Workers on the machine's real NATS JetStream and PostgreSQL (issue 15): ``veille ingest``
publishes a stream of posts to the work stream, three ``veille worker`` processes store them, one
is killed with SIGKILL in the middle and started again. Every post is stored exactly once, every
rollup equals a rebuild from the stored posts and every topic match equals a fresh match of the
stored post.

The issue's figure is 100,000 posts; on this shared 2-core machine the test uses 20,000 (override
with VEILLE_TEST_WORKER_POSTS), and ``make bench`` keeps the larger figure.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from tests.integration.nats.test_nats_bus import NATS_URL, nats_reachable  # noqa: F401 (fixture)
from tests.support.workers import delete_nats, start_worker, stop_workers, wait_until, worker_environment
from veille.benchmarks.ingest import BENCH_TOPICS, make_posts_jsonl
from veille.bus.nats import NatsBus
from veille.model import Post
from veille.query import TopicStage
from veille.store.rollups import SHAPES, rebuild
from veille.store.schema import post_topics, posts
from veille.store.sql import SqlStore, open_store
from veille.topics.live import monitor_for
from veille.topics.models import TopicSpec
from veille.topics.repository import insert_topics
from veille.workqueue import WORK_SUBJECT

pytestmark = [pytest.mark.nats, pytest.mark.postgres, pytest.mark.slow]

POSTS = int(os.environ.get("VEILLE_TEST_WORKER_POSTS", "20000"))
# Generous: three workers load their models and share two busy cores with other jobs.
DEADLINE_S = 1200
ACK_WAIT_S = 20


@pytest.fixture
def nats_names(request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    request.getfixturevalue("nats_reachable")
    token = uuid.uuid4().hex[:10]
    names = {"stream": f"WORK_{token}", "prefix": f"work{token}", "consumer": f"w{token}"}
    yield names
    delete_nats(NATS_URL, streams=[names["stream"]])


def _environment(postgres_url: str, names: dict[str, str]) -> dict[str, str]:
    return worker_environment(
        NATS_URL,
        postgres_url,
        VEILLE_NATS_STREAM=names["stream"],
        VEILLE_NATS_SUBJECT_PREFIX=names["prefix"],
        VEILLE_WORK_CONSUMER=names["consumer"],
        # Short, so that the killed worker's batch comes back soon; a batch that takes longer
        # is written twice, which must (and does) count once.
        VEILLE_WORK_ACK_WAIT_S=str(ACK_WAIT_S),
    )


def _lag(names: dict[str, str]) -> int:
    async def ask() -> int:
        bus = NatsBus(NATS_URL, stream=names["stream"], subject_prefix=names["prefix"])
        try:
            return (await bus.consumer_lag(WORK_SUBJECT, names["consumer"])).total
        finally:
            await bus.close()

    return asyncio.run(ask())


def _rollups(store: SqlStore) -> dict[str, list[tuple[Any, ...]]]:
    with store.engine.connect() as connection:
        return {
            shape.table.name: sorted(
                tuple(row) for row in connection.execute(select(shape.table)) if row.posts
            )
            for shape in SHAPES
        }


def test_three_workers_one_killed_store_every_post_exactly_once(
    postgres_url: str, nats_names: dict[str, str], tmp_path: Path
) -> None:
    store = open_store(postgres_url)
    with store.engine.begin() as connection:
        insert_topics(connection, [TopicSpec(name=name, query=query) for name, query in BENCH_TOPICS])
    environment = _environment(postgres_url, nats_names)
    jsonl = tmp_path / "posts.jsonl"
    jsonl.write_text("\n".join(make_posts_jsonl(POSTS, seed=15)) + "\n", encoding="utf-8")
    # Published first, all of it, then the workers start: the stream holds the whole backlog.
    published_at = time.monotonic()
    published = subprocess.run(
        [sys.executable, "-m", "veille", "ingest", str(jsonl), "--data", str(tmp_path / "producer")],
        env=environment,
        capture_output=True,
        timeout=DEADLINE_S,
    )
    assert published.returncode == 0, published.stderr.decode(errors="replace")[-3000:]
    assert published.stdout.decode().strip().splitlines()[-1] == f'{{"accepted": {POSTS}, "rejected": 0}}'
    assert store.count_posts() == 0  # nothing stored by the producer itself

    started = time.monotonic()
    workers = [start_worker(tmp_path / f"worker{index}", environment) for index in range(3)]

    def wait(condition: Callable[[], bool], what: str) -> None:
        wait_until(condition, what, workers=workers, folder=tmp_path, timeout_s=DEADLINE_S, interval_s=0.25)

    try:
        # Kill one in the middle of the stream, with batches in hand.
        wait(lambda: store.count_posts() >= POSTS // 4, "a quarter of the posts")
        killed_at = time.monotonic()
        workers[1].send_signal(signal.SIGKILL)
        workers[1].wait(timeout=60)
        assert store.count_posts() < POSTS, "the stream was already stored: kill earlier (more posts)"
        workers[1] = start_worker(tmp_path / "worker1", environment)
        wait(lambda: store.count_posts() >= POSTS, "every post")
        wait(lambda: _lag(nats_names) == 0, "every message acknowledged")
        drained_at = time.monotonic()
    finally:
        stop_workers(workers, timeout_s=120)
    print(
        f"publish {started - published_at:.1f} s, first quarter {killed_at - started:.1f} s,"
        f" the rest {drained_at - killed_at:.1f} s, stop {time.monotonic() - drained_at:.1f} s"
    )
    try:
        with store.engine.connect() as connection:
            stored = connection.execute(text("SELECT count(*), count(DISTINCT id) FROM posts")).one()
            documents = [row.doc for row in connection.execute(select(posts.c.doc))]
            matches = sorted(
                tuple(row) for row in connection.execute(select(post_topics.c.post_id, post_topics.c.topic))
            )
        # Exactly once: every post of the file, no other row.
        assert tuple(stored) == (POSTS, POSTS)
        assert {doc["id"] for doc in documents} == {
            json.loads(line)["id"] for line in jsonl.read_text().splitlines()
        }
        # Topic matches: the rows equal the stored documents' topics, and a fresh match of each post.
        stage = TopicStage(monitor_for([TopicSpec(name=name, query=query) for name, query in BENCH_TOPICS]))
        fresh = stage.process(
            [Post.model_validate(doc).model_copy(update={"topics": []}) for doc in documents]
        )
        assert matches == sorted((post.id, match.name) for post in fresh for match in post.topics)
        assert matches == sorted((doc["id"], match["name"]) for doc in documents for match in doc["topics"])
        assert matches  # the topics did match something
        # Rollups: what the workers maintained incrementally equals a rebuild from the stored posts.
        incremental = _rollups(store)
        rebuild(store)
        assert _rollups(store) == incremental
    finally:
        store.close()
