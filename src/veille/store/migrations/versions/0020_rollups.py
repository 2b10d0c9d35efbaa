"""Per-minute and per-hour counters of the posts (``veille.analytics.rollups``), filled from the stored posts.

Revision ID: 0020_rollups
Revises: 0010_accounts
"""

import sqlalchemy as sa
from alembic import op

revision = "0020_rollups"
down_revision = "0010_accounts"
branch_labels = None
depends_on = None

_TABLES = ("rollup_minute", "rollup_hour")
_MEASURES = ("posts", "likes", "reposts", "replies", "views", "reach")


def upgrade() -> None:
    for name in _TABLES:
        op.create_table(
            name,
            sa.Column("bucket_us", sa.BigInteger, primary_key=True),
            sa.Column("topic", sa.String(64), primary_key=True),
            sa.Column("country", sa.String(2), primary_key=True),
            sa.Column("lang", sa.String(8), primary_key=True),
            sa.Column("sentiment", sa.String(8), primary_key=True),
            sa.Column("source", sa.String(64), primary_key=True),
            sa.Column("duplicate", sa.SmallInteger, primary_key=True),
            *[sa.Column(measure, sa.BigInteger, nullable=False) for measure in _MEASURES],
        )
        op.create_index(f"ix_{name}_topic_bucket", name, ["topic", "bucket_us"])
    # Counters for the posts already stored (the same computation as `veille rollups rebuild`).
    minute = "p.created_us - p.created_us % 60000000"
    dims = (
        "COALESCE(p.country, ''), COALESCE(p.lang, ''), COALESCE(p.sentiment_label, ''), p.source,"
        " CASE WHEN p.duplicate_of IS NULL THEN 0 ELSE 1 END"
    )
    sums = (
        "count(*), COALESCE(sum(p.likes), 0), COALESCE(sum(p.reposts), 0), COALESCE(sum(p.replies), 0),"
        " COALESCE(sum(p.views), 0), COALESCE(sum(p.author_followers), 0)"
    )
    group = "1, 2, 3, 4, 5, 6, 7"
    op.execute(
        f"INSERT INTO rollup_minute SELECT {minute}, '*', {dims}, {sums} FROM posts AS p GROUP BY {group}"
    )
    op.execute(
        f"INSERT INTO rollup_minute SELECT {minute}, t.topic, {dims}, {sums}"
        f" FROM posts AS p JOIN post_topics AS t ON t.post_id = p.id GROUP BY {group}"
    )
    op.execute(
        "INSERT INTO rollup_hour SELECT bucket_us - bucket_us % 3600000000, topic, country, lang, sentiment,"
        " source, duplicate, sum(posts), sum(likes), sum(reposts), sum(replies), sum(views), sum(reach)"
        f" FROM rollup_minute GROUP BY {group}"
    )


def downgrade() -> None:
    for name in _TABLES:
        op.drop_table(name)
