"""Background jobs of the hub (topic backfills, sentiment retraining): their state and progress."""

from __future__ import annotations

from typing import Any

from veille.web.api._routing import api_router
from veille.web.deps import CurrentJob
from veille.web.schemas import ErrorRead, JobRead

__all__ = ["router"]

router = api_router(tags=["jobs"])


@router.get("/jobs/{job_id}", response_model=JobRead, responses={404: {"model": ErrorRead}})
def get_job(job: CurrentJob) -> Any:
    """A background job: ``state`` (running, done, failed, stopped), ``done``/``total``, ``fraction``."""
    return job.to_json_dict()
