"""Brand accounts (ours and competitors'), the registry behind the customer-care indicators, and
whom each post addresses (``post_addressees``) and a covering index of replies, which find the
posts addressed to an account and their responses by index.

Revision ID: 0010_accounts
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_accounts"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "brand_accounts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("handle", sa.String(200), nullable=False),
        sa.Column("handle_key", sa.String(200), nullable=False),
        sa.Column("brand", sa.String(128), nullable=False),
        sa.Column("country", sa.String(2)),
        sa.Column("ours", sa.Boolean, nullable=False),
        sa.Column("hours_tz", sa.String(64)),
        sa.Column("hours_days", sa.String(32)),
        sa.Column("hours_start", sa.String(5)),
        sa.Column("hours_end", sa.String(5)),
        sa.Column("created_us", sa.BigInteger, nullable=False),
        sa.Column("updated_us", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("platform", "handle_key", name="uq_brand_accounts_platform_handle"),
    )
    op.create_table(
        "post_addressees",
        sa.Column("post_id", sa.String, primary_key=True),
        sa.Column("handle", sa.String(200), primary_key=True),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("created_us", sa.BigInteger, nullable=False),
        sa.Column("author_handle", sa.String, nullable=False),
        sa.Column("country", sa.String(2)),
    )
    op.create_index("ix_post_addressees_handle_created", "post_addressees", ["handle", "created_us"])
    op.create_index(
        "ix_posts_reply_cover", "posts", ["reply_to", "source", "author_handle", "created_us", "seq"]
    )


def downgrade() -> None:
    op.drop_index("ix_posts_reply_cover", table_name="posts")
    op.drop_table("post_addressees")
    op.drop_table("brand_accounts")
