"""Registries of platform accounts keyed by ``(platform, folded handle)``.

The brand-account registry (``accounts``) and the curated influencer list (``influencers``) hold one
row per platform and folded handle, with creation and update times. Reading a row, finding one by
handle, and the check-then-write of creation, replacement, deletion and import are the same for
both; only the row's other columns, the domain object and the wording of refusals differ, and
those are what a domain gives :class:`HandleRegistry`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import Connection, Engine, Table, delete, insert, select, update

from veille.clock import now_us

__all__ = ["HandleRegistry", "KeyedSpec", "RegistryItem"]


class KeyedSpec(Protocol):
    @property
    def key(self) -> tuple[str, str]:
        """``(platform, folded handle)``: what makes an entry unique."""
        ...


class RegistryItem(Protocol):
    @property
    def id(self) -> int: ...


SpecT = TypeVar("SpecT", bound=KeyedSpec)
ItemT = TypeVar("ItemT", bound=RegistryItem)


@dataclass(frozen=True, slots=True)
class HandleRegistry(Generic[SpecT, ItemT]):
    """One registry table: ``item`` builds the domain object of a row, ``values`` the columns of a
    spec (without the times); ``not_found(id)`` and ``conflict(spec, other_id)`` build the domain's
    refusals (``other_id`` is None when creating)."""

    table: Table
    item: Callable[[Any], ItemT]
    values: Callable[[SpecT], dict[str, Any]]
    not_found: Callable[[int], Exception]
    conflict: Callable[[SpecT, int | None], Exception]

    # -- rows ----------------------------------------------------------------------------------
    def get(self, connection: Connection, item_id: int) -> ItemT | None:
        row = connection.execute(select(self.table).where(self.table.c.id == item_id)).first()
        return None if row is None else self.item(row)

    def find(self, connection: Connection, platform: str, key: str) -> ItemT | None:
        """The entry of ``platform`` whose folded handle is ``key``."""
        columns = self.table.c
        query = select(self.table).where(columns.platform == platform, columns.handle_key == key)
        row = connection.execute(query).first()
        return None if row is None else self.item(row)

    def insert(self, connection: Connection, spec: SpecT) -> int:
        moment = now_us()
        result = connection.execute(
            insert(self.table).values(**self.values(spec), created_us=moment, updated_us=moment)
        )
        key = result.inserted_primary_key
        assert key is not None  # an autoincrement insert always returns its key
        return int(key[0])

    def update(self, connection: Connection, item_id: int, spec: SpecT) -> None:
        connection.execute(
            update(self.table)
            .where(self.table.c.id == item_id)
            .values(**self.values(spec), updated_us=now_us())
        )

    def insert_or_update(self, connection: Connection, specs: Sequence[SpecT]) -> tuple[int, int]:
        """Add each entry, or update the one with the same key: ``(created, updated)``."""
        created = updated = 0
        for spec in specs:
            existing = self.find(connection, *spec.key)
            if existing is None:
                self.insert(connection, spec)
                created += 1
            else:
                self.update(connection, existing.id, spec)
                updated += 1
        return created, updated

    # -- checked changes, each in one transaction ----------------------------------------------
    def fetch(self, engine: Engine, item_id: int) -> ItemT:
        with engine.connect() as connection:
            found = self.get(connection, item_id)
        if found is None:
            raise self.not_found(item_id)
        return found

    def create(self, engine: Engine, spec: SpecT) -> ItemT:
        with engine.begin() as connection:
            if self.find(connection, *spec.key) is not None:
                raise self.conflict(spec, None)
            created = self.get(connection, self.insert(connection, spec))
        assert created is not None  # just inserted in this transaction
        return created

    def replace(self, engine: Engine, item_id: int, spec: SpecT) -> ItemT:
        """Replace every field (platform and handle may change, if no other entry has them)."""
        with engine.begin() as connection:
            if self.get(connection, item_id) is None:
                raise self.not_found(item_id)
            other = self.find(connection, *spec.key)
            if other is not None and other.id != item_id:
                raise self.conflict(spec, other.id)
            self.update(connection, item_id, spec)
            replaced = self.get(connection, item_id)
        assert replaced is not None
        return replaced

    def remove(self, engine: Engine, item_id: int) -> None:
        with engine.begin() as connection:
            result = connection.execute(delete(self.table).where(self.table.c.id == item_id))
        if not result.rowcount:
            raise self.not_found(item_id)

    def import_all(self, engine: Engine, specs: Sequence[SpecT]) -> tuple[int, int]:
        """:meth:`insert_or_update` in one transaction: importing the same file twice changes nothing."""
        with engine.begin() as connection:
            return self.insert_or_update(connection, specs)
