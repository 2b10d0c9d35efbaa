"""Delivering notifications through Apprise (Slack, Teams, e-mail, ``json://`` webhooks and 100+ more),
with retries and back-off, each attempt visible on the alert.

A delivery is a row of ``alert_deliveries`` (``pending`` → ``delivered``, or ``failed`` after
:data:`MAX_ATTEMPTS`). The :class:`DeliveryWorker` sends the due ones; it is woken when a delivery
is queued and otherwise sleeps until the next retry falls due (no loop over the table meanwhile).
Apprise is synchronous: each send runs in a worker thread, so a slow endpoint never blocks the hub.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any

from veille.alerts import repository
from veille.clock import now_us
from veille.security.outbound import OutboundPolicy, addresses_checked
from veille.store.sql import SqlStore

__all__ = [
    "MAX_ATTEMPTS",
    "DeliveryFailed",
    "DeliveryWorker",
    "apprise_sender",
    "backoff_s",
    "check_notify_targets",
    "send_with_apprise",
]

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
FIRST_RETRY_S = 2.0
MAX_RETRY_S = 600.0


class DeliveryFailed(Exception):
    """Apprise could not deliver the message; the text says why when Apprise said it."""


def backoff_s(attempts: int, *, first_s: float = FIRST_RETRY_S) -> float:
    """Seconds before the next attempt after ``attempts`` failed ones: 2, 4, 8… up to ten minutes."""
    return float(min(MAX_RETRY_S, first_s * 2 ** max(0, attempts - 1)))


def check_notify_targets(urls: Sequence[str], policy: OutboundPolicy, *, field: str = "notify") -> None:
    """Refuse, when a rule or report is saved, a target whose host is a loopback, private,
    link-local or metadata address outside the operator's ``outbound_allow`` (422 naming
    ``notify[i]``). Names are not resolved here (an answer may change): they are checked when a
    message is sent (:func:`send_with_apprise` with the hub's policy)."""
    for index, url in enumerate(urls):
        policy.check_literal(url, field=f"{field}[{index}]")


def send_with_apprise(
    url: str,
    title: str,
    body: str,
    *,
    attach: Sequence[str] = (),
    policy: OutboundPolicy | None = None,
) -> None:
    """Send one message to one Apprise URL; raises :class:`DeliveryFailed` with Apprise's reason.

    ``attach``: files sent with the message where the service takes attachments (e-mail, ``json://``
    as base64 in its ``attachments`` list, Slack, Teams…); the others get the message alone.
    ``policy``: the hub's outbound policy, applied to every address Apprise connects to, after
    resolution (:func:`veille.security.outbound.addresses_checked`): a target whose name resolves
    to an internal address fails, naming it, and nothing is sent there. ``None``: no check (tests
    that build a worker of their own)."""
    with warnings.catch_warnings():
        # Apprise's plugins import modules Python deprecates (imghdr), when first used: not ours to
        # fix, and not a failed delivery.
        warnings.simplefilter("ignore", DeprecationWarning)
        import apprise  # imported when first used: the hub starts without loading its 100+ plugins

        notifier = apprise.Apprise()
        if not notifier.add(url):
            raise DeliveryFailed("Apprise does not understand this URL")
        checked: AbstractContextManager[list[str]] = (
            addresses_checked(policy, field="notify") if policy is not None else nullcontext([])
        )
        with apprise.LogCapture(level=apprise.logging.WARNING) as captured, checked as refused:
            delivered = notifier.notify(body=body, title=title, attach=list(attach) or None)
            reason = str(captured.getvalue()).strip().splitlines()
    if refused:
        raise DeliveryFailed(refused[0])
    if not delivered:
        raise DeliveryFailed((reason[-1] if reason else "the endpoint refused the message")[:500])


def apprise_sender(policy: OutboundPolicy) -> Callable[..., None]:
    """:func:`send_with_apprise` under ``policy`` (the hub's deliveries, alerts and reports)."""

    def send(url: str, title: str, body: str, *, attach: Sequence[str] = ()) -> None:
        send_with_apprise(url, title, body, attach=attach, policy=policy)

    return send


Sender = Callable[[str, str, str], None]


@dataclass(slots=True)
class DeliveryStats:
    delivered: int = 0
    failed_attempts: int = 0
    given_up: int = 0


class DeliveryWorker:
    """Sends queued deliveries of the store; see the module docstring."""

    task_name = "alert-deliveries"

    def __init__(
        self, store: SqlStore, *, sender: Sender = send_with_apprise, first_retry_s: float = FIRST_RETRY_S
    ) -> None:
        self.store = store
        self.sender = sender
        self.first_retry_s = first_retry_s
        self.stats = DeliveryStats()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.on_delivered: Callable[[int], None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=self.task_name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def wake(self) -> None:
        self._wake.set()

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                next_due_s = await self.send_due()
            except Exception:
                log.exception("alert deliveries: a round failed")
                next_due_s = 5.0
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=next_due_s)

    async def send_due(self) -> float | None:
        """Send every due delivery (concurrently); returns seconds until the next retry (None: none)."""
        rows = await asyncio.to_thread(self._due)
        if rows:
            await asyncio.gather(*(self._attempt(row) for row in rows))
        return await asyncio.to_thread(self._next_due_s)

    # The table's reads and writes, and the send: what a worker of other deliveries (the scheduled
    # reports', :mod:`veille.reports.delivery`) replaces.
    def _due(self) -> list[Any]:
        with self.store.engine.connect() as connection:
            return repository.due_deliveries(connection, at_us=now_us())

    def _next_due_s(self) -> float | None:
        with self.store.engine.connect() as connection:
            rows = repository.due_deliveries(connection, at_us=2**62)
        if not rows:
            return None
        return max(0.05, (min(int(row.next_attempt_us) for row in rows) - now_us()) / 1e6)

    async def _attempt(self, row: Any) -> None:
        delivery_id = int(row.id)
        attempts = int(row.attempts) + 1
        try:
            await asyncio.to_thread(self._send, row)
        except Exception as error:
            message = str(error) or type(error).__name__
            given_up = attempts >= MAX_ATTEMPTS
            values: dict[str, object] = {
                "attempts": attempts,
                "last_error": message,
                "status": "failed" if given_up else "pending",
                "next_attempt_us": None
                if given_up
                else now_us() + int(backoff_s(attempts, first_s=self.first_retry_s) * 1e6),
            }
            self.stats.failed_attempts += 1
            self.stats.given_up += given_up
            log.warning(
                "alert delivery %d to %s failed (attempt %d): %s", delivery_id, row.target, attempts, message
            )
        else:
            values = {
                "attempts": attempts,
                "status": "delivered",
                "delivered_us": now_us(),
                "next_attempt_us": None,
            }
            self.stats.delivered += 1
        await asyncio.to_thread(self._update, delivery_id, values)
        if values["status"] == "delivered" and self.on_delivered is not None:
            self.on_delivered(delivery_id)

    def _send(self, row: Any) -> None:
        self.sender(row.url, row.title, row.body)

    def _update(self, delivery_id: int, values: dict[str, object]) -> None:
        with self.store.engine.begin() as connection:
            repository.update_delivery(connection, delivery_id, values)
