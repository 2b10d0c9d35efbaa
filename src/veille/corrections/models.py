"""An analyst's sentiment correction, and what clients send to correct a post or retrain a model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Correction", "CorrectionSpec", "RetrainSpec", "SentimentModelRead", "SentimentModels"]


@dataclass(frozen=True, slots=True)
class Correction:
    post_id: str
    text: str
    lang: str
    label: str
    user: str
    created_us: int


class CorrectionSpec(BaseModel):
    """``POST /api/v1/posts/{id}/sentiment``: the analyst's label."""

    model_config = ConfigDict(extra="forbid")

    label: Literal["negative", "neutral", "positive"]


class RetrainSpec(BaseModel):
    """``POST /api/v1/models/sentiment/retrain``: the language whose model learns the corrections."""

    model_config = ConfigDict(extra="forbid")

    lang: str = Field(min_length=2, max_length=8, pattern=r"^[a-z]{2,3}(?:-[A-Za-z0-9]{1,4})?$")


class SentimentModelRead(BaseModel):
    """Which model serves a language, and how many corrections it learnt and are stored."""

    lang: str
    model: str | None = Field(description="null: no model serves this language")
    examples: int | None = Field(description="training examples of the model, when it records them")
    corrections_in_model: int
    corrections_stored: int


class SentimentModels(BaseModel):
    items: list[SentimentModelRead]
