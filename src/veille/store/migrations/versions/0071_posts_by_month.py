"""PostgreSQL: the posts table partitioned by month of ``created_us``.

The existing ``posts`` table is renamed, a partitioned ``posts`` with the same columns (the
generated ``search_tsv`` included) is created with one partition per month holding posts, the
current month and the next two (:mod:`veille.store.partitions`), and a default partition; every
index of the old table is created again on the new one (each partition gets its own), the rows are
copied, and the old table is dropped. The primary key becomes ``(id, created_us)`` (a partitioned
table's unique keys must hold the partition key; why an id stays unique: the module docstring of
``veille.store.partitions``) and the write sequence ``seq`` a plain index (its values come from
``posts_seq_counter``, unique by construction).

Copying rebuilds every index: 20,000 posts took 6.9 s on the 2-core development machine under load
(~0.35 ms per post), so plan up to an hour per ten million posts, with the writers stopped.
SQLite: nothing changes.

Revision ID: 0071_posts_by_month
Revises: 0061_widget_speed
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0071_posts_by_month"
down_revision = "0061_widget_speed"
branch_labels = None
depends_on = None

_OLD = "posts_unpartitioned"


def _indexes(bind: Any, table: str) -> list[tuple[str, str]]:
    """(name, definition) of the indexes of ``table`` that are not constraints."""
    rows = bind.execute(
        sa.text(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i"
            " WHERE i.tablename = :table AND i.schemaname = current_schema()"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname"
            "  AND c.connamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()))"
        ),
        {"table": table},
    )
    return [(str(name), str(definition)) for name, definition in rows]


def _columns(bind: Any, table: str) -> list[str]:
    """The columns of ``table`` that are written (the generated ``search_tsv`` is computed)."""
    rows = bind.execute(
        sa.text(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
            " AND table_name = :table AND is_generated = 'NEVER' ORDER BY ordinal_position"
        ),
        {"table": table},
    )
    return [str(name) for (name,) in rows]


def _rebuild(bind: Any, *, partitioned: bool) -> None:
    indexes = _indexes(bind, "posts")
    op.execute(sa.text(f"ALTER TABLE posts RENAME TO {_OLD}"))
    for name, _definition in indexes:
        op.execute(sa.text(f"DROP INDEX {name}"))
    constraints = bind.execute(
        sa.text(
            "SELECT conname FROM pg_constraint WHERE conrelid = to_regclass(:table) AND contype IN ('p', 'u')"
        ),
        {"table": _OLD},
    ).scalars()
    for name in list(constraints):
        op.execute(sa.text(f"ALTER TABLE {_OLD} DROP CONSTRAINT {name}"))
    like = f"(LIKE {_OLD} INCLUDING DEFAULTS INCLUDING GENERATED INCLUDING STORAGE)"
    if partitioned:
        from veille.store import partitions  # today's rule, on purpose

        op.execute(sa.text(f"CREATE TABLE posts {like} PARTITION BY RANGE (created_us)"))
        op.execute(sa.text("ALTER TABLE posts ADD CONSTRAINT posts_pkey PRIMARY KEY (id, created_us)"))
        op.execute(sa.text(f"CREATE TABLE {partitions.DEFAULT_PARTITION} PARTITION OF posts DEFAULT"))
        months = {
            partitions.month_of(int(value))
            for (value,) in bind.execute(
                sa.text(f"SELECT DISTINCT created_us - created_us % 86400000000 FROM {_OLD}")
            )
        }
        partitions.ensure_months(bind, months)
        partitions.ensure_ahead(bind)
        op.execute(sa.text("CREATE INDEX ix_posts_seq ON posts (seq)"))
    else:
        op.execute(sa.text(f"CREATE TABLE posts {like}"))
        op.execute(sa.text("ALTER TABLE posts ADD CONSTRAINT posts_pkey PRIMARY KEY (id)"))
        op.execute(sa.text("ALTER TABLE posts ADD CONSTRAINT posts_seq_key UNIQUE (seq)"))
    for name, definition in indexes:
        if name == "ix_posts_seq":
            continue
        op.execute(sa.text(definition))  # read before the rename: it names the table "posts"
    columns = ", ".join(_columns(bind, _OLD))
    op.execute(sa.text(f"INSERT INTO posts ({columns}) SELECT {columns} FROM {_OLD}"))
    op.execute(sa.text(f"DROP TABLE {_OLD}"))
    op.execute(sa.text("ANALYZE posts"))


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    _rebuild(bind, partitioned=True)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    _rebuild(bind, partitioned=False)
