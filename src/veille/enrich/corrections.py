"""Analysts' sentiment corrections and the workspace's own sentiment models built from them.

An analyst who disagrees with a post's sentiment corrects it (``POST /api/v1/posts/{id}/sentiment``):
the correction is stored in ``sentiment_corrections`` and the stored post takes the analyst's label
(model ``analyst``). Retraining (``veille train sentiment --from-corrections`` or
``POST /api/v1/models/sentiment/retrain``) fits the language's model again on its base data plus
every correction of that language, and writes it to ``<data>/models/sentiment-<lang>.npz``, which
the hub prefers over the shipped model when it starts.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select

from veille.clock import now_us
from veille.enrich.sentiment import (
    ANALYST_MODEL,
    LABELS,
    LinearSentimentModel,
    SentimentStage,
    default_model_path,
)
from veille.enrich.sentiment.training import (
    LabelledTexts,
    read_labelled_data,
    resolve_base_data,
    train_sentiment,
)
from veille.model import Post, Sentiment
from veille.store.schema import sentiment_corrections
from veille.store.sql import SqlStore

__all__ = [
    "ANALYST_MODEL",
    "Correction",
    "correction_texts",
    "list_corrections",
    "load_workspace_models",
    "record_correction",
    "retrain_workspace_model",
    "workspace_model_path",
]

# The analyst's label is certain: the score is the label's end of [-1, 1].
_ANALYST_SCORES = {"negative": -1.0, "neutral": 0.0, "positive": 1.0}


@dataclass(frozen=True, slots=True)
class Correction:
    post_id: str
    text: str
    lang: str
    label: str
    user: str
    created_us: int


def record_correction(store: SqlStore, *, post_id: str, label: str, user: str) -> Post:
    """Store ``label`` as the analyst's sentiment of the post and set it on the stored post.

    Raises ``LookupError`` when no post has that id and ``ValueError`` for an unknown label.
    """
    if label not in LABELS:
        raise ValueError(f"label: must be one of {list(LABELS)}, not {label!r}")
    post = store.get_post(post_id)
    if post is None:
        raise LookupError(f"no post with id {post_id!r}")
    row = {
        "post_id": post_id,
        "text": post.text,
        "lang": post.lang or "und",
        "label": label,
        "user": user,
        "created_us": now_us(),
    }
    with store.engine.begin() as connection:
        # One correction per post: the latest replaces an earlier one (delete + insert works alike
        # on both engines).
        connection.execute(delete(sentiment_corrections).where(sentiment_corrections.c.post_id == post_id))
        connection.execute(insert(sentiment_corrections), [row])
    post.sentiment = Sentiment(label=label, score=_ANALYST_SCORES[label], model=ANALYST_MODEL)
    # Through upsert_posts, so the rollups move the post from its old sentiment to the new one.
    store.upsert_posts([post])
    return post


def list_corrections(store: SqlStore, *, lang: str | None = None) -> list[Correction]:
    """Corrections, oldest first (of one language when ``lang`` is given)."""
    query = select(sentiment_corrections).order_by(
        sentiment_corrections.c.created_us, sentiment_corrections.c.post_id
    )
    if lang is not None:
        query = query.where(sentiment_corrections.c.lang == lang)
    with store.engine.connect() as connection:
        rows = connection.execute(query).mappings().all()
    return [Correction(**dict(row)) for row in rows]


def correction_texts(store: SqlStore, *, lang: str) -> LabelledTexts:
    """``(texts, labels)`` of the corrections of ``lang``, ready for training."""
    found = list_corrections(store, lang=lang)
    return [item.text for item in found], [item.label for item in found]


def workspace_model_path(data_dir: Path, lang: str) -> Path:
    return Path(data_dir) / "models" / f"sentiment-{lang}.npz"


def load_workspace_models(data_dir: Path | None) -> dict[str, LinearSentimentModel]:
    """The workspace's own models in ``<data_dir>/models/`` by language (none when the folder is absent)."""
    if data_dir is None:
        return {}
    folder = Path(data_dir) / "models"
    if not folder.is_dir():
        return {}
    return {
        path.stem.removeprefix("sentiment-"): LinearSentimentModel.load(path)
        for path in sorted(folder.glob("sentiment-*.npz"))
    }


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
    (regularisation, class weights, lexicon), so the workspace model is built like the one it replaces.
    """
    corrections = correction_texts(store, lang=lang)
    if not corrections[0]:
        raise ValueError(f"no corrections in language {lang!r} to learn from")
    target = workspace_model_path(data_dir, lang)
    info: dict[str, object] = {}
    current = target if target.is_file() else default_model_path(lang)
    recorded = LinearSentimentModel.load(current) if current is not None else None
    if base is None:
        if recorded is None:
            raise ValueError(f"no model for {lang!r} records base data; train one with --data first")
        path, options = resolve_base_data(recorded, base_data)
        base = read_labelled_data(path, **options)
        info = {"data": recorded.info.get("data"), "data_options": options}
    options_of_current: dict[str, Any] = {}
    if recorded is not None:
        options_of_current = {
            "regularisation": float(recorded.info.get("regularisation", 1.0)),
            "class_weight": recorded.info.get("class_weight", "balanced"),
            "lexicon": recorded.recipe.lexicon,
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
