"""Scheduled reports: create, read, change and delete them (the API's operations), each change
setting the report's next run from its schedule."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update

from veille.access import Principal
from veille.clock import from_us, now_us, to_us
from veille.dashboards.service import DashboardNotFound, get_dashboard
from veille.errors import Forbidden, Invalid, NotFound
from veille.reports import repository
from veille.reports.models import Report, ReportSpec, next_run
from veille.store.schema import reports, team_members, teams
from veille.store.sql import SqlStore

__all__ = [
    "ReportNotFound",
    "create_report",
    "delete_report",
    "get_report",
    "list_reports",
    "report_pdf",
    "update_report",
    "visible_owners",
]


class ReportNotFound(NotFound):
    def __init__(self, report_id: int) -> None:
        super().__init__(f"report: no report with id {report_id}", field="report_id")


def _check(store: SqlStore, spec: ReportSpec) -> None:
    try:
        get_dashboard(store=store, dashboard_id=spec.dashboard_id)
    except DashboardNotFound:
        raise Invalid(
            f"dashboard_id: no dashboard with id {spec.dashboard_id}", field="dashboard_id"
        ) from None


def _next_us(spec: ReportSpec, *, after_us: int) -> int | None:
    if not spec.enabled:
        return None
    return to_us(next_run(spec, after=from_us(after_us)))


def visible_owners(store: SqlStore, viewer: Principal | None) -> tuple[set[str], set[int]] | None:
    """Whose reports ``viewer`` sees: ``None`` for everything (an admin, or the hub itself), else
    (owner names, owner user ids): their own and those of the members of their teams. A report
    holds its owner's scope: it is shown only inside the owner's teams."""
    if viewer is None or viewer.admin:
        return None
    names = {viewer.name}
    ids = {viewer.user_id} if viewer.user_id is not None else set()
    if viewer.teams:
        query = (
            select(team_members.c.user_id)
            .select_from(team_members.join(teams, teams.c.id == team_members.c.team_id))
            .where(teams.c.name.in_(list(viewer.teams)))
        )
        with store.engine.connect() as connection:
            ids.update(int(row.user_id) for row in connection.execute(query))
    return names, ids


def _visible(row: Any, owners: tuple[set[str], set[int]] | None) -> bool:
    if owners is None:
        return True
    names, ids = owners
    if row.owner_user_id is not None:
        return int(row.owner_user_id) in ids
    return row.owner in names


def list_reports(*, store: SqlStore, viewer: Principal | None = None) -> list[Report]:
    owners = visible_owners(store, viewer)
    with store.engine.connect() as connection:
        rows = list(connection.execute(select(reports).order_by(reports.c.name, reports.c.id)))
        return [
            repository.report_from_row(row, repository.runs_of(connection, int(row.id), limit=1))
            for row in rows
            if _visible(row, owners)
        ]


def get_report(*, store: SqlStore, report_id: int, viewer: Principal | None = None) -> Report:
    """The report (404 when unknown or not visible to ``viewer``)."""
    owners = visible_owners(store, viewer)
    with store.engine.connect() as connection:
        row = connection.execute(select(reports).where(reports.c.id == report_id)).first()
        if row is None or not _visible(row, owners):
            raise ReportNotFound(report_id)
        return repository.report_from_row(row, repository.runs_of(connection, report_id))


def create_report(
    *, store: SqlStore, spec: ReportSpec, owner: str, owner_user_id: int | None, now: datetime | None = None
) -> Report:
    _check(store, spec)
    moment = to_us(now) if now is not None else now_us()
    with store.engine.begin() as connection:
        result = connection.execute(
            insert(reports).values(
                name=spec.name,
                owner=owner,
                owner_user_id=owner_user_id,
                enabled=spec.enabled,
                spec=spec.model_dump(mode="json"),
                next_run_us=_next_us(spec, after_us=moment),
                created_us=moment,
                updated_us=moment,
            )
        )
        report_id = int(result.inserted_primary_key[0])  # type: ignore[index]
    return get_report(store=store, report_id=report_id)


def _owned(store: SqlStore, report_id: int, *, by: Principal | None) -> None:
    report = get_report(store=store, report_id=report_id, viewer=by)
    if by is not None and not by.admin and report.owner != by.name:
        raise Forbidden(
            f"owner: report {report_id} is {report.owner}'s; only its owner or an admin may change it",
            field="owner",
        )


def update_report(
    *,
    store: SqlStore,
    report_id: int,
    spec: ReportSpec,
    by: Principal | None = None,
    now: datetime | None = None,
) -> Report:
    """Replace the spec (the owner stays); the next run follows the new schedule."""
    _owned(store, report_id, by=by)
    _check(store, spec)
    moment = to_us(now) if now is not None else now_us()
    with store.engine.begin() as connection:
        connection.execute(
            update(reports)
            .where(reports.c.id == report_id)
            .values(
                name=spec.name,
                enabled=spec.enabled,
                spec=spec.model_dump(mode="json"),
                next_run_us=_next_us(spec, after_us=moment),
                updated_us=moment,
            )
        )
    return get_report(store=store, report_id=report_id)


def delete_report(*, store: SqlStore, report_id: int, by: Principal | None = None) -> None:
    _owned(store, report_id, by=by)
    with store.engine.begin() as connection:
        connection.execute(delete(reports).where(reports.c.id == report_id))


def report_pdf(*, store: SqlStore, report_id: int, run_id: int, viewer: Principal | None = None) -> bytes:
    get_report(store=store, report_id=report_id, viewer=viewer)
    with store.engine.connect() as connection:
        pdf = repository.run_pdf(connection, report_id, run_id)
    if pdf is None:
        raise NotFound(
            f"run: report {report_id} has no PDF kept for run {run_id} (only the last few are)",
            field="run_id",
        )
    return pdf
