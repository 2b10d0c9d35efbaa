"""Topics (saved queries as data) and the post × topic matches.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "topics",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("label", sa.String(200)),
        sa.Column("query", sa.Text, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("parent", sa.String(64)),
        sa.Column("owner_team", sa.String(128)),
        sa.Column("colour", sa.String(7)),
        sa.Column("description", sa.Text),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("created_us", sa.BigInteger, nullable=False),
        sa.Column("updated_us", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_topics_parent", "topics", ["parent"])
    op.create_table(
        "post_topics",
        sa.Column("post_id", sa.String, primary_key=True),
        sa.Column("topic", sa.String(64), primary_key=True),
        sa.Column("created_us", sa.BigInteger, nullable=False),
        sa.Column("spans", _JSON, nullable=False),
    )
    op.create_index("ix_post_topics_topic_created", "post_topics", ["topic", "created_us"])


def downgrade() -> None:
    op.drop_table("post_topics")
    op.drop_table("topics")
