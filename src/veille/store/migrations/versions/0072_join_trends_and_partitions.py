"""Join the two migrations written side by side on 2026-12-08: kept trend results (0070) and the
posts partitioned by month on PostgreSQL (0071). Both start from 0061 and touch different tables,
so either order gives the same schema; this revision makes them one head again. No schema change.

Revision ID: 0072_join_trends_and_partitions
Revises: 0070_kept_trends, 0071_posts_by_month
"""

revision = "0072_join_trends_and_partitions"
down_revision = ("0070_kept_trends", "0071_posts_by_month")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
