"""The enrichment chain in pipeline order, as used by ``veille enrich`` and the pipeline."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from veille.contracts import Stage
from veille.enrich.dedupe import DedupeStage
from veille.enrich.entities import EntitiesStage
from veille.enrich.geo import GeoStage
from veille.enrich.language import DEFAULT_LANGUAGES, LanguageStage
from veille.enrich.sentiment import SentimentModel, SentimentStage, load_default_models

__all__ = ["build_enrichment_stages"]


def build_enrichment_stages(
    *,
    languages: Sequence[str] = DEFAULT_LANGUAGES,
    sentiment_models: dict[str, SentimentModel] | None = None,
    dedupe_window: int = 50_000,
    data_dir: Path | None = None,
) -> list[Stage]:
    """Language first (sentiment picks its model by language), then sentiment, dedupe, geo, entities.

    ``sentiment_models`` defaults to the shipped models, replaced language by language by the
    workspace's own models in ``<data_dir>/models/`` (retrained with analysts' corrections); a model
    under ``"*"`` serves every language.
    """
    if sentiment_models is None:
        from veille.enrich.workspace import load_workspace_models

        sentiment_models = {**load_default_models(), **load_workspace_models(data_dir)}
    return [
        LanguageStage(languages),
        SentimentStage(sentiment_models),
        DedupeStage(window=dedupe_window),
        GeoStage(),
        EntitiesStage(),
    ]
