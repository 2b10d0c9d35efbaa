"""Sharing and official-account governance.

Topics, dashboards, walls, alert rules, sources and brand accounts get an owner team, a visibility
(private, team, organisation) and their creator; existing rows are owned by no team and seen by
the whole organisation, so nothing disappears (a dashboard's creator is its ``owner``). Requests to
open an official account and their review thread get their tables.

Revision ID: 0067_sharing_governance
Revises: 0064_session_idle
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0067_sharing_governance"
down_revision = "0069_reports"
branch_labels = None
depends_on = None

JsonDocument = sa.JSON().with_variant(JSONB(), "postgresql")

# table: the sharing columns it lacks
_ADDED = {
    "topics": ("visibility", "created_by"),
    "dashboards": ("owner_team", "created_by"),
    "walls": ("owner_team", "visibility", "created_by"),
    "alert_rules": ("owner_team", "visibility", "created_by"),
    "source_configs": ("owner_team", "visibility", "created_by"),
    "brand_accounts": ("owner_team", "visibility", "created_by"),
}


def _column(name: str) -> sa.Column:
    if name == "visibility":
        return sa.Column(name, sa.String(16), nullable=False, server_default="organisation")
    return sa.Column(name, sa.String(128), nullable=True)


def upgrade() -> None:
    for table, columns in _ADDED.items():
        with op.batch_alter_table(table) as batch:
            for name in columns:
                batch.add_column(_column(name))
    op.execute("UPDATE dashboards SET created_by = owner")
    op.execute("UPDATE walls SET created_by = owner")
    op.create_table(
        "account_requests",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("handle", sa.String(200), nullable=False),
        sa.Column("country", sa.String(2)),
        sa.Column("audience", sa.Text, nullable=False),
        sa.Column("not_addressed", sa.Text, nullable=False),
        sa.Column("editorial_line", sa.Text, nullable=False),
        sa.Column("people", sa.Integer, nullable=False),
        sa.Column("hours_per_week", sa.Float, nullable=False),
        sa.Column("goal", sa.Text, nullable=False),
        sa.Column("kpis", JsonDocument, nullable=False),
        sa.Column("brand", sa.String(128), nullable=False),
        sa.Column("owner_team", sa.String(128)),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("requested_by", sa.String(128), nullable=False),
        sa.Column("account_id", sa.Integer),
        sa.Column("created_us", sa.BigInteger, nullable=False),
        sa.Column("updated_us", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_account_requests_status", "account_requests", ["status", "created_us"])
    op.create_table(
        "account_request_comments",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "request_id",
            sa.Integer,
            sa.ForeignKey("account_requests.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("at_us", sa.BigInteger, nullable=False),
        sa.Column("author", sa.String(128), nullable=False),
        sa.Column("action", sa.String(24), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
    )
    op.create_index(
        "ix_account_request_comments_request", "account_request_comments", ["request_id", "at_us"]
    )


def downgrade() -> None:
    op.drop_table("account_request_comments")
    op.drop_table("account_requests")
    for table, columns in _ADDED.items():
        with op.batch_alter_table(table) as batch:
            for name in reversed(columns):
                batch.drop_column(name)
