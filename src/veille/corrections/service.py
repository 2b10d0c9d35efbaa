"""Analysts' sentiment corrections and the workspace's own sentiment models built from them.

An analyst who disagrees with a post's sentiment corrects it (``POST /api/v1/posts/{id}/sentiment``):
the correction is stored in ``sentiment_corrections`` and the stored post takes the analyst's label
(model ``analyst``). Retraining (``veille train sentiment --from-corrections`` or
``POST /api/v1/models/sentiment/retrain``) fits the language's model again on its base data plus
every correction of that language, and writes it to ``<data>/models/sentiment-<lang>.npz``, which
the hub prefers over the shipped model when it starts (:mod:`veille.enrich.workspace`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from veille.clock import now_us
from veille.corrections import repository
from veille.corrections.models import Correction, SentimentModelRead, SentimentModels
from veille.enrich.sentiment import (
    ANALYST_MODEL,
    LABELS,
    LinearSentimentModel,
    SentimentModel,
    SentimentStage,
    default_model_path,
)
from veille.enrich.sentiment.training import (
    LabelledTexts,
    read_labelled_data,
    resolve_base_data,
    train_sentiment,
)
from veille.enrich.workspace import workspace_model_path
from veille.errors import Invalid, NotFound
from veille.model import Post, Sentiment
from veille.store.sql import SqlStore

__all__ = [
    "ANALYST_MODEL",
    "PostNotFound",
    "check_retrain",
    "correction_texts",
    "list_corrections",
    "record_correction",
    "retrain_workspace_model",
    "sentiment_models",
]

# The analyst's label is certain: the score is the label's end of [-1, 1].
_ANALYST_SCORES = {"negative": -1.0, "neutral": 0.0, "positive": 1.0}


class PostNotFound(NotFound):
    """No stored post has that id (HTTP 404)."""


def record_correction(store: SqlStore, *, post_id: str, label: str, user: str) -> Post:
    """Store ``label`` as the analyst's sentiment of the post and set it on the stored post.

    Raises :class:`PostNotFound` (a ``LookupError``) when no post has that id and
    :class:`~veille.errors.Invalid` (a ``ValueError``) for an unknown label.
    """
    if label not in LABELS:
        raise Invalid(f"label: must be one of {list(LABELS)}, not {label!r}", field="label")
    post = store.get_post(post_id)
    if post is None:
        raise PostNotFound(f"no post with id {post_id!r}", field="post_id")
    correction = Correction(
        post_id=post_id, text=post.text, lang=post.lang or "und", label=label, user=user, created_us=now_us()
    )
    repository.save_correction(store, correction)
    post.sentiment = Sentiment(label=label, score=_ANALYST_SCORES[label], model=ANALYST_MODEL)
    # Through upsert_posts, so the rollups move the post from its old sentiment to the new one.
    store.upsert_posts([post])
    return post


def list_corrections(store: SqlStore, *, lang: str | None = None) -> list[Correction]:
    """Corrections, oldest first (of one language when ``lang`` is given)."""
    return repository.list_corrections(store, lang=lang)


def correction_texts(store: SqlStore, *, lang: str) -> LabelledTexts:
    """``(texts, labels)`` of the corrections of ``lang``, ready for training."""
    found = list_corrections(store, lang=lang)
    return [item.text for item in found], [item.label for item in found]


def sentiment_models(store: SqlStore, *, models: Mapping[str, SentimentModel]) -> SentimentModels:
    """Which model serves each language (``models``: the running stage's), and how many corrections
    each language has stored and its model learnt."""
    counts: dict[str, int] = {}
    for item in list_corrections(store):
        counts[item.lang] = counts.get(item.lang, 0) + 1
    items = []
    for lang in sorted(set(models) | set(counts)):
        model = models.get(lang)
        info = model.info if isinstance(model, LinearSentimentModel) else {}
        items.append(
            SentimentModelRead(
                lang=lang,
                model=model.name if model is not None else None,
                examples=info.get("examples"),
                corrections_in_model=info.get("corrections", 0),
                corrections_stored=counts.get(lang, 0),
            )
        )
    return SentimentModels(items=items)


def check_retrain(store: SqlStore, *, lang: str, data_dir: Path, base_data: Path | None) -> None:
    """Refuse at once what a retrain of ``lang`` would fail on in the background: no correction,
    no model to retrain, or its base data out of reach. Raises :class:`~veille.errors.Invalid` (``lang``)."""
    texts, _labels = correction_texts(store, lang=lang)
    if not texts:
        raise Invalid(f"lang: no corrections in {lang!r}", field="lang")
    retrain_path = workspace_model_path(data_dir, lang)
    current = retrain_path if retrain_path.is_file() else default_model_path(lang)
    if current is None:
        raise Invalid(
            f"lang: no sentiment model for {lang!r} to retrain (train one with veille train sentiment)",
            field="lang",
        )
    try:
        resolve_base_data(LinearSentimentModel.load(current), base_data)
    except ValueError as error:
        raise Invalid(str(error), field="lang") from None


def retrain_workspace_model(
    store: SqlStore,
    *,
    lang: str,
    data_dir: Path,
    base_data: Path | None,
    base: LabelledTexts | None = None,
    stage: SentimentStage | None = None,
    training: Mapping[str, Any] | None = None,
) -> LinearSentimentModel:
    """Retrain ``lang``'s model on its base data plus every stored correction of ``lang``.

    The base data is ``base`` when given, else what the current model of ``lang`` (the workspace's,
    else the shipped one) records, found under ``base_data`` (setting ``sentiment_data``). The model
    is written to ``<data_dir>/models/sentiment-<lang>.npz`` (atomically) and, when ``stage`` is
    given, swapped into it so the running pipeline uses it for the next batch. ``training`` holds
    :func:`~veille.enrich.sentiment.training.train_sentiment` options; by default the current model's own
    (regularisation, class weights, lexicon, marks), so the workspace model is built like the one it
    replaces.
    """
    corrections = correction_texts(store, lang=lang)
    if not corrections[0]:
        raise Invalid(f"no corrections in language {lang!r} to learn from", field="lang")
    target = workspace_model_path(data_dir, lang)
    info: dict[str, object] = {}
    current = target if target.is_file() else default_model_path(lang)
    recorded = LinearSentimentModel.load(current) if current is not None else None
    if base is None:
        if recorded is None:
            raise Invalid(
                f"no model for {lang!r} records base data; train one with --data first", field="lang"
            )
        path, options = resolve_base_data(recorded, base_data)
        base = read_labelled_data(path, **options)
        info = {"data": recorded.info.get("data"), "data_options": options}
    options_of_current: dict[str, Any] = {}
    if recorded is not None:
        options_of_current = {
            "regularisation": float(recorded.info.get("regularisation", 1.0)),
            "class_weight": recorded.info.get("class_weight", "balanced"),
            "lexicon": recorded.recipe.lexicon,
            "marks": recorded.recipe.marks,
        }
    model = train_sentiment(
        base,
        lang=lang,
        corrections=corrections,
        name=f"workspace-{lang}",
        info=info,
        **{**options_of_current, **dict(training or {})},
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".npz.partial")
    model.save(partial)
    os.replace(partial, target)
    if stage is not None:
        stage.use_model(lang, model)
    return model
