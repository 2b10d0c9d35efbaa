"""The community-management inbox: item states, their events, saved replies, per-account desk settings.

Revision ID: 0065_inbox
Revises: 0064_session_idle
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0065_inbox"
down_revision = "0067_sharing_governance"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "inbox_items",
        sa.Column("post_id", sa.String, primary_key=True),
        sa.Column("account_id", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("assignee", sa.String(128)),
        sa.Column("team", sa.String(128)),
        sa.Column("lock_holder", sa.String(128)),
        sa.Column("lock_until_us", sa.BigInteger),
        sa.Column("tags", _JSON, nullable=False),
        sa.Column("disposition", sa.String(32)),
        sa.Column("reply_post_id", sa.String),
        sa.Column("last_error", sa.Text),
        sa.Column("updated_by", sa.String(128), nullable=False),
        sa.Column("updated_us", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_inbox_items_status", "inbox_items", ["status"])
    op.create_table(
        "inbox_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("post_id", sa.String, nullable=False),
        sa.Column("at_us", sa.BigInteger, nullable=False),
        sa.Column("who", sa.String(128), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("detail", _JSON, nullable=False),
    )
    op.create_index("ix_inbox_events_post", "inbox_events", ["post_id", "at_us"])
    op.create_table(
        "saved_replies",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("created_us", sa.BigInteger, nullable=False),
        sa.Column("updated_us", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_saved_replies_lang", "saved_replies", ["lang", "name"])
    op.create_table(
        "inbox_accounts",
        sa.Column("account_id", sa.Integer, primary_key=True),
        sa.Column("sla_s", sa.Float, nullable=False),
        sa.Column("endpoint", sa.String(500)),
        sa.Column("credentials", _JSON),
        sa.Column("updated_by", sa.String(128), nullable=False),
        sa.Column("updated_us", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("inbox_accounts")
    op.drop_index("ix_saved_replies_lang", table_name="saved_replies")
    op.drop_table("saved_replies")
    op.drop_index("ix_inbox_events_post", table_name="inbox_events")
    op.drop_table("inbox_events")
    op.drop_index("ix_inbox_items_status", table_name="inbox_items")
    op.drop_table("inbox_items")
