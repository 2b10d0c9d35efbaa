"""A wall's live stream (``GET /api/v1/walls/{id}/stream``): what its screens need, pushed.

Server-Sent Events, read by ``static/lib/live.js`` on the wall's pages:

- ``ready`` ``{"last_seq", "state", "version"}`` once connected;
- ``post`` (``id: <seq>``) a new post the wall admits (filters, moderation: :func:`veille.walls.admits`,
  the one place that decides), with ``wall_status``; an approved or pinned post comes this way too;
- ``hide`` ``{"post_id"}``: a moderator hid a post: every screen removes it at once;
- ``state`` ``{"scene", "since", "next_at", "hold"}``: the scene to show. The server's clock
  decides: each connection wakes at ``next_at`` (and when an operator jumps or holds) and tells its
  screen, so every screen of a video wall switches within a few milliseconds of the others;
- ``wall`` ``{"version"}``: the wall was edited (the screens read it again);
- ``revoked`` (the kiosk link was revoked) and ``gone`` (the wall was deleted): the stream ends.

The wall, its playlist, its decisions and its kiosk link are checked in the store every second
(:data:`CHECK_S`), so a change made by any process of the hub reaches the screens within a second;
a change made through this process (an operator's jump, a save, a decision, a revoked link) calls
:func:`nudge`, and every screen it serves checks at once, so they switch together.
The posts come from the hub's live bus, like ``/api/v1/stream``'s; a client that lags behind the
bus is caught up from the store.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import OrderedDict
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from fastapi import Request
from pydantic import ValidationError

from veille.analytics.scope import Scope
from veille.bus.base import POSTS_SUBJECT
from veille.clock import now_us, rfc3339_from_us
from veille.hub import Hub
from veille.model import Post
from veille.walls import SceneState, Wall, admits, service

__all__ = ["CHECK_S", "nudge", "state_json", "wall_events"]

CHECK_S = 1.0
REPLAY_PAGE = 500
MAX_REPLAY = 2_000
_QUEUE = 10_000
# A queue item that means "check the store now" rather than a post.
_NUDGE: tuple[int, dict[str, Any]] = (-1, {})
# The queues of the screens this process serves, by wall (each with its event loop).
_screens: dict[int, set[tuple[asyncio.AbstractEventLoop, asyncio.Queue[tuple[int, dict[str, Any]]]]]] = {}


# Posts read from the bus, by write sequence: the screens of every wall share one reading of each.
_read_posts: OrderedDict[tuple[str, int], Post | None] = OrderedDict()
_READ_KEPT = 4_096


def _post_of(data: dict[str, Any], seq: int | None) -> Post | None:
    # Keyed by the post's id and its write sequence: a sequence alone names another post in
    # another store (two hubs in one process, as the tests run them).
    key = None if seq is None else (str(data.get("id")), seq)
    if key is not None and key in _read_posts:
        return _read_posts[key]
    try:
        post: Post | None = Post.model_validate(data)
    except ValidationError:
        post = None
    if key is not None:
        _read_posts[key] = post
        while len(_read_posts) > _READ_KEPT:
            _read_posts.popitem(last=False)
    return post


def _put_nudge(queue: asyncio.Queue[tuple[int, dict[str, Any]]]) -> None:
    with contextlib.suppress(asyncio.QueueFull):
        queue.put_nowait(_NUDGE)


def nudge(wall_id: int) -> None:
    """Tell every screen of the wall this process serves to check the store now (thread-safe)."""
    for loop, queue in list(_screens.get(wall_id, ())):
        with contextlib.suppress(RuntimeError):  # a loop that has just closed
            loop.call_soon_threadsafe(_put_nudge, queue)


def state_json(state: SceneState) -> dict[str, Any]:
    return {
        "scene": state.scene,
        "since": rfc3339_from_us(state.since_us),
        "next_at": None if state.next_at_us is None else rfc3339_from_us(state.next_at_us),
        "hold": state.hold,
    }


def _event(name: str, data: dict[str, Any], event_id: int | None = None) -> dict[str, Any]:
    event: dict[str, Any] = {"event": name, "data": json.dumps(data, ensure_ascii=False)}
    if event_id is not None:
        event["id"] = str(event_id)
    return event


class _Screen:
    """What one connection knows of its wall: the wall, its decisions, the last stamp seen."""

    def __init__(self, hub: Hub, wall_id: int, scope: Scope | None = None) -> None:
        self.hub = hub
        self.wall_id = wall_id
        # The viewer's team scope (issue 14): a wall shows a person only the posts they may see.
        self.scope = None if scope is None or scope.is_everything else scope
        self.wall: Wall | None = None
        self.decided: dict[str, tuple[str, int]] = {}
        self.stamp: Any = None
        self.state: SceneState | None = None

    async def load(self) -> None:
        store = self.hub.store
        self.wall = await asyncio.to_thread(service.get_wall, store=store, wall_id=self.wall_id)
        self.stamp = await asyncio.to_thread(service.wall_stamp, store=store, wall_id=self.wall_id)
        self.decided = await asyncio.to_thread(service.decisions, store=store, wall_id=self.wall_id)
        self.state = await asyncio.to_thread(service.wall_state, store=store, wall_id=self.wall_id)

    def admitted(self, data: dict[str, Any], seq: int | None = None) -> dict[str, Any] | None:
        assert self.wall is not None
        post = _post_of(data, seq)
        if post is None:
            return None
        if self.scope is not None and not self.scope.allows_post(
            source=post.source, country=post.country, topics=(match.name for match in post.topics)
        ):
            return None
        status = self.decided.get(post.id, (None, 0))[0]
        shown = admits(
            post,
            filters=self.wall.filters,
            moderation=self.wall.moderation,
            decision=status,  # type: ignore[arg-type]
            now=datetime.now(UTC),
        )
        return {**data, "wall_status": status} if shown else None


async def _pump(
    hub: Hub, subscription: Any, queue: asyncio.Queue[tuple[int, dict[str, Any]]], sent: int
) -> None:
    """Bus events into the connection's queue; a lag is caught up from the store."""
    async for event in subscription:
        if subscription.lagged:
            subscription.lagged = False
            after = max(sent, await asyncio.to_thread(hub.store.last_seq) - MAX_REPLAY)
            while True:
                page = await asyncio.to_thread(hub.store.posts_after, after, limit=REPLAY_PAGE)
                for item in page:
                    await queue.put((item.seq, item.post.to_json_dict()))
                    after = item.seq
                if len(page) < REPLAY_PAGE:
                    break
        if event.seq > sent:
            sent = event.seq
            await queue.put((event.seq, event.data))


async def wall_events(
    request: Request,
    hub: Hub,
    wall_id: int,
    *,
    kiosk_token: str | None,
    after: int | None,
    scope: Scope | None = None,
) -> AsyncIterator[dict[str, Any]]:
    store = hub.store
    screen = _Screen(hub, wall_id, scope)
    subscription = await hub.bus.subscribe(POSTS_SUBJECT)
    queue: asyncio.Queue[tuple[int, dict[str, Any]]] = asyncio.Queue(maxsize=_QUEUE)
    pump: asyncio.Task[None] | None = None
    registered = (asyncio.get_running_loop(), queue)
    _screens.setdefault(wall_id, set()).add(registered)
    try:
        await screen.load()
        assert screen.state is not None and screen.stamp is not None
        last_seq = await asyncio.to_thread(store.last_seq)
        sent = last_seq if after is None else max(after, last_seq - MAX_REPLAY)
        yield _event(
            "ready", {"last_seq": sent, "state": state_json(screen.state), "version": screen.stamp.version}
        )
        yield _event("state", state_json(screen.state))
        if after is not None:
            replay_from = sent
            while True:
                page = await asyncio.to_thread(store.posts_after, replay_from, limit=REPLAY_PAGE)
                for stored in page:
                    replay_from = stored.seq
                    shown = screen.admitted(stored.post.to_json_dict(), stored.seq)
                    if shown is not None:
                        yield _event("post", shown, stored.seq)
                if len(page) < REPLAY_PAGE:
                    break
            sent = replay_from
        pump = asyncio.create_task(_pump(hub, subscription, queue, sent))
        next_check = asyncio.get_running_loop().time() + CHECK_S
        while True:
            loop_now = asyncio.get_running_loop().time()
            wait = max(0.0, next_check - loop_now)
            state = screen.state
            if state is not None and state.next_at_us is not None:
                wait = min(wait, max(0.0, (state.next_at_us - now_us()) / 1_000_000))
            item: tuple[int, dict[str, Any]] | None = None
            with contextlib.suppress(TimeoutError):
                item = await asyncio.wait_for(queue.get(), timeout=wait)
            if item is _NUDGE:
                item = None
                next_check = 0.0
            if item is not None:
                shown = screen.admitted(item[1], item[0])
                if shown is not None:
                    yield _event("post", shown, item[0])
            # The playlist moves on by the server's clock: no store read needed for that.
            if state is not None and state.next_at_us is not None and now_us() >= state.next_at_us:
                screen.state = await asyncio.to_thread(service.wall_state, store=store, wall_id=wall_id)
                yield _event("state", state_json(screen.state))
            if asyncio.get_running_loop().time() >= next_check:
                next_check = asyncio.get_running_loop().time() + CHECK_S
                async for event in _check(screen, kiosk_token):
                    yield event
                    if event["event"] in ("revoked", "gone"):
                        return
                if await request.is_disconnected():
                    return
            if pump.done():
                return
    finally:
        _screens.get(wall_id, set()).discard(registered)
        if not _screens.get(wall_id, True):
            _screens.pop(wall_id, None)
        if pump is not None:
            pump.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await pump
        await subscription.close()


async def _check(screen: _Screen, kiosk_token: str | None) -> AsyncIterator[dict[str, Any]]:
    """What changed in the store since the last check, as events."""
    store = screen.hub.store
    wall_id = screen.wall_id
    if kiosk_token is not None:
        shown = await asyncio.to_thread(service.wall_for_token, store=store, token=kiosk_token)
        if shown != wall_id:
            yield _event("revoked", {"wall": wall_id})
            return
    stamp = await asyncio.to_thread(service.wall_stamp, store=store, wall_id=wall_id)
    if stamp is None:
        yield _event("gone", {"wall": wall_id})
        return
    before = screen.stamp
    screen.stamp = stamp
    if stamp.version != before.version:
        screen.wall = await asyncio.to_thread(service.get_wall, store=store, wall_id=wall_id)
        yield _event("wall", {"version": stamp.version})
    if (stamp.version, stamp.anchor_scene, stamp.anchor_us, stamp.hold) != (
        before.version,
        before.anchor_scene,
        before.anchor_us,
        before.hold,
    ):
        state = await asyncio.to_thread(service.wall_state, store=store, wall_id=wall_id)
        if state != screen.state:
            screen.state = state
            yield _event("state", state_json(state))
    if stamp.last_decision_us != before.last_decision_us:
        changed = await asyncio.to_thread(
            service.decisions, store=store, wall_id=wall_id, after_us=before.last_decision_us
        )
        screen.decided.update(changed)
        for post_id, (status, _) in sorted(changed.items(), key=lambda item: item[1][1]):
            if status == "hidden":
                yield _event("hide", {"post_id": post_id})
                continue
            post = await asyncio.to_thread(store.get_post, post_id)
            if post is None:
                continue
            admitted = screen.admitted(post.to_json_dict())
            if admitted is not None:
                yield _event("post", admitted)
            else:
                yield _event("hide", {"post_id": post_id})
