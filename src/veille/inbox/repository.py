"""The inbox's rows in the store (SQLAlchemy Core): item states, events, saved replies, desk
settings, and the reads of posts, topics and people the queue needs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, insert, or_, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from veille.inbox.models import SavedReply, SavedReplySpec
from veille.model import Post
from veille.store import care_hours
from veille.store.care_hours import care_pairs
from veille.store.inbox_tables import inbox_accounts, inbox_events, inbox_items, saved_replies
from veille.store.schema import post_topics, posts, teams, topics, users
from veille.store.sql import SqlStore, _post_from_doc

__all__ = [
    "DeskRow",
    "PairRow",
    "StateRow",
    "acquire_lock",
    "add_event",
    "delete_saved_reply",
    "desk_rows",
    "ensure_state",
    "events",
    "fresh_pairs",
    "get_saved_reply",
    "inbound_rows",
    "insert_saved_reply",
    "list_saved_replies",
    "posts_by_id",
    "replies_to",
    "save_desk",
    "sensitive_topics",
    "states",
    "team_exists",
    "update_saved_reply",
    "update_state",
    "user_exists",
]

_CHUNK = 500


@dataclass(slots=True)
class StateRow:
    post_id: str
    account_id: int
    status: str
    assignee: str | None
    team: str | None
    lock_holder: str | None
    lock_until_us: int | None
    tags: list[str]
    disposition: str | None
    reply_post_id: str | None
    last_error: str | None
    updated_by: str
    updated_us: int


@dataclass(frozen=True, slots=True)
class DeskRow:
    account_id: int
    sla_s: float
    endpoint: str | None
    credentials: Any
    updated_by: str
    updated_us: int


@dataclass(frozen=True, slots=True)
class PairRow:
    """An inbound candidate of ``care_pairs``: a stored post addressing a registered handle, with
    its first response by that handle (``None``: none yet)."""

    post_id: str
    source: str
    handle: str
    created_us: int
    author_handle: str
    country: str
    first_response_us: int | None


def fresh_pairs(store: SqlStore) -> None:
    """Rebuild the care summaries when the account registry changed since they were built (what
    the care report does), so that the queue reads every inbound post of today's accounts."""
    with store.engine.connect() as connection:
        if care_hours.is_current(connection):
            return
    with store.engine.begin() as connection:
        if not care_hours.is_current(connection):
            care_hours.rebuild(connection)


def inbound_rows(
    connection: Connection,
    *,
    keys: Sequence[tuple[str, str]],
    start_us: int,
    end_us: int,
    post_id: str | None = None,
    topics_in: frozenset[str] | None = None,
) -> list[PairRow]:
    """Inbound candidates of the ``(platform, folded handle)`` keys created in ``[start_us, end_us)``
    (one post when ``post_id``), on posts matching one of ``topics_in`` when given."""
    if not keys or end_us <= start_us:
        return []
    conditions: list[Any] = [
        tuple_(care_pairs.c.source, care_pairs.c.handle).in_(list(keys)),
        care_pairs.c.created_us >= start_us,
        care_pairs.c.created_us < end_us,
    ]
    if post_id is not None:
        conditions.append(care_pairs.c.post_id == post_id)
    if topics_in is not None:
        conditions.append(
            care_pairs.c.post_id.in_(
                select(post_topics.c.post_id).where(post_topics.c.topic.in_(sorted(topics_in)))
            )
        )
    query = select(
        care_pairs.c.post_id,
        care_pairs.c.source,
        care_pairs.c.handle,
        care_pairs.c.created_us,
        care_pairs.c.author_handle,
        care_pairs.c.country,
        care_pairs.c.first_response_us,
    ).where(*conditions)
    return [
        PairRow(
            post_id=row.post_id,
            source=row.source,
            handle=row.handle,
            created_us=int(row.created_us),
            author_handle=row.author_handle,
            country=row.country,
            first_response_us=int(row.first_response_us) if row.first_response_us is not None else None,
        )
        for row in connection.execute(query)
    ]


def _state(row: Any) -> StateRow:
    return StateRow(
        post_id=row.post_id,
        account_id=int(row.account_id),
        status=row.status,
        assignee=row.assignee,
        team=row.team,
        lock_holder=row.lock_holder,
        lock_until_us=int(row.lock_until_us) if row.lock_until_us is not None else None,
        tags=list(row.tags or []),
        disposition=row.disposition,
        reply_post_id=row.reply_post_id,
        last_error=row.last_error,
        updated_by=row.updated_by,
        updated_us=int(row.updated_us),
    )


def _chunks(values: Sequence[str]) -> Iterable[list[str]]:
    for start in range(0, len(values), _CHUNK):
        yield list(values[start : start + _CHUNK])


def states(connection: Connection, post_ids: Sequence[str]) -> dict[str, StateRow]:
    found: dict[str, StateRow] = {}
    for chunk in _chunks(post_ids):
        for row in connection.execute(select(inbox_items).where(inbox_items.c.post_id.in_(chunk))):
            found[row.post_id] = _state(row)
    return found


def ensure_state(
    store: SqlStore, connection: Connection, *, post_id: str, account_id: int, by: str, now: int
) -> None:
    """The item's row, created ``new`` when missing (two desks creating it at once: one wins)."""
    values = {
        "post_id": post_id,
        "account_id": account_id,
        "status": "new",
        "tags": [],
        "updated_by": by,
        "updated_us": now,
    }
    statement = (postgres_insert if store.dialect == "postgresql" else sqlite_insert)(inbox_items)
    connection.execute(statement.values(**values).on_conflict_do_nothing(index_elements=["post_id"]))


def update_state(connection: Connection, post_id: str, **values: Any) -> None:
    connection.execute(update(inbox_items).where(inbox_items.c.post_id == post_id).values(**values))


def acquire_lock(connection: Connection, *, post_id: str, holder: str, until_us: int, now: int) -> bool:
    """Take (or extend) the lock unless someone else holds an unexpired one; True when taken."""
    result = connection.execute(
        update(inbox_items)
        .where(
            inbox_items.c.post_id == post_id,
            or_(
                inbox_items.c.lock_holder.is_(None),
                inbox_items.c.lock_holder == holder,
                inbox_items.c.lock_until_us < now,
            ),
        )
        .values(lock_holder=holder, lock_until_us=until_us)
    )
    return bool(result.rowcount)


def add_event(
    connection: Connection, *, post_id: str, who: str, action: str, detail: dict[str, Any], now: int
) -> None:
    connection.execute(
        insert(inbox_events).values(post_id=post_id, at_us=now, who=who, action=action, detail=detail)
    )


def events(connection: Connection, post_id: str) -> list[dict[str, Any]]:
    rows = connection.execute(
        select(inbox_events)
        .where(inbox_events.c.post_id == post_id)
        .order_by(inbox_events.c.at_us, inbox_events.c.id)
    )
    return [
        {"at_us": int(row.at_us), "who": row.who, "action": row.action, "detail": row.detail or {}}
        for row in rows
    ]


# -- posts, topics, people -------------------------------------------------------------------------


def posts_by_id(connection: Connection, post_ids: Sequence[str]) -> dict[str, Post]:
    found: dict[str, Post] = {}
    for chunk in _chunks(post_ids):
        for row in connection.execute(select(posts.c.id, posts.c.doc).where(posts.c.id.in_(chunk))):
            found[row.id] = _post_from_doc(row.doc)
    return found


def replies_to(connection: Connection, post_ids: Sequence[str]) -> list[Post]:
    found: list[Post] = []
    for chunk in _chunks(post_ids):
        query = select(posts.c.doc).where(posts.c.reply_to.in_(chunk)).order_by(posts.c.created_us).limit(200)
        found.extend(_post_from_doc(row.doc) for row in connection.execute(query))
    return found


def sensitive_topics(connection: Connection) -> set[str]:
    return {
        str(name)
        for name in connection.execute(select(topics.c.name).where(topics.c.kind == "sensitive")).scalars()
    }


def user_exists(connection: Connection, name: str) -> bool:
    return connection.execute(select(users.c.id).where(users.c.username == name)).first() is not None


def team_exists(connection: Connection, name: str) -> bool:
    return connection.execute(select(teams.c.id).where(teams.c.name == name)).first() is not None


# -- desk settings -----------------------------------------------------------------------------------


def desk_rows(connection: Connection) -> dict[int, DeskRow]:
    return {
        int(row.account_id): DeskRow(
            account_id=int(row.account_id),
            sla_s=float(row.sla_s),
            endpoint=row.endpoint,
            credentials=row.credentials,
            updated_by=row.updated_by,
            updated_us=int(row.updated_us),
        )
        for row in connection.execute(select(inbox_accounts))
    }


def save_desk(store: SqlStore, connection: Connection, values: dict[str, Any]) -> None:
    statement = (postgres_insert if store.dialect == "postgresql" else sqlite_insert)(inbox_accounts).values(
        **values
    )
    updates = {key: statement.excluded[key] for key in values if key != "account_id"}
    connection.execute(statement.on_conflict_do_update(index_elements=["account_id"], set_=updates))


# -- saved replies -----------------------------------------------------------------------------------


def _saved(row: Any) -> SavedReply:
    return SavedReply(
        id=int(row.id),
        name=row.name,
        kind=row.kind,
        lang=row.lang,
        text=row.text,
        created_by=row.created_by,
        created_us=int(row.created_us),
        updated_us=int(row.updated_us),
    )


def list_saved_replies(
    connection: Connection, *, lang: str | None = None, kind: str | None = None
) -> list[SavedReply]:
    query = select(saved_replies).order_by(saved_replies.c.lang, saved_replies.c.kind, saved_replies.c.name)
    if lang:
        query = query.where(saved_replies.c.lang == lang)
    if kind:
        query = query.where(saved_replies.c.kind == kind)
    return [_saved(row) for row in connection.execute(query)]


def get_saved_reply(connection: Connection, reply_id: int) -> SavedReply | None:
    row = connection.execute(select(saved_replies).where(saved_replies.c.id == reply_id)).first()
    return None if row is None else _saved(row)


def insert_saved_reply(connection: Connection, spec: SavedReplySpec, *, by: str, now: int) -> int:
    result = connection.execute(
        insert(saved_replies).values(
            name=spec.name,
            kind=spec.kind,
            lang=spec.lang,
            text=spec.text,
            created_by=by,
            created_us=now,
            updated_us=now,
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def update_saved_reply(connection: Connection, reply_id: int, spec: SavedReplySpec, *, now: int) -> bool:
    result = connection.execute(
        update(saved_replies)
        .where(saved_replies.c.id == reply_id)
        .values(name=spec.name, kind=spec.kind, lang=spec.lang, text=spec.text, updated_us=now)
    )
    return bool(result.rowcount)


def delete_saved_reply(connection: Connection, reply_id: int) -> bool:
    return bool(connection.execute(delete(saved_replies).where(saved_replies.c.id == reply_id)).rowcount)
