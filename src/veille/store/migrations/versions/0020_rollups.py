"""Per-minute, per-hour and per-day counters of the posts (``veille.analytics.rollups``), filled from
the posts already stored.

Revision ID: 0020_rollups
Revises: 0010_accounts
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0020_rollups"
down_revision = "0010_accounts"
branch_labels = None
depends_on = None

_ALL = ("topic", "country", "lang", "sentiment", "source", "duplicate")
_GEO = ("topic", "country", "sentiment", "duplicate")
# (table, bucket width in µs, dimensions): the minute table first, the others are computed from it.
_SHAPES = (
    ("rollup_minute", 60_000_000, _ALL),
    ("rollup_hour", 3_600_000_000, _ALL),
    ("rollup_hour_geo", 3_600_000_000, _GEO),
    ("rollup_hour_topic", 3_600_000_000, ("topic", "sentiment", "duplicate")),
    ("rollup_day", 86_400_000_000, _ALL),
    ("rollup_day_geo", 86_400_000_000, _GEO),
)
_TYPES: dict[str, Any] = {
    "topic": sa.String(64),
    "country": sa.String(2),
    "lang": sa.String(8),
    "sentiment": sa.String(8),
    "source": sa.String(64),
    "duplicate": sa.SmallInteger(),
}
_MEASURES = ("posts", "likes", "reposts", "replies", "views", "reach")


def upgrade() -> None:
    for name, _unit, dims in _SHAPES:
        op.create_table(
            name,
            sa.Column("bucket_us", sa.BigInteger, primary_key=True),
            *[sa.Column(dim, _TYPES[dim], primary_key=True) for dim in dims],
            *[sa.Column(measure, sa.BigInteger, nullable=False) for measure in _MEASURES],
        )
        op.create_index(f"ix_{name}_topic_bucket", name, ["topic", "bucket_us"])
    # Counters for the posts already stored (the same computation as `veille rollups rebuild`).
    minute = "p.created_us - p.created_us % 60000000"
    dimensions = (
        "COALESCE(p.country, ''), COALESCE(p.lang, ''), COALESCE(p.sentiment_label, ''), p.source,"
        " CASE WHEN p.duplicate_of IS NULL THEN 0 ELSE 1 END"
    )
    sums = (
        "count(*), COALESCE(sum(p.likes), 0), COALESCE(sum(p.reposts), 0), COALESCE(sum(p.replies), 0),"
        " COALESCE(sum(p.views), 0), COALESCE(sum(p.author_followers), 0)"
    )
    group = "1, 2, 3, 4, 5, 6, 7"
    op.execute(
        f"INSERT INTO rollup_minute SELECT {minute}, '*', {dimensions}, {sums} FROM posts AS p GROUP BY {group}"
    )
    op.execute(
        f"INSERT INTO rollup_minute SELECT {minute}, t.topic, {dimensions}, {sums}"
        f" FROM posts AS p JOIN post_topics AS t ON t.post_id = p.id GROUP BY {group}"
    )
    measures = ", ".join(f"sum({measure})" for measure in _MEASURES)
    for name, unit, shape_dims in _SHAPES[1:]:
        listed = ", ".join(shape_dims)
        positions = ", ".join(str(index) for index in range(1, len(shape_dims) + 2))
        op.execute(
            f"INSERT INTO {name} SELECT bucket_us - bucket_us % {unit}, {listed}, {measures}"
            f" FROM rollup_minute GROUP BY {positions}"
        )


def downgrade() -> None:
    for name, _unit, _dims in _SHAPES:
        op.drop_table(name)
