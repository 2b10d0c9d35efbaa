"""Sentiment of posts: the stage and its models (:mod:`.model`), what they are built from, the data.

- :mod:`.model`: the :class:`SentimentModel` interface, trained linear models, VADER, the stage;
- :mod:`.features`, :mod:`.word_slices`, :mod:`.counts`, :mod:`.murmur`: hashed word and character
  n-gram columns, computed the way scikit-learn's ``HashingVectorizer`` does, in NumPy;
- :mod:`.lexicon`: the two lexicon features;
- :mod:`.training`: training from labelled files and from analysts' corrections;
- ``data/``: the shipped models (``sentiment-<lang>.npz``, numbers and JSON, never pickle) and the
  French lexicon (``lexicon-fr.tsv``), package data read with :mod:`importlib.resources`.

This module re-exports the model's surface; nothing is loaded at import.
"""

from __future__ import annotations

from veille.enrich.sentiment.model import (
    ANALYST_MODEL,
    LABELS,
    FeatureRecipe,
    LinearSentimentModel,
    SentimentModel,
    SentimentStage,
    VaderSentimentModel,
    default_model_path,
    load_default_models,
    load_sentiment_model,
    normalise_for_sentiment,
    train_linear_model,
)

__all__ = [
    "ANALYST_MODEL",
    "LABELS",
    "FeatureRecipe",
    "LinearSentimentModel",
    "SentimentModel",
    "SentimentStage",
    "VaderSentimentModel",
    "default_model_path",
    "load_default_models",
    "load_sentiment_model",
    "normalise_for_sentiment",
    "train_linear_model",
]
