"""Batches flow source → stages → store → live bus.

Sources feed one bounded queue (a full queue makes them wait: backpressure, never unbounded
memory). Batches then go, in order, through two steps that overlap: the *preparer* runs the pure
stages and turns the batch into the rows the store writes (:func:`~veille.store.prepared.prepare_posts`)
in a worker thread (or, in the hub, in a child process: :mod:`veille.preparer`), while the *writer* commits the batch before it — posts, rollups and the source's
checkpoint in one transaction — and then publishes the stored posts on the bus. A crash replays at
most the batches after the last committed checkpoint, and the upsert by id makes the replay
harmless. (SQLite and PostgreSQL do much of a commit's work outside Python's lock, so the two
steps really do run side by side in threads; the stages themselves hold Python's lock, which is
why the hub gives them a process of their own, :class:`~veille.preparer.ProcessPreparer`.)

Stopping drains: sources are stopped first (a batch they had not queued yet is read again from
their checkpoint next time), every submitted batch still goes through the writer, and only then
does the writer end. A ``submit`` that arrives once stopping has begun is refused with
:class:`ShuttingDown` (HTTP 503) rather than queued behind a writer that will not take it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from veille.bus.base import POSTS_SUBJECT, Bus, BusEvent
from veille.contracts import Source, SourceBatch, Stage, run_stages, stages_committed
from veille.errors import Unavailable, VeilleError
from veille.model import Post, PostRejected
from veille.store.base import Store, StoredPost
from veille.store.prepared import PreparedPosts, prepare_posts

__all__ = ["Pipeline", "PipelineStats", "Prepared", "Preparer", "ShuttingDown", "ThreadPreparer"]

log = logging.getLogger(__name__)


class ShuttingDown(Unavailable):
    """The pipeline is stopping: the batch was not taken (send it again once the hub is back)."""

    def __init__(self) -> None:
        super().__init__("the hub is shutting down: nothing was stored, send again once it is back")


@dataclass(slots=True)
class PipelineStats:
    batches: int = 0
    stored: int = 0
    rejected: int = 0
    dropped_by_stages: int = 0
    unpublished: int = 0
    per_source_stored: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class Prepared:
    """A batch through the stages: its rows, how many posts the stages dropped, and the preparer's
    token for what the remembering stages will record once the batch is stored."""

    prepared: PreparedPosts
    dropped: int
    token: Any = None


class Preparer(Protocol):
    """Runs the stages and :func:`~veille.store.prepared.prepare_posts` for the pipeline, one batch
    at a time and in order; told afterwards whether each batch was stored."""

    async def start(self) -> None: ...

    async def prepare(self, posts: list[Post]) -> Prepared: ...

    def settled(self, token: Any, *, stored: bool) -> None:
        """The batch of ``token`` was committed (``stored``) or its write failed: remember it, or not."""

    def reload(self, kind: str) -> None:
        """What the stages read changed (``"topic"``, ``"sentiment"``): apply it to the next batch."""

    async def stop(self) -> None: ...


class ThreadPreparer:
    """The stages in a worker thread of this process (they share the hub's live topics)."""

    def __init__(self, stages: Sequence[Stage], on_stage: Callable[[str, int, float], None] | None = None):
        self.stages = list(stages)
        self._on_stage = on_stage

    async def start(self) -> None:
        return None

    async def prepare(self, posts: list[Post]) -> Prepared:
        return await asyncio.to_thread(self._prepare, posts)

    def _prepare(self, posts: list[Post]) -> Prepared:
        kept = run_stages(self.stages, list(posts), on_stage=self._on_stage)
        memories = take_memories(self.stages)
        started = time.perf_counter()
        prepared = prepare_posts(kept)
        if self._on_stage is not None:
            self._on_stage("prepare", len(kept), time.perf_counter() - started)
        return Prepared(prepared, len(posts) - len(kept), memories)

    def settled(self, token: Any, *, stored: bool) -> None:
        if stored:
            commit_memories(token, self.stages)

    def reload(self, kind: str) -> None:
        return None  # the stages read the hub's own live copies, already changed

    async def stop(self) -> None:
        return None


@dataclass(slots=True)
class _Work:
    source_name: str
    batch: SourceBatch
    commit_checkpoint: bool
    done: asyncio.Future[list[StoredPost]] | None = None
    # Set by the preparer: the stages' output as rows, how many posts the stages dropped, and what
    # the stages that remember (the exact-duplicate memory) will record once the batch is stored.
    prepared: PreparedPosts | None = None
    dropped: int = 0
    token: Any = None


class Pipeline:
    def __init__(
        self,
        *,
        store: Store,
        bus: Bus,
        stages: Sequence[Stage],
        queue_batches: int = 16,
        on_stored: Callable[[str, list[StoredPost]], None] | None = None,
        on_rejected: Callable[[str, list[PostRejected]], None] | None = None,
        on_stage: Callable[[str, int, float], None] | None = None,
        preparer: Preparer | None = None,
    ) -> None:
        """``preparer``: where the stages run (default: a thread of this process, on ``stages``)."""
        self.store = store
        self.bus = bus
        self.stages = list(stages)
        self.preparer: Preparer = preparer if preparer is not None else ThreadPreparer(self.stages, on_stage)
        self.stats = PipelineStats()
        self._queue: asyncio.Queue[_Work | None] = asyncio.Queue(maxsize=queue_batches)
        # Prepared batches waiting for the writer: one is enough to keep both steps busy.
        self._prepared: asyncio.Queue[_Work | None] = asyncio.Queue(maxsize=1)
        self._preparer: asyncio.Task[None] | None = None
        self._writer: asyncio.Task[None] | None = None
        self._source_tasks: dict[str, asyncio.Task[None]] = {}
        self._on_stored = on_stored
        self._on_rejected = on_rejected
        self._on_stage = on_stage
        self._closing = False
        # submit() calls between their check of _closing and their batch being queued: stop()
        # waits for them so that the writer's end marker comes after every accepted batch.
        self._entering = 0
        self._entered = asyncio.Event()

    # -- life cycle --------------------------------------------------------------------------
    async def start(self) -> None:
        self._closing = False
        if self._writer is None:
            await self.preparer.start()
            self._preparer = asyncio.create_task(self._prepare_loop(), name="pipeline-preparer")
            self._writer = asyncio.create_task(self._write_loop(), name="pipeline-writer")

    @property
    def closing(self) -> bool:
        """True from the moment :meth:`stop` begins: new work is refused."""
        return self._closing

    async def stop(self) -> None:
        """Stop the sources, store every batch already accepted, then end the writer."""
        self._closing = True
        # A copy: each task's done-callback removes it from the dict while we wait on it.
        tasks = list(self._source_tasks.values())
        self._source_tasks.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._writer is None:
            return
        while self._entering:  # the writer keeps taking batches meanwhile, so these puts complete
            self._entered.clear()
            await self._entered.wait()
        await self._queue.put(None)
        if self._preparer is not None:
            await self._preparer
        await self._writer
        self._preparer = self._writer = None
        await self.preparer.stop()

    @property
    def queue_depth(self) -> int:
        return self._queue.qsize()

    # -- inputs ------------------------------------------------------------------------------
    def add_source(self, source: Source) -> None:
        """Run a source in the background, from its last committed checkpoint."""
        if self._closing:
            raise ShuttingDown()
        if source.name in self._source_tasks:
            raise ValueError(f"source {source.name!r} is already running")
        task = asyncio.create_task(self._feed(source), name=f"source-{source.name}")
        self._source_tasks[source.name] = task

        def forget(_task: asyncio.Task[None], name: str = source.name) -> None:
            self._source_tasks.pop(name, None)

        task.add_done_callback(forget)

    async def remove_source(self, name: str) -> None:
        task = self._source_tasks.pop(name, None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    @property
    def running_sources(self) -> list[str]:
        return sorted(self._source_tasks)

    async def _feed(self, source: Source) -> None:
        checkpoint = await asyncio.to_thread(self.store.get_checkpoint, source.name)
        try:
            async for batch in source.batches(checkpoint):
                await self._queue.put(_Work(source.name, batch, commit_checkpoint=True))
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("source %s stopped with an error", source.name)

    async def submit(self, posts: list[Post], *, source_name: str = "push") -> list[StoredPost]:
        """Send posts through the stages and the store; returns once they are stored and published.

        Raises :class:`ShuttingDown` when the pipeline is stopping: a batch either is stored
        (and this returns) or is refused, never left waiting.
        """
        if self._closing:
            raise ShuttingDown()
        done: asyncio.Future[list[StoredPost]] = asyncio.get_running_loop().create_future()
        self._entering += 1
        try:
            await self._queue.put(
                _Work(source_name, SourceBatch(posts=posts), commit_checkpoint=False, done=done)
            )
        finally:
            self._entering -= 1
            self._entered.set()
        try:
            return await done
        except VeilleError:
            raise
        except Exception as error:
            # The write is one transaction: nothing of the batch is kept, and nothing of it is
            # remembered as seen, so the caller may send it again as it is.
            raise Unavailable(
                f"the store could not write the batch ({type(error).__name__}); nothing of it was "
                "kept: send it again",
                field="store",
            ) from error

    # -- the preparer and the writer ----------------------------------------------------------
    async def _prepare_loop(self) -> None:
        while True:
            work = await self._queue.get()
            if work is None:
                await self._prepared.put(None)
                return
            try:
                try:
                    done = await self.preparer.prepare(work.batch.posts)
                except Unavailable:
                    if work.done is not None:
                        raise  # a caller is waiting: it hears of it (503) and sends again
                    # A source's batch (its checkpoint not yet passed): once more, on the preparer
                    # that replaced the one lost.
                    done = await self.preparer.prepare(work.batch.posts)
            except Exception as error:
                log.exception("batch from %s could not be prepared", work.source_name)
                if work.done is not None and not work.done.done():
                    work.done.set_exception(error)
                continue
            work.prepared, work.dropped, work.token = done.prepared, done.dropped, done.token
            await self._prepared.put(work)

    def reload(self, kind: str) -> None:
        """Tell the preparer that what its stages read changed (thread-safe; sends, never waits
        for a batch). The next batch prepared sees the change."""
        self.preparer.reload(kind)

    async def _write_loop(self) -> None:
        while True:
            work = await self._prepared.get()
            if work is None:
                return
            try:
                stored = await self._write(work)
            except Exception as error:
                log.exception("batch from %s could not be stored", work.source_name)
                self.preparer.settled(work.token, stored=False)
                if work.done is not None and not work.done.done():
                    work.done.set_exception(error)
                continue
            if work.done is not None and not work.done.done():
                work.done.set_result(stored)

    async def _write(self, work: _Work) -> list[StoredPost]:
        batch = work.batch
        prepared = work.prepared
        assert prepared is not None and prepared.posts is not None
        if batch.rejected:
            self.stats.rejected += len(batch.rejected)
            if self._on_rejected:
                self._on_rejected(work.source_name, batch.rejected)
        # A batch without a checkpoint (a backfill page) leaves the stored one as it is. The items
        # a source refused go to the dead-letter table in the same transaction as the checkpoint
        # that passes them (a push caller gets its refusals back instead).
        keep = work.commit_checkpoint
        checkpoint = (work.source_name, batch.checkpoint) if keep and batch.checkpoint is not None else None
        dead_letters = (work.source_name, batch.rejected) if keep and batch.rejected else None
        started = time.perf_counter()
        seqs = await asyncio.to_thread(
            self.store.write_prepared, prepared, checkpoint=checkpoint, dead_letters=dead_letters
        )
        if self._on_stage is not None:
            self._on_stage("write", len(prepared), time.perf_counter() - started)
        # Only now: a failed write is not remembered as seen (this batch's own memory, even though
        # the next batch has been through the stages meanwhile).
        self.preparer.settled(work.token, stored=True)
        stored = [StoredPost(seq=seq, post=post) for seq, post in zip(seqs, prepared.posts, strict=True)]
        self.stats.batches += 1
        self.stats.stored += len(stored)
        self.stats.dropped_by_stages += work.dropped
        per_source = self.stats.per_source_stored
        per_source[work.source_name] = per_source.get(work.source_name, 0) + len(stored)
        if stored:
            if self._on_stored:
                self._on_stored(work.source_name, stored)
            events = [BusEvent(POSTS_SUBJECT, item.seq, item.post.to_json_dict()) for item in stored]
            try:
                await self.bus.publish(events)
            except Exception:
                # The posts are stored: screens catch up from the store (Last-Event-ID), so a bus
                # outage must not fail the batch or make a caller send it again.
                self.stats.unpublished += len(events)
                log.exception(
                    "%d posts from %s stored but not published on the bus", len(events), work.source_name
                )
        return stored


def take_memories(stages: Sequence[Stage]) -> list[tuple[Any, Any]] | None:
    """What each remembering stage would record for the batch it just processed, taken from it so
    that the next batch (processed before this one commits) does not overwrite it. ``None`` when a
    stage remembers but cannot hand its memory over: then the stages are told at commit time, as
    :func:`~veille.contracts.stages_committed` does."""
    memories: list[tuple[Any, Any]] = []
    for stage in stages:
        if not callable(getattr(stage, "committed", None)):
            continue
        take = getattr(stage, "take_pending", None)
        if not callable(take):
            return None
        memories.append((stage, take()))
    return memories


def commit_memories(memories: list[tuple[Any, Any]] | None, stages: Sequence[Stage]) -> None:
    if memories is None:
        stages_committed(stages)
        return
    for stage, memory in memories:
        stage.committed(memory)
