"""Sources added through the API (``[[sources]]`` tables kept as data), so they come back after a restart.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "source_configs",
        sa.Column("name", sa.String(128), primary_key=True),
        sa.Column("type", sa.String(32), nullable=False),
        # The table as the API received it (a secret may be a "${VAR}" reference or the value itself).
        sa.Column("config", _JSON, nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("created_us", sa.BigInteger, nullable=False),
        sa.Column("updated_us", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("source_configs")
