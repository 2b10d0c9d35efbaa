"""Scheduled reports: ``reports`` (a dashboard printed daily or weekly and sent through Apprise),
``report_runs`` (each printing, its PDF kept for the retries) and ``report_deliveries`` (each run's
notification to one Apprise URL, its attempts and last error).

Revision ID: 0069_reports
Revises: 0064_session_idle
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0069_reports"
down_revision = "0068_push_sources_sso"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("owner", sa.String(128), nullable=False),
        sa.Column("owner_user_id", sa.Integer),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("spec", _JSON, nullable=False),
        sa.Column("next_run_us", sa.BigInteger),
        sa.Column("last_run_us", sa.BigInteger),
        sa.Column("created_us", sa.BigInteger, nullable=False),
        sa.Column("updated_us", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_reports_next_run", "reports", ["enabled", "next_run_us"])
    op.create_table(
        "report_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
        sa.Column("trigger", sa.String(16), nullable=False),
        sa.Column("scheduled_us", sa.BigInteger),
        sa.Column("started_us", sa.BigInteger, nullable=False),
        sa.Column("finished_us", sa.BigInteger),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("pdf", sa.LargeBinary),
        sa.Column("pdf_bytes", sa.Integer),
    )
    op.create_index("ix_report_runs_report", "report_runs", ["report_id", "started_us"])
    op.create_table(
        "report_deliveries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("report_runs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("target", sa.String(240), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("next_attempt_us", sa.BigInteger),
        sa.Column("delivered_us", sa.BigInteger),
        sa.Column("created_us", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_report_deliveries_run", "report_deliveries", ["run_id"])
    op.create_index("ix_report_deliveries_status_next", "report_deliveries", ["status", "next_attempt_us"])


def downgrade() -> None:
    op.drop_table("report_deliveries")
    op.drop_table("report_runs")
    op.drop_table("reports")
