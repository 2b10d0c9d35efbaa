"""Curated influencers in the store: rows to entries and back, and the listing (the checked writes
are :class:`veille.store.handle_registry.HandleRegistry`'s)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from veille.clock import from_us
from veille.influencers.models import CuratedInfluencer, InfluencerSpec
from veille.store.schema import curated_influencers
from veille.store.sql import SqlStore
from veille.text import handle_key

__all__ = ["influencer_from_row", "influencer_values", "list_influencers"]


def influencer_from_row(row: Any) -> CuratedInfluencer:
    return CuratedInfluencer(
        id=int(row.id),
        platform=row.platform,
        handle=row.handle,
        category=row.category,
        country=row.country,
        name=row.name,
        created_at=from_us(int(row.created_us)),
        updated_at=from_us(int(row.updated_us)),
    )


def influencer_values(spec: InfluencerSpec) -> dict[str, Any]:
    return {
        "platform": spec.platform,
        "handle": spec.handle,
        "handle_key": handle_key(spec.handle),
        "category": spec.category,
        "country": spec.country,
        "name": spec.name,
    }


def list_influencers(
    store: SqlStore, *, category: str | None = None, country: str | None = None
) -> list[CuratedInfluencer]:
    query = select(curated_influencers)
    if category is not None:
        query = query.where(curated_influencers.c.category == category.lower())
    if country is not None:
        query = query.where(curated_influencers.c.country == country.upper())
    query = query.order_by(curated_influencers.c.platform, curated_influencers.c.handle_key)
    with store.engine.connect() as connection:
        return [influencer_from_row(row) for row in connection.execute(query)]
