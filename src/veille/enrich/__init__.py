"""Enrichment stages: language, sentiment, near-duplicates, country and entities.

Each stage follows :class:`veille.contracts.Stage` (pure ``process(list[Post]) -> list[Post]``).
Models and gazetteers load when a stage is built, never at import.
"""

from __future__ import annotations

from veille.enrich.chain import build_enrichment_stages
from veille.enrich.dedupe import DedupeStage, NearDuplicateIndex
from veille.enrich.entities import EntitiesStage, extract_cashtags, extract_emojis
from veille.enrich.geo import CountryGuess, GeoResolver, GeoStage
from veille.enrich.language import DEFAULT_LANGUAGES, LanguageIdentifier, LanguageStage
from veille.enrich.sentiment import (
    LinearSentimentModel,
    SentimentModel,
    SentimentStage,
    VaderSentimentModel,
    load_default_models,
    load_sentiment_model,
    normalise_for_sentiment,
)
from veille.enrich.sentiment.training import read_labelled_data, retrain_with_corrections, train_sentiment

__all__ = [
    "DEFAULT_LANGUAGES",
    "CountryGuess",
    "DedupeStage",
    "EntitiesStage",
    "GeoResolver",
    "GeoStage",
    "LanguageIdentifier",
    "LanguageStage",
    "LinearSentimentModel",
    "NearDuplicateIndex",
    "SentimentModel",
    "SentimentStage",
    "VaderSentimentModel",
    "build_enrichment_stages",
    "extract_cashtags",
    "extract_emojis",
    "load_default_models",
    "load_sentiment_model",
    "normalise_for_sentiment",
    "read_labelled_data",
    "retrain_with_corrections",
    "train_sentiment",
]
