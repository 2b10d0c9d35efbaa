"""Widgets under 100 ms: kept influencer rankings, and an index ranking posts by engagement.

- ``influencer_rankings`` (:mod:`veille.store.rankings`): each ranking of influencers computed from
  the posts, per set of inputs, with when and on what state of the store it was computed; filled
  on demand and by the hub's background refresh (:mod:`veille.influencers.rankings`), so nothing
  to backfill;
- ``ix_posts_engagement``: the posts by engagement (likes + reposts + replies, a missing count as
  0) then id, the order of the top-posts widget, so that the top N of a long range are the first
  N entries of the index that match the filters instead of a sort of every post of the range. An
  expression index, created in raw SQL (identical on both engines) and listed in
  ``veille.store.dialects.ENGINE_OWNED``; building it reads every post once (about a minute at 10
  million posts);
- ``care_days``: the care summaries of ``care_hours`` per UTC day (same columns, the day's start in
  ``bucket_us``), kept by the same write path; a 30-day care report reads whole days there and only
  the hours at the edges from ``care_hours`` (24 times fewer rows). Backfilled here from
  ``care_hours`` with today's ``veille.store.care_hours.rebuild_days``.

Revision ID: 0061_widget_speed
Revises: 0064_session_idle
"""

import sqlalchemy as sa
from alembic import op

revision = "0061_widget_speed"
down_revision = "0066_briefs"
branch_labels = None
depends_on = None

ENGAGEMENT_INDEX = (
    "CREATE INDEX IF NOT EXISTS ix_posts_engagement ON posts"
    " ((COALESCE(likes, 0) + COALESCE(reposts, 0) + COALESCE(replies, 0)) DESC, id)"
)


def upgrade() -> None:
    op.create_table(
        "influencer_rankings",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("family", sa.String(64), nullable=False),
        sa.Column("inputs", sa.Text, nullable=False),
        sa.Column("result", sa.Text),
        sa.Column("watermark", sa.String(200)),
        sa.Column("computed_us", sa.BigInteger),
        sa.Column("compute_ms", sa.Integer),
        sa.Column("wanted_us", sa.BigInteger),
        sa.Column("used_us", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_influencer_rankings_family", "influencer_rankings", ["family", "computed_us"])
    op.create_index("ix_influencer_rankings_used", "influencer_rankings", ["used_us"])
    op.execute(sa.text(ENGAGEMENT_INDEX))
    op.create_table(
        "care_days",
        sa.Column("source", sa.String(64), primary_key=True),
        sa.Column("handle", sa.String(200), primary_key=True),
        sa.Column("bucket_us", sa.BigInteger, primary_key=True),
        sa.Column("country", sa.String(2), primary_key=True),
        sa.Column("author_key", sa.String(200), primary_key=True),
        sa.Column("inbound", sa.BigInteger, nullable=False),
        sa.Column("responded", sa.BigInteger, nullable=False),
        sa.Column("times_us", sa.LargeBinary, nullable=False),
    )
    from veille.store import care_hours  # today's rule, on purpose (as 0058)

    care_hours.rebuild_days(op.get_bind())


def downgrade() -> None:
    op.drop_table("care_days")
    op.execute(sa.text("DROP INDEX IF EXISTS ix_posts_engagement"))
    op.drop_index("ix_influencer_rankings_used", table_name="influencer_rankings")
    op.drop_index("ix_influencer_rankings_family", table_name="influencer_rankings")
    op.drop_table("influencer_rankings")
