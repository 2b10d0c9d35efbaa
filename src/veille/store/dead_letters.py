"""The dead-letter table: platform items a source read but could not turn into a post.

Nothing read is lost: an item the source could not map at all (no valid post can be made of it)
is kept here with its raw payload, the reason naming the field, the source, when it failed and how
many times it was tried. :func:`write_dead_letters` runs inside the transaction of
``SqlStore.upsert_posts``, the one that commits the batch's checkpoint, so the checkpoint never
moves past an item that went nowhere. The same payload refused again (a stream replayed after a
reconnect) is the same row, one more attempt.

Reading and replaying: :func:`list_dead_letters`, :func:`count_dead_letters` (the API and the
sources page); a replay stores the posts it now maps with ``upsert_posts(...,
resolved_dead_letters=ids)`` (posts written and letters removed in one transaction) and
:func:`record_attempts` for those still refused.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, func, select, update

from veille.clock import now_us
from veille.model import PostRejected
from veille.store.dialects import DialectSql
from veille.store.schema import dead_letters

__all__ = [
    "DeadLetter",
    "count_dead_letters",
    "delete_dead_letters",
    "list_dead_letters",
    "payload_key",
    "record_attempts",
    "write_dead_letters",
]


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """One stored item: what the platform sent, why it could not be a post, its history."""

    id: int
    source: str
    payload: Any
    reason: str
    first_failed_us: int
    last_attempt_us: int
    attempts: int

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "reason": self.reason,
            "payload": self.payload,
            "first_failed_at": self.first_failed_us / 1_000_000,
            "last_attempt_at": self.last_attempt_us / 1_000_000,
            "attempts": self.attempts,
        }


def payload_key(payload: Any) -> str:
    """SHA-256 of the payload's canonical JSON (key order and spacing do not matter)."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def write_dead_letters(
    connection: Connection, sql: DialectSql, source: str, rejected: Sequence[PostRejected]
) -> int:
    """Insert (or count one more attempt of) each refused item; returns how many were written."""
    if not rejected:
        return 0
    moment = now_us()
    rows: dict[str, dict[str, Any]] = {}
    for item in rejected:
        key = payload_key(item.payload)
        rows[key] = {
            "source": source,
            "payload_key": key,
            "payload": item.payload,
            "reason": item.reason[:2000],
            "first_failed_us": moment,
            "last_attempt_us": moment,
            "attempts": 1,
        }
    statement = sql.insert(dead_letters)
    statement = statement.on_conflict_do_update(
        index_elements=["source", "payload_key"],
        set_={
            "attempts": dead_letters.c.attempts + 1,
            "reason": statement.excluded.reason,
            "last_attempt_us": statement.excluded.last_attempt_us,
        },
    )
    connection.execute(statement, list(rows.values()))
    return len(rows)


def _letter(row: Any) -> DeadLetter:
    return DeadLetter(
        id=int(row["id"]),
        source=str(row["source"]),
        payload=row["payload"],
        reason=str(row["reason"]),
        first_failed_us=int(row["first_failed_us"]),
        last_attempt_us=int(row["last_attempt_us"]),
        attempts=int(row["attempts"]),
    )


def list_dead_letters(
    connection: Connection, source: str, *, limit: int = 100, after_id: int = 0
) -> list[DeadLetter]:
    """The dead letters of ``source``, oldest first, from the one after ``after_id``."""
    query = (
        select(dead_letters)
        .where(dead_letters.c.source == source, dead_letters.c.id > after_id)
        .order_by(dead_letters.c.id)
        .limit(limit)
    )
    return [_letter(row) for row in connection.execute(query).mappings()]


def count_dead_letters(connection: Connection, source: str | None = None) -> dict[str, int]:
    """How many dead letters each source has (only ``source`` when given)."""
    query = select(dead_letters.c.source, func.count()).group_by(dead_letters.c.source)
    if source is not None:
        query = query.where(dead_letters.c.source == source)
    return {str(name): int(count) for name, count in connection.execute(query).all()}


def delete_dead_letters(connection: Connection, ids: Iterable[int]) -> int:
    wanted = list(ids)
    if not wanted:
        return 0
    return int(connection.execute(delete(dead_letters).where(dead_letters.c.id.in_(wanted))).rowcount or 0)


def record_attempts(connection: Connection, failures: Mapping[int, str]) -> None:
    """One more attempt for each letter still refused, with the reason the current code gives."""
    moment = now_us()
    for letter_id, reason in failures.items():
        connection.execute(
            update(dead_letters)
            .where(dead_letters.c.id == letter_id)
            .values(attempts=dead_letters.c.attempts + 1, reason=reason[:2000], last_attempt_us=moment)
        )
