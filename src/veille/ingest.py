"""A JSONL file into the store on two processes: one reads and prepares, this one writes.

The preparing process reads the file (:class:`~veille.sources.replay.ReplaySource`), validates each
line, runs the hub's stages (the stored topics included) and turns each batch into the rows the
store writes (:func:`~veille.store.prepared.prepare_posts`: the JSON document serialised once, the
full-text words, the rollup sums per key). It hands the prepared batches, in order, through a
bounded queue to this process, which only writes them, each in one transaction with its
checkpoint (the batch's last line). So the CPU work of a batch runs on one core while the previous
batch is committed on the other, and a kill at any moment leaves a checkpoint that a ``--resume``
continues from, exactly as the sequential shape did.

The stages keep their state (exact and near-duplicate memory, the topic monitor) in the preparing
process for the whole file, so the result is the same as running them in order on one process.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import queue
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from veille.model import PostRejected
from veille.process import freeze_long_lived_objects
from veille.settings import Settings
from veille.store.prepared import PreparedPosts

__all__ = ["IngestBatch", "IngestReport", "ingest_jsonl", "publish_jsonl"]

# Prepared batches in flight between the two processes: enough to absorb a slow commit, small
# enough that memory stays a few batches whatever the file's size.
_QUEUE_BATCHES = 4
_POLL_S = 0.5


@dataclass(slots=True)
class IngestBatch:
    """One prepared batch, as the writer receives it."""

    prepared: PreparedPosts
    last_line: int
    bytes_read: int
    accepted: int  # valid posts read (before the stages dropped exact re-deliveries)
    rejected: list[PostRejected] = field(default_factory=list)


@dataclass(slots=True)
class IngestReport:
    accepted: int = 0
    rejected: int = 0
    stored: int = 0
    batches: int = 0
    wall_s: float = 0.0
    # From the moment the preparing process was ready (its models loaded) to the last commit.
    working_s: float = 0.0
    writer_cpu_s: float = 0.0  # this process, from that moment on
    preparer_cpu_s: float = 0.0  # the preparing process, from that moment on


@dataclass(slots=True)
class _Failed:
    message: str


@dataclass(slots=True)
class _Ready:
    """The preparing process has built its stages (models loaded) and starts reading."""


@dataclass(slots=True)
class _Done:
    cpu_s: float  # the preparing process's CPU from _Ready on


def _prepare_file(
    settings: Settings, path: Path, name: str, checkpoint: str | None, batch_size: int, out: Any
) -> None:
    """The preparing process: ``_Ready``, every batch of the file prepared, then ``_Done``."""
    # Heavy imports in the child only: the parent may be a light CLI process.
    from veille.accounts.brand_stage import registry_keys
    from veille.contracts import run_stages, stages_committed
    from veille.hub import default_stages
    from veille.sources.replay import ReplaySource
    from veille.store import open_store
    from veille.store.prepared import prepare_posts
    from veille.topics import load_live_topics

    parent = os.getppid()

    def put(item: object) -> None:
        # The writer may be gone (killed): never wait forever on a queue nobody reads.
        while True:
            try:
                out.put(item, timeout=_POLL_S)
                return
            except queue.Full:
                if os.getppid() != parent:
                    out.cancel_join_thread()
                    os._exit(3)

    try:
        store = open_store(settings.sqlalchemy_url, migrate=False)
        try:
            topics = load_live_topics(store, settings)
            brands = registry_keys(store)
        finally:
            store.close()
        stages = default_stages(settings, topics=topics, brand_accounts=brands)
        freeze_long_lived_objects()  # the models, out of every full collection (as in the hub)
        source = ReplaySource(path, batch_size=batch_size, name=name)
        put(_Ready())
        cpu_started = time.process_time()
        for batch in source.read(checkpoint):
            kept = run_stages(stages, batch.posts)
            # Remembered at once: this process only prepares, and a failed write ends the whole
            # ingest (this process and its memory with it), so nothing is ever sent again to it.
            stages_committed(stages)
            prepared = prepare_posts(kept, keep_posts=False)
            # Payloads stay here: the writer only prints the reasons.
            rejected = [PostRejected(reject.index, reject.reason) for reject in batch.rejected]
            put(IngestBatch(prepared, batch.last_line, batch.bytes_read, len(batch.posts), rejected))
        put(_Done(time.process_time() - cpu_started))
    except BaseException as error:  # the writer must hear of it, or it would wait forever
        put(_Failed(f"{type(error).__name__}: {error}"))
        raise


def _context() -> Any:
    # fork starts in milliseconds (the models are loaded after it, in the child); spawn elsewhere.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def ingest_jsonl(
    settings: Settings,
    path: Path,
    *,
    name: str | None = None,
    resume: bool = False,
    batch_size: int = 1000,
    on_batch: Callable[[IngestBatch, int], None] | None = None,
) -> IngestReport:
    """Ingest ``path`` into the store of ``settings``; ``on_batch(batch, stored)`` after each commit.

    ``name`` is the checkpoint's source name (default: ReplaySource's ``file:<absolute path>``).
    Raises ``RuntimeError`` naming the cause when the preparing process fails.
    """
    from veille.sources.replay import ReplaySource
    from veille.store import open_store

    source_name = name or ReplaySource(path, batch_size=batch_size).name
    started = time.perf_counter()
    store = open_store(settings.sqlalchemy_url)  # migrated before the child reads the topics
    report = IngestReport()
    context = _context()
    try:
        checkpoint = store.get_checkpoint(source_name) if resume else None
        # The child opens its own connections: the parent's pool is not shared across the fork.
        store.engine.dispose()
        batches: Any = context.Queue(maxsize=_QUEUE_BATCHES)
        child = context.Process(
            target=_prepare_file,
            args=(settings, path, source_name, checkpoint, batch_size, batches),
            name="veille-ingest-prepare",
            daemon=True,
        )
        child.start()
        try:
            _write_all(store, child, batches, source_name, report, on_batch)
        finally:
            _stop(child)
    finally:
        store.close()
    report.wall_s = time.perf_counter() - started
    return report


def _write_all(
    store: Any,
    child: BaseProcess,
    batches: Any,
    source_name: str,
    report: IngestReport,
    on_batch: Callable[[IngestBatch, int], None] | None,
) -> None:
    ready_at = time.perf_counter()
    cpu_at = time.process_time()
    while True:
        try:
            item = batches.get(timeout=_POLL_S)
        except queue.Empty:
            if not child.is_alive():
                raise RuntimeError(
                    f"ingest: the preparing process ended without finishing (exit code {child.exitcode})"
                ) from None
            continue
        if isinstance(item, _Ready):
            ready_at, cpu_at = time.perf_counter(), time.process_time()
            continue
        if isinstance(item, _Done):
            report.working_s = time.perf_counter() - ready_at
            report.writer_cpu_s = time.process_time() - cpu_at
            report.preparer_cpu_s = item.cpu_s
            return
        if isinstance(item, _Failed):
            raise RuntimeError(f"ingest: preparing the posts failed: {item.message}")
        seqs = store.write_prepared(item.prepared, checkpoint=(source_name, str(item.last_line)))
        report.batches += 1
        report.accepted += item.accepted
        report.rejected += len(item.rejected)
        report.stored += len(seqs)
        if on_batch is not None:
            on_batch(item, len(seqs))


def _stop(child: BaseProcess) -> None:
    child.join(timeout=5)
    if child.is_alive():  # the writer stopped early (an error, Ctrl+C): the child has no reader
        child.terminate()
        with contextlib.suppress(Exception):
            child.join(timeout=5)


def publish_jsonl(
    settings: Settings,
    path: Path,
    *,
    name: str | None = None,
    resume: bool = False,
    batch_size: int = 1000,
    on_batch: Callable[[IngestBatch, int], None] | None = None,
) -> IngestReport:
    """With the NATS bus: validate ``path`` and publish its posts to the work stream for the workers.

    Each batch is acknowledged by JetStream before its checkpoint (its last line) is committed in
    the store, so ``--resume`` after a kill publishes again at most one batch, which the stream's
    de-duplication (message id = post id) and the idempotent upsert absorb. ``on_batch(batch,
    published)``: ``published`` counts the posts the stream took as new.
    """
    return asyncio.run(
        _publish(settings, path, name=name, resume=resume, batch_size=batch_size, on_batch=on_batch)
    )


async def _publish(
    settings: Settings,
    path: Path,
    *,
    name: str | None,
    resume: bool,
    batch_size: int,
    on_batch: Callable[[IngestBatch, int], None] | None,
) -> IngestReport:
    from veille.bus.nats import BusUnavailable, NatsBus
    from veille.sources.replay import ReplaySource
    from veille.store import open_store
    from veille.workqueue import publish_posts

    started = time.perf_counter()
    source = ReplaySource(path, batch_size=batch_size, name=name)
    report = IngestReport()
    store = open_store(settings.sqlalchemy_url)
    bus = NatsBus(settings.nats_url, stream=settings.nats_stream, subject_prefix=settings.nats_subject_prefix)
    try:
        checkpoint = store.get_checkpoint(source.name) if resume else None
        async for batch in source.batches(checkpoint):
            try:
                duplicates = await publish_posts(bus, batch.posts)
            except BusUnavailable as error:
                raise RuntimeError(f"ingest: {error}") from None
            await asyncio.to_thread(store.set_checkpoint, source.name, str(batch.last_line))
            published = len(batch.posts) - duplicates
            report.batches += 1
            report.accepted += len(batch.posts)
            report.rejected += len(batch.rejected)
            report.stored += published
            if on_batch is not None:
                rejected = [PostRejected(reject.index, reject.reason) for reject in batch.rejected]
                on_batch(
                    IngestBatch(
                        PreparedPosts(), batch.last_line, batch.bytes_read, len(batch.posts), rejected
                    ),
                    published,
                )
    finally:
        await bus.close()
        store.close()
    report.wall_s = report.working_s = time.perf_counter() - started
    return report
