"""API tokens: the sources a token may write through the push API (``POST /api/v1/posts``); users:
the OpenID Connect identity (issuer and subject) of a user signed in through single sign-on.

Null is the default, ``push`` only. The operator's tokens (no user, role admin: the
``VEILLE_ADMIN_TOKEN`` seed, ``veille token create``) keep writing every source: ``["*"]``.

Revision ID: 0068_push_sources_sso
Revises: 0064_session_idle
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0068_push_sources_sso"
down_revision = "0064_session_idle"
branch_labels = None
depends_on = None


def upgrade() -> None:
    kind = sa.JSON().with_variant(JSONB(), "postgresql")
    op.add_column("api_tokens", sa.Column("push_sources", kind, nullable=True))
    tokens = sa.table(
        "api_tokens",
        sa.column("user_id", sa.Integer),
        sa.column("role", sa.String),
        sa.column("push_sources", kind),
    )
    op.execute(
        tokens.update().where(tokens.c.user_id.is_(None), tokens.c.role == "admin").values(push_sources=["*"])
    )
    op.add_column("users", sa.Column("sso_subject", sa.String(512), nullable=True))
    op.create_index("ix_users_sso_subject", "users", ["sso_subject"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_users_sso_subject", table_name="users")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("sso_subject")
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("push_sources")
