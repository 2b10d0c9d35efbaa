"""Alerts: rules, the alerts (incidents) they raise, their timelines and their deliveries.

``alert_rules`` holds each rule's spec as a JSON document (``veille.alerts.models.RuleSpec``) with
its name, kind and ``enabled`` beside it for listing. ``alerts`` holds one row per incident: the
rule (``rule_id`` is kept null when the rule is deleted, its name stays), its latest figures, its
status (open, acknowledged, resolved, false_positive), assignee and playbook ticks. ``alert_events``
is each alert's timeline (who, when, what). ``alert_deliveries`` holds each notification to one
Apprise URL, its attempts, its last error and when it is tried again.

Revision ID: 0059_alerts
Revises: 0063_teams_roles
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0059_alerts"
down_revision = "0063_teams_roles"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "alert_rules",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("spec", _JSON, nullable=False),
        sa.Column("created_us", sa.BigInteger, nullable=False),
        sa.Column("updated_us", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("rule_id", sa.Integer),
        sa.Column("rule_name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("topic", sa.String(64)),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("opened_us", sa.BigInteger, nullable=False),
        sa.Column("updated_us", sa.BigInteger, nullable=False),
        sa.Column("posts", sa.Integer, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("figures", _JSON, nullable=False),
        sa.Column("assignee", sa.String(128)),
        sa.Column("playbook", _JSON, nullable=False),
        sa.Column("checked", _JSON, nullable=False),
        sa.Column("window_s", sa.Integer, nullable=False),
        sa.Column("query", sa.Text),
    )
    op.create_index("ix_alerts_status_opened", "alerts", ["status", "opened_us"])
    op.create_index("ix_alerts_rule", "alerts", ["rule_id"])
    op.create_table(
        "alert_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("alert_id", sa.Integer, sa.ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("at_us", sa.BigInteger, nullable=False),
        sa.Column("who", sa.String(128), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("data", _JSON, nullable=False),
    )
    op.create_index("ix_alert_events_alert", "alert_events", ["alert_id", "at_us"])
    op.create_table(
        "alert_deliveries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("alert_id", sa.Integer, sa.ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("target", sa.String(240), nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("next_attempt_us", sa.BigInteger),
        sa.Column("delivered_us", sa.BigInteger),
        sa.Column("created_us", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_alert_deliveries_alert", "alert_deliveries", ["alert_id"])
    op.create_index("ix_alert_deliveries_status_next", "alert_deliveries", ["status", "next_attempt_us"])


def downgrade() -> None:
    op.drop_index("ix_alert_deliveries_status_next", table_name="alert_deliveries")
    op.drop_index("ix_alert_deliveries_alert", table_name="alert_deliveries")
    op.drop_table("alert_deliveries")
    op.drop_index("ix_alert_events_alert", table_name="alert_events")
    op.drop_table("alert_events")
    op.drop_index("ix_alerts_rule", table_name="alerts")
    op.drop_index("ix_alerts_status_opened", table_name="alerts")
    op.drop_table("alerts")
    op.drop_table("alert_rules")
