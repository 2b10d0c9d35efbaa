"""The live stream of new posts over Server-Sent Events, resumable with ``Last-Event-ID``.

Each event is ``event: post``, ``id: <write sequence>``, ``data: <post JSON>``. A client that
reconnects with ``Last-Event-ID`` (browsers do it by themselves) first gets from the store every
post written after that id, then the live ones, with no gap and no repeat. A client too slow for
the bus is caught up from the store the same way.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Header, Query, Request
from sse_starlette import EventSourceResponse

from veille.bus.base import POSTS_SUBJECT
from veille.errors import Invalid
from veille.hub import Hub
from veille.web.api._routing import api_router
from veille.web.deps import CurrentHub

__all__ = ["router"]

router = api_router(tags=["live"])

REPLAY_PAGE = 500
# Reconnecting clients asking for more than this many missed posts get only the newest ones.
MAX_REPLAY = 5_000


def _event(seq: int, data: dict[str, Any]) -> dict[str, Any]:
    return {"event": "post", "id": str(seq), "data": json.dumps(data, ensure_ascii=False)}


async def _replay(hub: Hub, after: int) -> AsyncIterator[tuple[int, dict[str, Any]]]:
    last = await asyncio.to_thread(hub.store.last_seq)
    after = max(after, last - MAX_REPLAY)
    while True:
        page = await asyncio.to_thread(hub.store.posts_after, after, limit=REPLAY_PAGE)
        for item in page:
            yield item.seq, item.post.to_json_dict()
        if len(page) < REPLAY_PAGE:
            return
        after = page[-1].seq


async def _events(request: Request, hub: Hub, last_event_id: int | None) -> AsyncIterator[dict[str, Any]]:
    subscription = await hub.bus.subscribe(POSTS_SUBJECT)
    hub.metrics.stream_clients.inc()
    try:
        sent = last_event_id if last_event_id is not None else await asyncio.to_thread(hub.store.last_seq)
        yield {"event": "ready", "data": json.dumps({"last_seq": sent}), "retry": 2000}
        if last_event_id is not None:
            async for seq, data in _replay(hub, sent):
                sent = max(sent, seq)
                yield _event(seq, data)
        async for event in subscription:
            if subscription.lagged:
                subscription.lagged = False
                async for seq, data in _replay(hub, sent):
                    sent = max(sent, seq)
                    yield _event(seq, data)
            if event.seq <= sent:
                continue
            sent = event.seq
            yield _event(event.seq, event.data)
            if await request.is_disconnected():
                return
    finally:
        hub.metrics.stream_clients.dec()
        await subscription.close()


@router.get(
    "/stream",
    response_class=EventSourceResponse,
    responses={200: {"description": "event: ready, then event: post", "content": {"text/event-stream": {}}}},
)
async def stream_posts(
    request: Request,
    hub: CurrentHub,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
    after: Annotated[
        int | None, Query(ge=0, description="resume after this event id (as Last-Event-ID)")
    ] = None,
) -> EventSourceResponse:
    """Server-Sent Events of new posts (``event: post``, ``id``: write sequence)."""
    resume_from = after
    if last_event_id:
        if not last_event_id.strip().isdigit():
            raise Invalid("Last-Event-ID: expected an event id", field="Last-Event-ID")
        resume_from = int(last_event_id)
    return EventSourceResponse(_events(request, hub, resume_from), ping=15)
