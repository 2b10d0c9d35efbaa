"""Configuration changes reach every process of a hub live (issue 15, item 4).

Topics, alert rules, sources and walls live in the store; each process keeps a working copy of
some of them (the topic monitor, the alert engine's rules, the running sources). Two paths bring a
change made elsewhere (another ``veille serve``, a worker, the CLI) to that copy:

* **a notice on the bus**: with ``bus = "nats"``, whoever changes a topic, a rule or a source through
  the API publishes ``{"kind", "id"}`` on :data:`CONFIG_SUBJECT` (:func:`announce`); every process
  follows that subject and reloads the kind named, within a fraction of a second;
* **polling**, the fallback for changes made without a bus (``veille topics add`` on the data
  folder, a notice lost in an outage): every ``[hub] config_poll_s`` (5 s) each process reads a
  cheap fingerprint of each table (how many rows, the latest ``updated_us``) and reloads what
  differs.

Walls need neither: each process follows every wall it shows in the store every second, once per
wall whatever the number of its screens (:mod:`veille.web.wall_stream`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Literal

from sqlalchemy import Table, func, select

from veille.bus.base import Bus, BusEvent, Subscription
from veille.clock import now_us
from veille.store.schema import alert_rules, source_configs, topics
from veille.store.sql import SqlStore

__all__ = ["CONFIG_SUBJECT", "KINDS", "ConfigFollower", "ConfigKind", "announce", "table_fingerprint"]

log = logging.getLogger(__name__)

CONFIG_SUBJECT = "config.changed"
ConfigKind = Literal["topic", "alert_rule", "source", "wall"]
KINDS: tuple[ConfigKind, ...] = ("topic", "alert_rule", "source", "wall")
# The tables whose fingerprint the polling compares, per kind (walls: see the module docstring).
TABLES: dict[str, Table] = {"topic": topics, "alert_rule": alert_rules, "source": source_configs}

Fingerprint = tuple[int, int]
Reload = Callable[[], Awaitable[None]]


def table_fingerprint(store: SqlStore, table: Table) -> Fingerprint:
    """(rows, latest ``updated_us``): changes whenever a row is added, edited or deleted."""
    with store.engine.connect() as connection:
        count, latest = connection.execute(select(func.count(), func.max(table.c.updated_us))).one()
    return int(count), int(latest or 0)


async def announce(bus: Bus, *, kind: ConfigKind, id: str | int) -> None:
    """Tell every process that ``kind`` ``id`` was created, changed or deleted. Never raises: a
    notice that could not be sent is made up for by the polling."""
    if kind not in KINDS:
        raise ValueError(f"config change: kind: expected one of {', '.join(KINDS)}, got {kind!r}")
    # seq: the time, so that the stream's de-duplication (subject, seq, id) never drops a notice.
    event = BusEvent(CONFIG_SUBJECT, now_us(), {"kind": kind, "id": str(id)})
    try:
        await bus.publish([event])
    except Exception as error:
        log.warning(
            "config change %s %s not announced (%s); other processes see it by polling", kind, id, error
        )


class ConfigFollower:
    """Reloads this process's copies when the bus or the store says they changed."""

    def __init__(
        self,
        *,
        store: SqlStore,
        reloaders: Mapping[str, Reload],
        bus: Bus | None = None,
        poll_s: float = 5.0,
        polled: frozenset[str] | None = None,
    ) -> None:
        self.store = store
        self.bus = bus
        self.reloaders = dict(reloaders)
        self.poll_s = poll_s
        # The kinds whose table is polled (default: every kind with a reloader and a table).
        self.polled = frozenset(self.reloaders) if polled is None else polled
        self.reloads: dict[str, int] = dict.fromkeys(self.reloaders, 0)
        self._known: dict[str, Fingerprint] = {}
        self._subscription: Subscription | None = None
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        if self._tasks:
            return
        await self._read_fingerprints()  # the copies were just built from the store
        if self.bus is not None:
            self._subscription = await self.bus.subscribe(CONFIG_SUBJECT)
            self._tasks.append(asyncio.create_task(self._listen(self._subscription), name="config-notices"))
        self._tasks.append(asyncio.create_task(self._poll(), name="config-poll"))

    async def stop(self) -> None:
        if self._subscription is not None:
            await self._subscription.close()
            self._subscription = None
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()

    async def reload(self, kind: str) -> None:
        reload = self.reloaders.get(kind)
        if reload is None:
            return
        try:
            await reload()
        except Exception:
            log.exception("config change: %s not reloaded; next poll tries again", kind)
            self._known.pop(kind, None)
            return
        self.reloads[kind] = self.reloads.get(kind, 0) + 1
        table = TABLES.get(kind)
        if table is not None:
            with contextlib.suppress(Exception):
                self._known[kind] = await asyncio.to_thread(table_fingerprint, self.store, table)

    async def _listen(self, subscription: Subscription) -> None:
        async for event in subscription:
            kind = event.data.get("kind") if isinstance(event.data, dict) else None
            if isinstance(kind, str):
                log.debug("config change notice: %s %s", kind, event.data.get("id"))
                await self.reload(kind)

    async def _read_fingerprints(self) -> dict[str, Fingerprint]:
        current: dict[str, Fingerprint] = {}
        for kind, table in TABLES.items():
            if kind in self.reloaders and kind in self.polled:
                current[kind] = await asyncio.to_thread(table_fingerprint, self.store, table)
        if not self._known:
            self._known = dict(current)
        return current

    async def poll_once(self) -> list[str]:
        """Reload the kinds whose table changed since last seen; returns them."""
        changed = []
        for kind, fingerprint in (await self._read_fingerprints()).items():
            if self._known.get(kind) != fingerprint:
                changed.append(kind)
                await self.reload(kind)  # remembers the table as reloaded (or forgets it: retried)
        return changed

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(self.poll_s)
            try:
                await self.poll_once()
            except Exception as error:  # the store busy or away: next time
                log.warning("configuration not reread: %s", error)

    def status(self) -> dict[str, Any]:
        return {"poll_s": self.poll_s, "notices": self.bus is not None, "reloads": dict(self.reloads)}


def announce_from_command(settings: Any, *, kind: ConfigKind, id: str | int) -> bool:
    """From a command line tool (``veille topics add``…): with ``bus = "nats"``, publish the notice
    so that running processes apply the change at once; returns whether it was sent. Never raises
    (without it the processes see the change at their next poll)."""
    if getattr(settings, "bus", "memory") != "nats":
        return False
    from veille.bus.nats import NatsBus

    async def send() -> None:
        bus = NatsBus(
            settings.nats_url,
            stream=settings.nats_stream,
            subject_prefix=settings.nats_subject_prefix,
            connect_wait=3.0,
        )
        try:
            await bus.start()
            await bus.publish([BusEvent(CONFIG_SUBJECT, now_us(), {"kind": kind, "id": str(id)})])
        finally:
            await bus.close()

    try:
        asyncio.run(send())
    except Exception as error:
        log.warning(
            "config change %s %s not announced (%s); running processes see it by polling", kind, id, error
        )
        return False
    return True
