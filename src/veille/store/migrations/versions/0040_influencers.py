"""The curated list of influencers analysts maintain (``veille.analytics.curated``).

Revision ID: 0040_influencers
Revises: 0020_rollups
"""

import sqlalchemy as sa
from alembic import op

revision = "0040_influencers"
down_revision = "0020_rollups"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "curated_influencers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("handle", sa.String(200), nullable=False),
        sa.Column("handle_key", sa.String(200), nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("country", sa.String(2)),
        sa.Column("name", sa.String(200)),
        sa.Column("created_us", sa.BigInteger, nullable=False),
        sa.Column("updated_us", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("platform", "handle_key", name="uq_curated_influencers_platform_handle"),
    )


def downgrade() -> None:
    op.drop_table("curated_influencers")
