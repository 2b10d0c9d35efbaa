"""The store on SQLAlchemy Core: one implementation, two engines (SQLite and PostgreSQL).

What differs between the engines (connection set-up, write sequence, full-text syntax) is in
:mod:`veille.store.dialects`; everything else is written once here.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, and_, delete, func, or_, select, text
from sqlalchemy.engine import RowMapping

from veille.clock import now_us, to_us
from veille.model import Post, PostRejected
from veille.store import addressees, care_hours, dialects, partitions, rankings, rollups  # noqa: F401  (rankings: its table)
from veille.store import inbox_tables as _inbox_tables  # noqa: F401  (its tables join the metadata)
from veille.store.base import (
    Cursor,
    Page,
    PostSearch,
    StoredPost,
    decode_cursor,
    encode_cursor,
)
from veille.store.dead_letters import delete_dead_letters, write_dead_letters
from veille.store.fulltext import searchable_text
from veille.store.prepared import POST_COLUMNS, PreparedPosts, prepare_posts
from veille.store.schema import checkpoints, post_topics, posts
from veille.text import fold

__all__ = ["SqlStore", "open_store"]


def open_store(url: str, *, migrate: bool = True) -> SqlStore:
    """Open (and by default migrate) the store at a SQLAlchemy URL."""
    store = SqlStore(dialects.create_engine_for(url))
    if migrate:
        store.migrate()
    return store


def _alembic_config() -> Config:
    config = Config()
    script_location = resources.files("veille.store") / "migrations"
    config.set_main_option("script_location", str(Path(str(script_location))))
    return config


@lru_cache(maxsize=1)
def _head_revision() -> str | None:
    """The newest migration's revision, read from the scripts once per process."""
    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


class SqlStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self._sql = dialects.for_engine(engine)
        # PostgreSQL: whether posts is partitioned by month (migration 0071), learnt on first write.
        self._partitioned: bool | None = None
        self._partitions = partitions.PartitionCache()
        # Minute rollup rows older than this many days are pruned and never read (0: kept).
        self.minute_rollup_days = 0
        # PostgreSQL: posts and topic rows written with COPY (a staging table, then one upsert);
        # VEILLE_STORE_COPY=0 writes them with executemany instead (benchmarks compare the two).
        self.copy_writes = os.environ.get("VEILLE_STORE_COPY", "1") != "0"

    # -- schema -----------------------------------------------------------------------------
    def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision (a no-op when it is already there).

        A store already at the newest revision is told by one read of ``alembic_version``: every
        command and hub start opens the store, and Alembic's own run would load every migration."""
        with self.engine.connect() as connection:
            if MigrationContext.configure(connection).get_current_revision() == _head_revision():
                return
        config = _alembic_config()
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def close(self) -> None:
        self.engine.dispose()

    # -- writes -----------------------------------------------------------------------------
    def upsert_posts(
        self,
        posts_in: Sequence[Post],
        *,
        checkpoint: tuple[str, str | None] | None = None,
        dead_letters: tuple[str, Sequence[PostRejected]] | None = None,
        resolved_dead_letters: Sequence[int] = (),
    ) -> list[StoredPost]:
        """Upsert posts and, in the same transaction, commit the source's checkpoint, keep the
        items it refused (``dead_letters``: source name and rejects, raw payloads included) and
        remove the dead letters a replay has now stored (``resolved_dead_letters``)."""
        prepared = prepare_posts(posts_in)
        seqs = self.write_prepared(
            prepared,
            checkpoint=checkpoint,
            dead_letters=dead_letters,
            resolved_dead_letters=resolved_dead_letters,
        )
        assert prepared.posts is not None
        return [StoredPost(seq=seq, post=post) for seq, post in zip(seqs, prepared.posts, strict=True)]

    def write_prepared(
        self,
        prepared: PreparedPosts,
        *,
        checkpoint: tuple[str, str | None] | None = None,
        dead_letters: tuple[str, Sequence[PostRejected]] | None = None,
        resolved_dead_letters: Sequence[int] = (),
    ) -> list[int]:
        """:meth:`upsert_posts` of a batch already prepared (:func:`~veille.store.prepared.prepare_posts`,
        possibly on another thread or process); returns the write sequence numbers, in the order of
        ``prepared.ids``."""
        seqs: list[int] = []
        with self.engine.begin() as connection:
            if prepared.ids:
                seqs = self._sql.allocate_seq(connection, len(prepared.ids))
                ingested = now_us()
                partitioned = self._is_partitioned(connection)
                if partitioned:  # after allocate_seq's lock: one writer creates a month at a time
                    self._partitions.ensure(connection, [row[2] for row in prepared.rows])
                # Before the write: it reads the rows replaced.
                found = rollups.apply_prepared(
                    connection, prepared.ids, rollups.project(prepared.minute_sums)
                )
                if partitioned and found:
                    _delete_moved_posts(connection, prepared, found)
                rows = [(seq, ingested, *row) for seq, row in zip(seqs, prepared.rows, strict=True)]
                copy = self.dialect == "postgresql" and self.copy_writes
                if copy:
                    _copy_upsert_posts(connection, rows, partitioned)
                else:
                    connection.exec_driver_sql(
                        _posts_upsert_sql(connection.dialect.paramstyle, self.dialect, partitioned), rows
                    )
                _replace_post_topics(connection, prepared, self.dialect, copy=copy)
                # Care: whom each post addresses.
                addressees.index_prepared(connection, prepared.ids, prepared.originals, prepared.authors)
                # Care: pairs and hours, after the addressees.
                care_hours.apply_prepared(connection, prepared.ids, prepared.replies)
            if dead_letters is not None:
                write_dead_letters(connection, self._sql, *dead_letters)
            if resolved_dead_letters:
                delete_dead_letters(connection, resolved_dead_letters)
            if checkpoint is not None:
                self._write_checkpoint(connection, *checkpoint)
        return seqs

    def _is_partitioned(self, connection: Connection) -> bool:
        if self._partitioned is None:
            self._partitioned = partitions.is_partitioned(connection)
        return self._partitioned

    def minute_floor_us(self) -> int | None:
        """The oldest instant the minute rollups answer for (None: every instant)."""
        return rollups.minute_floor_us(self.minute_rollup_days, now=now_us())

    def maintain_partitions(self) -> list[str]:
        """PostgreSQL: create this month's and the next months' partitions of posts (hourly job)."""
        if self.dialect != "postgresql":
            return []
        with self.engine.begin() as connection:
            return partitions.ensure_ahead(connection)

    def set_checkpoint(self, source: str, value: str | None) -> None:
        with self.engine.begin() as connection:
            self._write_checkpoint(connection, source, value)

    def _write_checkpoint(self, connection: Connection, source: str, value: str | None) -> None:
        row = {"source": source, "checkpoint": value, "updated_us": now_us()}
        connection.execute(self._sql.upsert(checkpoints, ["source"]), [row])

    # -- reads ------------------------------------------------------------------------------
    def get_checkpoint(self, source: str) -> str | None:
        with self.engine.connect() as connection:
            value = connection.execute(
                select(checkpoints.c.checkpoint).where(checkpoints.c.source == source)
            ).scalar_one_or_none()
        return value

    def get_post(self, post_id: str) -> Post | None:
        with self.engine.connect() as connection:
            doc = connection.execute(select(posts.c.doc).where(posts.c.id == post_id)).scalar_one_or_none()
        return None if doc is None else _post_from_doc(doc)

    def sources_of(self, post_ids: list[str]) -> dict[str, str]:
        """The source of each of ``post_ids`` that is stored (the push API's ownership check)."""
        found: dict[str, str] = {}
        with self.engine.connect() as connection:
            for start in range(0, len(post_ids), 500):
                chunk = post_ids[start : start + 500]
                for row in connection.execute(
                    select(posts.c.id, posts.c.source).where(posts.c.id.in_(chunk))
                ):
                    found[row.id] = row.source
        return found

    def count_posts(self) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(posts)).scalar_one())

    def last_seq(self) -> int:
        with self.engine.connect() as connection:
            value = connection.execute(select(func.max(posts.c.seq))).scalar_one_or_none()
        return int(value or 0)

    def posts_after(self, seq: int, *, limit: int = 500) -> list[StoredPost]:
        query = select(posts.c.seq, posts.c.doc).where(posts.c.seq > seq).order_by(posts.c.seq).limit(limit)
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [StoredPost(seq=int(row.seq), post=_post_from_doc(row.doc)) for row in rows]

    def search_posts(self, search: PostSearch) -> Page:
        conditions: list[Any] = []
        if search.text:
            conditions.append(self._sql.full_text_condition(search.text))
        if search.since:
            conditions.append(posts.c.created_us >= to_us(search.since))
        if search.until:
            conditions.append(posts.c.created_us < to_us(search.until))
        if search.sources:
            conditions.append(posts.c.source.in_([source.lower() for source in search.sources]))
        if search.langs:
            conditions.append(posts.c.lang.in_([lang.lower() for lang in search.langs]))
        if search.authors:
            conditions.append(posts.c.author_handle.in_([fold(a.removeprefix("@")) for a in search.authors]))
        if search.cursor:
            after = decode_cursor(search.cursor)
            conditions.append(
                or_(
                    posts.c.created_us < after.created_us,
                    and_(posts.c.created_us == after.created_us, posts.c.id < after.post_id),
                )
            )
        query = (
            select(posts.c.id, posts.c.created_us, posts.c.doc)
            .where(and_(True, *conditions))
            .order_by(posts.c.created_us.desc(), posts.c.id.desc())
            .limit(search.limit + 1)
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        items = [_post_from_doc(row.doc) for row in rows[: search.limit]]
        next_cursor = None
        if len(rows) > search.limit:
            last = rows[search.limit - 1]
            next_cursor = encode_cursor(Cursor(int(last.created_us), str(last.id)))
        return Page(items=items, next_cursor=next_cursor)

    def full_text_condition(self, query: str) -> Any:
        """The SQL condition "the post matches this full-text search" (``q`` syntax) on this engine."""
        return self._sql.full_text_condition(query)

    def execute_text(self, sql: str, **params: Any) -> list[RowMapping]:
        """Run a read-only SQL statement (tests and diagnostics)."""
        with self.engine.connect() as connection:
            return list(connection.execute(text(sql), params).mappings())


# Bound parameters per statement stay well under SQLite's and psycopg's limits.
_ID_CHUNK = 2000


def _marker(paramstyle: str) -> str:
    return "?" if paramstyle == "qmark" else "%s"


@lru_cache(maxsize=8)
def _posts_upsert_sql(paramstyle: str, dialect: str, partitioned: bool = False) -> str:
    """One ``INSERT … ON CONFLICT (id) DO UPDATE`` over :data:`POST_COLUMNS`, for ``executemany``;
    ``(id, created_us)`` on the partitioned posts of PostgreSQL (its primary key)."""
    marker = _marker(paramstyle)
    json_marker = f"CAST({marker} AS jsonb)" if dialect == "postgresql" else marker
    values = [json_marker if column == "doc" else marker for column in POST_COLUMNS]
    keys = ("id", "created_us") if partitioned else ("id",)
    updates = ", ".join(f"{column} = excluded.{column}" for column in POST_COLUMNS if column not in keys)
    return (
        f"INSERT INTO posts ({', '.join(POST_COLUMNS)}) VALUES ({', '.join(values)}) "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}"
    )


def _delete_moved_posts(connection: Connection, prepared: PreparedPosts, found: dict[str, list[int]]) -> None:
    """Partitioned posts: a stored id whose ``created_us`` differs from the new version's leaves its
    old row (the upsert's key is ``(id, created_us)``); the rollups already moved it out."""
    created = {row[0]: int(row[2]) for row in prepared.rows}
    moved = [(post_id, old) for post_id, olds in found.items() for old in olds if old != created.get(post_id)]
    if moved:
        connection.exec_driver_sql(
            "DELETE FROM posts WHERE id = %s AND created_us = %s", [(post_id, old) for post_id, old in moved]
        )


@lru_cache(maxsize=8)
def _post_topics_insert_sql(paramstyle: str, dialect: str) -> str:
    marker = _marker(paramstyle)
    spans = f"CAST({marker} AS jsonb)" if dialect == "postgresql" else marker
    return f"INSERT INTO post_topics (post_id, topic, created_us, spans) VALUES ({marker}, {marker}, {marker}, {spans})"


def _replace_post_topics(
    connection: Connection, prepared: PreparedPosts, dialect: str, *, copy: bool = False
) -> None:
    """The posts' topic matches replace their old ones, in the posts' own transaction."""
    ids = prepared.ids
    for start in range(0, len(ids), _ID_CHUNK):
        connection.execute(
            delete(post_topics).where(post_topics.c.post_id.in_(ids[start : start + _ID_CHUNK]))
        )
    if not prepared.topic_rows:
        return
    if copy:
        with (
            _driver_cursor(connection) as cursor,
            cursor.copy("COPY post_topics (post_id, topic, created_us, spans) FROM STDIN") as writer,
        ):
            for row in prepared.topic_rows:
                writer.write_row(row)
        return
    connection.exec_driver_sql(
        _post_topics_insert_sql(connection.dialect.paramstyle, dialect), prepared.topic_rows
    )


def _driver_cursor(connection: Connection) -> Any:
    """A psycopg 3 cursor on the connection's own session (its transaction)."""
    return connection.connection.driver_connection.cursor()  # type: ignore[union-attr]


_STAGING = "posts_staging"


@lru_cache(maxsize=4)
def _staged_upsert_sql(partitioned: bool) -> str:
    keys = ("id", "created_us") if partitioned else ("id",)
    columns = ", ".join(POST_COLUMNS)
    updates = ", ".join(f"{column} = excluded.{column}" for column in POST_COLUMNS if column not in keys)
    return (
        f"INSERT INTO posts ({columns}) SELECT {columns} FROM {_STAGING} "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}"
    )


def _copy_upsert_posts(connection: Connection, rows: list[tuple[Any, ...]], partitioned: bool) -> None:
    """PostgreSQL: the rows COPYed into a session-local staging table (emptied at each commit), then
    one ``INSERT … SELECT … ON CONFLICT`` into posts: one statement instead of one per post."""
    connection.exec_driver_sql(
        f"CREATE TEMP TABLE IF NOT EXISTS {_STAGING} "
        f"(LIKE posts INCLUDING DEFAULTS EXCLUDING GENERATED) ON COMMIT DELETE ROWS"
    )
    # A failed batch leaves nothing behind either: its rows go with its rolled-back transaction.
    with (
        _driver_cursor(connection) as cursor,
        cursor.copy(f"COPY {_STAGING} ({', '.join(POST_COLUMNS)}) FROM STDIN") as writer,
    ):
        for row in rows:
            writer.write_row(row)
    connection.exec_driver_sql(_staged_upsert_sql(partitioned))


def _post_row(post: Post, *, seq: int, ingested_us: int) -> dict[str, Any]:
    sentiment = post.sentiment
    return {
        "id": post.id,
        "seq": seq,
        "source": post.source,
        "created_us": to_us(post.created_at),
        "ingested_us": ingested_us,
        "text": post.text,
        "search_text": searchable_text(post),
        "lang": post.lang,
        "country": post.country,
        "author_id": post.author.id,
        "author_handle": fold(post.author.handle),
        "author_name": post.author.name,
        "author_followers": post.author.followers,
        "author_verified": post.author.verified,
        "url": post.url,
        "reply_to": post.reply_to,
        "repost_of": post.repost_of,
        "quote_of": post.quote_of,
        "sentiment_label": sentiment.label if sentiment else None,
        "sentiment_score": sentiment.score if sentiment else None,
        "duplicate_of": post.duplicate_of,
        "is_brand_account": post.is_brand_account,
        "likes": post.metrics.likes,
        "reposts": post.metrics.reposts,
        "replies": post.metrics.replies,
        "views": post.metrics.views,
        "doc": post.to_json_dict(),
    }


def _post_from_doc(doc: Any) -> Post:
    if isinstance(doc, str):  # SQLite drivers may hand JSON back as text
        return Post.model_validate_json(doc)
    return Post.model_validate(doc)
