"""Sending scheduled reports through Apprise: the alerts' delivery worker (retries with back-off,
each attempt visible), on the ``report_deliveries`` table, with the run's PDF attached.

The PDF goes as an attachment where the service takes one (e-mail, ``json://`` — Apprise puts it
base64-encoded in the body's ``attachments`` list as ``{"filename", "base64", "mimetype"}`` —, Slack,
Teams…); every message also carries a link to the PDF on the hub, so a service without attachments
still leads to it.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from veille.alerts.delivery import FIRST_RETRY_S, DeliveryWorker, send_with_apprise
from veille.clock import now_us
from veille.reports import repository
from veille.store.schema import report_deliveries
from veille.store.sql import SqlStore

__all__ = ["AttachingSender", "ReportDeliveryWorker", "pdf_filename"]

AttachingSender = Callable[..., None]  # (url, title, body, *, attach: Sequence[str]) -> None


def pdf_filename(name: str, run_id: int) -> str:
    """``weekly-brief-12.pdf``: the report's name made a safe file name, and the run."""
    stem = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower()[:60] or "report"
    return f"{stem}-{run_id}.pdf"


class ReportDeliveryWorker(DeliveryWorker):
    """Sends queued report deliveries; see the module docstring."""

    task_name = "report-deliveries"

    def __init__(
        self,
        store: SqlStore,
        *,
        sender: AttachingSender = send_with_apprise,
        first_retry_s: float = FIRST_RETRY_S,
    ) -> None:
        super().__init__(store, first_retry_s=first_retry_s)
        self.attaching_sender = sender

    def _due(self) -> list[Any]:
        with self.store.engine.connect() as connection:
            return repository.due_deliveries(connection, at_us=now_us())

    def _next_due_s(self) -> float | None:
        query = select(func.min(report_deliveries.c.next_attempt_us)).where(
            report_deliveries.c.status == "pending"
        )
        with self.store.engine.connect() as connection:
            first = connection.execute(query).scalar()
        if first is None:
            return None
        return max(0.05, (int(first) - now_us()) / 1e6)

    def _send(self, row: Any) -> None:
        attach: Sequence[str] = ()
        with tempfile.TemporaryDirectory(prefix="veille-report-send-") as folder:
            if row.pdf is not None:
                path = Path(folder) / pdf_filename(row.report_name, int(row.run_id))
                path.write_bytes(bytes(row.pdf))
                attach = (str(path),)
            self.attaching_sender(row.url, row.title, row.body, attach=attach)

    def _update(self, delivery_id: int, values: dict[str, object]) -> None:
        with self.store.engine.begin() as connection:
            repository.update_delivery(connection, delivery_id, values)
