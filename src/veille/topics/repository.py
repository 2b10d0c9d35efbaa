"""Topics and post × topic matches in the store (SQLAlchemy Core on the store's engine)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update

from veille.clock import from_us, now_us, to_us
from veille.model import Post, TopicMatch
from veille.store import rollups
from veille.store.schema import post_topics, posts, topics
from veille.store.sql import SqlStore
from veille.topics.models import Topic, TopicSpec

__all__ = [
    "count_topics",
    "delete_topic",
    "get_topic",
    "insert_topics",
    "latest_posts",
    "list_topics",
    "post_batch_after",
    "posts_in_range_count",
    "replace_topic_matches",
    "topic_match_count",
    "update_topic",
]

# Bound parameters per statement stay well under SQLite's and psycopg's limits.
_ID_CHUNK = 2000
_COLUMNS = (
    "label",
    "query",
    "kind",
    "parent",
    "owner_team",
    "visibility",
    "colour",
    "description",
    "enabled",
)


def _topic(row: Any) -> Topic:
    return Topic(
        name=row.name,
        label=row.label,
        query=row.query,
        kind=row.kind,
        parent=row.parent,
        owner_team=row.owner_team,
        visibility=row.visibility or "organisation",
        created_by=row.created_by,
        colour=row.colour,
        description=row.description,
        enabled=bool(row.enabled),
        created_at=from_us(int(row.created_us)),
        updated_at=from_us(int(row.updated_us)),
    )


def list_topics(store: SqlStore, *, connection: Connection | None = None) -> list[Topic]:
    """Every topic, by name."""
    query = select(topics).order_by(topics.c.name)
    if connection is not None:
        return [_topic(row) for row in connection.execute(query)]
    with store.engine.connect() as fresh:
        return [_topic(row) for row in fresh.execute(query)]


def get_topic(store: SqlStore, name: str) -> Topic | None:
    with store.engine.connect() as connection:
        row = connection.execute(select(topics).where(topics.c.name == name)).first()
    return None if row is None else _topic(row)


def count_topics(store: SqlStore) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(topics)).scalar_one())


def insert_topics(
    connection: Connection, specs: Sequence[TopicSpec], *, created_by: str | None = None
) -> None:
    moment = now_us()
    rows = [
        {
            "name": spec.name,
            **{column: getattr(spec, column) for column in _COLUMNS},
            "created_by": created_by,
            "created_us": moment,
            "updated_us": moment,
        }
        for spec in specs
    ]
    if rows:
        connection.execute(insert(topics), rows)


def update_topic(connection: Connection, spec: TopicSpec) -> None:
    values = {column: getattr(spec, column) for column in _COLUMNS}
    connection.execute(update(topics).where(topics.c.name == spec.name).values(**values, updated_us=now_us()))


def delete_topic(connection: Connection, name: str) -> None:
    """The topic and its stored matches: its counters, its ``post_topics`` rows, and its name in the
    ``topics`` of every stored post (a deleted topic must not go on showing on posts)."""
    rollups.drop_topic(connection, name)
    while True:
        # The topic's index (topic, created_us) finds a batch; the batch's rows go once handled.
        chunk = list(
            connection.execute(
                select(post_topics.c.post_id).where(post_topics.c.topic == name).limit(_ID_CHUNK)
            ).scalars()
        )
        if not chunk:
            break
        _drop_from_documents(connection, name, chunk)
        connection.execute(
            delete(post_topics).where(post_topics.c.topic == name, post_topics.c.post_id.in_(chunk))
        )
    connection.execute(delete(topics).where(topics.c.name == name))


def _drop_from_documents(connection: Connection, name: str, post_ids: Sequence[str]) -> None:
    """Remove ``name`` from the ``topics`` list of the stored documents of ``post_ids``."""
    changed: list[dict[str, Any]] = []
    for post_id, doc in connection.execute(select(posts.c.id, posts.c.doc).where(posts.c.id.in_(post_ids))):
        document = json.loads(doc) if isinstance(doc, str) else doc
        matches = document.get("topics") or []
        kept = [match for match in matches if not (isinstance(match, dict) and match.get("name") == name)]
        if len(kept) != len(matches):
            changed.append({"target_id": post_id, "new_doc": {**document, "topics": kept}})
    if changed:
        statement = update(posts).where(posts.c.id == bindparam("target_id")).values(doc=bindparam("new_doc"))
        connection.execute(statement, changed)


def topic_match_count(store: SqlStore, name: str) -> int:
    with store.engine.connect() as connection:
        query = select(func.count()).select_from(post_topics).where(post_topics.c.topic == name)
        return int(connection.execute(query).scalar_one())


def post_batch_after(
    store: SqlStore, seq: int, *, limit: int, since_us: int | None = None
) -> list[tuple[int, Post]]:
    """Stored posts with a write sequence above ``seq``, oldest write first (for backfills)."""
    query = select(posts.c.seq, posts.c.doc).where(posts.c.seq > seq)
    if since_us is not None:
        query = query.where(posts.c.created_us >= since_us)
    query = query.order_by(posts.c.seq).limit(limit)
    with store.engine.connect() as connection:
        rows = connection.execute(query).all()
    return [(int(row.seq), _post_from_doc(row.doc)) for row in rows]


def posts_in_range_count(store: SqlStore, *, since_us: int | None = None) -> int:
    query = select(func.count()).select_from(posts)
    if since_us is not None:
        query = query.where(posts.c.created_us >= since_us)
    with store.engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


def latest_posts(store: SqlStore, limit: int) -> list[Post]:
    """The ``limit`` most recently written posts, newest first."""
    query = select(posts.c.doc).order_by(posts.c.seq.desc()).limit(limit)
    with store.engine.connect() as connection:
        return [_post_from_doc(doc) for doc in connection.execute(query).scalars()]


def replace_topic_matches(
    store: SqlStore,
    name: str,
    scanned: Sequence[Post],
    matches: dict[str, list[tuple[int, int]]],
) -> tuple[int, int]:
    """Make ``name``'s stored matches among the scanned posts equal ``matches`` (post id -> spans):
    the ``post_topics`` rows and each post's own ``topics`` list. Returns (posts that gained the
    topic, posts that lost it)."""
    gained = lost = 0
    changed_docs: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    for post in scanned:
        spans = matches.get(post.id)
        had = any(match.name == name for match in post.topics)
        updated = [match for match in post.topics if match.name != name]
        if spans is not None:
            updated.append(TopicMatch(name=name, spans=list(spans)))
            rows.append(
                {
                    "post_id": post.id,
                    "topic": name,
                    "created_us": to_us(post.created_at),
                    "spans": [list(span) for span in spans],
                }
            )
        gained += spans is not None and not had
        lost += had and spans is None
        if updated != post.topics:
            post.topics = updated
            changed_docs.append({"target_id": post.id, "new_doc": post.to_json_dict()})
    with store.engine.begin() as connection:
        rollups.move_topic(connection, name, [post.id for post in scanned], set(matches))
        for start in range(0, len(scanned), _ID_CHUNK):
            chunk_ids = [post.id for post in scanned[start : start + _ID_CHUNK]]
            connection.execute(
                delete(post_topics).where(post_topics.c.topic == name, post_topics.c.post_id.in_(chunk_ids))
            )
        if rows:
            connection.execute(insert(post_topics), rows)
        if changed_docs:
            statement = (
                update(posts).where(posts.c.id == bindparam("target_id")).values(doc=bindparam("new_doc"))
            )
            connection.execute(statement, changed_docs)
    return gained, lost


def _post_from_doc(doc: Any) -> Post:
    if isinstance(doc, str):  # SQLite drivers may hand JSON back as text
        return Post.model_validate_json(doc)
    return Post.model_validate(doc)
