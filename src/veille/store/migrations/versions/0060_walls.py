"""Walls: canvases of screens with filters, moderation, scenes, versions and kiosk links.

``walls`` holds a wall's screens, filters, moderation rules and scenes as JSON documents, its
``version`` and the scene playlist's anchor (``anchor_scene`` started at ``anchor_us``, ``hold``);
``wall_versions`` keeps every saved document; ``wall_moderation`` a moderator's decision on a post
for a wall (approved, hidden, pinned); ``wall_links`` the SHA-256 of each kiosk link's token.

Revision ID: 0060_walls
Revises: 0058_care_hours
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0060_walls"
down_revision = "0058_care_hours"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "walls",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("screens", _JSON, nullable=False),
        sa.Column("filters", _JSON, nullable=False),
        sa.Column("moderation", _JSON, nullable=False),
        sa.Column("scenes", _JSON, nullable=False),
        sa.Column("owner", sa.String(128), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("anchor_scene", sa.Integer, nullable=False),
        sa.Column("anchor_us", sa.BigInteger, nullable=False),
        sa.Column("hold", sa.Boolean, nullable=False),
        sa.Column("created_us", sa.BigInteger, nullable=False),
        sa.Column("updated_us", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_walls_name", "walls", ["name"])
    op.create_table(
        "wall_versions",
        sa.Column("wall_id", sa.Integer, primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("doc", _JSON, nullable=False),
        sa.Column("saved_by", sa.String(128), nullable=False),
        sa.Column("saved_us", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "wall_moderation",
        sa.Column("wall_id", sa.Integer, primary_key=True),
        sa.Column("post_id", sa.String, primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("decided_by", sa.String(128), nullable=False),
        sa.Column("decided_us", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_wall_moderation_decided", "wall_moderation", ["wall_id", "decided_us"])
    op.create_table(
        "wall_links",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("wall_id", sa.Integer, nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("hint", sa.String(16), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("created_us", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_wall_links_wall", "wall_links", ["wall_id"])


def downgrade() -> None:
    op.drop_index("ix_wall_links_wall", table_name="wall_links")
    op.drop_table("wall_links")
    op.drop_index("ix_wall_moderation_decided", table_name="wall_moderation")
    op.drop_table("wall_moderation")
    op.drop_table("wall_versions")
    op.drop_index("ix_walls_name", table_name="walls")
    op.drop_table("walls")
