"""The enrichment chain in pipeline order, as used by ``veille enrich`` and the pipeline."""

from __future__ import annotations

from collections.abc import Sequence

from veille.enrich.dedupe import DedupeStage
from veille.enrich.entities import EntitiesStage
from veille.enrich.geo import GeoStage
from veille.enrich.language import DEFAULT_LANGUAGES, LanguageStage
from veille.enrich.sentiment import SentimentModel, SentimentStage
from veille.model import Post
from veille.stages import Stage

__all__ = ["build_enrichment_stages", "enrich_posts"]


def build_enrichment_stages(
    *,
    languages: Sequence[str] = DEFAULT_LANGUAGES,
    sentiment_models: dict[str, SentimentModel] | None = None,
    dedupe_window: int = 50_000,
) -> list[Stage]:
    """Language first (sentiment picks its model by language), then sentiment, dedupe, geo, entities.

    ``sentiment_models`` defaults to the shipped models; a model under ``"*"`` serves every language.
    """
    return [
        LanguageStage(languages),
        SentimentStage(sentiment_models),
        DedupeStage(window=dedupe_window),
        GeoStage(),
        EntitiesStage(),
    ]


def enrich_posts(posts: list[Post], stages: Sequence[Stage]) -> list[Post]:
    for stage in stages:
        posts = stage.process(posts)
    return posts
