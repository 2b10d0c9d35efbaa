"""API tokens: the sources a token may write through the push API (``POST /api/v1/posts``).

Null is the default, ``push`` only. The operator's tokens (no user, role admin: the
``VEILLE_ADMIN_TOKEN`` seed, ``veille token create``) keep writing every source: ``["*"]``.

Revision ID: 0068_token_push_sources
Revises: 0064_session_idle
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0068_token_push_sources"
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


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("push_sources")
