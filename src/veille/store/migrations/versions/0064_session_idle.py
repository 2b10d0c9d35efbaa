"""Sessions: when each was last used, so that a session left idle ends (``[hub] session_idle_minutes``).

Existing sessions get none: they count as used at their next request.

Revision ID: 0064_session_idle
Revises: 0059_alerts
"""

import sqlalchemy as sa
from alembic import op

revision = "0064_session_idle"
down_revision = "0059_alerts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sessions", sa.Column("last_seen_us", sa.BigInteger, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("last_seen_us")
