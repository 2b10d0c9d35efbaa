"""Posts with full-text search, checkpoints, users, API tokens and sessions.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

_SQLITE_FTS = [
    # External-content FTS5 keyed by seq (stable across VACUUM, unlike an implicit rowid).
    "CREATE VIRTUAL TABLE posts_fts USING fts5(search_text, content='posts', content_rowid='seq', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER posts_fts_insert AFTER INSERT ON posts BEGIN "
    "INSERT INTO posts_fts(rowid, search_text) VALUES (new.seq, new.search_text); END",
    "CREATE TRIGGER posts_fts_delete AFTER DELETE ON posts BEGIN "
    "INSERT INTO posts_fts(posts_fts, rowid, search_text) VALUES ('delete', old.seq, old.search_text); END",
    "CREATE TRIGGER posts_fts_update AFTER UPDATE ON posts BEGIN "
    "INSERT INTO posts_fts(posts_fts, rowid, search_text) VALUES ('delete', old.seq, old.search_text); "
    "INSERT INTO posts_fts(rowid, search_text) VALUES (new.seq, new.search_text); END",
    # The write sequence: the first statement of a write transaction takes SQLite's write lock, so
    # concurrent writers (a hub and a `veille ingest`) never draw the same numbers.
    "CREATE TABLE seq_counter (name VARCHAR PRIMARY KEY, value BIGINT NOT NULL)",
    "INSERT INTO seq_counter (name, value) VALUES ('posts', 0)",
]

_POSTGRES_FTS = [
    "ALTER TABLE posts ADD COLUMN search_tsv tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED",
    "CREATE INDEX ix_posts_search_tsv ON posts USING gin (search_tsv)",
    "CREATE SEQUENCE IF NOT EXISTS posts_seq_counter",
]


def upgrade() -> None:
    op.create_table(
        "posts",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("seq", sa.BigInteger, nullable=False, unique=True),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("created_us", sa.BigInteger, nullable=False),
        sa.Column("ingested_us", sa.BigInteger, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("search_text", sa.Text, nullable=False),
        sa.Column("lang", sa.String(8)),
        sa.Column("country", sa.String(2)),
        sa.Column("author_id", sa.String),
        sa.Column("author_handle", sa.String, nullable=False),
        sa.Column("author_name", sa.String),
        sa.Column("author_followers", sa.BigInteger),
        sa.Column("author_verified", sa.Boolean, nullable=False),
        sa.Column("url", sa.Text),
        sa.Column("reply_to", sa.String),
        sa.Column("repost_of", sa.String),
        sa.Column("quote_of", sa.String),
        sa.Column("sentiment_label", sa.String(8)),
        sa.Column("sentiment_score", sa.Float),
        sa.Column("duplicate_of", sa.String),
        sa.Column("is_brand_account", sa.Boolean, nullable=False),
        sa.Column("likes", sa.BigInteger),
        sa.Column("reposts", sa.BigInteger),
        sa.Column("replies", sa.BigInteger),
        sa.Column("views", sa.BigInteger),
        sa.Column("doc", _JSON, nullable=False),
    )
    op.create_index("ix_posts_created", "posts", ["created_us", "id"])
    op.create_index("ix_posts_source_created", "posts", ["source", "created_us"])
    op.create_index("ix_posts_lang_created", "posts", ["lang", "created_us"])
    op.create_index("ix_posts_author_created", "posts", ["author_handle", "created_us"])
    op.create_index("ix_posts_reply_to", "posts", ["reply_to"])
    op.create_table(
        "checkpoints",
        sa.Column("source", sa.String, primary_key=True),
        sa.Column("checkpoint", sa.Text),
        sa.Column("updated_us", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(128), nullable=False, unique=True),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("is_admin", sa.Boolean, nullable=False),
        sa.Column("created_us", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("user_id", sa.Integer),
        sa.Column("created_us", sa.BigInteger, nullable=False),
        sa.Column("last_used_us", sa.BigInteger),
    )
    op.create_table(
        "sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("expires_us", sa.BigInteger, nullable=False),
    )
    dialect = op.get_bind().dialect.name
    for statement in _SQLITE_FTS if dialect == "sqlite" else _POSTGRES_FTS:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TABLE IF EXISTS posts_fts")
        op.execute("DROP TABLE IF EXISTS seq_counter")
    else:
        op.execute("DROP SEQUENCE IF EXISTS posts_seq_counter")
    for table in ("sessions", "api_tokens", "users", "checkpoints", "posts"):
        op.drop_table(table)
