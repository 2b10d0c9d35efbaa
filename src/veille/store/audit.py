"""The audit log: every change to configuration, sharing, users, roles and tokens, with who made
it, when, what it touched, and the object before and after (secrets never: callers pass masked views).

Changes are recorded in the transaction that makes them, so the log never claims a change that was
rolled back nor misses one that was committed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from veille.clock import now_us
from veille.store.schema import audit_log
from veille.store.sql import SqlStore

__all__ = ["AuditEntry", "read_audit", "record_change"]


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at_us: int
    actor: str
    action: str
    object_kind: str
    object_id: str
    before: Any
    after: Any


def record_change(
    connection: Connection,
    *,
    actor: str,
    action: str,
    object_kind: str,
    object_id: str | int,
    before: Any = None,
    after: Any = None,
) -> None:
    """Add an entry in ``connection``'s transaction (``actor``: who, ``action``: create/update/delete/…)."""
    connection.execute(
        insert(audit_log).values(
            at_us=now_us(),
            actor=actor,
            action=action,
            object_kind=object_kind,
            object_id=str(object_id),
            before=before,
            after=after,
        )
    )


def read_audit(
    store: SqlStore,
    *,
    object_kind: str | None = None,
    actor: str | None = None,
    since_us: int | None = None,
    limit: int | None = None,
) -> Iterator[AuditEntry]:
    """Entries newest first, optionally of one kind of object, one actor, or since a time."""
    query = select(audit_log).order_by(audit_log.c.id.desc())
    if object_kind is not None:
        query = query.where(audit_log.c.object_kind == object_kind)
    if actor is not None:
        query = query.where(audit_log.c.actor == actor)
    if since_us is not None:
        query = query.where(audit_log.c.at_us >= since_us)
    if limit is not None:
        query = query.limit(limit)
    with store.engine.connect() as connection:
        for row in connection.execute(query):
            yield AuditEntry(
                id=row.id,
                at_us=row.at_us,
                actor=row.actor,
                action=row.action,
                object_kind=row.object_kind,
                object_id=row.object_id,
                before=row.before,
                after=row.after,
            )
