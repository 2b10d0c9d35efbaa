"""Editorial briefs: a radar sub-topic turned into a content brief, and our content linked to it.

``editorial_briefs`` holds the brief (topic, sub-topic, key terms, title, status, notes, the radar
range it came from) and ``doc``, what was read when it was made; ``editorial_brief_links`` the posts
of ours linked to a brief.

Revision ID: 0066_briefs
Revises: 0064_session_idle
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0066_briefs"
down_revision = "0065_inbox"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "editorial_briefs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("topic", sa.String(64), nullable=False),
        sa.Column("subtopic", sa.String(200), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("notes", sa.Text, nullable=False),
        sa.Column("terms", _JSON, nullable=False),
        sa.Column("doc", _JSON, nullable=False),
        sa.Column("tz", sa.String(64), nullable=False),
        sa.Column("range_start_us", sa.BigInteger, nullable=False),
        sa.Column("range_end_us", sa.BigInteger, nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("created_us", sa.BigInteger, nullable=False),
        sa.Column("updated_us", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_editorial_briefs_topic", "editorial_briefs", ["topic"])
    op.create_table(
        "editorial_brief_links",
        sa.Column(
            "brief_id",
            sa.Integer,
            sa.ForeignKey("editorial_briefs.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("post_id", sa.String, primary_key=True),
        sa.Column("linked_by", sa.String(128), nullable=False),
        sa.Column("linked_us", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("editorial_brief_links")
    op.drop_index("ix_editorial_briefs_topic", table_name="editorial_briefs")
    op.drop_table("editorial_briefs")
