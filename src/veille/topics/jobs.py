"""Background jobs of the running hub (topic backfills), with progress the API can report."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from veille.clock import from_us, now_us
from veille.store.sql import SqlStore
from veille.topics.backfill import BackfillProgress, BackfillStopped, backfill_topic
from veille.topics.service import TopicConflict

__all__ = ["Job", "Jobs"]

log = logging.getLogger(__name__)

JobState = Literal["running", "done", "failed", "stopped"]
# Finished jobs kept for GET /jobs/{id}; older ones are forgotten.
KEEP_FINISHED = 200


@dataclass(slots=True)
class Job:
    id: str
    kind: str
    topic: str
    state: JobState = "running"
    progress: BackfillProgress | None = None
    error: str | None = None
    started_us: int = field(default_factory=now_us)
    finished_us: int | None = None
    stop_requested: threading.Event = field(default_factory=threading.Event)

    def to_json_dict(self) -> dict[str, Any]:
        progress = self.progress
        total = progress.total if progress else 0
        scanned = progress.scanned if progress else 0
        return {
            "id": self.id,
            "kind": self.kind,
            "topic": self.topic,
            "state": self.state,
            "total": total,
            "done": scanned,
            "fraction": 1.0 if self.state == "done" else (scanned / total if total else 0.0),
            "matched": progress.matched if progress else 0,
            "gained": progress.gained if progress else 0,
            "lost": progress.lost if progress else 0,
            "error": self.error,
            "started_at": _iso(self.started_us),
            "finished_at": _iso(self.finished_us) if self.finished_us is not None else None,
        }


def _iso(moment_us: int) -> str:
    moment: datetime = from_us(moment_us)
    return moment.isoformat().replace("+00:00", "Z")


class Jobs:
    """Jobs run in worker threads; ``stop`` asks every running one to stop and waits for it."""

    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def running(self) -> list[Job]:
        return [job for job in self._jobs.values() if job.state == "running"]

    def start_backfill(
        self, *, store: SqlStore, topic: str, since: datetime | None = None, batch_size: int = 500
    ) -> Job:
        """Start backfilling ``topic`` (call from the event loop); one backfill per topic at a time."""
        for job in self.running():
            if job.kind == "backfill" and job.topic == topic:
                raise TopicConflict(f"topic {topic!r} is already being backfilled (job {job.id})")
        job = Job(id=secrets.token_hex(8), kind="backfill", topic=topic)
        self._jobs[job.id] = job
        self._forget_old()

        def record(progress: BackfillProgress) -> None:
            job.progress = replace(progress)  # a copy: the worker thread keeps counting in its own

        async def run() -> None:
            try:
                await asyncio.to_thread(
                    backfill_topic,
                    store=store,
                    name=topic,
                    since=since,
                    batch_size=batch_size,
                    progress=record,
                    should_stop=job.stop_requested.is_set,
                )
                job.state = "done"
            except BackfillStopped:
                job.state = "stopped"
            except Exception as error:  # reported through the job: the API caller asked for it
                log.exception("backfill of %s failed", topic)
                job.state = "failed"
                job.error = str(error) or type(error).__name__
            finally:
                job.finished_us = now_us()
                self._tasks.pop(job.id, None)

        self._tasks[job.id] = asyncio.create_task(run(), name=f"backfill-{topic}")
        return job

    def start_work(self, *, kind: str, topic: str, work: Callable[[], object]) -> Job:
        """Run ``work`` in a worker thread as a job (call from the event loop); one per kind and topic."""
        for job in self.running():
            if job.kind == kind and job.topic == topic:
                raise TopicConflict(f"a {kind} job for {topic!r} is already running (job {job.id})")
        job = Job(id=secrets.token_hex(8), kind=kind, topic=topic)
        self._jobs[job.id] = job
        self._forget_old()

        async def run() -> None:
            try:
                await asyncio.to_thread(work)
                job.state = "done"
            except Exception as error:  # reported through the job: the API caller asked for it
                log.exception("%s job for %s failed", kind, topic)
                job.state = "failed"
                job.error = str(error) or type(error).__name__
            finally:
                job.finished_us = now_us()
                self._tasks.pop(job.id, None)

        self._tasks[job.id] = asyncio.create_task(run(), name=f"{kind}-{topic}")
        return job

    async def stop(self) -> None:
        for job in self.running():
            job.stop_requested.set()
        tasks = list(self._tasks.values())
        for task in tasks:
            with contextlib.suppress(Exception):
                await task

    def _forget_old(self) -> None:
        finished = [job for job in self._jobs.values() if job.state != "running"]
        for job in finished[: max(0, len(finished) - KEEP_FINISHED)]:
            del self._jobs[job.id]
