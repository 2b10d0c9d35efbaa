"""Per-hour customer-care summaries (``care_pairs``, ``care_hours``), backfilled from the stored posts.

The care report read inbound posts and paired them with their first responses at query time
(0.65–1.5 s at 10 million posts). ``veille.store.care_hours`` now keeps that pairing as posts are
written: ``care_pairs`` (one row per inbound post of a registered account, with its first
response) and ``care_hours`` (per account, hour, country and brand author: inbound and answered
counts and the exact response times). This migration creates both and fills them from
``post_addressees`` and the posts with today's ``rebuild`` (as 0055 does with today's rule: it
brings the tables to what the write path writes; a store whose addressee index still lacks older
posts is rebuilt again by the first report after indexing them).

Revision ID: 0058_care_hours
Revises: 0055_search_outside_urls
"""

import sqlalchemy as sa
from alembic import op

revision = "0058_care_hours"
down_revision = "0055_search_outside_urls"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "care_pairs",
        sa.Column("post_id", sa.String, primary_key=True),
        sa.Column("handle", sa.String(200), primary_key=True),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("created_us", sa.BigInteger, nullable=False),
        sa.Column("author_handle", sa.String, nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("first_response_us", sa.BigInteger),
    )
    op.create_index(
        "ix_care_pairs_account_created",
        "care_pairs",
        ["source", "handle", "created_us", "author_handle", "country", "first_response_us"],
    )
    op.create_table(
        "care_hours",
        sa.Column("source", sa.String(64), primary_key=True),
        sa.Column("handle", sa.String(200), primary_key=True),
        sa.Column("bucket_us", sa.BigInteger, primary_key=True),
        sa.Column("country", sa.String(2), primary_key=True),
        sa.Column("author_key", sa.String(200), primary_key=True),
        sa.Column("inbound", sa.BigInteger, nullable=False),
        sa.Column("responded", sa.BigInteger, nullable=False),
        sa.Column("times_us", sa.LargeBinary, nullable=False),
    )
    from veille.store import care_hours  # today's rule, on purpose (see above)

    care_hours.rebuild(op.get_bind())


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM checkpoints WHERE source = 'care_hours:registry'"))
    op.drop_table("care_hours")
    op.drop_index("ix_care_pairs_account_created", table_name="care_pairs")
    op.drop_table("care_pairs")
