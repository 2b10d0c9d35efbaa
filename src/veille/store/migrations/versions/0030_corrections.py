"""Analysts' sentiment corrections (``veille.enrich.corrections``), the training data of a
workspace's own sentiment model.

Revision ID: 0030_corrections
Revises: 0040_influencers (the newest when this was written; revisions stay one line)
"""

import sqlalchemy as sa
from alembic import op

revision = "0030_corrections"
down_revision = "0040_influencers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sentiment_corrections",
        # One correction per post: a later one (by anyone) replaces it.
        sa.Column("post_id", sa.String, primary_key=True),
        # The text as corrected, so retraining needs no join and survives the post's deletion.
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("label", sa.String(8), nullable=False),
        sa.Column("user", sa.String(200), nullable=False),
        sa.Column("created_us", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_sentiment_corrections_lang_created", "sentiment_corrections", ["lang", "created_us"])


def downgrade() -> None:
    op.drop_index("ix_sentiment_corrections_lang_created", table_name="sentiment_corrections")
    op.drop_table("sentiment_corrections")
