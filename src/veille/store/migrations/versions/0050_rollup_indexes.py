"""Covering indexes on the small rollup tables, three more projections, and the addressee index
written with the posts.

Dashboards read the hour and day projections by topic and time range, often filtered on a country;
an index holding every column those queries read (the measures too) answers them from the index
alone, in the order they group by. On SQLite the measures are trailing key columns; PostgreSQL keeps
them as ``INCLUDE`` payload. ``rollup_hour_volume`` (topic, duplicate) holds a quarter of the rows of
``rollup_hour_topic`` for volume series; ``rollup_minute_geo`` and ``rollup_minute_topic`` serve
the minutes at a range's edges without a row per source and language.

``post_addressees`` is written by ``SqlStore.upsert_posts`` from this revision on; the checkpoint
``index:post_addressees:written_from`` records the last post sequence number written before, so
the care report only catches up older posts (``veille.analytics.care.refresh_addressee_index``).

Revision ID: 0050_rollup_indexes
Revises: 0030_corrections
"""

import time
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0050_rollup_indexes"
down_revision = "0030_corrections"
branch_labels = None
depends_on = None

_MEASURES = ["posts", "likes", "reposts", "replies", "views", "reach"]
# (name, table, key columns), replacing the (topic, bucket_us) index of each table. Time before
# country: a country-first order answers a country filter from fewer entries, but SQLite then also
# picks it to group by country without a filter and reads the topic's whole history.
_COVERING = (
    ("ix_rollup_hour_topic_cover", "rollup_hour_topic", ["topic", "bucket_us", "sentiment", "duplicate"]),
    (
        "ix_rollup_hour_geo_cover",
        "rollup_hour_geo",
        ["topic", "bucket_us", "country", "sentiment", "duplicate"],
    ),
    ("ix_rollup_hour_volume_cover", "rollup_hour_volume", ["topic", "bucket_us", "duplicate"]),
    (
        "ix_rollup_minute_geo_cover",
        "rollup_minute_geo",
        ["topic", "bucket_us", "country", "sentiment", "duplicate"],
    ),
    ("ix_rollup_minute_topic_cover", "rollup_minute_topic", ["topic", "bucket_us", "sentiment", "duplicate"]),
    (
        "ix_rollup_day_geo_cover",
        "rollup_day_geo",
        ["topic", "bucket_us", "country", "sentiment", "duplicate"],
    ),
)
_REPLACED = ("rollup_hour_topic", "rollup_hour_geo", "rollup_day_geo")
_WRITTEN_FROM = "index:post_addressees:written_from"


def _create_covering(name: str, table: str, keys: list[str]) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.create_index(name, table, keys, postgresql_include=_MEASURES)
    else:
        op.create_index(name, table, keys + _MEASURES)


# New projections: (table, bucket width in µs, dimensions, filled from).
_GEO = ["topic", "country", "sentiment", "duplicate"]
_PROJECTIONS = (
    ("rollup_minute_geo", 60_000_000, _GEO, "rollup_minute"),
    ("rollup_minute_topic", 60_000_000, ["topic", "sentiment", "duplicate"], "rollup_minute"),
    ("rollup_hour_volume", 3_600_000_000, ["topic", "duplicate"], "rollup_hour_topic"),
)
_TYPES: dict[str, Any] = {
    "topic": sa.String(64),
    "country": sa.String(2),
    "sentiment": sa.String(8),
    "duplicate": sa.SmallInteger(),
}


def _create_projections() -> None:
    """The new tables, filled from the finer ones already there (the same sums as a rebuild)."""
    sums = ", ".join(f"sum({measure})" for measure in _MEASURES)
    for name, _unit, dims, source in _PROJECTIONS:
        op.create_table(
            name,
            sa.Column("bucket_us", sa.BigInteger, primary_key=True),
            *[sa.Column(dim, _TYPES[dim], primary_key=True) for dim in dims],
            *[sa.Column(measure, sa.BigInteger, nullable=False) for measure in _MEASURES],
        )
        listed = ", ".join(dims)
        op.execute(
            f"INSERT INTO {name} SELECT bucket_us, {listed}, {sums} FROM {source} GROUP BY bucket_us, {listed}"
        )


def upgrade() -> None:
    _create_projections()
    for table in _REPLACED:
        op.drop_index(f"ix_{table}_topic_bucket", table_name=table)
    for name, table, keys in _COVERING:
        _create_covering(name, table, keys)
    bind = op.get_bind()
    # Stores migrated by an early 0010_accounts lack these (the care report used to create them).
    inspector = sa.inspect(bind)
    if not inspector.has_table("post_addressees"):
        op.create_table(
            "post_addressees",
            sa.Column("post_id", sa.String, primary_key=True),
            sa.Column("handle", sa.String(200), primary_key=True),
            sa.Column("source", sa.String(64), nullable=False),
            sa.Column("created_us", sa.BigInteger, nullable=False),
            sa.Column("author_handle", sa.String, nullable=False),
            sa.Column("country", sa.String(2)),
        )
        op.create_index("ix_post_addressees_handle_created", "post_addressees", ["handle", "created_us"])
    if "ix_posts_reply_cover" not in {index["name"] for index in inspector.get_indexes("posts")}:
        op.create_index(
            "ix_posts_reply_cover", "posts", ["reply_to", "source", "author_handle", "created_us", "seq"]
        )
    last: Any = bind.execute(sa.text("SELECT max(seq) FROM posts")).scalar()
    checkpoints = sa.table(
        "checkpoints", sa.column("source"), sa.column("checkpoint"), sa.column("updated_us")
    )
    op.execute(checkpoints.delete().where(checkpoints.c.source == _WRITTEN_FROM))
    op.execute(
        checkpoints.insert().values(
            source=_WRITTEN_FROM, checkpoint=str(int(last or 0)), updated_us=int(time.time() * 1_000_000)
        )
    )


def downgrade() -> None:
    checkpoints = sa.table("checkpoints", sa.column("source"))
    op.execute(checkpoints.delete().where(checkpoints.c.source == _WRITTEN_FROM))
    for name, table, _keys in _COVERING:
        op.drop_index(name, table_name=table)
    for table in _REPLACED:
        op.create_index(f"ix_{table}_topic_bucket", table, ["topic", "bucket_us"])
    for name, _unit, _dims, _source in _PROJECTIONS:
        op.drop_table(name)
