"""The live alert engine of a running hub: it follows the bus's processed posts (never the database),
stores what the engine finds and queues the notifications.

On start it loads the enabled rules, the curated influencers and the hub's own brand accounts, and
seeds each topic rule's hourly history from the store's rollups (four weeks), so that seasonal
baselines exist at once. Rules changed through the API apply at once (:meth:`LiveAlerts.reload_rules`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select

from veille.accounts.repository import list_accounts
from veille.alerts import repository, service
from veille.alerts.delivery import DeliveryWorker, Sender, send_with_apprise
from veille.alerts.detectors import HOUR_S
from veille.alerts.engine import AlertEngine, Change, EngineRule
from veille.alerts.messages import notification
from veille.alerts.models import Rule, RuleSpec
from veille.bus.base import POSTS_SUBJECT, Bus, Subscription
from veille.clock import format_rfc3339, now_us
from veille.influencers.repository import list_influencers
from veille.model import Post
from veille.store.rollups import SHAPES
from veille.store.sql import SqlStore
from veille.text import handle_key

__all__ = ["LiveAlerts"]

log = logging.getLogger(__name__)

MAX_BATCH = 2000
SEED_HOURS = 4 * 168
_HOUR_TOPIC = next(shape.table for shape in SHAPES if shape.table.name == "rollup_hour_topic")


class LiveAlerts:
    """Rules over the hub's live stream; see the module docstring."""

    def __init__(
        self,
        *,
        store: SqlStore,
        bus: Bus,
        language: str = "en",
        public_url: str | None = None,
        sender: Sender = send_with_apprise,
        first_retry_s: float = 2.0,
    ) -> None:
        self.store = store
        self.bus = bus
        self.language = language
        self.public_url = public_url.rstrip("/") if public_url else None
        self.deliveries = DeliveryWorker(store, sender=sender, first_retry_s=first_retry_s)
        self.engine = AlertEngine([])
        self._alert_ids: dict[tuple[int | str, int], int] = {}  # (rule key, incident) -> alert id
        self._subscription: Subscription | None = None
        self._task: asyncio.Task[None] | None = None
        self.on_change: Callable[[int, Change], None] | None = None

    # -- life cycle --------------------------------------------------------------------------
    async def start(self) -> None:
        if self._task is not None:
            return
        await asyncio.to_thread(self._load)
        self._subscription = await self.bus.subscribe(POSTS_SUBJECT)
        self.deliveries.start()
        self._task = asyncio.create_task(self._follow(self._subscription), name="alerts-engine")

    async def stop(self) -> None:
        if self._subscription is not None:
            await self._subscription.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.deliveries.stop()

    def _load(self) -> None:
        curated = {
            (item.platform, handle_key(item.handle)): item.category for item in list_influencers(self.store)
        }
        ours = {
            (account.platform, handle_key(account.handle))
            for account in list_accounts(self.store)
            if account.ours
        }
        self.engine = AlertEngine([], curated=curated, accounts=ours)
        for rule in service.list_rules(store=self.store):
            self._add(rule)

    def _add(self, rule: Rule) -> None:
        spec = RuleSpec.model_validate(rule.model_dump(include=set(RuleSpec.model_fields)))
        self.engine.add_rule(EngineRule(rule.id, spec))
        detector = self.engine.detector(rule.id)
        if detector is None or not rule.topic:
            return
        counts, first_s = self._hourly_history(rule.topic)
        if counts:
            detector.seed_hours(counts, first_s)

    def _hourly_history(self, topic: str) -> tuple[dict[int, tuple[int, int]], int]:
        """Hour → (posts, negative posts) of ``topic`` over four weeks, from the hourly rollup."""
        table = _HOUR_TOPIC
        since_us = (now_us() // (HOUR_S * 1_000_000) - SEED_HOURS) * HOUR_S * 1_000_000
        measure = table.c.posts
        query = (
            select(table.c.bucket_us, table.c.sentiment, func.sum(measure))
            .where(table.c.topic == topic, table.c.bucket_us >= since_us)
            .group_by(table.c.bucket_us, table.c.sentiment)
        )
        counts: dict[int, list[int]] = {}
        with self.store.engine.connect() as connection:
            for bucket_us, sentiment, total in connection.execute(query):
                slot = counts.setdefault(int(bucket_us) // (HOUR_S * 1_000_000), [0, 0])
                slot[0] += int(total or 0)
                if sentiment == "negative":
                    slot[1] += int(total or 0)
        if not counts:
            return {}, 0
        first_s = min(counts) * HOUR_S
        # The hour now running is counted by the engine from the stream: leave it out.
        current = now_us() // (HOUR_S * 1_000_000)
        return {hour: (slot[0], slot[1]) for hour, slot in counts.items() if hour < current}, first_s

    async def reload_rules(self) -> None:
        """Apply the stored rules (after a create, change or delete through the API)."""
        rules = await asyncio.to_thread(service.list_rules, store=self.store)
        stored = {rule.id: rule for rule in rules}
        for running in self.engine.rules:
            current = stored.get(running.key) if isinstance(running.key, int) else None
            if (
                current is None
                or RuleSpec.model_validate(current.model_dump(include=set(RuleSpec.model_fields)))
                != running.spec
            ):
                self.engine.remove_rule(running.key)
        kept = {running.key for running in self.engine.rules}
        for rule in rules:
            if rule.id not in kept:
                await asyncio.to_thread(self._add, rule)

    # -- the stream --------------------------------------------------------------------------
    async def _follow(self, subscription: Subscription) -> None:
        """Read the bus into a queue (never cancelled mid-read) and evaluate what waits, per batch."""
        waiting: asyncio.Queue[Post | None] = asyncio.Queue()

        async def read() -> None:
            try:
                async for event in subscription:
                    waiting.put_nowait(Post.model_validate(event.data))
            finally:
                waiting.put_nowait(None)

        reader = asyncio.create_task(read(), name="alerts-bus-reader")
        try:
            while True:
                first = await waiting.get()
                if first is None:
                    return
                pending = [first]
                ended = False
                while len(pending) < MAX_BATCH and not waiting.empty():
                    item = waiting.get_nowait()
                    if item is None:
                        ended = True
                        break
                    pending.append(item)
                try:
                    await self.process(pending)
                except Exception:
                    log.exception("alerts: a batch of %d posts could not be evaluated", len(pending))
                if ended:
                    return
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader

    async def process(self, posts: list[Post]) -> list[Change]:
        """Evaluate ``posts`` (in arrival order), store the changes, queue the notifications."""
        changes = self.engine.observe(posts)
        changes += self.engine.flush()
        if changes:
            await asyncio.to_thread(self._record, changes)
            self.deliveries.wake()
        return changes

    def _record(self, changes: list[Change]) -> None:
        for change in changes:
            key = (change.rule.key, change.incident)
            alert_id = self._alert_ids.get(key)
            if change.kind != "opened" and alert_id is None:
                continue
            alert_id = service.record_change(
                store=self.store, change=change, alert_id=alert_id, language=self.language
            )
            if change.kind == "ended":
                self._alert_ids.pop(key, None)
            else:
                self._alert_ids[key] = alert_id
            if change.notifies:
                self._queue_notifications(alert_id, change)
            if self.on_change is not None:
                self.on_change(alert_id, change)

    def crisis_link(self, alert_id: int) -> str | None:
        return f"{self.public_url}/crisis/{alert_id}" if self.public_url else None

    def _queue_notifications(self, alert_id: int, change: Change) -> None:
        spec = change.rule.spec
        if not spec.notify:
            return
        alert = service.get_alert(store=self.store, alert_id=alert_id)
        title, body = notification(
            reason=change.kind,
            rule=spec.name,
            severity=change.severity,
            summary_line=alert.summary,
            opened_at=format_rfc3339(change.opened_at),
            figures=change.figures,
            link=self.crisis_link(alert_id),
            language=self.language,
        )
        with self.store.engine.begin() as connection:
            for url in spec.notify:
                repository.add_delivery(
                    connection, alert_id, url=url, reason=change.kind, title=title, body=body
                )
            repository.add_event(
                connection,
                alert_id,
                who=service.ENGINE,
                action="notified",
                text=", ".join(repository.mask_url(url) for url in spec.notify),
                data={"reason": change.kind},
            )

    def status(self) -> dict[str, Any]:
        return {
            "rules": len(self.engine.rules),
            "watermark": self.engine.watermark_s,
            "delivered": self.deliveries.stats.delivered,
            "failed_attempts": self.deliveries.stats.failed_attempts,
        }
