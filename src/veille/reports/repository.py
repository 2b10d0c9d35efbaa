"""Scheduled reports in the store: rows to reports, runs and deliveries, and the scheduler's queries."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from veille.alerts.repository import mask_url
from veille.clock import now_us, rfc3339_from_us
from veille.reports.models import Report, ReportDelivery, ReportRun
from veille.store.schema import report_deliveries, report_runs, reports

__all__ = [
    "add_delivery",
    "add_run",
    "due_deliveries",
    "due_reports",
    "finish_run",
    "report_from_row",
    "run_pdf",
    "runs_of",
    "update_delivery",
]

SHOWN_RUNS = 10
KEPT_PDFS = 5


def _moment(value: int | None) -> str | None:
    return None if value is None else rfc3339_from_us(int(value))


def _delivery(row: Any) -> ReportDelivery:
    return ReportDelivery(
        id=int(row.id),
        run_id=int(row.run_id),
        target=row.target,
        status=row.status,
        attempts=int(row.attempts),
        last_error=row.last_error,
        next_attempt_at=_moment(row.next_attempt_us) if row.status == "pending" else None,
        delivered_at=_moment(row.delivered_us),
        created_at=rfc3339_from_us(int(row.created_us)),
    )


def runs_of(connection: Connection, report_id: int, *, limit: int = SHOWN_RUNS) -> list[ReportRun]:
    """The report's last runs, newest first, each with its deliveries."""
    columns = [column for column in report_runs.c if column.name != "pdf"]
    rows = list(
        connection.execute(
            select(*columns)
            .where(report_runs.c.report_id == report_id)
            .order_by(report_runs.c.started_us.desc(), report_runs.c.id.desc())
            .limit(limit)
        )
    )
    ids = [int(row.id) for row in rows]
    by_run: dict[int, list[ReportDelivery]] = {run_id: [] for run_id in ids}
    if ids:
        for row in connection.execute(
            select(report_deliveries)
            .where(report_deliveries.c.run_id.in_(ids))
            .order_by(report_deliveries.c.id)
        ):
            by_run[int(row.run_id)].append(_delivery(row))
    return [
        ReportRun(
            id=int(row.id),
            trigger=row.trigger,
            scheduled_for=_moment(row.scheduled_us),
            started_at=rfc3339_from_us(int(row.started_us)),
            finished_at=_moment(row.finished_us),
            status=row.status,
            error=row.error,
            pdf_bytes=row.pdf_bytes,
            deliveries=by_run[int(row.id)],
        )
        for row in rows
    ]


def report_from_row(row: Any, runs: list[ReportRun]) -> Report:
    return Report.model_validate(
        {
            **row.spec,
            "id": int(row.id),
            "owner": row.owner,
            "next_run": _moment(row.next_run_us) if row.enabled else None,
            "last_run": _moment(row.last_run_us),
            "created_at": rfc3339_from_us(int(row.created_us)),
            "updated_at": rfc3339_from_us(int(row.updated_us)),
            "runs": runs,
        }
    )


def due_reports(connection: Connection, *, at_us: int) -> list[Any]:
    """Enabled reports whose next run has come, the most overdue first."""
    return list(
        connection.execute(
            select(reports)
            .where(reports.c.enabled.is_(True), reports.c.next_run_us <= at_us)
            .order_by(reports.c.next_run_us, reports.c.id)
        )
    )


def next_due_us(connection: Connection) -> int | None:
    """The earliest next run of an enabled report."""
    rows = connection.execute(
        select(reports.c.next_run_us)
        .where(reports.c.enabled.is_(True), reports.c.next_run_us.is_not(None))
        .order_by(reports.c.next_run_us)
        .limit(1)
    ).first()
    return None if rows is None else int(rows[0])


def add_run(connection: Connection, report_id: int, *, trigger: str, scheduled_us: int | None) -> int:
    result = connection.execute(
        insert(report_runs).values(
            report_id=report_id,
            trigger=trigger,
            scheduled_us=scheduled_us,
            started_us=now_us(),
            status="printing",
        )
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def finish_run(
    connection: Connection, run_id: int, report_id: int, *, pdf: bytes | None, error: str | None
) -> None:
    """Record the print (or why it failed); only the last few runs keep their PDF."""
    connection.execute(
        update(report_runs)
        .where(report_runs.c.id == run_id)
        .values(
            finished_us=now_us(),
            status="failed" if pdf is None else "printed",
            error=error,
            pdf=pdf,
            pdf_bytes=None if pdf is None else len(pdf),
        )
    )
    kept = [
        int(row.id)
        for row in connection.execute(
            select(report_runs.c.id)
            .where(report_runs.c.report_id == report_id, report_runs.c.pdf.is_not(None))
            .order_by(report_runs.c.id.desc())
            .limit(KEPT_PDFS)
        )
    ]
    if kept:
        connection.execute(
            update(report_runs)
            .where(
                report_runs.c.report_id == report_id,
                report_runs.c.pdf.is_not(None),
                report_runs.c.id.not_in(kept),
            )
            .values(pdf=None)
        )
    # The history shown is bounded too: runs beyond a hundred go (their deliveries with them).
    old = [
        int(row.id)
        for row in connection.execute(
            select(report_runs.c.id)
            .where(report_runs.c.report_id == report_id)
            .order_by(report_runs.c.id.desc())
            .offset(100)
        )
    ]
    if old:
        connection.execute(delete(report_deliveries).where(report_deliveries.c.run_id.in_(old)))
        connection.execute(delete(report_runs).where(report_runs.c.id.in_(old)))


def run_pdf(connection: Connection, report_id: int, run_id: int) -> bytes | None:
    row = connection.execute(
        select(report_runs.c.pdf).where(report_runs.c.id == run_id, report_runs.c.report_id == report_id)
    ).first()
    return None if row is None or row.pdf is None else bytes(row.pdf)


def add_delivery(
    connection: Connection, report_id: int, run_id: int, *, url: str, title: str, body: str
) -> int:
    moment = now_us()
    result = connection.execute(
        insert(report_deliveries).values(
            report_id=report_id,
            run_id=run_id,
            url=url,
            target=mask_url(url),
            status="pending",
            attempts=0,
            title=title,
            body=body,
            next_attempt_us=moment,
            created_us=moment,
        )
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def due_deliveries(connection: Connection, *, at_us: int) -> list[Any]:
    """Pending deliveries whose next attempt has come, with their run's PDF."""
    return list(
        connection.execute(
            select(report_deliveries, report_runs.c.pdf, reports.c.name.label("report_name"))
            .select_from(
                report_deliveries.join(report_runs, report_runs.c.id == report_deliveries.c.run_id).join(
                    reports, reports.c.id == report_deliveries.c.report_id
                )
            )
            .where(report_deliveries.c.status == "pending", report_deliveries.c.next_attempt_us <= at_us)
            .order_by(report_deliveries.c.next_attempt_us, report_deliveries.c.id)
        )
    )


def update_delivery(connection: Connection, delivery_id: int, values: dict[str, Any]) -> None:
    connection.execute(
        update(report_deliveries).where(report_deliveries.c.id == delivery_id).values(**values)
    )
