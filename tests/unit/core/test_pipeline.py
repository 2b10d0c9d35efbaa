"""The pipeline: stages, transactional checkpoints, backpressure, publication after storage."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.posts import post_json
from veille.bus import MemoryBus
from veille.contracts import SourceBatch
from veille.enrich.entities import EntitiesStage
from veille.enrich.exact_duplicates import ExactDuplicateStage
from veille.errors import Unavailable
from veille.model import Post, parse_post
from veille.pipeline import Pipeline, ShuttingDown
from veille.store import PostSearch
from veille.store.sql import SqlStore, open_store


class ListSource:
    """Yields fixed batches; the checkpoint is the index of the next batch."""

    def __init__(self, name: str, batches: list[list[Post]]) -> None:
        self.name = name
        self._batches = batches
        self.started_from: list[str | None] = []
        self.yielded = 0

    async def batches(self, checkpoint: str | None) -> AsyncIterator[SourceBatch]:
        self.started_from.append(checkpoint)
        for index in range(int(checkpoint or 0), len(self._batches)):
            self.yielded += 1
            yield SourceBatch(posts=self._batches[index], checkpoint=str(index + 1))


def _store(tmp_path: Path) -> SqlStore:
    return open_store(f"sqlite:///{tmp_path / 'p.sqlite3'}")


async def _until(predicate, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached")
        await asyncio.sleep(0.01)


async def test_source_batches_are_stored_published_and_checkpointed(tmp_path: Path) -> None:
    store, bus = _store(tmp_path), MemoryBus()
    batches = [[parse_post(post_json(b * 10 + i)) for i in range(3)] for b in range(4)]
    pipeline = Pipeline(store=store, bus=bus, stages=[EntitiesStage()])
    subscription = await bus.subscribe("posts")
    await pipeline.start()
    pipeline.add_source(ListSource("list", batches))
    received = []
    async for event in subscription:
        received.append(event)
        if len(received) == 12:
            break
    await pipeline.stop()
    assert [e.data["id"] for e in received] == [p.id for batch in batches for p in batch]
    assert received[0].data["hashtags"] == ["fibre"]
    assert store.get_checkpoint("list") == "4"
    assert store.count_posts() == 12


async def test_a_restart_resumes_from_the_committed_checkpoint(tmp_path: Path) -> None:
    store = _store(tmp_path)
    store.set_checkpoint("list", "2")
    source = ListSource("list", [[parse_post(post_json(i))] for i in range(4)])
    pipeline = Pipeline(store=store, bus=MemoryBus(), stages=[])
    await pipeline.start()
    pipeline.add_source(source)
    await _until(lambda: store.get_checkpoint("list") == "4")
    await pipeline.stop()
    assert source.started_from == ["2"]
    assert sorted(p.id for p in store.search_posts(PostSearch()).items) == ["push:2", "push:3"]


async def test_a_full_queue_makes_sources_wait(tmp_path: Path) -> None:
    store = _store(tmp_path)
    source = ListSource("many", [[parse_post(post_json(i))] for i in range(50)])
    pipeline = Pipeline(store=store, bus=MemoryBus(), stages=[], queue_batches=2)
    # No writer yet: the source can only get ahead by the queue's capacity.
    pipeline.add_source(source)
    await asyncio.sleep(0.2)
    assert source.yielded <= 3
    await pipeline.start()
    await _until(lambda: store.get_checkpoint("many") == "50")
    await pipeline.stop()
    assert store.count_posts() == 50


async def test_submit_returns_after_storage_and_drops_exact_redeliveries(tmp_path: Path) -> None:
    store = _store(tmp_path)
    pipeline = Pipeline(store=store, bus=MemoryBus(), stages=[ExactDuplicateStage()])
    await pipeline.start()
    posts = [parse_post(post_json(i)) for i in range(3)]
    first = await pipeline.submit(posts)
    again = await pipeline.submit([parse_post(post_json(0)), parse_post(post_json(1, metrics={"likes": 99}))])
    await pipeline.stop()
    assert [item.post.id for item in first] == ["push:0", "push:1", "push:2"]
    assert [item.post.id for item in again] == ["push:1"]  # push:0 unchanged: not rewritten nor re-published
    assert store.get_post("push:1").metrics.likes == 99  # type: ignore[union-attr]
    assert pipeline.stats.dropped_by_stages == 1


async def test_a_failing_batch_is_reported_and_the_writer_goes_on(tmp_path: Path) -> None:
    store = _store(tmp_path)

    class Explodes:
        name = "explodes"

        def process(self, posts: list[Post]) -> list[Post]:
            if any(p.id == "push:666" for p in posts):
                raise RuntimeError("boom")
            return posts

    pipeline = Pipeline(store=store, bus=MemoryBus(), stages=[Explodes()])
    await pipeline.start()
    try:
        await pipeline.submit([parse_post(post_json(666))])
    except Unavailable as error:  # 503 "send it again", the cause kept for the log (issue 18)
        assert str(error.__cause__) == "boom"
    else:
        raise AssertionError("the failure was not reported")
    stored = await pipeline.submit([parse_post(post_json(1))])
    await pipeline.stop()
    assert [item.post.id for item in stored] == ["push:1"]


# -- stopping ------------------------------------------------------------------------------------


class SlowStage:
    """Holds each batch a moment, so that work piles up in the queue behind the writer."""

    name = "slow"

    def process(self, posts: list[Post]) -> list[Post]:
        time.sleep(0.02)
        return posts


class EndlessSource:
    def __init__(self, name: str, start: int) -> None:
        self.name = name
        self.start = start

    async def batches(self, checkpoint: str | None) -> AsyncIterator[SourceBatch]:
        index = int(checkpoint or self.start)
        while True:
            index += 1
            yield SourceBatch(posts=[parse_post(post_json(index))], checkpoint=str(index))
            await asyncio.sleep(0)


async def test_stop_stores_every_batch_already_submitted(tmp_path: Path) -> None:
    store = _store(tmp_path)
    pipeline = Pipeline(store=store, bus=MemoryBus(), stages=[SlowStage()], queue_batches=2)
    await pipeline.start()
    # More submitters than the queue holds: most of them wait for room when the stop begins.
    submits = [
        asyncio.create_task(pipeline.submit([parse_post(post_json(batch * 10 + i)) for i in range(3)]))
        for batch in range(12)
    ]
    await asyncio.sleep(0)
    await pipeline.stop()
    results = await asyncio.gather(*submits)
    assert [len(stored) for stored in results] == [3] * 12
    assert store.count_posts() == 36


async def test_a_submit_once_stopping_began_is_refused_not_left_waiting(tmp_path: Path) -> None:
    store = _store(tmp_path)
    pipeline = Pipeline(store=store, bus=MemoryBus(), stages=[SlowStage()])
    await pipeline.start()
    first = asyncio.create_task(pipeline.submit([parse_post(post_json(1))]))
    await asyncio.sleep(0)
    stopping = asyncio.create_task(pipeline.stop())
    await _until(lambda: pipeline.closing)
    with pytest.raises(ShuttingDown) as refused:
        await pipeline.submit([parse_post(post_json(2))])
    assert isinstance(refused.value, Unavailable) and "shutting down" in str(refused.value)
    await stopping
    assert [item.post.id for item in await first] == ["push:1"]
    with pytest.raises(ShuttingDown):
        await pipeline.submit([parse_post(post_json(3))])
    assert store.get_post("push:2") is None and store.count_posts() == 1


async def test_stop_ends_running_sources_and_keeps_their_checkpoints(tmp_path: Path) -> None:
    store = _store(tmp_path)
    pipeline = Pipeline(store=store, bus=MemoryBus(), stages=[])
    await pipeline.start()
    pipeline.add_source(EndlessSource("a", 0))
    pipeline.add_source(EndlessSource("b", 100_000))
    await _until(lambda: store.count_posts() >= 20)
    await pipeline.stop()  # once failed: the tasks' callbacks shrank the dict being iterated
    assert pipeline.running_sources == []
    stored = store.count_posts()
    # Every stored post's source checkpoint was committed with it: nothing past it is missing.
    assert int(store.get_checkpoint("a") or 0) + int(store.get_checkpoint("b") or 100_000) - 100_000 == stored
    with pytest.raises(ShuttingDown):
        pipeline.add_source(EndlessSource("c", 0))
