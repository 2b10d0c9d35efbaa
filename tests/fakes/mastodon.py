"""A fake Mastodon instance: SSE and WebSocket streaming, REST hashtag/public timelines (§1).

Scripting: each streaming connection takes the next script from ``fake.scripts`` (a list of steps);
when none is left it holds the connection, sending ``:thump`` heartbeats. Steps:

* ``("update", status)`` / ``("status.update", status)`` / ``("delete", id)`` — an event,
* ``("raw", text)`` — bytes exactly as given (SSE) or one text frame (WS): malformed frames,
* ``("split", status)`` — SSE only: the ``data:`` line cut in two TCP chunks, mid multi-byte char,
* ``("drop",)`` — close the connection abruptly, ``("stall", seconds)`` — send nothing,
* ``("heartbeat",)``, ``("sleep", seconds)``.

REST timelines serve ``fake.statuses`` (newest first, ``max_id``/``since_id``/``min_id``/``limit``≤40,
``Link`` header). ``fake.rest_failures`` scripts failures (e.g. 429 with an ISO 8601
``X-RateLimit-Reset``). Tokens not in ``fake.tokens`` get 401.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from tests.fakes import Failure, FailureQueue, failure_response

__all__ = ["FakeMastodon", "make_status", "rate_limited"]

Step = tuple[Any, ...]


def make_status(
    status_id: int,
    *,
    text: str = "hello",
    tags: list[str] | None = None,
    created_at: datetime | None = None,
    reblog: dict[str, Any] | None = None,
    in_reply_to_id: str | None = None,
    acct: str = "alice@mastodon.example",
    followers: int = 42,
) -> dict[str, Any]:
    """A Status entity with the fields of the docs' examples."""
    moment = created_at or datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=status_id % 100_000)
    tag_links = " ".join(
        f'<a href="https://mastodon.example/tags/{tag}" class="mention hashtag" rel="tag">#<span>{tag}</span></a>'
        for tag in tags or []
    )
    return {
        "id": str(status_id),
        "created_at": moment.isoformat().replace("+00:00", "Z"),
        "in_reply_to_id": in_reply_to_id,
        "in_reply_to_account_id": None,
        "sensitive": False,
        "spoiler_text": "",
        "visibility": "public",
        "language": "en",
        "uri": f"https://mastodon.example/users/alice/statuses/{status_id}",
        "url": f"https://mastodon.example/@alice/{status_id}",
        "replies_count": 1,
        "reblogs_count": 2,
        "favourites_count": 3,
        "edited_at": None,
        "content": f"<p>{text} {tag_links}</p>",
        "reblog": reblog,
        "account": {
            "id": "1081104",
            "username": acct.split("@")[0],
            "acct": acct,
            "display_name": "Alice",
            "note": "<p>Journaliste</p>",
            "url": "https://mastodon.example/@alice",
            "followers_count": followers,
            "following_count": 1,
            "statuses_count": 10,
        },
        "media_attachments": [],
        "mentions": [],
        "tags": [{"name": tag.lower(), "url": f"https://mastodon.example/tags/{tag}"} for tag in tags or []],
        "emojis": [],
        "card": None,
        "poll": None,
    }


def rate_limited(reset_at: datetime) -> Failure:
    """Mastodon's 429 (rack_attack): ISO 8601 reset with 6 fractional digits."""
    return Failure(
        429,
        headers={
            "X-RateLimit-Limit": "300",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": reset_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        },
        body=json.dumps({"error": "Too many requests"}),
    )


def _id_key(value: str) -> int:
    return int(value)


class FakeMastodon:
    def __init__(self, *, tokens: tuple[str, ...] = ("good-token",), heartbeat_s: float = 0.05) -> None:
        self.tokens = set(tokens)
        self.heartbeat_s = heartbeat_s
        self.statuses: list[dict[str, Any]] = []
        self.scripts: list[list[Step]] = []
        self.rest_failures = FailureQueue()
        self.stream_failures = FailureQueue()
        self.connections: list[dict[str, Any]] = []  # what each streaming client asked for
        self.rest_requests: list[dict[str, str]] = []
        self._lock = threading.Lock()
        self.app = Starlette(
            routes=[
                Route("/api/v1/streaming/{path:path}", self._sse),
                WebSocketRoute("/api/v1/streaming", self._ws),
                Route("/api/v1/timelines/tag/{tag}", self._tag_timeline),
                Route("/api/v1/timelines/public", self._public_timeline),
            ]
        )

    # -- helpers ------------------------------------------------------------------------------------

    def _authorized(self, headers: Any, query: Any) -> bool:
        header = headers.get("authorization", "")
        token = header.removeprefix("Bearer ").strip() if header else query.get("access_token", "")
        return token in self.tokens

    def _next_script(self) -> list[Step]:
        with self._lock:
            return self.scripts.pop(0) if self.scripts else []

    # -- SSE ------------------------------------------------------------------------------------------

    async def _sse(self, request: Request) -> Response:
        if not self._authorized(request.headers, request.query_params):
            return JSONResponse({"error": "The access token is invalid"}, status_code=401)
        failure = self.stream_failures.pop()
        if failure is not None:
            return failure_response(failure)
        path = request.path_params["path"]
        if path not in {
            "public",
            "public/local",
            "public/remote",
            "hashtag",
            "hashtag/local",
            "list",
            "user",
        }:
            return JSONResponse({"error": "Unknown channel requested"}, status_code=400)
        self.connections.append({"transport": "sse", "path": path, **dict(request.query_params)})
        script = self._next_script()
        return StreamingResponse(self._sse_body(script), media_type="text/event-stream")

    async def _sse_body(self, script: list[Step]) -> AsyncIterator[bytes]:
        yield b":)\n"
        for step in script:
            kind = step[0]
            if kind in ("update", "status.update"):
                yield f"event: {kind}\ndata: {json.dumps(step[1], ensure_ascii=False)}\n\n".encode()
            elif kind == "delete":
                yield f"event: delete\ndata: {step[1]}\n\n".encode()
            elif kind == "split":
                line = f"event: update\ndata: {json.dumps(step[1], ensure_ascii=False)}\n\n".encode()
                cut = line.index("é".encode()) + 1 if "é".encode() in line else len(line) // 2
                yield line[:cut]
                await asyncio.sleep(0.02)
                yield line[cut:]
            elif kind == "raw":
                yield step[1].encode()
            elif kind == "heartbeat":
                yield b":thump\n"
            elif kind in ("sleep", "stall"):
                await asyncio.sleep(step[1])
            elif kind == "drop":
                raise ConnectionResetError("scripted drop")  # uvicorn aborts the chunked response
        while True:
            await asyncio.sleep(self.heartbeat_s)
            yield b":thump\n"

    # -- WebSocket -------------------------------------------------------------------------------------

    async def _ws(self, websocket: WebSocket) -> None:
        if not self._authorized(websocket.headers, websocket.query_params):
            await websocket.send_denial_response(
                JSONResponse({"error": "The access token is invalid"}, status_code=401)
            )
            return
        await websocket.accept()
        streams: list[dict[str, Any]] = []
        if "stream" in websocket.query_params:
            streams.append(dict(websocket.query_params))
        script = self._next_script()
        receiver = asyncio.create_task(self._ws_receive(websocket, streams))
        try:
            await asyncio.sleep(0.02)  # let subscribe messages arrive
            self.connections.append({"transport": "websocket", "streams": list(streams)})
            for step in script:
                kind = step[0]
                label = (
                    ["hashtag", streams[0].get("tag")] if streams and streams[0].get("tag") else ["public"]
                )
                if kind in ("update", "status.update"):
                    frame = {"stream": label, "event": kind, "payload": json.dumps(step[1])}
                    await websocket.send_text(json.dumps(frame))
                elif kind == "delete":
                    await websocket.send_text(
                        json.dumps({"stream": label, "event": "delete", "payload": step[1]})
                    )
                elif kind == "raw":
                    await websocket.send_text(step[1])
                elif kind in ("sleep", "stall"):
                    await asyncio.sleep(step[1])
                elif kind == "drop":
                    await websocket.close(code=1011)
                    return
            while True:
                await asyncio.sleep(self.heartbeat_s)
        except (WebSocketDisconnect, RuntimeError):
            return
        finally:
            receiver.cancel()

    async def _ws_receive(self, websocket: WebSocket, streams: list[dict[str, Any]]) -> None:
        while True:
            message = await websocket.receive_json()
            if message.get("type") == "subscribe":
                streams.append(message)

    # -- REST --------------------------------------------------------------------------------------

    async def _tag_timeline(self, request: Request) -> Response:
        tag = request.path_params["tag"].lower()
        return self._timeline(request, [s for s in self.statuses if tag in {t["name"] for t in s["tags"]}])

    async def _public_timeline(self, request: Request) -> Response:
        return self._timeline(request, list(self.statuses))

    def _timeline(self, request: Request, pool: list[dict[str, Any]]) -> Response:
        params = request.query_params
        self.rest_requests.append({"path": request.url.path, **dict(params)})
        failure = self.rest_failures.pop()
        if failure is not None:
            return failure_response(failure)
        limit = min(int(params.get("limit", "20")), 40)
        newest_first = sorted(pool, key=lambda s: _id_key(s["id"]), reverse=True)
        if "max_id" in params:
            newest_first = [s for s in newest_first if _id_key(s["id"]) < _id_key(params["max_id"])]
        if "since_id" in params:
            newest_first = [s for s in newest_first if _id_key(s["id"]) > _id_key(params["since_id"])]
        if "min_id" in params:
            above = [s for s in newest_first if _id_key(s["id"]) > _id_key(params["min_id"])]
            page = list(reversed(list(reversed(above))[:limit]))  # oldest window above min_id
        else:
            page = newest_first[:limit]
        headers = {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "299"}
        if page:
            base = str(request.url.replace(query=""))
            headers["Link"] = (
                f'<{base}?max_id={page[-1]["id"]}>; rel="next", <{base}?min_id={page[0]["id"]}>; rel="prev"'
            )
        return JSONResponse(page, headers=headers)
