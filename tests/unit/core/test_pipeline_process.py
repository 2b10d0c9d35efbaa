"""The pipeline's stages in a child process (issue 15, item 1: both cores work): the exact-duplicate
memory of a batch is kept only once the batch is stored, a change reaches the child before the next
batch, and a child that dies fails its batch with a 503 and is replaced."""

from __future__ import annotations

import asyncio
import functools
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from tests.support.posts import post_json
from veille.bus import MemoryBus
from veille.contracts import Stage
from veille.enrich.exact_duplicates import ExactDuplicateStage
from veille.errors import Unavailable, http_status
from veille.model import Post, parse_post
from veille.pipeline import Pipeline
from veille.preparer import PreparerLost, ProcessPreparer
from veille.store.prepared import PreparedPosts
from veille.store.sql import SqlStore, open_store


class HangOnSignal:
    """Writes its process id to ``marker`` and waits forever on a post whose text is ``hang``."""

    name = "hang"

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def process(self, posts: list[Post]) -> list[Post]:
        if any(post.text == "hang" for post in posts):
            Path(self.marker).write_text(str(os.getpid()), encoding="utf-8")
            while True:
                time.sleep(1)
        return posts


class Labels:
    """Adds the current label (changed by ``reload``) to each post's hashtags."""

    name = "labels"

    def __init__(self) -> None:
        self.label = "before"

    def process(self, posts: list[Post]) -> list[Post]:
        return [post.model_copy(update={"hashtags": [self.label]}) for post in posts]


class ChildStagesForTests:
    """Built in the child (module-level: the spawned process imports it by name)."""

    def __init__(self, marker: str = "") -> None:
        self.labels = Labels()
        self.stages: list[Stage] = [ExactDuplicateStage(), self.labels]
        if marker:
            self.stages.append(HangOnSignal(marker))

    def reload(self, kind: str) -> None:
        self.labels.label = kind

    def close(self) -> None:
        return None


class FailingSecondWrite:
    """A store whose second write fails (the database away for a moment)."""

    def __init__(self, store: SqlStore) -> None:
        self.store = store
        self.writes = 0

    def write_prepared(self, prepared: PreparedPosts, **options: Any) -> list[int]:
        self.writes += 1
        if self.writes == 2:
            raise RuntimeError("the database went away for a moment")
        return self.store.write_prepared(prepared, **options)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


def _posts(*indexes: int, text: str | None = None) -> list[Post]:
    return [parse_post(post_json(index, **({"text": text} if text else {}))) for index in indexes]


async def _pipeline(store: Any, marker: str = "") -> tuple[Pipeline, ProcessPreparer]:
    stages: list[tuple[str, int, float]] = []
    preparer = ProcessPreparer(
        functools.partial(ChildStagesForTests, marker), on_stage=lambda *seen: stages.append(seen)
    )
    pipeline = Pipeline(store=store, bus=MemoryBus(), stages=[], preparer=preparer)
    await pipeline.start()
    await preparer.ready()  # started in the background: the first batch would wait for it too
    return pipeline, preparer


@pytest.fixture
def store(tmp_path: Path) -> Any:
    opened = open_store(f"sqlite:///{tmp_path / 'p.sqlite3'}")
    yield opened
    opened.close()


async def test_the_stages_run_in_another_process_and_stop_drains(store: SqlStore) -> None:
    pipeline, preparer = await _pipeline(store)
    child = preparer.pid
    assert child is not None and child != os.getpid()
    submitted = [pipeline.submit(_posts(index)) for index in range(20)]
    waiting = asyncio.gather(*submitted)
    await asyncio.sleep(0)
    await pipeline.stop()  # every accepted batch is stored before the child ends
    stored = await waiting
    assert [item.post.id for batch in stored for item in batch] == [f"push:{index}" for index in range(20)]
    assert store.get_post("push:7").hashtags == ["before"]  # type: ignore[union-attr]
    assert preparer.pid is None


async def test_a_failed_write_is_not_remembered_by_the_child(store: SqlStore) -> None:
    """Batch 2's write fails: sent again, it is stored, not dropped as already seen; batch 1, stored,
    is remembered (dropped when it comes again). Issue 18, fault 5, across the process boundary."""
    failing = FailingSecondWrite(store)
    pipeline, _ = await _pipeline(failing)
    try:
        first, second = _posts(0, 1, 2), _posts(10, 11, 12)
        assert len(await pipeline.submit(first)) == 3
        with pytest.raises(Unavailable):
            await pipeline.submit(second)
        again = await pipeline.submit(second)
        assert [item.post.id for item in again] == [post.id for post in second]
        assert await pipeline.submit(first) == []
        assert await pipeline.submit(second) == []
    finally:
        await pipeline.stop()


async def test_a_reload_reaches_the_child_before_the_next_batch(store: SqlStore) -> None:
    pipeline, _ = await _pipeline(store)
    try:
        await pipeline.submit(_posts(1))
        pipeline.reload("topic")
        await pipeline.submit(_posts(2))
    finally:
        await pipeline.stop()
    assert store.get_post("push:1").hashtags == ["before"]  # type: ignore[union-attr]
    assert store.get_post("push:2").hashtags == ["topic"]  # type: ignore[union-attr]


async def test_a_killed_child_fails_its_batch_with_503_and_is_replaced(
    store: SqlStore, tmp_path: Path
) -> None:
    marker = tmp_path / "hanging.pid"
    pipeline, preparer = await _pipeline(store, str(marker))
    first_child = preparer.pid
    try:
        assert len(await pipeline.submit(_posts(1))) == 1
        hanging = asyncio.create_task(pipeline.submit(_posts(2, text="hang")))
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert time.monotonic() < deadline, "the child never took the batch"
            await asyncio.sleep(0.05)
        assert int(marker.read_text(encoding="utf-8")) == first_child
        os.kill(first_child, signal.SIGKILL)
        with pytest.raises(PreparerLost) as lost:
            await hanging
        assert http_status(lost.value) == 503 and "send it again" in str(lost.value)
        # A new child prepares the next batch; what was acknowledged before is still there.
        assert [item.post.id for item in await pipeline.submit(_posts(3))] == ["push:3"]
        assert preparer.restarts == 1 and preparer.pid not in (None, first_child)
    finally:
        await pipeline.stop()
    assert store.get_post("push:1") is not None and store.get_post("push:3") is not None
    assert store.get_post("push:2") is None
