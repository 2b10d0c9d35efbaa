"""Analysts correct a post's sentiment; the workspace's sentiment model is retrained from corrections.

``POST /api/v1/posts/{id}/sentiment`` stores the correction and sets the stored post's sentiment
(model ``analyst``); ``POST /api/v1/models/sentiment/retrain`` retrains a language's model on its
base data plus the corrections in the background (poll ``GET /api/v1/jobs/{id}``), writes it to the
data folder and swaps it into the running pipeline; ``GET /api/v1/models/sentiment`` says which
model serves each language.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import Depends, Response

from veille.corrections import CorrectionSpec, RetrainSpec, SentimentModels, service
from veille.enrich.sentiment import SentimentStage
from veille.jobs import JobControl
from veille.web.api._routing import api_router
from veille.web.deps import CurrentHub, CurrentPrincipal, Jobs, Settings, Store
from veille.web.schemas import ErrorRead, JobRead, PostRead

__all__ = ["router"]

router = api_router(tags=["sentiment"])


def sentiment_stage(hub: CurrentHub) -> SentimentStage | None:
    """The running pipeline's sentiment stage (none in a hub built without one)."""
    return next((stage for stage in hub.pipeline.stages if isinstance(stage, SentimentStage)), None)


RunningSentiment = Annotated[SentimentStage | None, Depends(sentiment_stage)]


@router.post(
    "/posts/{post_id:path}/sentiment", response_model=PostRead, responses={404: {"model": ErrorRead}}
)
def correct_sentiment(post_id: str, body: CorrectionSpec, store: Store, principal: CurrentPrincipal) -> Any:
    """Set the post's sentiment to the analyst's label and keep the correction for retraining."""
    post = service.record_correction(store, post_id=post_id, label=body.label, user=principal.name)
    return post.to_json_dict()


@router.get("/models/sentiment", response_model=SentimentModels)
def sentiment_models(store: Store, stage: RunningSentiment) -> Any:
    """Which model serves each language, and how many corrections each language has."""
    return service.sentiment_models(store, models=stage.models if stage is not None else {})


@router.post(
    "/models/sentiment/retrain",
    status_code=202,
    response_model=JobRead,
    responses={
        202: {"description": "job started"},
        409: {"model": ErrorRead, "description": "a retrain of this language is running"},
        422: {"model": ErrorRead, "description": "nothing to retrain (names the language)"},
    },
)
async def retrain_sentiment(
    body: RetrainSpec,
    store: Store,
    settings: Settings,
    jobs: Jobs,
    stage: RunningSentiment,
    response: Response,
    hub: CurrentHub,
) -> Any:
    """Retrain ``lang``'s model on its base data plus the corrections, in the background."""
    # Refuse at once what would fail in the job (no correction, no model, base data out of reach).
    await asyncio.to_thread(
        service.check_retrain,
        store,
        lang=body.lang,
        data_dir=settings.data_dir,
        base_data=settings.sentiment_data,
    )

    def work(_control: JobControl) -> None:
        service.retrain_workspace_model(
            store, lang=body.lang, data_dir=settings.data_dir, base_data=settings.sentiment_data, stage=stage
        )
        hub.pipeline.reload("sentiment")  # the preparing process loads the new model too

    job = jobs.start(kind="retrain-sentiment", subject=body.lang, work=work)
    response.headers["Location"] = f"/api/v1/jobs/{job.id}"
    return job.to_json_dict()
