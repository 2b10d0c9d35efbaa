"""Trends under 100 ms: kept trend results (``trend_results``, :mod:`veille.store.rankings`).

The trends of hashtags and terms computed from the posts, per set of inputs (filters, scope,
options), with when and on what state of the store they were computed — the same shape as
``influencer_rankings`` (0061). Filled on demand and by the hub's background refresh
(:mod:`veille.analytics.kept_rankings`), so nothing to backfill.

Revision ID: 0070_kept_trends
Revises: 0061_widget_speed
"""

import sqlalchemy as sa
from alembic import op

revision = "0070_kept_trends"
down_revision = "0061_widget_speed"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "trend_results",
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
    op.create_index("ix_trend_results_family", "trend_results", ["family", "computed_us"])
    op.create_index("ix_trend_results_used", "trend_results", ["used_us"])


def downgrade() -> None:
    op.drop_index("ix_trend_results_used", table_name="trend_results")
    op.drop_index("ix_trend_results_family", table_name="trend_results")
    op.drop_table("trend_results")
