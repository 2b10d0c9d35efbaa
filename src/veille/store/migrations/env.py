"""Alembic environment: the hub passes its own connection in ``config.attributes["connection"]``.

``target_metadata`` is every table of the store: :mod:`veille.store.schema` and the rollup tables
:mod:`veille.store.rollups` declares on the same metadata, both imported here so that the
comparison (``alembic check``, ``--autogenerate``) never depends on what was imported before.
It leaves out what each engine's migrations create in raw SQL beside those tables
(:data:`veille.store.dialects.ENGINE_OWNED`), and on PostgreSQL it takes a covering index's
``INCLUDE`` payload for the trailing key columns the metadata lists (migration 0050_rollup_indexes).
On PostgreSQL the months of the partitioned posts and the write sequence's key are left out too
(migration 0071_posts_by_month).
"""

import warnings
from typing import Any

from alembic import context
from sqlalchemy import Index

from veille.store import inbox_tables, rankings, rollups, schema  # noqa: F401  (their tables join schema.metadata)
from veille.store.dialects import ENGINE_OWNED
from veille.store.partitions import PARTITION_NAME

connection = context.config.attributes["connection"]
_DIALECT = connection.dialect.name


def _same_covering_index(index: Index, reflected: Any) -> bool:
    """A PostgreSQL index whose keys then ``INCLUDE`` payload are the metadata index's columns.

    The metadata lists a covering index's columns as SQLite stores them (the measures as trailing
    key columns); PostgreSQL keeps those trailing columns as payload instead.
    """
    if _DIALECT != "postgresql" or not isinstance(reflected, Index):
        return False
    payload = list(reflected.dialect_options["postgresql"]["include"] or [])
    stored = [column.name for column in reflected.columns] + payload
    return bool(payload) and stored == [column.name for column in index.columns]


def _partitioned_posts_key(obj: Any, type_: str) -> bool:
    """PostgreSQL's posts are partitioned by month (migration 0071_posts_by_month): the write
    sequence cannot be a unique key there (it would have to hold ``created_us``); it is an index,
    ``ix_posts_seq``, engine-owned."""
    if _DIALECT != "postgresql" or type_ != "unique_constraint" or obj.table.name != "posts":
        return False
    return [column.name for column in obj.columns] == ["seq"]


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Whether the comparison sees ``obj`` (False for what the module docstring leaves out)."""
    if reflected:
        if type_ == "table" and _DIALECT == "postgresql" and name and PARTITION_NAME.match(name):
            return False  # a month of posts (veille.store.partitions)
        key = f"{obj.table.name}.{name}" if type_ == "column" else name
        return (type_, key) not in ENGINE_OWNED.get(_DIALECT, frozenset())
    if _partitioned_posts_key(obj, type_):
        return False
    return not (isinstance(obj, Index) and _same_covering_index(obj, compare_to))


context.configure(
    connection=connection,
    target_metadata=schema.metadata,
    render_as_batch=True,
    include_object=include_object,
    compare_server_default=True,
)
with context.begin_transaction(), warnings.catch_warnings():
    # SQLAlchemy cannot reflect SQLite's expression indexes (ix_posts_engagement, engine-owned above).
    warnings.filterwarnings("ignore", message="Skipped unsupported reflection of expression-based index")
    context.run_migrations()
