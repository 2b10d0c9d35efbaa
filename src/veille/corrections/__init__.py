"""Analysts' sentiment corrections and the workspace models retrained from them.

- :class:`Correction`, :class:`CorrectionSpec`, :class:`RetrainSpec` — what a correction holds and
  what clients send;
- :mod:`veille.corrections.service` — record/list corrections, check and run a retrain, which model
  serves each language (plain functions);
- the model files themselves: :mod:`veille.enrich.workspace`.
"""

from veille.corrections.models import (
    Correction,
    CorrectionSpec,
    RetrainSpec,
    SentimentModelRead,
    SentimentModels,
)
from veille.corrections.service import (
    ANALYST_MODEL,
    PostNotFound,
    check_retrain,
    correction_texts,
    list_corrections,
    record_correction,
    retrain_workspace_model,
    sentiment_models,
)
from veille.enrich.workspace import load_workspace_models, workspace_model_path

__all__ = [
    "ANALYST_MODEL",
    "Correction",
    "CorrectionSpec",
    "PostNotFound",
    "RetrainSpec",
    "SentimentModelRead",
    "SentimentModels",
    "check_retrain",
    "correction_texts",
    "list_corrections",
    "load_workspace_models",
    "record_correction",
    "retrain_workspace_model",
    "sentiment_models",
    "workspace_model_path",
]
