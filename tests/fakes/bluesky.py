"""A fake Bluesky: Jetstream v1 ``/subscribe`` and the XRPC search/session endpoints (§2).

Jetstream: ``fake.log`` is the event log (dicts, in server order — ``time_us`` need not increase).
A connection with ``cursor`` first replays the log from the first event with ``time_us >= cursor``;
then it runs the next script of ``fake.scripts``: ``("event", dict)`` (appended to the log and sent),
``("raw", text)`` (a malformed frame), ``("drop",)``, ``("stall", s)``, ``("sleep", s)``. Filters
``wantedCollections`` (exact and ``prefix.*``) and ``wantedDids`` apply to commits; identity and
account events always pass.

XRPC: ``createSession`` accepts ``fake.accounts`` (identifier → password); ``searchPosts`` pages
``fake.search_posts`` (``cursor`` = offset) for a valid ``accessJwt``; ``fake.search_failures``
scripts failures (403 HTML, 429 with ``RateLimit-*``). ``app.bsky.actor.getProfiles`` answers the
``actors`` (at most 25, else 400 as the AppView does) found in ``fake.profiles`` (DID → profile
view), with or without a token like the public AppView; ``fake.profile_requests`` records the
``actors`` of each call.
"""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from tests.fakes import Failure, FailureQueue, failure_response

__all__ = ["FakeBluesky", "load_jetstream_fixture", "make_post_event", "rate_limited", "search_unavailable"]

FIXTURE = Path(__file__).parent / "data" / "jetstream_v1.jsonl"


def load_jetstream_fixture() -> list[dict[str, Any]]:
    """Frames copied verbatim from Jetstream's golden/captured files (the reference's §2.1)."""
    return [json.loads(line) for line in FIXTURE.read_text().splitlines() if line.strip()]


def make_post_event(
    time_us: int, text: str, *, did: str = "did:plc:alice", rkey: str | None = None
) -> dict[str, Any]:
    return {
        "did": did,
        "time_us": time_us,
        "kind": "commit",
        "commit": {
            "rev": f"rev{time_us}",
            "operation": "create",
            "collection": "app.bsky.feed.post",
            "rkey": rkey or f"r{time_us}",
            "record": {
                "$type": "app.bsky.feed.post",
                "createdAt": "2026-05-25T14:23:28.757Z",
                "langs": ["fr"],
                "text": text,
            },
            "cid": f"cid{time_us}",
        },
    }


def rate_limited(reset_epoch: int) -> Failure:
    return Failure(
        429,
        headers={
            "RateLimit-Limit": "3000",
            "RateLimit-Remaining": "0",
            "RateLimit-Reset": str(reset_epoch),
            "RateLimit-Policy": "3000;w=300",
        },
        body=json.dumps({"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}),
    )


def search_unavailable() -> Failure:
    return Failure(
        403,
        body="<html><body>Request forbidden by administrative rules.</body></html>",
        content_type="text/html",
    )


class FakeBluesky:
    def __init__(self) -> None:
        self.log: list[dict[str, Any]] = []
        self.scripts: list[list[tuple[Any, ...]]] = []
        self.connections: list[dict[str, list[str]]] = []
        self.accounts = {"alice.test": "app-pass-1234"}
        self.search_posts: list[dict[str, Any]] = []
        self.search_failures = FailureQueue()
        self.search_requests: list[dict[str, str]] = []
        self.profiles: dict[str, dict[str, Any]] = {}
        self.profile_requests: list[list[str]] = []
        self._lock = threading.Lock()
        self.app = Starlette(
            routes=[
                WebSocketRoute("/subscribe", self._subscribe),
                Route("/xrpc/com.atproto.server.createSession", self._create_session, methods=["POST"]),
                Route("/xrpc/app.bsky.feed.searchPosts", self._search),
                Route("/xrpc/app.bsky.actor.getProfiles", self._get_profiles),
            ]
        )

    def _wanted(self, event: dict[str, Any], collections: list[str], dids: list[str]) -> bool:
        if event.get("kind") != "commit":
            return not dids or event.get("did") in dids
        if dids and event.get("did") not in dids:
            return False
        collection = event["commit"].get("collection", "")
        if not collections:
            return True
        return any(
            collection == wanted or (wanted.endswith(".*") and collection.startswith(wanted[:-1]))
            for wanted in collections
        )

    async def _subscribe(self, websocket: WebSocket) -> None:
        await websocket.accept()
        params = websocket.query_params
        collections, dids = params.getlist("wantedCollections"), params.getlist("wantedDids")
        cursor = params.get("cursor")
        self.connections.append({"cursor": [cursor] if cursor else [], "wantedCollections": collections})
        with self._lock:
            script = self.scripts.pop(0) if self.scripts else []
        try:
            if cursor is not None:
                start = next(
                    (i for i, e in enumerate(self.log) if e["time_us"] >= int(cursor)), len(self.log)
                )
                for event in list(self.log[start:]):
                    if self._wanted(event, collections, dids):
                        await websocket.send_text(json.dumps(event))
            for step in script:
                kind = step[0]
                if kind == "event":
                    self.log.append(step[1])
                    if self._wanted(step[1], collections, dids):
                        await websocket.send_text(json.dumps(step[1]))
                elif kind == "raw":
                    await websocket.send_text(step[1])
                elif kind in ("sleep", "stall"):
                    await asyncio.sleep(step[1])
                elif kind == "drop":
                    await websocket.close(code=1011)
                    return
            while True:
                await asyncio.sleep(0.05)
        except (WebSocketDisconnect, RuntimeError):
            return

    async def _create_session(self, request: Request) -> Response:
        body = await request.json()
        identifier, password = body.get("identifier"), body.get("password")
        if self.accounts.get(identifier) != password:
            return JSONResponse(
                {"error": "AuthenticationRequired", "message": "Invalid identifier or password"},
                status_code=401,
            )
        return JSONResponse(
            {
                "accessJwt": "access-jwt",
                "refreshJwt": "refresh-jwt",
                "handle": identifier,
                "did": "did:plc:alice",
            }
        )

    async def _search(self, request: Request) -> Response:
        self.search_requests.append(dict(request.query_params))
        failure = self.search_failures.pop()
        if failure is not None:
            return failure_response(failure)
        if request.headers.get("authorization") != "Bearer access-jwt":
            return JSONResponse(
                {"error": "AuthMissing", "message": "Authentication Required"}, status_code=401
            )
        offset = int(request.query_params.get("cursor", "0"))
        limit = int(request.query_params.get("limit", "25"))
        page = self.search_posts[offset : offset + limit]
        body: dict[str, Any] = {"posts": page}
        if offset + limit < len(self.search_posts):
            body["cursor"] = str(offset + limit)
        return JSONResponse(body, headers={"RateLimit-Limit": "3000", "RateLimit-Remaining": "2999"})

    async def _get_profiles(self, request: Request) -> Response:
        actors = request.query_params.getlist("actors")
        self.profile_requests.append(actors)
        if not actors or len(actors) > 25:
            return JSONResponse(
                {"error": "InvalidRequest", "message": "actors must have between 1 and 25 items"},
                status_code=400,
            )
        return JSONResponse({"profiles": [self.profiles[did] for did in actors if did in self.profiles]})
