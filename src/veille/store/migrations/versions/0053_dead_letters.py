"""Dead letters: platform items a source could not turn into a post, kept with their raw payload.

A source's batch carries the items it refused (``SourceBatch.rejected``); the pipeline writes them
here in the same transaction as the batch's posts and checkpoint, so a checkpoint never moves past
an item that went nowhere. ``veille sources replay-failed NAME`` maps them again after a fix.

Revision ID: 0053_dead_letters
Revises: 0052_near_between
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0053_dead_letters"
down_revision = "0052_near_between"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "dead_letters",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(128), nullable=False),
        # SHA-256 of the payload's canonical JSON: the same item refused again is one row.
        sa.Column("payload_key", sa.String(64), nullable=False),
        sa.Column("payload", _JSON),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("first_failed_us", sa.BigInteger, nullable=False),
        sa.Column("last_attempt_us", sa.BigInteger, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.UniqueConstraint("source", "payload_key", name="uq_dead_letters_source_payload"),
    )


def downgrade() -> None:
    op.drop_table("dead_letters")
