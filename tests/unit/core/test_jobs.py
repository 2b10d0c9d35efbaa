"""Hub jobs: generic work with a progress dict, one per kind and subject, stop, and the JSON clients poll."""

from __future__ import annotations

import asyncio
import threading

import pytest

from veille.errors import Conflict
from veille.jobs import COUNTERS, JobConflict, JobControl, Jobs, JobStopped


async def _finished(jobs: Jobs, job_id: str) -> dict[str, object]:
    for _ in range(500):
        job = jobs.get(job_id)
        assert job is not None
        if job.state != "running":
            return job.to_json_dict()
        await asyncio.sleep(0.01)
    raise AssertionError("the job did not finish")


async def test_work_reports_progress_and_the_json_keeps_its_keys() -> None:
    jobs = Jobs()

    def work(control: JobControl) -> None:
        control.report(total=4, done=2)
        control.report(done=4, models=1)

    job = jobs.start(kind="count", subject="fr", work=work)
    finished = await _finished(jobs, job.id)
    assert finished["state"] == "done" and finished["error"] is None
    assert (finished["total"], finished["done"], finished["fraction"], finished["models"]) == (4, 4, 1.0, 1)
    assert finished["topic"] == "fr" and job.subject == "fr"
    assert {
        "id",
        "kind",
        "topic",
        "state",
        "fraction",
        "error",
        "started_at",
        "finished_at",
        *COUNTERS,
    } <= set(finished)
    assert (finished["matched"], finished["gained"], finished["lost"]) == (0, 0, 0)
    assert str(finished["started_at"]).endswith("Z") and finished["finished_at"] is not None


async def test_one_job_per_kind_and_subject() -> None:
    jobs = Jobs()
    release = threading.Event()
    first = jobs.start(kind="retrain", subject="en", work=lambda _control: release.wait(5))
    with pytest.raises(JobConflict) as refused:
        jobs.start(kind="retrain", subject="en", work=lambda _control: None)
    assert isinstance(refused.value, Conflict) and first.id in str(refused.value)
    other = jobs.start(kind="retrain", subject="fr", work=lambda _control: None)  # another subject: fine
    release.set()
    assert (await _finished(jobs, first.id))["state"] == "done"
    assert (await _finished(jobs, other.id))["state"] == "done"


async def test_stop_and_failure_are_reported() -> None:
    jobs = Jobs()

    def until_stopped(control: JobControl) -> None:
        while not control.should_stop():
            threading.Event().wait(0.01)
        raise JobStopped

    stopping = jobs.start(kind="loop", subject="x", work=until_stopped)
    failing = jobs.start(kind="boom", subject="x", work=lambda _control: 1 / 0)
    await jobs.stop()
    assert (await _finished(jobs, stopping.id))["state"] == "stopped"
    failed = await _finished(jobs, failing.id)
    assert failed["state"] == "failed" and failed["error"] == "division by zero"
    assert failed["fraction"] == 0.0
