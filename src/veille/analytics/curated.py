"""The ``curated_influencers`` table (migration ``0040_influencers``).

The curated list itself is the :mod:`veille.influencers` domain; this table joins every other one
in ``store/schema.py`` (issue 10), and this module goes with it.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Integer, String, Table, UniqueConstraint

from veille.store.schema import metadata

__all__ = ["curated_influencers"]

# ``handle_key`` is the folded handle without ``@``, what ``posts.author_handle`` holds.
curated_influencers = Table(
    "curated_influencers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("platform", String(32), nullable=False),
    Column("handle", String(200), nullable=False),
    Column("handle_key", String(200), nullable=False),
    Column("category", String(16), nullable=False),
    Column("country", String(2)),
    Column("name", String(200)),
    Column("created_us", BigInteger, nullable=False),
    Column("updated_us", BigInteger, nullable=False),
    UniqueConstraint("platform", "handle_key", name="uq_curated_influencers_platform_handle"),
)
