"""Teams with scopes, roles for users and tokens, and the audit log.

``teams`` holds a team's scope (topics, countries, sources: JSON lists, null for "no restriction");
``team_members`` who belongs to which team; ``users.role`` replaces the admin flag as the source of
rights (``admin``, ``analyst``, ``viewer``): former administrators become ``admin`` and the other
users ``analyst`` (they could already change topics; they lose the right to manage users and
sources, which an administrator never meant to give with ``--no-admin``). ``api_tokens`` gain a
``role`` (tokens without a user, such as ``VEILLE_ADMIN_TOKEN``, stay ``admin``) and
``api_token_teams`` their teams; ``audit_log`` records every change to configuration, sharing,
users, roles and tokens with who, when, what, before and after.

Revision ID: 0063_teams_roles
Revises: 0060_walls
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0063_teams_roles"
down_revision = "0060_walls"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(128), nullable=False, unique=True),
        sa.Column("scope_topics", _JSON),
        sa.Column("scope_countries", _JSON),
        sa.Column("scope_sources", _JSON),
        sa.Column("created_us", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "team_members",
        sa.Column("team_id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, primary_key=True),
    )
    op.create_index("ix_team_members_user", "team_members", ["user_id"])
    op.create_table(
        "api_token_teams",
        sa.Column("token_id", sa.Integer, primary_key=True),
        sa.Column("team_id", sa.Integer, primary_key=True),
    )
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("role", sa.String(16), nullable=False, server_default="analyst"))
    op.execute("UPDATE users SET role = 'admin' WHERE is_admin")
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("role", sa.String(16), nullable=False, server_default="admin"))
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at_us", sa.BigInteger, nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("object_kind", sa.String(64), nullable=False),
        sa.Column("object_id", sa.String(200), nullable=False),
        sa.Column("before", _JSON),
        sa.Column("after", _JSON),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at_us"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_table("audit_log")
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("role")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("role")
    op.drop_table("api_token_teams")
    op.drop_index("ix_team_members_user", table_name="team_members")
    op.drop_table("team_members")
    op.drop_table("teams")
