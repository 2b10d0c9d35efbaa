"""The pipeline's two steps (issue 15): batches are prepared while the one before is written, in
order, and each stage's work is reported (the hub's per-stage metrics)."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

from tests.support.posts import post_json
from veille.bus import MemoryBus
from veille.enrich.entities import EntitiesStage
from veille.enrich.exact_duplicates import ExactDuplicateStage
from veille.errors import Unavailable
from veille.model import Post, parse_post
from veille.pipeline import Pipeline
from veille.store.prepared import PreparedPosts
from veille.store.sql import SqlStore, open_store
from veille.telemetry import HubMetrics


class CountingStage:
    """Notes each batch it starts; the second one opens ``second_batch``."""

    name = "counting"

    def __init__(self) -> None:
        self.batches = 0
        self.second_batch = threading.Event()

    def process(self, posts: list[Post]) -> list[Post]:
        self.batches += 1
        if self.batches == 2:
            self.second_batch.set()
        return posts


class WaitingStore:
    """A store whose first write waits until the second batch is being prepared."""

    def __init__(self, store: SqlStore, stage: CountingStage) -> None:
        self.store = store
        self.stage = stage
        self.overlapped: list[bool] = []

    def write_prepared(self, prepared: PreparedPosts, **options: Any) -> list[int]:
        if not self.overlapped:
            self.overlapped.append(self.stage.second_batch.wait(timeout=60))
        return self.store.write_prepared(prepared, **options)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


async def test_the_next_batch_is_prepared_while_one_is_written(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'p.sqlite3'}")
    stage = CountingStage()
    waiting = WaitingStore(store, stage)
    pipeline = Pipeline(store=waiting, bus=MemoryBus(), stages=[stage])
    await pipeline.start()
    try:
        batches = [[parse_post(post_json(batch * 10 + index)) for index in range(3)] for batch in range(3)]
        stored = await asyncio.gather(*(pipeline.submit(batch) for batch in batches))
    finally:
        await pipeline.stop()
        store.close()
    assert waiting.overlapped == [True]
    assert [item.post.id for batch in stored for item in batch] == [p.id for batch in batches for p in batch]


async def test_batches_are_stored_in_order_and_stages_reported(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'p.sqlite3'}")
    metrics = HubMetrics()
    pipeline = Pipeline(
        store=store,
        bus=MemoryBus(),
        stages=[EntitiesStage(), CountingStage()],
        on_stage=metrics.observe_stage,
    )
    await pipeline.start()
    try:
        batches = [[parse_post(post_json(batch * 10 + index)) for index in range(5)] for batch in range(6)]
        stored = [await pipeline.submit(batch) for batch in batches]
    finally:
        await pipeline.stop()
        store.close()
    seqs = [item.seq for batch in stored for item in batch]
    assert seqs == sorted(seqs) and len(set(seqs)) == 30
    assert [item.post.id for batch in stored for item in batch] == [p.id for batch in batches for p in batch]
    exposition = metrics.exposition().decode()
    for stage in ("entities", "counting", "prepare", "write"):
        assert f'veille_stage_posts_total{{stage="{stage}"}} 30.0' in exposition
        assert f'veille_stage_seconds_total{{stage="{stage}"}}' in exposition


class FailingSecondWrite(WaitingStore):
    """The first write waits until the second batch is prepared (and succeeds); the second fails."""

    def write_prepared(self, prepared: PreparedPosts, **options: Any) -> list[int]:
        self.writes = getattr(self, "writes", 0) + 1
        if self.writes == 2:
            raise RuntimeError("the database went away for a moment")
        return super().write_prepared(prepared, **options)


async def test_a_batch_prepared_early_is_remembered_only_once_it_is_stored(tmp_path: Path) -> None:
    """Batch 2 goes through the exact-duplicate stage before batch 1 commits; batch 1's commit must
    not make the stage remember batch 2, whose own write then fails (issue 18, fault 5)."""
    store = open_store(f"sqlite:///{tmp_path / 'p.sqlite3'}")
    counting = CountingStage()
    failing = FailingSecondWrite(store, counting)
    exact = ExactDuplicateStage()
    pipeline = Pipeline(store=failing, bus=MemoryBus(), stages=[exact, counting])
    await pipeline.start()
    try:
        first = [parse_post(post_json(index)) for index in range(3)]
        second = [parse_post(post_json(index)) for index in range(10, 13)]
        outcomes = await asyncio.gather(
            pipeline.submit(first), pipeline.submit(second), return_exceptions=True
        )
        assert not isinstance(outcomes[0], BaseException) and isinstance(outcomes[1], Unavailable)
        # Sent again, the failed batch is stored (not dropped as already seen); the stored one is
        # still remembered (dropped before any work when it comes again).
        again = await pipeline.submit(second)
        assert [item.post.id for item in again] == [post.id for post in second]
        assert await pipeline.submit(first) == []
    finally:
        await pipeline.stop()
        store.close()
    assert failing.overlapped == [True]
