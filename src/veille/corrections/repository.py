"""Sentiment corrections in the store (table ``sentiment_corrections``)."""

from __future__ import annotations

from sqlalchemy import delete, insert, select

from veille.corrections.models import Correction
from veille.store.schema import sentiment_corrections
from veille.store.sql import SqlStore

__all__ = ["list_corrections", "save_correction"]


def save_correction(store: SqlStore, correction: Correction) -> None:
    """Keep ``correction``; one per post, so it replaces an earlier one of the same post."""
    with store.engine.begin() as connection:
        # Delete + insert works alike on both engines.
        connection.execute(
            delete(sentiment_corrections).where(sentiment_corrections.c.post_id == correction.post_id)
        )
        connection.execute(
            insert(sentiment_corrections),
            [
                {
                    "post_id": correction.post_id,
                    "text": correction.text,
                    "lang": correction.lang,
                    "label": correction.label,
                    "user": correction.user,
                    "created_us": correction.created_us,
                }
            ],
        )


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
