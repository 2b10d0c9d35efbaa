"""The report scheduler on a controlled clock: a report runs when its local time comes (not before),
once after a restart that missed several runs, as its owner, in its language, and its PDF reaches a
real local HTTP server through Apprise's ``json://`` (attached, base64), retried when the endpoint
fails, every attempt visible on the report.

The print itself is Chromium's (``tests/integration/reports/test_api.py`` prints for real); here the
scheduler is given a printer that records the page it was asked to print and answers a small PDF,
so that the clock, not Chromium, is what is tested.
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.webhook import webhook_server
from veille.access import UserAccess
from veille.dashboards import DashboardSpec
from veille.dashboards import service as dashboards
from veille.reports import ReportSpec
from veille.reports import service as reports
from veille.reports.scheduler import ReportScheduler
from veille.store.sql import SqlStore

PDF = b"%PDF-1.4\n% a printed dashboard\n"


class Clock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


class Printer:
    def __init__(self) -> None:
        self.pages: list[str] = []

    async def __call__(self, url: str) -> bytes:
        self.pages.append(url)
        return PDF


async def _until(condition: Callable[[], bool], timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "the condition did not come true in time"
        await asyncio.sleep(0.05)


def _setup(store: SqlStore) -> tuple[UserAccess, int, int]:
    access = UserAccess(store)
    user_id = access.add_user("ana", "a long enough password", role="analyst")
    dashboard = dashboards.create_dashboard(store=store, spec=DashboardSpec(name="Morning"), owner="ana")
    return access, user_id, dashboard.id


async def test_a_daily_report_runs_at_its_local_time_and_reaches_the_webhook(store: SqlStore) -> None:
    access, user_id, dashboard_id = _setup(store)
    clock = Clock(datetime(2026, 3, 28, 6, 0, tzinfo=UTC))  # 07:00 in Paris
    printer = Printer()
    with webhook_server(fail_first=1) as hook:
        spec = ReportSpec(
            name="Morning brief", dashboard_id=dashboard_id, at="09:00", timezone="Europe/Paris",
            language="fr", notify=[hook.url],
        )  # fmt: skip
        report = reports.create_report(
            store=store, spec=spec, owner="ana", owner_user_id=user_id, now=clock()
        )
        assert report.next_run == "2026-03-28T08:00:00Z"
        scheduler = ReportScheduler(
            store=store, access=access, base_url="http://127.0.0.1:9", public_url="https://veille.example",
            printer=printer, clock=clock, first_retry_s=0.05,
        )  # fmt: skip
        assert await scheduler.run_due() == []  # 07:00: not yet
        clock.moment = datetime(2026, 3, 28, 7, 59, 59, tzinfo=UTC)
        assert await scheduler.run_due() == []
        clock.moment = datetime(2026, 3, 28, 8, 0, 1, tzinfo=UTC)
        [run_id] = await scheduler.run_due()
        assert await scheduler.run_due() == []  # once
        # Printed as its owner, in its language, from the dashboard's report page.
        [page] = printer.pages
        assert page.startswith(f"http://127.0.0.1:9/dashboards/{dashboard_id}/report?print_session=")
        assert page.endswith("&lang=fr")
        scheduler.deliveries.start()

        def delivered() -> bool:
            runs = reports.get_report(store=store, report_id=report.id).runs
            return [d.status for d in runs[0].deliveries] == ["delivered"]

        try:
            await _until(lambda: len(hook.received) == 1)
            await _until(delivered)
        finally:
            await scheduler.deliveries.stop()
    body = hook.received[0]
    assert body["title"] == "Rapport : Morning brief"
    assert "quotidien « Morning brief »" in body["message"] and "28/03/2026 09:00" in body["message"]
    assert f"https://veille.example/api/v1/reports/{report.id}/runs/{run_id}/pdf" in body["message"]
    [attachment] = body["attachments"]
    assert attachment["mimetype"] == "application/pdf"
    assert attachment["filename"] == f"morning-brief-{run_id}.pdf"
    assert base64.b64decode(attachment["base64"]) == PDF
    shown = reports.get_report(store=store, report_id=report.id)
    assert shown.next_run == "2026-03-29T07:00:00Z"  # 09:00 CEST: the clocks went forward
    [run] = shown.runs
    assert run.trigger == "schedule" and run.status == "printed" and run.pdf_bytes == len(PDF)
    [delivery] = run.deliveries
    assert delivery.status == "delivered" and delivery.attempts == 2 and delivery.last_error
    assert delivery.target == f"json://127.0.0.1:{hook.port}/…"
    assert reports.report_pdf(store=store, report_id=report.id, run_id=run_id) == PDF
    # The print's session was closed after the print.
    session = page.split("print_session=")[1].split("&")[0]
    assert access.principal_for_session(session) is None


async def test_a_restart_after_missed_runs_runs_once(store: SqlStore) -> None:
    access, user_id, dashboard_id = _setup(store)
    clock = Clock(datetime(2026, 6, 1, 12, 0, tzinfo=UTC))
    spec = ReportSpec(
        name="Weekly", dashboard_id=dashboard_id, schedule="weekly", weekday="monday", at="08:00"
    )
    report = reports.create_report(store=store, spec=spec, owner="ana", owner_user_id=user_id, now=clock())
    assert report.next_run == "2026-06-08T08:00:00Z"
    printer = Printer()
    # The hub was stopped for three weeks: three Mondays passed.
    clock.moment = datetime(2026, 6, 25, 10, 0, tzinfo=UTC)
    scheduler = ReportScheduler(
        store=store, access=access, base_url="http://127.0.0.1:9", printer=printer, clock=clock
    )
    [run_id] = await scheduler.run_due()
    assert await scheduler.run_due() == []
    shown = reports.get_report(store=store, report_id=report.id)
    assert shown.next_run == "2026-06-29T08:00:00Z"  # the next Monday after now, not the missed ones
    assert [(run.id, run.trigger) for run in shown.runs] == [(run_id, "missed")]
    assert shown.runs[0].scheduled_for == "2026-06-08T08:00:00Z"


async def test_a_failed_print_is_on_the_report_and_a_disabled_report_never_runs(store: SqlStore) -> None:
    access, user_id, dashboard_id = _setup(store)
    clock = Clock(datetime(2026, 6, 1, 12, 0, tzinfo=UTC))

    async def broken(url: str) -> bytes:
        raise RuntimeError("chromium: no PDF was printed (exit 1)")

    with webhook_server() as hook:
        spec = ReportSpec(name="Daily", dashboard_id=dashboard_id, at="13:00", notify=[hook.url])
        report = reports.create_report(
            store=store, spec=spec, owner="ana", owner_user_id=user_id, now=clock()
        )
        off = reports.create_report(
            store=store, spec=spec.model_copy(update={"name": "Off", "enabled": False}), owner="ana",
            owner_user_id=user_id, now=clock(),
        )  # fmt: skip
        assert off.next_run is None
        scheduler = ReportScheduler(
            store=store, access=access, base_url="http://127.0.0.1:9", printer=broken, clock=clock
        )
        clock.moment += timedelta(days=3)
        [run_id] = await scheduler.run_due()
        scheduler.deliveries.start()
        try:
            [received] = await asyncio.to_thread(hook.wait_for, 1, timeout_s=30)
        finally:
            await scheduler.deliveries.stop()
    [run] = reports.get_report(store=store, report_id=report.id).runs
    assert run.id == run_id and run.status == "failed" and "no PDF was printed" in (run.error or "")
    assert run.pdf_bytes is None
    # The recipients learn that their report did not come, and why; nothing is attached.
    assert received["title"] == "Report not printed: Daily"
    assert "no PDF was printed" in received["message"] and received["attachments"] == []
    assert reports.get_report(store=store, report_id=off.id).runs == []


@pytest.mark.parametrize("owner_is_user", [True, False])
async def test_the_owner_prints_the_report(store: SqlStore, owner_is_user: bool) -> None:
    """A report printed as its owner; one created by the operator's token (no user), as an admin."""
    access, user_id, dashboard_id = _setup(store)
    admin_id = access.add_user("root", "another long password", role="admin")
    clock = Clock(datetime(2026, 6, 1, 12, 0, tzinfo=UTC))
    spec = ReportSpec(name="Daily", dashboard_id=dashboard_id, at="13:00")
    reports.create_report(
        store=store, spec=spec, owner="ana" if owner_is_user else "VEILLE_ADMIN_TOKEN",
        owner_user_id=user_id if owner_is_user else None, now=clock(),
    )  # fmt: skip
    seen: list[int | None] = []

    async def printer(url: str) -> bytes:
        session = url.split("print_session=")[1].split("&")[0]
        principal = access.principal_for_session(session)
        seen.append(None if principal is None else principal.user_id)
        return PDF

    scheduler = ReportScheduler(
        store=store, access=access, base_url="http://127.0.0.1:9", printer=printer, clock=clock
    )
    clock.moment += timedelta(hours=2)
    await scheduler.run_due()
    assert seen == [user_id if owner_is_user else admin_id]
