"""Join the two branches that both followed 0050_rollup_indexes: 0051_dead_letters (the dead-letter
table) and 0052_near_between (topics' NEAR rewrite), written in parallel. No schema change: a store
upgraded to either one gets the other, then this revision, and has one head again.

Revision ID: 0053_merge_0051_0052
Revises: 0051_dead_letters, 0052_near_between
"""

revision = "0053_merge_0051_0052"  # alembic_version holds 32 characters
down_revision = ("0051_dead_letters", "0052_near_between")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
