"""The live stream of new posts over Server-Sent Events, resumable with ``Last-Event-ID``.

Each event is ``event: post``, ``id: <write sequence>``, ``data: <post JSON>``; several may share
one write. A client that reconnects with ``Last-Event-ID`` (browsers do it by themselves) or
``?after=`` first gets from the store every post written after that id, then the live ones, with
no gap and no repeat. Filters (``topic``, ``query``, ``language``, ``country``, ``source``) select
the posts; an unknown value is refused with 422, as on the analytics routes.

The fan-out is :mod:`veille.live`: posts are encoded once per batch and each distinct filter is
evaluated once per batch, whatever the number of clients. A client too slow for the live pace gets
``event: catching-up``, the missed posts from the store, then ``event: caught-up``; a write that
waits longer than ``stream_send_timeout_s`` closes that client; streams are capped per principal
(429) and in all (503).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Annotated

import anyio
from fastapi import Header, Query
from sse_starlette import EventSourceResponse
from starlette.types import Message, Receive, Scope, Send

from veille.access import Principal
from veille.analytics.known import check_countries, check_languages, check_sources, check_topics
from veille.errors import Invalid
from veille.hub import Hub
from veille.live import LiveFilter, LiveSubscription
from veille.web.api._params import CallerScope, Values, listed
from veille.web.api._routing import api_router
from veille.web.deps import CurrentHub, CurrentPrincipal
from veille.web.schemas import ErrorRead

__all__ = ["principal_key", "router"]

router = api_router(tags=["live"])

PING_S = 15
MAX_EVENT_ID = 2**63 - 1


def principal_key(principal: Principal) -> str:
    """Whom a stream counts against: the user (whatever the session or token), or the named token."""
    return f"user:{principal.user_id}" if principal.user_id is not None else f"token:{principal.name}"


class LiveStreamResponse(EventSourceResponse):
    """SSE whose subscription is released however the response ends (even a HEAD, never iterated).

    The send time-out is the live layer's watchdog (one timer for every client), not
    ``sse_starlette``'s cancel scope around each write, which cost about 40 % of a client's CPU.
    """

    def __init__(
        self, hub: Hub, subscription: LiveSubscription, content: AsyncIterator[bytes] | None = None
    ) -> None:
        # ``content``: the subscription's bytes as the caller shapes them (a wall's own first events).
        super().__init__(subscription.chunks() if content is None else content, ping=PING_S)
        self.hub = hub
        self.subscription = subscription

    async def _send_with_timeout(self, send: Send, message: Message) -> None:
        subscription = self.subscription
        subscription.writing_since = asyncio.get_running_loop().time()
        try:
            await send(message)
        except BaseException:
            self._send_interrupted = True
            raise
        finally:
            subscription.writing_since = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.hub.metrics.stream_clients.inc()
        try:
            with anyio.CancelScope() as stalled:
                self.subscription.on_stall = stalled.cancel
                await super().__call__(scope, receive, send)
            if stalled.cancel_called:
                self._send_interrupted = True  # the connection is dropped, unfinished
        finally:
            self.hub.metrics.stream_clients.dec()
            await self.subscription.close()


def _event_id(raw: str | None, after: int | None) -> int | None:
    if raw is None or not raw.strip():
        return after
    if not raw.strip().isdigit() or int(raw.strip()) > MAX_EVENT_ID:
        raise Invalid("Last-Event-ID: expected an event id", field="Last-Event-ID")
    return int(raw.strip())


_NO_SOURCE = "\x00nothing-in-scope"


def _within(
    asked: list[str] | None, allowed: frozenset[str] | None, normal: Callable[[str], str]
) -> list[str] | None:
    """The values of one filter inside the caller's scope: None is "no restriction", [] "nothing"."""
    if allowed is None:
        return asked or None
    if not asked:
        return sorted(allowed)
    return sorted({normal(value) for value in asked} & allowed)


@router.get(
    "/stream",
    response_class=EventSourceResponse,
    responses={
        200: {
            "description": "event: ready, then event: post (and catching-up / caught-up for a slow client)",
            "content": {"text/event-stream": {}},
        },
        429: {"model": ErrorRead, "description": "too many streams open with these credentials"},
        503: {"model": ErrorRead, "description": "the hub serves as many streams as it allows"},
    },
)
async def stream_posts(
    hub: CurrentHub,
    principal: CurrentPrincipal,
    scope: CallerScope,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
    after: Annotated[
        int | None, Query(ge=0, le=MAX_EVENT_ID, description="resume after this event id (as Last-Event-ID)")
    ] = None,
    topic: Values = None,
    query: Annotated[str | None, Query(description="only posts matching this query (query language)")] = None,
    language: Values = None,
    country: Values = None,
    source: Values = None,
) -> EventSourceResponse:
    """Server-Sent Events of new posts (``event: post``, ``id``: write sequence), filtered."""
    resume_from = _event_id(last_event_id, after)
    topics, languages, countries, sources = listed(topic), listed(language), listed(country), listed(source)
    check_countries(countries, field="country")
    check_languages(languages, field="language")

    def check_stored_values() -> None:
        check_topics(hub.store, topics, allowed=scope.topics)
        check_sources(hub.store, sources, field="source")

    await asyncio.to_thread(check_stored_values)
    topics, countries, sources = (
        _within(topics, scope.topics, str),
        _within(countries, scope.countries, str.upper),
        _within(sources, scope.sources, str.lower),
    )
    if not all(values is None or values for values in (topics, countries, sources)):
        # Nothing of what was asked is in the caller's scope (or the caller has no team): a source
        # no post can have (sources are validated names) keeps the stream open and empty.
        sources = [_NO_SOURCE]
    live_filter = LiveFilter.of(
        topics=topics, query=query, languages=languages, countries=countries, sources=sources
    )
    live = hub.streams
    live.compile(live_filter)  # a query that does not parse: 422 before anything is held
    subscription = live.subscribe(live_filter, principal=principal_key(principal), after=resume_from)
    return LiveStreamResponse(hub, subscription)
