"""Brand accounts in the store (SQLAlchemy Core on the store's engine)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from veille.accounts.models import AccountSpec, BrandAccount, BusinessHours, handle_key
from veille.clock import from_us, now_us
from veille.store.schema import brand_accounts
from veille.store.sql import SqlStore

__all__ = [
    "delete_account",
    "find_account",
    "get_account",
    "insert_account",
    "insert_or_update",
    "list_accounts",
    "update_account",
]


def _account(row: Any) -> BrandAccount:
    hours = None
    if row.hours_tz:
        hours = BusinessHours(
            timezone=row.hours_tz, days=row.hours_days or "", start=row.hours_start, end=row.hours_end
        )
    return BrandAccount(
        id=int(row.id),
        platform=row.platform,
        handle=row.handle,
        brand=row.brand,
        country=row.country,
        ours=bool(row.ours),
        business_hours=hours,
        created_at=from_us(int(row.created_us)),
        updated_at=from_us(int(row.updated_us)),
    )


def _values(spec: AccountSpec) -> dict[str, Any]:
    hours = spec.business_hours
    return {
        "platform": spec.platform,
        "handle": spec.handle,
        "handle_key": handle_key(spec.handle),
        "brand": spec.brand,
        "country": spec.country,
        "ours": spec.ours,
        "hours_tz": hours.timezone if hours else None,
        "hours_days": ",".join(hours.days) if hours else None,
        "hours_start": hours.start if hours else None,
        "hours_end": hours.end if hours else None,
    }


def list_accounts(store: SqlStore, *, connection: Connection | None = None) -> list[BrandAccount]:
    """Every account, by brand, platform and handle."""
    query = select(brand_accounts).order_by(
        brand_accounts.c.brand, brand_accounts.c.platform, brand_accounts.c.handle_key
    )
    if connection is not None:
        return [_account(row) for row in connection.execute(query)]
    with store.engine.connect() as fresh:
        return [_account(row) for row in fresh.execute(query)]


def get_account(connection: Connection, account_id: int) -> BrandAccount | None:
    row = connection.execute(select(brand_accounts).where(brand_accounts.c.id == account_id)).first()
    return None if row is None else _account(row)


def find_account(connection: Connection, platform: str, key: str) -> BrandAccount | None:
    query = select(brand_accounts).where(
        brand_accounts.c.platform == platform, brand_accounts.c.handle_key == key
    )
    row = connection.execute(query).first()
    return None if row is None else _account(row)


def insert_account(connection: Connection, spec: AccountSpec) -> int:
    moment = now_us()
    result = connection.execute(
        insert(brand_accounts).values(**_values(spec), created_us=moment, updated_us=moment)
    )
    key = result.inserted_primary_key
    assert key is not None  # an autoincrement insert always returns its key
    return int(key[0])


def update_account(connection: Connection, account_id: int, spec: AccountSpec) -> None:
    connection.execute(
        update(brand_accounts)
        .where(brand_accounts.c.id == account_id)
        .values(**_values(spec), updated_us=now_us())
    )


def delete_account(connection: Connection, account_id: int) -> None:
    connection.execute(delete(brand_accounts).where(brand_accounts.c.id == account_id))


def insert_or_update(connection: Connection, specs: Sequence[AccountSpec]) -> tuple[int, int]:
    """Register each account, or update the one with the same platform and handle: (created, updated)."""
    created = updated = 0
    for spec in specs:
        existing = find_account(connection, *spec.key)
        if existing is None:
            insert_account(connection, spec)
            created += 1
        else:
            update_account(connection, existing.id, spec)
            updated += 1
    return created, updated
