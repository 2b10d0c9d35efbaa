"""Background jobs of the running hub (topic backfills, sentiment retraining), with the progress the
API reports at ``GET /api/v1/jobs/{id}``.

A job is some work on a *subject* (the topic backfilled, the language retrained) run in a worker
thread. The work gets a :class:`JobControl`: it reports counters (``total``, ``done`` and whatever
else it counts) and asks whether it should stop. One job of a kind runs per subject at a time; a
second one is refused with :class:`JobConflict` (HTTP 409).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from veille.clock import now_us, rfc3339_from_us
from veille.errors import Conflict
from veille.store.sql import SqlStore
from veille.topics.backfill import BackfillProgress, BackfillStopped, backfill_topic

__all__ = ["COUNTERS", "Job", "JobConflict", "JobControl", "JobStopped", "Jobs"]

log = logging.getLogger(__name__)

JobState = Literal["running", "done", "failed", "stopped"]
# Finished jobs kept for GET /jobs/{id}; older ones are forgotten.
KEEP_FINISHED = 200
# Counters every job's JSON carries (0 when its kind does not count them): the backfill's, from when
# every job was one, so a client polling /jobs/{id} reads one shape whatever the kind.
COUNTERS: tuple[str, ...] = ("total", "done", "matched", "gained", "lost")


class JobConflict(Conflict):
    """A job of that kind already runs for that subject (HTTP 409)."""


class JobStopped(Exception):
    """Raised by a job's work when it was asked to stop (the job ends "stopped"); what it wrote stays."""


@dataclass(slots=True)
class Job:
    id: str
    kind: str
    subject: str
    state: JobState = "running"
    progress: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    started_us: int = field(default_factory=now_us)
    finished_us: int | None = None
    stop_requested: threading.Event = field(default_factory=threading.Event)

    @property
    def fraction(self) -> float:
        if self.state == "done":
            return 1.0
        total = self.progress.get("total", 0)
        return self.progress.get("done", 0) / total if total else 0.0

    def to_json_dict(self) -> dict[str, Any]:
        progress = self.progress
        counters = {name: progress.get(name, 0) for name in COUNTERS}
        others = {name: value for name, value in progress.items() if name not in COUNTERS}
        return {
            "id": self.id,
            "kind": self.kind,
            "topic": self.subject,  # the JSON name from when every job was a topic backfill
            "state": self.state,
            "total": counters["total"],
            "done": counters["done"],
            "fraction": self.fraction,
            "matched": counters["matched"],
            "gained": counters["gained"],
            "lost": counters["lost"],
            **others,
            "error": self.error,
            "started_at": rfc3339_from_us(self.started_us),
            "finished_at": rfc3339_from_us(self.finished_us) if self.finished_us is not None else None,
        }


class JobControl:
    """What a job's work sees of its job: report counters, and whether it was asked to stop."""

    def __init__(self, job: Job) -> None:
        self._job = job

    def report(self, **counters: int) -> None:
        # A new dict each time: the event loop reads the job while the worker thread counts.
        self._job.progress = {**self._job.progress, **counters}

    def should_stop(self) -> bool:
        return self._job.stop_requested.is_set()


Work = Callable[[JobControl], object]


class Jobs:
    """Jobs run in worker threads; ``stop`` asks every running one to stop and waits for it."""

    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def running(self) -> list[Job]:
        return [job for job in self._jobs.values() if job.state == "running"]

    def start(self, *, kind: str, subject: str, work: Work, busy: str | None = None) -> Job:
        """Run ``work`` in a worker thread as a job (call from the event loop).

        One job per kind and subject at a time: another is refused with :class:`JobConflict`
        (``busy``: its message, else a generic one).
        """
        for job in self.running():
            if job.kind == kind and job.subject == subject:
                message = busy or f"a {kind} job for {subject!r} is already running"
                raise JobConflict(f"{message} (job {job.id})", field="subject")
        job = Job(id=secrets.token_hex(8), kind=kind, subject=subject)
        self._jobs[job.id] = job
        self._forget_old()
        control = JobControl(job)

        async def run() -> None:
            try:
                await asyncio.to_thread(work, control)
                job.state = "done"
            except JobStopped:
                job.state = "stopped"
            except Exception as error:  # reported through the job: the API caller asked for it
                log.exception("%s job for %s failed", kind, subject)
                job.state = "failed"
                job.error = str(error) or type(error).__name__
            finally:
                job.finished_us = now_us()
                self._tasks.pop(job.id, None)

        self._tasks[job.id] = asyncio.create_task(run(), name=f"{kind}-{subject}")
        return job

    def start_backfill(
        self, *, store: SqlStore, topic: str, since: datetime | None = None, batch_size: int = 500
    ) -> Job:
        """Start backfilling ``topic`` (call from the event loop); one backfill per topic at a time."""

        def work(control: JobControl) -> None:
            def record(progress: BackfillProgress) -> None:
                control.report(
                    total=progress.total,
                    done=progress.scanned,
                    matched=progress.matched,
                    gained=progress.gained,
                    lost=progress.lost,
                )

            try:
                backfill_topic(
                    store=store,
                    name=topic,
                    since=since,
                    batch_size=batch_size,
                    progress=record,
                    should_stop=control.should_stop,
                )
            except BackfillStopped:
                raise JobStopped(topic) from None

        return self.start(
            kind="backfill", subject=topic, work=work, busy=f"topic {topic!r} is already being backfilled"
        )

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
