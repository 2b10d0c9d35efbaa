"""The hub's report scheduler: prints each enabled report's dashboard when its time comes and sends
it through Apprise (:class:`~veille.reports.delivery.ReportDeliveryWorker`, retries with back-off).

It sleeps until the earliest next run of the store's reports (woken at once when a report is
created, changed or run by hand): no loop over the table meanwhile. Each report is printed by
Chromium from the dashboard's report page, **as its owner** (a session of two minutes opened for the
print and closed after it), in the report's language: the PDF holds only what the owner's team
scope lets them see. A report created by a token that belongs to no user (the operator's) is
printed as an administrator of the hub.

**Missed runs.** The next run is stored with the report and moved forward *before* the print
starts, to the first scheduled instant after now: a hub stopped over several scheduled times runs
the report once when it starts again (marked ``missed`` when it is more than ``missed_after_s``
late, and the message says so), never once per missed time; a crash during a print never prints it
again and again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select, update

from veille.access import Principal, UserAccess
from veille.alerts.delivery import FIRST_RETRY_S, send_with_apprise
from veille.clock import from_us, to_us
from veille.dashboards.service import DashboardNotFound, get_dashboard
from veille.reports import repository
from veille.reports.delivery import AttachingSender, ReportDeliveryWorker
from veille.reports.messages import report_message
from veille.reports.models import ReportSpec, next_run
from veille.reports.pdf import print_page_to_pdf
from veille.reports.service import ReportNotFound
from veille.store.schema import reports, users
from veille.store.sql import SqlStore

__all__ = ["Printer", "ReportScheduler"]

log = logging.getLogger(__name__)

Printer = Callable[[str], Awaitable[bytes]]
PRINT_SESSION_S = 180
MISSED_AFTER_S = 300
MAX_SLEEP_S = 3600.0


def _utc_now() -> datetime:
    return datetime.now(UTC)


class ReportScheduler:
    """Runs the store's scheduled reports; see the module docstring."""

    def __init__(
        self,
        *,
        store: SqlStore,
        access: UserAccess,
        base_url: str,
        public_url: str | None = None,
        printer: Printer = print_page_to_pdf,
        sender: AttachingSender = send_with_apprise,
        clock: Callable[[], datetime] = _utc_now,
        first_retry_s: float = FIRST_RETRY_S,
        missed_after_s: int = MISSED_AFTER_S,
    ) -> None:
        self.store = store
        self.access = access
        self.base_url = base_url.rstrip("/")
        self.public_url = (public_url or base_url).rstrip("/")
        self.printer = printer
        self.clock = clock
        self.missed_after_s = missed_after_s
        self.deliveries = ReportDeliveryWorker(store, sender=sender, first_retry_s=first_retry_s)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._printing = asyncio.Lock()

    # -- life cycle --------------------------------------------------------------------------
    def start(self) -> None:
        if self._task is None:
            self.deliveries.start()
            self._task = asyncio.create_task(self._run(), name="report-scheduler")

    async def stop(self) -> None:
        """Stop at once: a print under way is abandoned (its Chromium killed), deliveries too."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.deliveries.stop()

    def wake(self) -> None:
        """Look at the reports again now (one was created, changed or deleted)."""
        self._wake.set()

    def learn_base_url(self, base_url: str) -> None:
        """Where Chromium reaches this hub (the address an API request came in on, when served)."""
        self.base_url = base_url.rstrip("/")

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self.run_due()
                delay = await asyncio.to_thread(self._seconds_to_next)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("reports: a scheduling round failed")
                delay = 60.0
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=min(delay or MAX_SLEEP_S, MAX_SLEEP_S))

    def _seconds_to_next(self) -> float | None:
        with self.store.engine.connect() as connection:
            first = repository.next_due_us(connection)
        if first is None:
            return None
        return max(0.05, (first - to_us(self.clock())) / 1e6)

    # -- runs --------------------------------------------------------------------------------
    async def run_due(self, now: datetime | None = None) -> list[int]:
        """Run every enabled report whose time has come at ``now`` (once each); the runs' ids."""
        moment = now or self.clock()
        due = await asyncio.to_thread(self._claim_due, moment)
        run_ids = []
        for row, scheduled_us in due:
            late_s = (to_us(moment) - scheduled_us) / 1e6
            trigger = "missed" if late_s > self.missed_after_s else "schedule"
            run_ids.append(await self._run_report(row, trigger=trigger, scheduled_us=scheduled_us))
        return run_ids

    def _claim_due(self, moment: datetime) -> list[tuple[Any, int]]:
        """The due reports, each moved to its next run after ``moment`` before it is printed."""
        claimed = []
        with self.store.engine.begin() as connection:
            for row in repository.due_reports(connection, at_us=to_us(moment)):
                spec = ReportSpec.model_validate(row.spec)
                following = to_us(next_run(spec, after=moment))
                done = connection.execute(
                    update(reports)
                    .where(reports.c.id == row.id, reports.c.next_run_us == row.next_run_us)
                    .values(next_run_us=following, last_run_us=to_us(moment))
                )
                if done.rowcount == 1:  # another process did not take it first
                    claimed.append((row, int(row.next_run_us)))
        return claimed

    async def run_now(self, report_id: int) -> int:
        """Print and send the report now (``POST /api/v1/reports/{id}/run``); its schedule stays."""
        row = await asyncio.to_thread(self._row, report_id)
        return await self._run_report(row, trigger="manual", scheduled_us=None)

    def _row(self, report_id: int) -> Any:
        with self.store.engine.connect() as connection:
            row = connection.execute(select(reports).where(reports.c.id == report_id)).first()
        if row is None:
            raise ReportNotFound(report_id)
        return row

    async def _run_report(self, row: Any, *, trigger: str, scheduled_us: int | None) -> int:
        spec = ReportSpec.model_validate(row.spec)
        report_id = int(row.id)
        run_id = await asyncio.to_thread(self._add_run, report_id, trigger, scheduled_us)
        async with self._printing:  # one Chromium at a time
            try:
                pdf = await self._print(row, spec)
            except asyncio.CancelledError:
                await asyncio.to_thread(
                    self._finish, run_id, report_id, None, "the hub stopped during the print"
                )
                raise
            except Exception as error:
                message = str(error) or type(error).__name__
                log.warning("report %d (%s): not printed: %s", report_id, spec.name, message)
                await asyncio.to_thread(self._finish, run_id, report_id, None, message[:2000])
                if spec.notify:  # the recipients learn that their report did not come, and why
                    await asyncio.to_thread(
                        self._queue, row, spec, run_id, trigger, scheduled_us, message[:500]
                    )
                    self.deliveries.wake()
                return run_id
        await asyncio.to_thread(self._finish, run_id, report_id, pdf, None)
        if spec.notify:
            await asyncio.to_thread(self._queue, row, spec, run_id, trigger, scheduled_us)
            self.deliveries.wake()
        return run_id

    def _add_run(self, report_id: int, trigger: str, scheduled_us: int | None) -> int:
        with self.store.engine.begin() as connection:
            return repository.add_run(connection, report_id, trigger=trigger, scheduled_us=scheduled_us)

    def _finish(self, run_id: int, report_id: int, pdf: bytes | None, error: str | None) -> None:
        with self.store.engine.begin() as connection:
            repository.finish_run(connection, run_id, report_id, pdf=pdf, error=error)

    def _print_as(self, row: Any) -> Principal:
        """The owner, or for an owner that is no user (the operator's token), an administrator."""
        with self.store.engine.connect() as connection:
            if row.owner_user_id is not None:
                user = connection.execute(
                    select(users.c.id, users.c.username).where(users.c.id == row.owner_user_id)
                ).first()
                if user is None:
                    raise LookupError(f"owner: the user who owns the report ({row.owner}) no longer exists")
            else:
                user = connection.execute(
                    select(users.c.id, users.c.username)
                    .where(users.c.role == "admin")
                    .order_by(users.c.id)
                    .limit(1)
                ).first()
                if user is None:
                    raise LookupError(
                        "owner: the report belongs to no user and the hub has no administrator to print as"
                    )
        return Principal(name=user.username, user_id=int(user.id), via="session")

    async def _print(self, row: Any, spec: ReportSpec) -> bytes:
        try:
            await asyncio.to_thread(get_dashboard, store=self.store, dashboard_id=spec.dashboard_id)
        except DashboardNotFound:
            raise LookupError(f"dashboard_id: dashboard {spec.dashboard_id} no longer exists") from None
        principal = await asyncio.to_thread(self._print_as, row)
        session_id = await asyncio.to_thread(self.access.open_session, principal, seconds=PRINT_SESSION_S)
        query = urlencode({"print_session": session_id, "lang": spec.language})
        try:
            return await self.printer(f"{self.base_url}/dashboards/{spec.dashboard_id}/report?{query}")
        finally:
            await asyncio.to_thread(self.access.close_session, session_id)

    def _queue(
        self,
        row: Any,
        spec: ReportSpec,
        run_id: int,
        trigger: str,
        scheduled_us: int | None,
        failure: str | None = None,
    ) -> None:
        try:
            dashboard = get_dashboard(store=self.store, dashboard_id=spec.dashboard_id).name
        except DashboardNotFound:
            dashboard = str(spec.dashboard_id)
        title, body = report_message(
            name=spec.name,
            dashboard=dashboard,
            schedule=spec.schedule,
            language=spec.language,
            timezone=spec.timezone,
            printed_at=self.clock(),
            scheduled_for=None if scheduled_us is None else from_us(scheduled_us),
            missed=trigger == "missed",
            link=None if failure else f"{self.public_url}/api/v1/reports/{int(row.id)}/runs/{run_id}/pdf",
            failure=failure,
        )
        with self.store.engine.begin() as connection:
            for url in spec.notify:
                repository.add_delivery(connection, int(row.id), run_id, url=url, title=title, body=body)

    def status(self) -> dict[str, Any]:
        return {
            "delivered": self.deliveries.stats.delivered,
            "failed_attempts": self.deliveries.stats.failed_attempts,
        }
