"""Deliveries through Apprise's ``json://`` to a real local server: a failing endpoint is retried
with back-off until it answers, each attempt visible on the alert; one that never answers is given
up after the last attempt, with its error."""

from __future__ import annotations

import asyncio
import time

from tests.support.webhook import webhook_server
from veille.alerts import repository
from veille.alerts.delivery import MAX_ATTEMPTS, DeliveryWorker, backoff_s
from veille.alerts.service import get_alert
from veille.clock import now_us
from veille.store.sql import SqlStore


def _alert(store: SqlStore, url: str) -> int:
    moment = now_us()
    with store.engine.begin() as connection:
        alert_id = repository.insert_alert(
            connection,
            {
                "rule_id": None,
                "rule_name": "drill",
                "kind": "volume_threshold",
                "topic": None,
                "severity": "warning",
                "status": "open",
                "opened_us": moment,
                "updated_us": moment,
                "posts": 3,
                "summary": "3 posts",
                "figures": {},
                "assignee": None,
                "playbook": [],
                "checked": [],
                "window_s": 60,
                "query": "panne",
            },
        )
        repository.add_delivery(
            connection, alert_id, url=url, reason="opened", title="Alert: drill", body="3 posts"
        )
    return alert_id


async def _until(condition, timeout_s: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "the condition did not come true in time"
        await asyncio.sleep(0.05)


def test_backoff_doubles_up_to_ten_minutes() -> None:
    assert [backoff_s(n) for n in (1, 2, 3, 4)] == [2.0, 4.0, 8.0, 16.0]
    assert backoff_s(30) == 600.0


async def test_a_failing_endpoint_is_retried_until_it_answers(store: SqlStore) -> None:
    with webhook_server(fail_first=2) as hook:
        alert_id = _alert(store, hook.url)
        worker = DeliveryWorker(store, first_retry_s=0.05)
        worker.start()
        try:
            await _until(lambda: len(hook.received) == 1)
            await _until(
                lambda: get_alert(store=store, alert_id=alert_id).deliveries[0].status == "delivered"
            )
        finally:
            await worker.stop()
    delivery = get_alert(store=store, alert_id=alert_id).deliveries[0]
    assert delivery.attempts == 3 and hook.requests == 3
    assert delivery.last_error  # the last failure stays visible
    assert hook.received[0]["title"] == "Alert: drill" and hook.received[0]["message"] == "3 posts"


async def test_an_endpoint_that_never_answers_is_given_up(store: SqlStore) -> None:
    with webhook_server(fail_first=1000) as hook:
        alert_id = _alert(store, hook.url)
        worker = DeliveryWorker(store, first_retry_s=0.01)
        worker.start()
        try:
            await _until(lambda: get_alert(store=store, alert_id=alert_id).deliveries[0].status == "failed")
        finally:
            await worker.stop()
    delivery = get_alert(store=store, alert_id=alert_id).deliveries[0]
    assert delivery.attempts == MAX_ATTEMPTS == hook.requests
    assert delivery.next_attempt_at is None and hook.received == []
