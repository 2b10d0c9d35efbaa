"""The bus on NATS JetStream: one ``veille serve`` and N ``veille worker`` processes on any hosts.

Every event is stored in one JetStream stream (subjects ``<prefix>.>``, bounded by age and size) and
carries ``Nats-Msg-Id = "<subject>:<seq>:<post id>"``: a batch published again after a worker crash
and replay is dropped by the server as long as it comes back within the duplicate window.

Two ways to read:

* :meth:`NatsBus.subscribe` — the live screens. Each process runs one ordered, ephemeral consumer per
  subject that delivers new messages only (every process sees every event: fan-out) and spreads
  them over bounded local subscriptions. A subscription too slow for the bus loses its oldest
  events and is marked ``lagged``, exactly as on the in-process bus, so it can catch up from the
  store.
* :meth:`NatsBus.pull` — the work queue. A durable pull consumer shared by every process that
  pulls with the same name: each message goes to one of them, and comes back to another if it is
  not acknowledged in time (``ack_wait``) or is refused (``nak``).

Nothing connects at construction: the first call (or :meth:`NatsBus.start`) does, so a
composition root that is not async can build the bus.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from dataclasses import dataclass
from typing import Any

import nats
import nats.errors
import nats.js.errors
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext, api
from nats.js.kv import KeyValue

from veille.bus.base import BusEvent
from veille.bus.memory import MemoryBus, MemorySubscription

__all__ = ["BusUnavailable", "ConsumerLag", "NatsBus", "NatsBusStats", "WorkMessage", "WorkQueue"]

log = logging.getLogger(__name__)

MSG_ID_HEADER = "Nats-Msg-Id"
SEQ_HEADER = "Veille-Seq"

# One subject token: no wildcard, no separator, no whitespace (NATS would read them as syntax).
_TOKEN = re.compile(r"[^\s.*>]+")
# Stream and consumer names: no whitespace, dot, wildcard or path separator.
_NAME = re.compile(r"[A-Za-z0-9_-]+")


class BusUnavailable(ConnectionError):
    """NATS could not be reached, or did not acknowledge a publication in time."""


def _check_subject(subject: str, what: str = "subject") -> str:
    if not subject or not all(_TOKEN.fullmatch(token) for token in subject.split(".")):
        raise ValueError(f"bus {what} {subject!r}: expected dot-separated tokens without spaces, '*' or '>'")
    return subject


def _check_name(name: str, what: str) -> str:
    if not _NAME.fullmatch(name):
        raise ValueError(f"NATS {what} {name!r}: use only letters, digits, '-' and '_'")
    return name


def message_id(event: BusEvent) -> str:
    """The de-duplication id: the same event published twice gets the same id."""
    post_id = event.data.get("id", "") if isinstance(event.data, dict) else ""
    return f"{event.subject}:{event.seq}:{post_id}"


@dataclass(frozen=True, slots=True)
class ConsumerLag:
    """A durable consumer's backlog: messages not yet delivered to any worker (``pending``),
    delivered but not yet acknowledged (``unacknowledged``), and pull requests of idle workers
    waiting for messages (``waiting``)."""

    pending: int
    unacknowledged: int
    waiting: int

    @property
    def total(self) -> int:
        """Messages not yet done: the consumer lag."""
        return self.pending + self.unacknowledged


@dataclass(slots=True)
class NatsBusStats:
    published: int = 0
    duplicates: int = 0  # publications the server dropped as already stored (replays)
    received: int = 0  # events delivered by the live feeds to local subscriptions
    undecodable: int = 0  # messages on our subjects that were not Veille events


class WorkMessage:
    """One work item from :meth:`WorkQueue.fetch`; settle it with exactly one of ack/nak/term."""

    __slots__ = ("_msg", "deliveries", "event")

    def __init__(self, msg: Msg, event: BusEvent) -> None:
        self._msg = msg
        self.event = event
        # 1 on first delivery; more when it was redelivered after a nak or an ack timeout.
        self.deliveries = msg.metadata.num_delivered

    async def ack(self) -> None:
        """Done: it will not be delivered again."""
        await self._msg.ack()

    async def nak(self, delay: float | None = None) -> None:
        """Not done: deliver it again (to any worker), after ``delay`` seconds if given."""
        await self._msg.nak(delay)

    async def in_progress(self) -> None:
        """Still working on it: restart the ack timer."""
        await self._msg.in_progress()

    async def term(self) -> None:
        """Never deliver it again (a message that can never be processed)."""
        await self._msg.term()


class WorkQueue:
    """A durable pull consumer: processes that pull with the same name share the messages."""

    def __init__(self, bus: NatsBus, subject: str, consumer: str, sub: JetStreamContext.PullSubscription):
        self._bus = bus
        self.subject = subject
        self.consumer = consumer
        self._sub = sub

    async def fetch(self, batch: int = 1, timeout: float = 1.0) -> list[WorkMessage]:
        """Up to ``batch`` messages, waiting at most ``timeout`` seconds; ``[]`` when there are none."""
        if batch < 1:
            raise ValueError(f"fetch batch: expected at least 1, got {batch}")
        if timeout <= 0:
            raise ValueError(f"fetch timeout: expected a positive number of seconds, got {timeout}")
        try:
            msgs = await self._sub.fetch(batch, timeout=timeout)
        except (TimeoutError, nats.errors.TimeoutError):
            return []
        work = []
        for msg in msgs:
            event = self._bus._decode(msg)
            if event is None:
                # Not ours to process, and redelivering it would loop forever.
                await msg.term()
                continue
            work.append(WorkMessage(msg, event))
        return work

    async def close(self) -> None:
        """Stop pulling; the durable consumer (and its unacknowledged messages) stays on the server."""
        with contextlib.suppress(nats.errors.ConnectionClosedError, nats.errors.BadSubscriptionError):
            await self._sub.unsubscribe()


class NatsBus:
    """The :class:`~veille.bus.base.Bus` on NATS JetStream.

    ``NatsBus(url)`` does no I/O; use ``await NatsBus.connect(url)`` to connect at once, or let the
    first publish/subscribe/pull do it.
    """

    def __init__(
        self,
        url: str = "nats://127.0.0.1:4222",
        *,
        stream: str = "VEILLE",
        subject_prefix: str = "veille",
        buffer: int = 2000,
        max_age: float = 24 * 3600,
        max_bytes: int = 1 << 30,
        duplicate_window: float = 120.0,
        ack_timeout: float = 10.0,
        connect_wait: float = 10.0,
        heartbeat: float = 5.0,
        name: str = "veille",
    ) -> None:
        self.url = url
        self.stream = _check_name(stream, "stream name")
        self.subject_prefix = _check_subject(subject_prefix, "subject prefix")
        self.max_age = max_age
        self.max_bytes = max_bytes
        self.duplicate_window = duplicate_window
        self.ack_timeout = ack_timeout
        self.connect_wait = connect_wait
        # A live feed that hears nothing (not even a heartbeat) for two of these recreates its
        # consumer where it stopped: that is how it survives a server restart without a gap.
        self.heartbeat = heartbeat
        self.name = name
        self.stats = NatsBusStats()
        # Local fan-out of the live feeds: same bounded queues and ``lagged`` rule as in-process.
        self._local = MemoryBus(buffer=buffer)
        self._feeds: dict[str, JetStreamContext.PushSubscription] = {}
        self._queues: list[WorkQueue] = []
        self._nc: Client | None = None
        self._js: JetStreamContext | None = None
        self._lock = asyncio.Lock()
        self._closed = False

    @classmethod
    async def connect(
        cls,
        url: str = "nats://127.0.0.1:4222",
        *,
        stream: str = "VEILLE",
        subject_prefix: str = "veille",
        **options: Any,
    ) -> NatsBus:
        """Connect and create (or update) the stream; raises :class:`BusUnavailable` if NATS is down."""
        bus = cls(url, stream=stream, subject_prefix=subject_prefix, **options)
        await bus.start()
        return bus

    # -- connection -----------------------------------------------------------------------------
    async def start(self) -> None:
        """Connect and make sure the stream exists with this configuration (idempotent)."""
        await self._jetstream()

    async def _jetstream(self) -> JetStreamContext:
        if self._js is not None:
            return self._js
        async with self._lock:
            if self._closed:
                raise BusUnavailable("the NATS bus is closed")
            if self._js is None:
                nc = await self._open()
                js = nc.jetstream(timeout=self.ack_timeout)
                try:
                    await self._ensure_stream(js)
                except BaseException:
                    await nc.close()
                    raise
                self._nc, self._js = nc, js
            return self._js

    async def _open(self) -> Client:
        async def on_error(error: Exception) -> None:
            log.warning("NATS %s: %s", self.url, error or type(error).__name__)

        async def on_disconnect() -> None:
            if not self._closed:  # closing disconnects too; that is not worth a warning
                log.warning("NATS %s: disconnected, reconnecting", self.url)

        async def on_reconnect() -> None:
            log.info("NATS %s: reconnected", self.url)

        # Reconnect forever once connected (a server restart must not stop a worker), but give up
        # on the first connection after connect_wait so that a wrong URL is reported, not retried.
        try:
            return await asyncio.wait_for(
                nats.connect(
                    self.url,
                    name=self.name,
                    connect_timeout=min(2.0, self.connect_wait),
                    reconnect_time_wait=1.0,
                    max_reconnect_attempts=-1,
                    error_cb=on_error,
                    disconnected_cb=on_disconnect,
                    reconnected_cb=on_reconnect,
                ),
                timeout=self.connect_wait,
            )
        except (TimeoutError, OSError, nats.errors.Error) as error:
            raise BusUnavailable(
                f"NATS at {self.url} is not reachable ({type(error).__name__}: {error}); "
                "is nats-server running with JetStream (-js)?"
            ) from error

    async def _ensure_stream(self, js: JetStreamContext) -> None:
        config = api.StreamConfig(
            name=self.stream,
            subjects=[f"{self.subject_prefix}.>"],
            retention=api.RetentionPolicy.LIMITS,
            storage=api.StorageType.FILE,
            discard=api.DiscardPolicy.OLD,
            max_age=self.max_age,
            max_bytes=self.max_bytes,
            duplicate_window=self.duplicate_window,
        )
        try:
            # The server answers an identical configuration with the existing stream.
            await js.add_stream(config)
        except nats.js.errors.BadRequestError as error:
            if error.err_code == 10058:  # exists with another configuration: take ours
                await js.update_stream(config)
            elif error.err_code == 10065:
                raise ValueError(
                    f"NATS stream {self.stream!r}: subjects '{self.subject_prefix}.>' overlap another "
                    f"stream's; choose another subject prefix or delete that stream ({error.description})"
                ) from error
            else:
                raise
        except nats.js.errors.ServiceUnavailableError as error:
            raise BusUnavailable(
                f"NATS at {self.url} has no JetStream (start nats-server with -js)"
            ) from error

    # -- encoding -------------------------------------------------------------------------------
    def _nats_subject(self, subject: str) -> str:
        return f"{self.subject_prefix}.{_check_subject(subject)}"

    def _decode(self, msg: Msg) -> BusEvent | None:
        try:
            headers = msg.headers or {}
            seq = int(headers[SEQ_HEADER])
            data = json.loads(msg.data)
            if not isinstance(data, dict):
                raise ValueError("payload is not a JSON object")
        except (KeyError, ValueError) as error:
            self.stats.undecodable += 1
            log.warning("NATS %s: skipped a message that is not a Veille event: %s", msg.subject, error)
            return None
        subject = msg.subject.removeprefix(self.subject_prefix + ".")
        return BusEvent(subject, seq, data)

    # -- Bus ------------------------------------------------------------------------------------
    async def publish(self, events: list[BusEvent]) -> None:
        """Store the events in the stream, in order, and return once the server acknowledged all."""
        if not events:
            return
        encoded = [
            (
                self._nats_subject(event.subject),
                json.dumps(event.data, ensure_ascii=False, separators=(",", ":")).encode(),
                message_id(event),
                event.seq,
            )
            for event in events
        ]
        await self._publish_encoded(encoded, what="event(s)")

    async def publish_work(self, subject: str, items: list[tuple[str, bytes]]) -> int:
        """Store work items (``(id, JSON payload)``) on ``subject``; returns how many the stream
        dropped as duplicates. ``Nats-Msg-Id`` is the item's id, so an item published again within
        the stream's duplicate window is stored once. Returns once the server acknowledged all."""
        if not items:
            return 0
        nats_subject = self._nats_subject(subject)
        return await self._publish_encoded(
            [(nats_subject, payload, item_id, 0) for item_id, payload in items], what="work item(s)"
        )

    async def _publish_encoded(self, encoded: list[tuple[str, bytes, str, int]], *, what: str) -> int:
        """Publish ``(NATS subject, payload, message id, seq)`` items; returns the duplicates."""
        js = await self._jetstream()
        # Written to the connection one after the other (so stored in this order), acknowledged
        # together: one round trip per batch instead of one per event.
        futures: list[asyncio.Future[api.PubAck]] = []
        try:
            for nats_subject, payload, msg_id, seq in encoded:
                headers = {MSG_ID_HEADER: msg_id, SEQ_HEADER: str(seq)}
                futures.append(await js.publish_async(nats_subject, payload, headers=headers))
            acks = await asyncio.wait_for(asyncio.gather(*futures), timeout=self.ack_timeout)
        except (TimeoutError, nats.errors.Error, nats.js.errors.Error) as error:
            for future in futures:
                future.cancel()
            raise BusUnavailable(
                f"NATS at {self.url} did not store {len(encoded)} {what} "
                f"({type(error).__name__}: {error or 'no acknowledgement in time'})"
            ) from error
        duplicates = sum(1 for ack in acks if ack.duplicate)
        self.stats.published += len(acks)
        self.stats.duplicates += duplicates
        return duplicates

    async def consumer_lag(self, subject: str, durable: str = "workers") -> ConsumerLag:
        """Where the durable consumer of ``subject`` (see :meth:`pull`) stands; all zero when it
        does not exist yet."""
        js = await self._jetstream()
        try:
            info = await js.consumer_info(self.stream, f"{durable}_{subject.replace('.', '_')}")
        except nats.js.errors.NotFoundError:
            return ConsumerLag(0, 0, 0)
        return ConsumerLag(
            int(info.num_pending or 0), int(info.num_ack_pending or 0), int(info.num_waiting or 0)
        )

    async def subscribe(self, subject: str) -> MemorySubscription:
        """New events of ``subject`` from now on (not the stream's history)."""
        nats_subject = self._nats_subject(subject)
        js = await self._jetstream()
        async with self._lock:
            if subject not in self._feeds:
                self._feeds[subject] = await js.subscribe(
                    nats_subject,
                    stream=self.stream,
                    cb=self._on_live_message,
                    ordered_consumer=True,
                    idle_heartbeat=self.heartbeat,
                    deliver_policy=api.DeliverPolicy.NEW,
                )
            return await self._local.subscribe(subject)

    async def _on_live_message(self, msg: Msg) -> None:
        event = self._decode(msg)
        if event is not None:
            self.stats.received += 1
            await self._local.publish([event])

    async def pull(
        self,
        subject: str,
        durable: str = "workers",
        *,
        ack_wait: float = 30.0,
        max_deliver: int | None = None,
        max_ack_pending: int = 1000,
    ) -> WorkQueue:
        """A share of ``subject``'s messages, with every other caller using the same ``durable``.

        The consumer is named ``<durable>_<subject with '.' as '_'>`` so that one durable name serves
        several subjects. It starts from the oldest message the stream still holds, so work published
        before the first worker started is not lost. Its settings are fixed when it is first created.
        A message not acknowledged within ``ack_wait`` seconds is delivered again; after
        ``max_deliver`` deliveries (default: no limit) it is given up.
        """
        nats_subject = self._nats_subject(subject)
        _check_name(durable, "durable consumer name")
        consumer = f"{durable}_{subject.replace('.', '_')}"
        config = api.ConsumerConfig(
            durable_name=consumer,
            ack_policy=api.AckPolicy.EXPLICIT,
            ack_wait=ack_wait,
            max_deliver=-1 if max_deliver is None else max_deliver,
            max_ack_pending=max_ack_pending,
            deliver_policy=api.DeliverPolicy.ALL,
            filter_subject=nats_subject,
        )
        js = await self._jetstream()
        sub = await js.pull_subscribe(nats_subject, durable=consumer, stream=self.stream, config=config)
        queue = WorkQueue(self, subject, consumer, sub)
        self._queues.append(queue)
        return queue

    async def key_value(self, bucket: str, *, ttl: float) -> KeyValue:
        """The JetStream key-value bucket ``bucket`` (created when missing, entries expiring
        ``ttl`` seconds after their last write). An existing bucket keeps its own TTL: read it
        from ``(await kv.status()).ttl``. Used for the source leases (``veille.sources.leases``)."""
        _check_name(bucket, "key-value bucket name")
        js = await self._jetstream()
        try:
            return await js.key_value(bucket)
        except nats.js.errors.BucketNotFoundError:
            pass
        try:
            return await js.create_key_value(bucket=bucket, ttl=ttl, history=1)
        except nats.js.errors.BadRequestError:  # created meanwhile by another process
            return await js.key_value(bucket)

    async def flush(self, timeout: int = 5) -> None:
        """Wait until the server has processed everything this process sent (acks included)."""
        if self._nc is not None:
            await self._nc.flush(timeout=timeout)

    @property
    def subscriber_count(self) -> int:
        return self._local.subscriber_count

    async def close(self) -> None:
        """End the local subscriptions, then drain: pending publications and acks are flushed."""
        if self._closed:
            return
        self._closed = True
        await self._local.close()
        nc, self._nc, self._js = self._nc, None, None
        # Unsubscribing a JetStream push subscription also stops its heartbeat and flow-control tasks.
        for feed in self._feeds.values():
            with contextlib.suppress(nats.errors.Error):
                await feed.unsubscribe()
        self._feeds.clear()
        for queue in self._queues:
            await queue.close()
        self._queues.clear()
        if nc is not None and not nc.is_closed:
            try:
                await nc.drain()
            except (TimeoutError, nats.errors.Error) as error:
                log.warning("NATS %s: drain failed (%s); closing", self.url, error)
                await nc.close()
