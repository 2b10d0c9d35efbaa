"""Sources added through the API, kept in the store (table ``source_configs``, migration 0003).

Their secret fields are stored sealed (``{"$encrypted": …}``, :class:`veille.security.SecretBox`):
the source manager seals them before :func:`save_source` and opens them after
:func:`list_saved_sources`; the key is never in the database.

Sources declared in ``veille.toml`` are not stored: the file is their source of truth. The table is
declared with every other one in :mod:`veille.store.schema`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update

from veille.clock import now_us
from veille.sharing import Sharing, sharing_of_row
from veille.store.schema import source_configs
from veille.store.sql import SqlStore

__all__ = [
    "SavedSource",
    "delete_source",
    "list_saved_sources",
    "replace_source_config",
    "save_source",
    "saved_sharing",
    "set_source_enabled",
]


@dataclass(frozen=True, slots=True)
class SavedSource:
    name: str
    type: str
    table: dict[str, Any]
    enabled: bool


def list_saved_sources(store: SqlStore) -> list[SavedSource]:
    with store.engine.connect() as connection:
        rows = connection.execute(select(source_configs).order_by(source_configs.c.created_us)).mappings()
        return [
            SavedSource(name=row["name"], type=row["type"], table=dict(row["config"]), enabled=row["enabled"])
            for row in rows
        ]


def saved_sharing(store: SqlStore) -> dict[str, Sharing]:
    """The sharing of each source added through the API (sources of veille.toml have none: the
    whole organisation sees them)."""
    columns = (
        source_configs.c.name,
        source_configs.c.owner_team,
        source_configs.c.visibility,
        source_configs.c.created_by,
    )
    with store.engine.connect() as connection:
        return {row.name: sharing_of_row(row) for row in connection.execute(select(*columns))}


def save_source(store: SqlStore, table: Mapping[str, Any], *, enabled: bool = True) -> None:
    """Insert a new source (the caller checked the name is free)."""
    now = now_us()
    with store.engine.begin() as connection:
        connection.execute(
            source_configs.insert().values(
                name=str(table["name"]),
                type=str(table["type"]),
                config=dict(table),
                enabled=enabled,
                created_us=now,
                updated_us=now,
            )
        )


def set_source_enabled(store: SqlStore, name: str, enabled: bool) -> None:
    with store.engine.begin() as connection:
        connection.execute(
            update(source_configs)
            .where(source_configs.c.name == name)
            .values(enabled=enabled, updated_us=now_us())
        )


def replace_source_config(store: SqlStore, name: str, table: Mapping[str, Any]) -> None:
    """Store ``table`` again for ``name`` (its secrets sealed by a newer hub)."""
    with store.engine.begin() as connection:
        connection.execute(
            update(source_configs)
            .where(source_configs.c.name == name)
            .values(config=dict(table), updated_us=now_us())
        )


def delete_source(store: SqlStore, name: str) -> bool:
    with store.engine.begin() as connection:
        result = connection.execute(delete(source_configs).where(source_configs.c.name == name))
        return bool(result.rowcount)
