"""Dashboards in the store (SQLAlchemy Core on the store's engine)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from veille.clock import from_us, now_us
from veille.dashboards.models import Dashboard, DashboardSpec
from veille.store.schema import dashboards
from veille.store.sql import SqlStore

__all__ = ["delete_dashboard", "get_dashboard", "insert_dashboard", "list_dashboards", "update_dashboard"]


def _dashboard(row: Any) -> Dashboard:
    return Dashboard.model_validate(
        {
            "id": int(row.id),
            "name": row.name,
            "description": row.description,
            "filters": row.filters,
            "widgets": row.widgets,
            "visibility": row.visibility,
            "owner_team": row.owner_team,
            "owner": row.owner,
            "created_at": from_us(int(row.created_us)),
            "updated_at": from_us(int(row.updated_us)),
        }
    )


def _values(spec: DashboardSpec) -> dict[str, Any]:
    document = spec.model_dump(mode="json", by_alias=True)
    return {
        "name": spec.name,
        "description": spec.description,
        "filters": document["filters"],
        "widgets": document["widgets"],
        "visibility": spec.visibility,
        "owner_team": spec.owner_team,
    }


def list_dashboards(store: SqlStore) -> list[Dashboard]:
    """Every dashboard, by name then id."""
    with store.engine.connect() as connection:
        rows = connection.execute(select(dashboards).order_by(dashboards.c.name, dashboards.c.id))
        return [_dashboard(row) for row in rows]


def get_dashboard(connection: Connection, dashboard_id: int) -> Dashboard | None:
    row = connection.execute(select(dashboards).where(dashboards.c.id == dashboard_id)).first()
    return None if row is None else _dashboard(row)


def insert_dashboard(connection: Connection, spec: DashboardSpec, *, owner: str) -> int:
    moment = now_us()
    result = connection.execute(
        insert(dashboards).values(
            **_values(spec), owner=owner, created_by=owner, created_us=moment, updated_us=moment
        )
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def update_dashboard(connection: Connection, dashboard_id: int, spec: DashboardSpec) -> bool:
    result = connection.execute(
        update(dashboards).where(dashboards.c.id == dashboard_id).values(**_values(spec), updated_us=now_us())
    )
    return result.rowcount > 0


def delete_dashboard(connection: Connection, dashboard_id: int) -> bool:
    result = connection.execute(delete(dashboards).where(dashboards.c.id == dashboard_id))
    return result.rowcount > 0
