"""What differs between SQLite and PostgreSQL: connection set-up, write sequence, full-text search.

What is indexed and how a search box is read are the same on both (:mod:`veille.store.fulltext`);
each engine here writes the search tree in its own syntax (FTS5 ``MATCH``, ``tsquery``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, Table, bindparam, create_engine, event, text
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.sql.elements import ColumnElement, TextClause

from veille.security import private_path
from veille.store.fulltext import FullTextAll, FullTextAny, FullTextNode, parse_full_text

__all__ = ["ENGINE_OWNED", "SQLITE_BUSY_TIMEOUT_MS", "DialectSql", "create_engine_for", "for_engine"]

# What each engine's migrations create in raw SQL beside the tables of veille.store.schema, for the
# code below (full-text search, the write sequence): (kind, name) as Alembic reports them, a column
# as "table.column". They are not in the Core metadata (a column there would be written by
# upserts), so the migration environment leaves them out of autogenerate's comparison.
ENGINE_OWNED: dict[str, frozenset[tuple[str, str]]] = {
    "sqlite": frozenset(
        {
            # The FTS5 index (migration 0001) and the shadow tables FTS5 keeps for it.
            ("table", "posts_fts"),
            ("table", "posts_fts_config"),
            ("table", "posts_fts_data"),
            ("table", "posts_fts_docsize"),
            ("table", "posts_fts_idx"),
            ("table", "seq_counter"),
            # The posts by engagement, an expression index (migration 0061).
            ("index", "ix_posts_engagement"),
        }
    ),
    "postgresql": frozenset(
        {
            ("column", "posts.search_tsv"),
            ("index", "ix_posts_search_tsv"),
            ("index", "ix_posts_engagement"),
            # The write sequence's index on the partitioned posts (migration 0071_posts_by_month).
            ("index", "ix_posts_seq"),
        }
    ),
}


def _fts5_match(node: FullTextNode) -> str:
    """FTS5 ``MATCH`` syntax: ``"a b"`` a phrase, ``"a"*`` a prefix, ``AND``/``OR`` and parentheses."""
    if isinstance(node, FullTextAll | FullTextAny):
        joiner = " AND " if isinstance(node, FullTextAll) else " OR "
        return "(" + joiner.join(_fts5_match(part) for part in node.parts) + ")"
    return '"' + " ".join(node.indexed) + '"' + ("*" if node.prefix else "")


def _tsquery(node: FullTextNode) -> str:
    """``to_tsquery`` syntax: ``a <-> b`` a phrase, ``a:*`` a prefix, ``&``/``|`` and parentheses."""
    if isinstance(node, FullTextAll | FullTextAny):
        joiner = " & " if isinstance(node, FullTextAll) else " | "
        return "(" + joiner.join(_tsquery(part) for part in node.parts) + ")"
    tokens = list(node.indexed)
    if node.prefix:
        tokens[-1] += ":*"
    return "(" + " <-> ".join(tokens) + ")"


# How long a SQLite statement waits for the write lock before "database is locked".
SQLITE_BUSY_TIMEOUT_MS = 30_000


def create_engine_for(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _private_database_file(Path(parsed.database))
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_on_connect)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


def _private_database_file(database: Path) -> None:
    """The data folder 0700 and the database 0600 (SQLite gives its -wal and -shm files the
    database's mode): the posts and the sealed secrets are the operator's alone."""
    folder = database.parent
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    private_path(folder, 0o700)
    if not database.exists():
        os.close(os.open(database, os.O_RDWR | os.O_CREAT, 0o600))
    private_path(database, 0o600)
    for suffix in ("-wal", "-shm"):
        private_path(database.with_name(database.name + suffix), 0o600)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


class DialectSql(Protocol):
    def allocate_seq(self, connection: Connection, count: int) -> list[int]:
        """Reserve ``count`` increasing write-sequence numbers."""
        ...

    def upsert(self, table: Table, keys: list[str]) -> Any: ...

    def insert(self, table: Table) -> Any:
        """The engine's INSERT, which has ``on_conflict_do_update`` and ``excluded``."""
        ...

    def full_text_condition(self, query: str) -> ColumnElement[bool] | TextClause: ...


class SqliteSql:
    def allocate_seq(self, connection: Connection, count: int) -> list[int]:
        last = connection.execute(
            text("UPDATE seq_counter SET value = value + :n WHERE name = 'posts' RETURNING value"),
            {"n": count},
        ).scalar_one()
        return list(range(int(last) - count + 1, int(last) + 1))

    def upsert(self, table: Table, keys: list[str]) -> Any:
        statement = sqlite_insert(table)
        updates = {c.name: statement.excluded[c.name] for c in table.columns if c.name not in keys}
        return statement.on_conflict_do_update(index_elements=keys, set_=updates)

    def insert(self, table: Table) -> Any:
        return sqlite_insert(table)

    def full_text_condition(self, query: str) -> TextClause:
        # unique: a statement may hold two searches (the box's words and a query's pre-filter).
        return text("posts.seq IN (SELECT rowid FROM posts_fts WHERE posts_fts MATCH :fts_query)").bindparams(
            bindparam("fts_query", _fts5_match(parse_full_text(query)), unique=True)
        )


class PostgresSql:
    def allocate_seq(self, connection: Connection, count: int) -> list[int]:
        # Held until commit: writers (several workers) commit in the order of their numbers, so a
        # live-stream reader resuming "after N" never misses a lower number committed later.
        connection.execute(text("SELECT pg_advisory_xact_lock(7263510)"))
        values = connection.execute(
            text("SELECT nextval('posts_seq_counter') FROM generate_series(1, :n)"), {"n": count}
        ).scalars()
        return sorted(int(value) for value in values)

    def upsert(self, table: Table, keys: list[str]) -> Any:
        statement = postgres_insert(table)
        updates = {c.name: statement.excluded[c.name] for c in table.columns if c.name not in keys}
        return statement.on_conflict_do_update(index_elements=keys, set_=updates)

    def insert(self, table: Table) -> Any:
        return postgres_insert(table)

    def full_text_condition(self, query: str) -> TextClause:
        return text("posts.search_tsv @@ to_tsquery('simple', :ts_query)").bindparams(
            bindparam("ts_query", _tsquery(parse_full_text(query)), unique=True)
        )


def for_engine(engine: Engine) -> DialectSql:
    name = engine.dialect.name
    if name == "sqlite":
        return SqliteSql()
    if name == "postgresql":
        return PostgresSql()
    raise ValueError(f"database: unsupported engine {name!r} (use SQLite or PostgreSQL)")
