"""Curated influencers in the store (SQLAlchemy Core on the store's engine)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from veille.clock import from_us, now_us
from veille.influencers.models import CuratedInfluencer, InfluencerSpec

# The table moves to store/schema.py with every other table (issue 10); import it from there then.
from veille.store.schema import curated_influencers
from veille.store.sql import SqlStore
from veille.text import handle_key

__all__ = [
    "delete_influencer",
    "find_influencer",
    "get_influencer",
    "insert_influencer",
    "insert_or_update",
    "list_influencers",
    "update_influencer",
]


def _influencer(row: Any) -> CuratedInfluencer:
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


def _values(spec: InfluencerSpec) -> dict[str, Any]:
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
        return [_influencer(row) for row in connection.execute(query)]


def get_influencer(connection: Connection, influencer_id: int) -> CuratedInfluencer | None:
    query = select(curated_influencers).where(curated_influencers.c.id == influencer_id)
    row = connection.execute(query).first()
    return None if row is None else _influencer(row)


def find_influencer(connection: Connection, platform: str, key: str) -> CuratedInfluencer | None:
    """The entry of ``platform`` whose folded handle is ``key``."""
    query = select(curated_influencers).where(
        curated_influencers.c.platform == platform, curated_influencers.c.handle_key == key
    )
    row = connection.execute(query).first()
    return None if row is None else _influencer(row)


def insert_influencer(connection: Connection, spec: InfluencerSpec) -> int:
    moment = now_us()
    result = connection.execute(
        insert(curated_influencers).values(**_values(spec), created_us=moment, updated_us=moment)
    )
    key = result.inserted_primary_key
    assert key is not None  # an autoincrement insert always returns its key
    return int(key[0])


def update_influencer(connection: Connection, influencer_id: int, spec: InfluencerSpec) -> None:
    connection.execute(
        update(curated_influencers)
        .where(curated_influencers.c.id == influencer_id)
        .values(**_values(spec), updated_us=now_us())
    )


def delete_influencer(connection: Connection, influencer_id: int) -> bool:
    """Whether an entry was deleted."""
    result = connection.execute(delete(curated_influencers).where(curated_influencers.c.id == influencer_id))
    return bool(result.rowcount)


def insert_or_update(connection: Connection, specs: Sequence[InfluencerSpec]) -> tuple[int, int]:
    """Add each entry, or update the one with the same platform and handle: ``(created, updated)``."""
    created = updated = 0
    for spec in specs:
        existing = find_influencer(connection, *spec.key)
        if existing is None:
            insert_influencer(connection, spec)
            created += 1
        else:
            update_influencer(connection, existing.id, spec)
            updated += 1
    return created, updated
