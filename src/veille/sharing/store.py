"""Sharing in the store: the ``owner_team``, ``visibility`` and ``created_by`` columns each shared
table has (migration 0067), and the audit log entry of a change of sharing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Table, update
from sqlalchemy.engine import Connection

from veille.sharing.models import Sharing
from veille.store.audit import record_change

__all__ = ["record_sharing", "sharing_of_row", "write_sharing"]


def sharing_of_row(row: Any) -> Sharing:
    """The sharing of a row of a shared table (``visibility`` null reads ``organisation``)."""
    mapping = row._mapping if hasattr(row, "_mapping") else row
    return Sharing(
        owner_team=mapping.get("owner_team"),
        visibility=mapping.get("visibility") or "organisation",
        created_by=mapping.get("created_by"),
    )


def write_sharing(
    connection: Connection, table: Table, key: Column[Any], value: Any, sharing: Sharing
) -> None:
    connection.execute(
        update(table)
        .where(key == value)
        .values(owner_team=sharing.owner_team, visibility=sharing.visibility, created_by=sharing.created_by)
    )


def record_sharing(
    connection: Connection,
    *,
    actor: str,
    kind: str,
    object_id: str | int,
    before: Sharing | None,
    after: Sharing,
) -> None:
    """An audit log entry (action ``share``) when the sharing is new or changed."""
    if before == after:
        return
    record_change(
        connection,
        actor=actor,
        action="share",
        object_kind=kind,
        object_id=object_id,
        before=None if before is None else before.to_json_dict(),
        after=after.to_json_dict(),
    )
