"""The live layer: one bus subscription per process, fanned out to every screen.

Each batch of stored posts coming off the bus is encoded once (one SSE ``event: post`` per post,
bytes shared by every client) and evaluated once per *distinct* filter; each client then gets a
reference to its filter's bytes in a bounded queue. Nothing here waits for a client:

* a client whose queue is full is marked **lagging** and gets nothing more live; its writer sends
  what was queued, then a visible ``event: catching-up`` and the missed posts from the store
  (:mod:`veille.live.catchup`: shared, cached, rate-limited pages), then ``event: caught-up`` and
  the live posts again — in seq order, with no gap and no repeat;
* a client more than :attr:`LiveLimits.max_replay` posts behind is skipped forward to the newest
  ones (``catching-up`` says how many were skipped);
* the number of clients is capped per principal (``429``) and overall (``503``).

The HTTP route (``GET /api/v1/stream``) adds the send time-out; the walls use the same
:meth:`LiveLayer.subscribe` with their own filter and moderation hook (``docs/live.md``).
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import logging
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from veille.bus.base import POSTS_SUBJECT, Bus, BusEvent, Subscription
from veille.errors import Unavailable, VeilleError
from veille.live.catchup import CatchUp, PageStore, Selections
from veille.live.encoding import encode_event, encode_post, encode_ready
from veille.live.filters import CompiledFilter, LiveFilter, LiveItem, TopicResolver, compile_filter

__all__ = ["LiveLayer", "LiveLimits", "LiveSubscription", "StreamLimitReached", "StreamsFull"]

log = logging.getLogger(__name__)


class StreamLimitReached(VeilleError):
    """This principal has as many live streams open as allowed (HTTP 429)."""

    status_code = 429


class StreamsFull(Unavailable):
    """The hub serves as many live streams as allowed (HTTP 503)."""


@dataclass(frozen=True)
class LiveLimits:
    per_principal: int = 100
    total: int = 1000
    queue_chunks: int = 64  # batches a client may have waiting before it is marked lagging
    send_timeout_s: float = 30.0  # a write waiting longer ends the client (see LiveSubscription.on_stall)
    max_replay: int = 5_000  # a client further behind is skipped forward to the newest posts
    page_size: int = 256
    cached_pages: int = 16
    store_reads_per_s: float = 20.0


@dataclass(frozen=True, slots=True)
class _Chunk:
    first: int  # 0 for an event without id
    last: int
    data: bytes
    items: tuple[LiveItem, ...] = ()

    def after(self, floor: int) -> bytes:
        """The bytes of the posts after ``floor`` (a client resuming ahead of the live edge)."""
        if self.first == 0 or self.first > floor:
            return self.data
        return b"".join(item.encoded for item in self.items if item.seq > floor)


_CLOSED = _Chunk(-1, -1, b"")


class _Group:
    """The clients of one distinct filter: evaluated once per batch for all of them."""

    def __init__(self, compiled: CompiledFilter) -> None:
        self.compiled = compiled
        self.subscriptions: set[LiveSubscription] = set()
        self.selections = Selections(compiled)


class LiveSubscription:
    """One client: iterate it for SSE bytes (several events per chunk), close it when done."""

    def __init__(
        self, layer: LiveLayer, group: _Group, principal: str, after: int | None, queue_chunks: int
    ) -> None:
        self.layer = layer
        self.group = group
        self.principal = principal
        self.filter = group.compiled.filter
        self._queue: asyncio.Queue[_Chunk] = asyncio.Queue(maxsize=queue_chunks)
        # The ``ready`` event's last_seq: where this client starts (as the stream always said).
        self.start = after if after is not None else layer.last_seq
        # Behind the live edge: the seq the store catch-up resumes after (None: live).
        self.behind: int | None = None
        self.slow = False  # behind because the queue overflowed (announced with catching-up)
        self.closed = False
        self.lagged_times = 0
        # The send time-out: the writer sets ``writing_since`` (event-loop time) around each write
        # and ``on_stall`` to what ends it; the layer's watchdog calls ``on_stall`` for a write
        # that waits too long (one timer for every client, not one per write).
        self.writing_since: float | None = None
        self.on_stall: Callable[[], object] | None = None
        if after is not None and after < layer.last_seq:
            self.behind = after
        self._floor = after if after is not None else -1  # never send a post at or before this
        # Control events (a wall's scene, a hidden post) that did not fit in a full queue: sent
        # before anything else, even to a client catching up.
        self._controls: deque[bytes] = deque()

    # -- fed by the layer (synchronously, never waits) -------------------------------------------

    def offer(self, chunk: _Chunk, edge_before: int) -> None:
        if self.closed or self.behind is not None:
            return
        try:
            self._queue.put_nowait(chunk)
        except asyncio.QueueFull:
            self.behind = edge_before
            self.slow = True
            self.lagged_times += 1
            self.layer.lagging_events += 1

    def fall_behind(self, edge: int) -> None:
        """The layer itself missed events (its bus feed lagged): resume from the store."""
        if self.behind is None:
            self.behind = edge
            self.slow = True
        self._wake()

    def offer_event(self, data: bytes) -> None:
        """A non-post event (no id): queued for live clients, dropped for clients behind."""
        if self.behind is None:
            with contextlib.suppress(asyncio.QueueFull):
                self._queue.put_nowait(_Chunk(0, 0, data))

    def send_event(self, data: bytes) -> None:
        """A control event (no id) this client must get even while catching up: a wall's scene
        change, a hidden post. Queued after what is waiting (so a ``hide`` follows its post)."""
        if self.closed:
            return
        if self.behind is not None:  # the writer is reading the store: it sends these in between
            self._controls.append(data)
            return
        try:
            self._queue.put_nowait(_Chunk(0, 0, data))
        except asyncio.QueueFull:
            self._controls.append(data)

    def _wake(self) -> None:
        # A writer waiting on an empty queue must notice that it is now behind.
        if self._queue.empty():
            with contextlib.suppress(asyncio.QueueFull):
                self._queue.put_nowait(_Chunk(0, 0, b""))

    # -- read by the client's writer -------------------------------------------------------------

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self.chunks()

    async def chunks(self, ready: bytes | None = None) -> AsyncIterator[bytes]:
        """``ready`` (the layer's, or the caller's own first event), then posts as bytes; several
        events may share one chunk."""
        yield encode_ready(self.start) if ready is None else ready
        while True:
            if self._controls:
                yield b"".join(self._controls)
                self._controls.clear()
            if self.closed and self._queue.empty():
                return
            if self.behind is not None and self._queue.empty():
                async for data in self._catch_up():
                    yield data
                    if self._controls:  # a scene change does not wait for the end of a catch-up
                        yield b"".join(self._controls)
                        self._controls.clear()
                continue
            chunk = await self._queue.get()
            if chunk is _CLOSED:
                return
            parts = [chunk]
            while not self._queue.empty():  # whatever else waits goes in the same write
                more = self._queue.get_nowait()
                if more is _CLOSED:
                    self.closed = True
                    break
                parts.append(more)
            data = b"".join(part.after(self._floor) for part in parts)
            if data:
                yield data

    async def _catch_up(self) -> AsyncIterator[bytes]:
        layer = self.layer
        assert self.behind is not None
        edge = layer.last_seq
        oldest = edge - layer.limits.max_replay
        if self.behind < oldest:
            skipped = oldest - self.behind
            yield encode_event("catching-up", {"from": self.behind, "to": edge, "skipped": skipped})
            self.behind = oldest
            self.slow = True
        elif self.slow:
            yield encode_event("catching-up", {"from": self.behind, "to": edge, "skipped": 0})
        while not self.closed:
            behind = self.behind
            assert behind is not None
            if behind >= layer.last_seq:
                # At the live edge: from now on the queue gets every batch (no await in between).
                self.behind = None
                if self.slow:
                    self.slow = False
                    yield encode_event("caught-up", {"seq": behind})
                return
            page = await layer.catchup.page(behind)
            selected = self.group.selections.of(page)
            start = bisect.bisect_right(selected, max(behind, self._floor), key=lambda item: item.seq)
            data = b"".join(item.encoded for item in selected[start:])
            self.behind = max(behind, page.covered)
            if data:
                yield data

    async def close(self) -> None:
        self.layer._forget(self)
        if not self.closed:
            self.closed = True
            with contextlib.suppress(asyncio.QueueFull):
                self._queue.put_nowait(_CLOSED)

    def _end(self) -> None:
        """The layer stops: the writer ends after what is queued."""
        self.closed = True
        while True:
            try:
                self._queue.put_nowait(_CLOSED)
                return
            except asyncio.QueueFull:
                self._queue.get_nowait()

    async def __aenter__(self) -> LiveSubscription:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()


class LiveLayer:
    """Fan-out of the posts written by the pipeline to every live client (module docstring)."""

    def __init__(
        self,
        *,
        bus: Bus,
        store: PageStore,
        last_seq: Callable[[], int],
        limits: LiveLimits | None = None,
        resolve_topic: TopicResolver | None = None,
    ) -> None:
        self.bus = bus
        self.limits = limits or LiveLimits()
        self.resolve_topic = resolve_topic
        self._store_last_seq = last_seq
        self.last_seq = 0
        self._groups: dict[tuple[Any, ...], _Group] = {}
        self._by_principal: dict[str, int] = {}
        self._count = 0
        self._pending: list[BusEvent] = []
        self._flush_scheduled = False
        self._feed: Subscription | None = None
        self._task: asyncio.Task[None] | None = None
        self._watchdog: asyncio.Task[None] | None = None
        self.stalled = 0  # clients ended by the send time-out
        self.catchup = CatchUp(
            store,
            page_size=self.limits.page_size,
            cached_pages=self.limits.cached_pages,
            reads_per_s=self.limits.store_reads_per_s,
            live_edge=lambda: self.last_seq,
        )
        # Counters for tests, metrics and the benchmark.
        self.batches = 0
        self.filter_evaluations = 0
        self.lagging_events = 0

    # -- lifecycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        if self._task is not None:
            return
        self.last_seq = await asyncio.to_thread(self._store_last_seq)
        self._feed = await self.bus.subscribe(POSTS_SUBJECT)
        self._task = asyncio.create_task(self._consume(self._feed), name="veille-live")
        self._watchdog = asyncio.create_task(self._watch_writes(), name="veille-live-watchdog")

    async def stop(self) -> None:
        """End every stream (after what each has queued) and leave the bus."""
        watchdog, self._watchdog = self._watchdog, None
        if watchdog is not None:
            watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watchdog
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._feed is not None:
            await self._feed.close()
            self._feed = None
        self._end_all()

    # -- subscriptions ---------------------------------------------------------------------------

    def compile(self, live_filter: LiveFilter) -> CompiledFilter:
        """Check a filter now (a bad query raises a ``QueryError``: 422), as :meth:`subscribe` will."""
        group = self._groups.get(live_filter.key)
        if group is not None:
            return group.compiled
        return compile_filter(live_filter, resolve_topic=self.resolve_topic)

    def subscribe(
        self, live_filter: LiveFilter, *, principal: str, after: int | None = None
    ) -> LiveSubscription:
        """A new client of ``principal`` (any stable name: ``user:7``, ``token:wall-3``…).

        ``after``: resume after this event id (the posts written since come from the store first).
        Raises :class:`StreamLimitReached` (429) or :class:`StreamsFull` (503) when over a cap.
        """
        if self._count >= self.limits.total:
            raise StreamsFull(
                f"stream: the hub already serves {self._count} live streams, its limit; try again later",
                field="stream",
            )
        held = self._by_principal.get(principal, 0)
        if held >= self.limits.per_principal:
            raise StreamLimitReached(
                f"stream: {held} live streams are already open with these credentials, the limit "
                f"(stream_clients_per_principal); close one first",
                field="stream",
            )
        key = live_filter.key
        group = self._groups.get(key)
        if group is None:
            group = _Group(compile_filter(live_filter, resolve_topic=self.resolve_topic))
            self._groups[key] = group
        subscription = LiveSubscription(self, group, principal, after, self.limits.queue_chunks)
        group.subscriptions.add(subscription)
        self._by_principal[principal] = held + 1
        self._count += 1
        return subscription

    def _forget(self, subscription: LiveSubscription) -> None:
        group = subscription.group
        if subscription not in group.subscriptions:
            return
        group.subscriptions.discard(subscription)
        if not group.subscriptions and self._groups.get(group.compiled.filter.key) is group:
            del self._groups[group.compiled.filter.key]
        left = self._by_principal.get(subscription.principal, 1) - 1
        if left > 0:
            self._by_principal[subscription.principal] = left
        else:
            self._by_principal.pop(subscription.principal, None)
        self._count -= 1

    @property
    def client_count(self) -> int:
        return self._count

    @property
    def filter_count(self) -> int:
        return len(self._groups)

    def clients_of(self, principal: str) -> int:
        return self._by_principal.get(principal, 0)

    @property
    def lagging_count(self) -> int:
        return sum(
            1 for group in self._groups.values() for sub in group.subscriptions if sub.behind is not None
        )

    def notify(self, event: str, data: Any, *, where: Callable[[LiveFilter], bool]) -> int:
        """Send a non-post event (``event: <name>``) to the live clients whose filter passes
        ``where`` (a wall telling its screens that a post was hidden); returns how many got it."""
        encoded = encode_event(event, data)
        sent = 0
        for group in self._groups.values():
            if where(group.compiled.filter):
                for subscription in group.subscriptions:
                    subscription.offer_event(encoded)
                    sent += 1
        return sent

    # -- the feed --------------------------------------------------------------------------------

    async def _consume(self, feed: Subscription) -> None:
        while True:
            await self._follow(feed)
            # The feed ended under us (the bus closed it: a NATS reconnection, a test cutting every
            # stream). End every stream, as a hub restart would: clients resume by event id, from
            # the store. Then follow a new feed from the store's newest post.
            self._flush()
            self._end_all()
            feed = await self._resubscribe()

    async def _resubscribe(self) -> Subscription:
        delay = 0.5
        while True:
            try:
                feed = await self.bus.subscribe(POSTS_SUBJECT)
                self.last_seq = max(self.last_seq, await asyncio.to_thread(self._store_last_seq))
            except Exception:
                log.warning(
                    "live layer: cannot follow the bus again; retrying in %.1f s", delay, exc_info=True
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)
                continue
            self._feed = feed
            return feed

    async def _follow(self, feed: Subscription) -> None:
        loop = asyncio.get_running_loop()
        async for event in feed:
            if feed.lagged:
                # The bus dropped events for us: every client resumes from the store.
                feed.lagged = False
                self.resync()
            self._pending.append(event)
            if not self._flush_scheduled:
                # Flushed once the bus has handed over the whole published batch (the feed's
                # queue gives queued events without suspending): one encoding per batch.
                self._flush_scheduled = True
                loop.call_soon(self._flush)

    def _end_all(self) -> None:
        for group in list(self._groups.values()):
            for subscription in list(group.subscriptions):
                subscription._end()

    async def _watch_writes(self) -> None:
        timeout = self.limits.send_timeout_s
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(min(1.0, timeout / 4))
            now = loop.time()
            for group in list(self._groups.values()):
                for subscription in list(group.subscriptions):
                    since = subscription.writing_since
                    if since is not None and now - since > timeout and subscription.on_stall is not None:
                        log.info("live: a client's write waited over %.0f s; ending that stream", timeout)
                        self.stalled += 1
                        stall, subscription.on_stall = subscription.on_stall, None
                        stall()

    def resync(self) -> None:
        """Every client resumes from the store, announced with catching-up (the bus lost events)."""
        self._flush()
        for group in self._groups.values():
            for subscription in group.subscriptions:
                subscription.fall_behind(self.last_seq)

    def _flush(self) -> None:
        self._flush_scheduled = False
        events, self._pending = self._pending, []
        edge = self.last_seq
        items = [
            LiveItem(event.seq, event.data, encode_post(event.seq, event.data))
            for event in events
            if event.seq > edge
        ]
        if not items:
            return
        self.batches += 1
        self.last_seq = items[-1].seq
        for group in list(self._groups.values()):
            self.filter_evaluations += 1
            try:
                selected = group.compiled.select(items)
            except Exception:  # a moderation hook that fails must not stop the other screens
                log.exception(
                    "live filter %r failed on a batch; its clients get none of it", group.compiled.filter
                )
                continue
            if not selected:
                continue
            chunk = _Chunk(
                selected[0].seq,
                selected[-1].seq,
                b"".join(item.encoded for item in selected),
                tuple(selected),
            )
            for subscription in list(group.subscriptions):
                subscription.offer(chunk, edge)
