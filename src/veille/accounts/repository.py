"""Brand accounts in the store: rows to accounts and back, and the listing (the checked writes are
:class:`veille.store.handle_registry.HandleRegistry`'s)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from veille.accounts.models import AccountSpec, BrandAccount, BusinessHours, handle_key
from veille.clock import from_us
from veille.store.schema import brand_accounts
from veille.store.sql import SqlStore

__all__ = ["account_from_row", "account_values", "list_accounts"]


def account_from_row(row: Any) -> BrandAccount:
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
        owner_team=row.owner_team,
        visibility=row.visibility or "organisation",
        created_by=row.created_by,
        created_at=from_us(int(row.created_us)),
        updated_at=from_us(int(row.updated_us)),
    )


def account_values(spec: AccountSpec) -> dict[str, Any]:
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
        "owner_team": spec.owner_team,
        "visibility": spec.visibility,
    }


def list_accounts(store: SqlStore, *, connection: Connection | None = None) -> list[BrandAccount]:
    """Every account, by brand, platform and handle."""
    query = select(brand_accounts).order_by(
        brand_accounts.c.brand, brand_accounts.c.platform, brand_accounts.c.handle_key
    )
    if connection is not None:
        return [account_from_row(row) for row in connection.execute(query)]
    with store.engine.connect() as fresh:
        return [account_from_row(row) for row in fresh.execute(query)]
