"""A wall's live stream (``GET /api/v1/walls/{id}/stream``): what its screens need, pushed.

Server-Sent Events, read by ``static/lib/live.js`` on the wall's pages:

- ``ready`` ``{"last_seq", "state", "version"}`` once connected;
- ``post`` (``id: <seq>``) a new post the wall admits (filters, moderation: :func:`veille.walls.admits`,
  the one place that decides); an approved or pinned post comes this way too, with ``wall_status``;
- ``hide`` ``{"post_id"}``: a moderator hid a post: every screen removes it at once;
- ``state`` ``{"scene", "since", "next_at", "hold"}``: the scene to show, decided by the server's
  clock and sent to every screen of the wall at once, so a video wall switches together;
- ``wall`` ``{"version"}``: the wall was edited (the screens read it again);
- ``revoked`` (the kiosk link was revoked) and ``gone`` (the wall was deleted): the stream ends;
- ``catching-up`` / ``caught-up``: the screen fell behind and is fed from the store (the live layer).

The screens are clients of the hub's live layer (:mod:`veille.live`), like ``/api/v1/stream``'s:
each post is encoded once per batch for every screen of the hub. A wall is **one filter** of that
layer per team scope (its filters, its moderation, its moderators' decisions: :class:`WallGate`),
so the posts of a batch are judged once per wall, whatever the number of its screens and kiosk
links. The wall itself — its version, its playlist, its decisions, its kiosk links — is followed
by one :class:`WallFeed` per wall and process, shared by its screens: it checks the store every
second (:data:`CHECK_S`) and at once when this process changes the wall (:func:`nudge`), and
sends each change to every screen in the same turn of the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from veille.analytics.scope import Scope
from veille.clock import now_us, rfc3339_from_us
from veille.hub import Hub
from veille.live import LiveFilter, LiveItem, LiveLayer, LiveSubscription
from veille.live.encoding import encode_event
from veille.model import Post
from veille.walls import SceneState, Wall, admits, service
from veille.walls.repository import WallStamp

__all__ = ["CHECK_S", "WallFeed", "WallGate", "feed_of", "nudge", "open_screen", "state_json"]

log = logging.getLogger(__name__)

CHECK_S = 1.0

# The feeds of the walls this process shows, by live layer (one per hub) and wall id.
_feeds: weakref.WeakKeyDictionary[LiveLayer, dict[int, WallFeed]] = weakref.WeakKeyDictionary()


def state_json(state: SceneState) -> dict[str, Any]:
    return {
        "scene": state.scene,
        "since": rfc3339_from_us(state.since_us),
        "next_at": None if state.next_at_us is None else rfc3339_from_us(state.next_at_us),
        "hold": state.hold,
    }


def _scope_key(scope: Scope | None) -> str:
    if scope is None:
        return "all"
    parts = []
    for name in ("topics", "countries", "sources"):
        values = getattr(scope, name)
        parts.append("*" if values is None else ",".join(sorted(values)))
    return "|".join(parts)


class WallGate:
    """The live layer's moderation hook for one wall and one team scope: the posts a batch brings
    are judged here once for every screen of the wall with that scope (``admits``: the wall's
    filters, rules and decisions, read from the :class:`WallFeed` as they are now)."""

    def __init__(self, feed: WallFeed, scope: Scope | None) -> None:
        self.feed = feed
        self.scope = None if scope is None or scope.is_everything else scope
        self.key = f"wall:{feed.wall_id}:{id(feed)}@{_scope_key(self.scope)}"

    def in_scope(self, post: Post) -> bool:
        return self.scope is None or self.scope.allows_post(
            source=post.source, country=post.country, topics=(match.name for match in post.topics)
        )

    def shows(self, post: Post, status: str | None, now: datetime | None) -> bool:
        wall = self.feed.wall
        return self.in_scope(post) and admits(
            post,
            filters=wall.filters,
            moderation=wall.moderation,
            decision=status,  # type: ignore[arg-type]
            now=now,
        )

    def allows(self, item: LiveItem) -> bool:
        post = item.post
        if post is None:
            return False
        return self.shows(post, self.feed.decided.get(post.id, (None, 0))[0], datetime.now(UTC))


@dataclass(eq=False)
class _Screen:
    subscription: LiveSubscription
    gate: WallGate
    kiosk_token: str | None


class WallFeed:
    """One wall as this process shows it: loaded once, followed once, for all of its screens."""

    def __init__(self, hub: Hub, wall_id: int, wall: Wall, stamp: WallStamp, state: SceneState) -> None:
        self.hub = hub
        self.layer = hub.streams
        self.wall_id = wall_id
        self.wall = wall
        self.stamp = stamp
        self.state = state
        self.decided: dict[str, tuple[str, int]] = {}
        self.screens: set[_Screen] = set()
        self.gates: dict[str, WallGate] = {}
        self.loop = asyncio.get_running_loop()
        self.poked = asyncio.Event()
        self.checks = 0  # store checks done (tests: one per wall, not one per screen)
        self._task: asyncio.Task[None] | None = None

    # -- screens ---------------------------------------------------------------------------------

    def gate(self, scope: Scope | None) -> WallGate:
        gate = WallGate(self, scope)
        return self.gates.setdefault(gate.key, gate)

    def add(self, screen: _Screen) -> None:
        self.screens.add(screen)
        if self._task is None:
            self._task = asyncio.create_task(self._follow(), name=f"veille-wall-{self.wall_id}")

    def remove(self, screen: _Screen) -> None:
        self.screens.discard(screen)
        if self.screens:
            return
        if self._task is not None:
            self._task.cancel()
            self._task = None
        self._forget()

    def _forget(self) -> None:
        feeds = _feeds.get(self.layer, {})
        if feeds.get(self.wall_id) is self:
            del feeds[self.wall_id]

    def _send(self, event: str, data: Any, screens: list[_Screen] | None = None) -> None:
        encoded = encode_event(event, data)  # once for every screen
        for screen in list(self.screens) if screens is None else screens:
            screen.subscription.send_event(encoded)

    async def _end(self, event: str, screens: list[_Screen]) -> None:
        """``revoked`` or ``gone`` to these screens, then their streams end."""
        self._send(event, {"wall": self.wall_id}, screens)
        for screen in screens:
            self.screens.discard(screen)
            await screen.subscription.close()

    # -- following the wall ----------------------------------------------------------------------

    async def _follow(self) -> None:
        while True:
            # A response that ended without reading its stream (a HEAD) closed its subscription only.
            self.screens = {screen for screen in self.screens if not screen.subscription.closed}
            if not self.screens:
                self._task = None
                self._forget()
                return
            wait = CHECK_S
            if self.state.next_at_us is not None:
                wait = min(wait, max(0.0, (self.state.next_at_us - now_us()) / 1_000_000))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.poked.wait(), timeout=wait)
            self.poked.clear()
            try:
                await self.check()
            except asyncio.CancelledError:
                raise
            except Exception:  # a store hiccup: the screens keep what they show, we check again
                log.warning("wall %s: could not check the store", self.wall_id, exc_info=True)
                await asyncio.sleep(CHECK_S)

    async def check(self) -> None:
        """What changed in the store since the last check, sent to every screen together."""
        store = self.hub.store
        wall_id = self.wall_id
        self.checks += 1
        tokens = {screen.kiosk_token for screen in self.screens if screen.kiosk_token is not None}
        for token in tokens:
            shown = await asyncio.to_thread(service.wall_for_token, store=store, token=token)
            if shown != wall_id:
                await self._end("revoked", [screen for screen in self.screens if screen.kiosk_token == token])
        stamp = await asyncio.to_thread(service.wall_stamp, store=store, wall_id=wall_id)
        if stamp is None:
            await self._end("gone", list(self.screens))
            return
        before, self.stamp = self.stamp, stamp
        if stamp.version != before.version:
            self.wall = await asyncio.to_thread(service.get_wall, store=store, wall_id=wall_id)
            self._send("wall", {"version": stamp.version})
        moved = (stamp.version, stamp.anchor_scene, stamp.anchor_us, stamp.hold) != (
            before.version,
            before.anchor_scene,
            before.anchor_us,
            before.hold,
        )
        if moved or (self.state.next_at_us is not None and now_us() >= self.state.next_at_us):
            state = await asyncio.to_thread(service.wall_state, store=store, wall_id=wall_id)
            if state != self.state:
                self.state = state
                self._send("state", state_json(state))
        if stamp.last_decision_us != before.last_decision_us:
            await self._decisions_since(before.last_decision_us)

    async def _decisions_since(self, after_us: int) -> None:
        store = self.hub.store
        changed = await asyncio.to_thread(
            service.decisions, store=store, wall_id=self.wall_id, after_us=after_us
        )
        # Decided first: a post the bus brings from now on is judged with these decisions.
        self.decided.update(changed)
        for post_id, (status, _) in sorted(changed.items(), key=lambda item: item[1][1]):
            if status == "hidden":
                self._send("hide", {"post_id": post_id})
                continue
            post = await asyncio.to_thread(store.get_post, post_id)
            if post is None:
                continue
            shown = {**post.to_json_dict(), "wall_status": status}
            for gate in list(self.gates.values()):
                screens = [screen for screen in self.screens if screen.gate is gate]
                if not screens:
                    continue
                if gate.shows(post, status, None):
                    self._send("post", shown, screens)
                else:
                    self._send("hide", {"post_id": post_id}, screens)

    def poke(self) -> None:
        self.poked.set()


async def feed_of(hub: Hub, wall_id: int) -> WallFeed:
    """The wall's feed in this process (loaded from the store for its first screen)."""
    layer = hub.streams
    feeds = _feeds.setdefault(layer, {})
    feed = feeds.get(wall_id)
    if feed is not None:
        return feed
    store = hub.store
    wall = await asyncio.to_thread(service.get_wall, store=store, wall_id=wall_id)
    stamp = await asyncio.to_thread(service.wall_stamp, store=store, wall_id=wall_id)
    state = await asyncio.to_thread(service.wall_state, store=store, wall_id=wall_id)
    decided = await asyncio.to_thread(service.decisions, store=store, wall_id=wall_id)
    feed = feeds.get(wall_id)  # another screen of the wall may have loaded it meanwhile
    if feed is not None:
        return feed
    if stamp is None:
        raise service.WallNotFound(wall_id)
    feed = WallFeed(hub, wall_id, wall, stamp, state)
    feed.decided = decided
    feeds[wall_id] = feed
    return feed


def nudge(wall_id: int) -> None:
    """Tell the feed of the wall in every hub of this process to check the store now (thread-safe)."""
    for feeds in list(_feeds.values()):
        feed = feeds.get(wall_id)
        if feed is not None:
            with contextlib.suppress(RuntimeError):  # a loop that has just closed
                feed.loop.call_soon_threadsafe(feed.poke)


async def open_screen(
    hub: Hub,
    wall_id: int,
    *,
    principal: str,
    kiosk_token: str | None,
    after: int | None,
    scope: Scope | None = None,
) -> tuple[LiveSubscription, AsyncIterator[bytes]]:
    """A screen of the wall: its live subscription and the bytes to send (``ready``, ``state``,
    then posts and the wall's events). Raises what :meth:`LiveLayer.subscribe` raises (429, 503)."""
    feed = await feed_of(hub, wall_id)
    gate = feed.gate(scope)
    try:
        subscription = hub.streams.subscribe(LiveFilter(moderation=gate), principal=principal, after=after)
    except Exception:
        if not feed.screens:
            feed._forget()
        raise
    screen = _Screen(subscription, gate, kiosk_token)
    feed.add(screen)
    state = state_json(feed.state)
    ready = encode_event(
        "ready", {"last_seq": subscription.start, "state": state, "version": feed.stamp.version}
    ) + encode_event("state", state)

    async def chunks() -> AsyncIterator[bytes]:
        try:
            async for data in subscription.chunks(ready):
                yield data
        finally:
            feed.remove(screen)

    return subscription, chunks()
