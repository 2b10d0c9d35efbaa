"""Analysts correct a post's sentiment; the workspace's sentiment model is retrained from corrections.

``POST /api/v1/posts/{id}/sentiment`` stores the correction and sets the stored post's sentiment
(model ``analyst``); ``POST /api/v1/models/sentiment/retrain`` retrains a language's model on its
base data plus the corrections in the background (poll ``GET /api/v1/jobs/{id}``), writes it to the
data folder and swaps it into the running pipeline; ``GET /api/v1/models/sentiment`` says which
model serves each language.
"""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from veille.enrich.corrections import (
    correction_texts,
    list_corrections,
    record_correction,
    retrain_workspace_model,
    workspace_model_path,
)
from veille.enrich.sentiment import LinearSentimentModel, SentimentStage, default_model_path
from veille.enrich.sentiment.training import resolve_base_data
from veille.hub import Hub
from veille.topics.service import TopicConflict
from veille.web.deps import CurrentHub, CurrentPrincipal

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["sentiment"])


class CorrectionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: Literal["negative", "neutral", "positive"]


class RetrainBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lang: str = Field(min_length=2, max_length=8, pattern=r"^[a-z]{2,3}(?:-[A-Za-z0-9]{1,4})?$")


def _sentiment_stage(hub: Hub) -> SentimentStage | None:
    return next((stage for stage in hub.pipeline.stages if isinstance(stage, SentimentStage)), None)


@router.post("/posts/{post_id:path}/sentiment")
async def correct_sentiment(
    post_id: str, body: CorrectionBody, hub: CurrentHub, principal: CurrentPrincipal
) -> dict[str, Any]:
    """Set the post's sentiment to the analyst's label and keep the correction for retraining."""
    try:
        post = await asyncio.to_thread(
            record_correction, hub.store, post_id=post_id, label=body.label, user=principal.name
        )
    except LookupError as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from None
    return post.to_json_dict()


@router.get("/models/sentiment")
async def sentiment_models(hub: CurrentHub, _principal: CurrentPrincipal) -> dict[str, Any]:
    """Which model serves each language, and how many corrections each language has."""
    stage = _sentiment_stage(hub)
    corrections = await asyncio.to_thread(list_corrections, hub.store)
    counts: dict[str, int] = {}
    for item in corrections:
        counts[item.lang] = counts.get(item.lang, 0) + 1
    models = stage.models if stage is not None else {}
    languages = sorted(set(models) | set(counts))
    items = []
    for lang in languages:
        model = models.get(lang)
        info = model.info if isinstance(model, LinearSentimentModel) else {}
        items.append(
            {
                "lang": lang,
                "model": model.name if model is not None else None,
                "examples": info.get("examples"),
                "corrections_in_model": info.get("corrections", 0),
                "corrections_stored": counts.get(lang, 0),
            }
        )
    return {"items": items}


@router.post("/models/sentiment/retrain", status_code=202, responses={202: {"description": "job started"}})
async def retrain_sentiment(body: RetrainBody, hub: CurrentHub, _principal: CurrentPrincipal) -> JSONResponse:
    """Retrain ``lang``'s model on its base data plus the corrections, in the background."""
    settings = hub.settings
    texts, _labels = await asyncio.to_thread(correction_texts, hub.store, lang=body.lang)
    if not texts:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"lang: no corrections in {body.lang!r}")
    # Refuse at once what would fail in the job: no model to retrain, or its base data out of reach.
    retrain_path = workspace_model_path(settings.data_dir, body.lang)
    current = retrain_path if retrain_path.is_file() else default_model_path(body.lang)
    if current is None:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            f"lang: no sentiment model for {body.lang!r} to retrain (train one with veille train sentiment)",
        )
    try:
        recorded = await asyncio.to_thread(LinearSentimentModel.load, current)
        resolve_base_data(recorded, settings.sentiment_data)
    except ValueError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from None
    stage = _sentiment_stage(hub)

    def work() -> None:
        retrain_workspace_model(
            hub.store,
            lang=body.lang,
            data_dir=settings.data_dir,
            base_data=settings.sentiment_data,
            stage=stage,
        )

    try:
        job = hub.jobs.start_work(kind="retrain-sentiment", topic=body.lang, work=work)
    except TopicConflict as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from None
    return JSONResponse(job.to_json_dict(), status_code=202, headers={"Location": f"/api/v1/jobs/{job.id}"})
