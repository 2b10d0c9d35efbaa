"""Dashboards, and each user's language and time zone.

``dashboards`` holds an analyst's dashboard: its shared filters and its widgets (type, title, grid
place, options) as JSON documents, an ``owner`` (the creating user) and a ``visibility`` (private,
team, organisation; "organisation" until teams and sharing arrive). ``users`` gains ``language``
and ``time_zone``, the preferences the pages are rendered with (null: the browser's).

Revision ID: 0054_dashboards
Revises: 0053_dead_letters
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0054_dashboards"
down_revision = "0053_dead_letters"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("language", sa.String(16)))
        batch.add_column(sa.Column("time_zone", sa.String(64)))
    op.create_table(
        "dashboards",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("filters", _JSON, nullable=False),
        sa.Column("widgets", _JSON, nullable=False),
        sa.Column("owner", sa.String(128), nullable=False),
        sa.Column("visibility", sa.String(16), nullable=False),
        sa.Column("created_us", sa.BigInteger, nullable=False),
        sa.Column("updated_us", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_dashboards_name", "dashboards", ["name"])


def downgrade() -> None:
    op.drop_index("ix_dashboards_name", table_name="dashboards")
    op.drop_table("dashboards")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("time_zone")
        batch.drop_column("language")
