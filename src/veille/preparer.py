"""The hub's stages in a child process, so that they use the machine's other core (issue 15).

``veille serve`` validates, writes, publishes and serves HTTP on its event loop; the stages
(enrichment, brand accounts, topic matching) and :func:`~veille.store.prepared.prepare_posts` are
pure CPU work in Python, which a thread cannot run beside the rest: one process's lock bounds them
all. :class:`ProcessPreparer` runs them in one child process (``[hub] prepare_processes = 1``, the
default; 0 keeps today's thread), as ``veille ingest`` does, through one pipe:

* the hub sends each batch of posts, in order, and receives its prepared rows (and the stages'
  timings, for ``/metrics``); the pipeline's writer commits batch *n* while the child prepares
  batch *n + 1*;
* the stages keep their state in the child. The exact-duplicate memory of a batch stays pending
  there, per batch, until the hub says the batch was committed (remembered) or failed (forgotten):
  a failed write is never remembered as seen;
* a change to what the stages read is sent down the same pipe (``reload``: ``topic``, ``sentiment``),
  so it reaches the child before any batch submitted after it: a topic added through the API
  matches the next posts pushed. Brand accounts are reread by the child itself when their table
  changes (checked at each batch);
* when the child dies (killed, out of memory), the batch it held fails with
  :class:`PreparerLost` (HTTP 503: nothing of it was stored, send it again), a source's batch is
  retried once on the new child, and a new child is started for the next batch. Batches already
  prepared are written as usual: nothing acknowledged is lost.

The child is started with ``spawn`` (a fresh interpreter: the hub has threads, which ``fork`` does
not copy safely) and builds its stages from a picklable factory (:class:`StagesFactory`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import multiprocessing.connection
import os
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, Protocol

from veille.contracts import Stage, run_stages, stages_committed
from veille.errors import Unavailable
from veille.model import Post
from veille.pipeline import Prepared, commit_memories, take_memories
from veille.store.prepared import prepare_posts

__all__ = ["ChildStages", "PreparerLost", "ProcessPreparer", "StagesFactory"]

log = logging.getLogger(__name__)

_POLL_S = 0.5
_START_TIMEOUT_S = 300.0  # loading the models on a busy machine


class PreparerLost(Unavailable):
    """The process preparing the batch ended before answering: nothing of the batch was stored."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            f"the hub's preparing process stopped ({detail}); nothing of the batch was stored: send it again",
            field="pipeline",
        )


class ChildStages(Protocol):
    """What the factory builds in the child: the stages, and how to apply a change to what they read."""

    stages: list[Stage]

    def reload(self, kind: str) -> None: ...

    def close(self) -> None: ...


# A module-level callable (or a functools.partial of one) with picklable arguments.
StagesFactory = Callable[[], ChildStages]


def _child_main(factory: StagesFactory, conn: Connection) -> None:
    """The child: build the stages, say ``ready``, then answer batches and apply notices in order."""
    try:
        built = factory()
    except BaseException as error:
        with contextlib.suppress(Exception):
            conn.send(("failed", f"{type(error).__name__}: {error}"))
        raise
    from veille.process import freeze_long_lived_objects

    freeze_long_lived_objects()  # the models, out of every full collection (as in the hub)
    stages = built.stages
    pending: dict[int, Any] = {}
    conn.send(("ready", os.getpid()))
    try:
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError):  # the hub is gone
                return
            kind = message[0]
            if kind == "batch":
                _, batch_id, posts = message
                timings: list[tuple[str, int, float]] = []

                def note(name: str, count: int, seconds: float, into: list[Any] = timings) -> None:
                    into.append((name, count, seconds))

                try:
                    kept = run_stages(stages, posts, on_stage=note)
                    pending[batch_id] = take_memories(stages)
                    started = time.perf_counter()
                    prepared = prepare_posts(kept)
                    timings.append(("prepare", len(kept), time.perf_counter() - started))
                except Exception as error:
                    log.exception("preparing process: batch not prepared")
                    conn.send(("error", batch_id, f"{type(error).__name__}: {error}"))
                    continue
                conn.send(("prepared", batch_id, prepared, len(posts) - len(kept), timings))
            elif kind == "settled":
                _, batch_id, stored = message
                memories = pending.pop(batch_id, _UNKNOWN)
                if stored and memories is not _UNKNOWN:
                    if memories is None:
                        stages_committed(stages)
                    else:
                        commit_memories(memories, stages)
            elif kind == "reload":
                try:
                    built.reload(message[1])
                except Exception:
                    log.exception("preparing process: %s not reloaded", message[1])
            elif kind == "stop":
                return
    finally:
        with contextlib.suppress(Exception):
            built.close()


_UNKNOWN = object()


class ProcessPreparer:
    """The pipeline's preparer in a child process (see the module docstring)."""

    def __init__(
        self,
        factory: StagesFactory,
        *,
        on_stage: Callable[[str, int, float], None] | None = None,
        start_timeout_s: float = _START_TIMEOUT_S,
    ) -> None:
        self.factory = factory
        self._on_stage = on_stage
        self.start_timeout_s = start_timeout_s
        self._context = multiprocessing.get_context("spawn")
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None
        self._send_lock = threading.Lock()
        self._next_id = 0
        self._generation = 0  # which child a token belongs to: a new child forgets the old's batches
        self._stopping = False
        self._starting: asyncio.Task[None] | None = None
        self._missed_reloads: set[str] = set()
        self.restarts = 0

    # -- life cycle --------------------------------------------------------------------------
    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    @property
    def alive(self) -> bool:
        """Whether the child runs (all its threads: a killed child's first thread may be a zombie
        while the others still end)."""
        process = self._process
        return process is not None and _alive(process)

    async def start(self) -> None:
        """Start the child in the background: the hub answers at once, the first batch waits for
        the child's models (a failed start fails that batch, and the next one starts a child again)."""
        self._stopping = False
        if self._process is None and self._starting is None:
            self._starting = asyncio.create_task(asyncio.to_thread(self._spawn), name="preparer-start")

    async def ready(self) -> None:
        """Wait until the child started (raises when it could not)."""
        starting, self._starting = self._starting, None
        if starting is not None:
            await starting

    def _spawn(self) -> None:
        parent, child = self._context.Pipe(duplex=True)
        process = self._context.Process(
            target=_child_main, args=(self.factory, child), name="veille-hub-prepare", daemon=True
        )
        process.start()
        child.close()
        deadline = time.monotonic() + self.start_timeout_s
        try:
            while not parent.poll(_POLL_S):
                if not process.is_alive():
                    raise RuntimeError(
                        f"the hub's preparing process ended while starting (exit code {process.exitcode})"
                    )
                if time.monotonic() > deadline:
                    raise RuntimeError("the hub's preparing process did not start in time")
            try:
                answer = parent.recv()
            except EOFError:
                process.join(timeout=5)
                raise RuntimeError(
                    f"the hub's preparing process ended while starting (exit code {process.exitcode})"
                ) from None
            if answer[0] != "ready":
                raise RuntimeError(f"the hub's preparing process could not build its stages: {answer[1]}")
        except BaseException:
            _end(process, parent)
            raise
        with self._send_lock:
            self._process, self._conn = process, parent
            self._generation += 1
            # Changes announced while no child listened (it may have read the store before them).
            for kind in sorted(self._missed_reloads):
                parent.send(("reload", kind))
            self._missed_reloads.clear()
        log.info("preparing process %s ready", process.pid)

    async def stop(self) -> None:
        self._stopping = True
        with contextlib.suppress(Exception):
            await self.ready()
        await asyncio.to_thread(self._stop)

    def _stop(self) -> None:
        with self._send_lock:
            process, conn = self._process, self._conn
            self._process = self._conn = None
        if process is None or conn is None:
            return
        with contextlib.suppress(Exception):
            conn.send(("stop",))
        process.join(timeout=10)
        _end(process, conn)

    # -- the pipeline's calls ----------------------------------------------------------------
    async def prepare(self, posts: list[Post]) -> Prepared:
        await self.ready()
        return await asyncio.to_thread(self._prepare, posts)

    def _prepare(self, posts: list[Post]) -> Prepared:
        if self._process is None or not _alive(self._process):
            self._replace("it was not running")
        conn, generation = self._conn, self._generation
        assert conn is not None
        self._next_id += 1
        batch_id = self._next_id
        try:
            with self._send_lock:
                conn.send(("batch", batch_id, posts))
            answer = self._answer(conn)
        except _LostError as lost:
            self._replace(lost.detail)
            raise PreparerLost(lost.detail) from None
        if answer[0] == "error":
            raise RuntimeError(f"the stages failed on the batch: {answer[2]}")
        _, answered_id, prepared, dropped, timings = answer
        assert answered_id == batch_id, (answered_id, batch_id)
        if self._on_stage is not None:
            for name, count, seconds in timings:
                self._on_stage(name, count, seconds)
        return Prepared(prepared, dropped, (generation, batch_id))

    def _answer(self, conn: Connection) -> Any:
        process = self._process
        while True:
            try:
                if conn.poll(_POLL_S):
                    return conn.recv()
            except (EOFError, OSError):
                raise _LostError(_exit_detail(process)) from None
            if process is None or not _alive(process):
                raise _LostError(_exit_detail(process))

    def _replace(self, detail: str) -> None:
        """A new child for the next batch (the old one's pending memories go with it)."""
        if self._stopping and self._process is None:
            raise PreparerLost("the hub is stopping")
        log.error("preparing process lost (%s): starting a new one", detail)
        with self._send_lock:
            old, conn = self._process, self._conn
            self._process = self._conn = None
        if old is not None and conn is not None:
            _end(old, conn)
        self.restarts += 1
        self._spawn()

    def settled(self, token: Any, *, stored: bool) -> None:
        if token is None:
            return
        generation, batch_id = token
        self._send(("settled", batch_id, stored), generation=generation)

    def reload(self, kind: str) -> None:
        self._send(("reload", kind))

    def _send(self, message: tuple[Any, ...], *, generation: int | None = None) -> None:
        with self._send_lock:
            conn = self._conn
            if conn is None and message[0] == "reload":
                self._missed_reloads.add(message[1])  # told to the next child once it is up
                return
            if conn is None or (generation is not None and generation != self._generation):
                return  # no child, or another child than the batch's: nothing to tell it
            try:
                conn.send(message)
            except (OSError, ValueError) as error:  # the child is gone: the next batch replaces it
                log.warning("preparing process not told %s: %s", message[0], error)


class _LostError(Exception):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def _alive(process: BaseProcess) -> bool:
    """Whether the child runs, from its sentinel (which ``is_alive`` misses once someone else reaped it)."""
    return not multiprocessing.connection.wait([process.sentinel], timeout=0)


def _exit_detail(process: BaseProcess | None) -> str:
    if process is None:
        return "no process"
    process.join(timeout=1)
    return f"exit code {process.exitcode}"


def _end(process: BaseProcess, conn: Connection) -> None:
    if process.is_alive():
        process.terminate()
        process.join(timeout=5)
        if process.is_alive():
            process.kill()
            process.join(timeout=5)
    with contextlib.suppress(Exception):
        conn.close()
