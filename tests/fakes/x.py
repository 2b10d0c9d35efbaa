"""A fake X API v2: stream rules, the filtered stream (NDJSON, ``\\r\\n`` keep-alives), recent search (§3).

Stream scripts (one per connection, from ``fake.scripts``): ``("post", message)`` (one JSON line),
``("split", message)`` (one line cut across two chunks), ``("keepalive",)``, ``("raw", text)``,
``("disconnect",)`` (the ``operational-disconnect`` line, then close), ``("drop",)``, ``("stall", s)``,
``("sleep", s)``. Afterwards the connection sends keep-alives every ``keepalive_s``.
``fake.stream_failures`` scripts connect failures (429 with ``x-rate-limit-*``...). Recent search pages
``fake.searchable`` (messages as for the stream) newest first, honouring ``since_id``, ``max_results``
and ``next_token``. Bearer tokens outside ``fake.tokens`` get 401.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.fakes import Failure, FailureQueue, failure_response

__all__ = ["FakeX", "make_message", "rate_limited"]

DISCONNECT = {
    "errors": [
        {
            "title": "operational-disconnect",
            "disconnect_type": "UpstreamOperationalDisconnect",
            "detail": "This stream has been disconnected upstream for operational reasons.",
            "type": "https://api.x.com/2/problems/operational-disconnect",
        }
    ]
}


def make_message(
    post_id: int, text: str = "Look at this cute cat! 🐱", *, tag: str = "cats"
) -> dict[str, Any]:
    return {
        "data": {
            "id": str(post_id),
            "text": text,
            "author_id": "9876543210",
            "created_at": "2024-01-15T10:35:00.000Z",
            "edit_history_tweet_ids": [str(post_id)],
        },
        "includes": {"users": [{"id": "9876543210", "username": "catperson"}]},
        "matching_rules": [{"id": "1273026480692322304", "tag": tag}],
    }


def rate_limited(reset_epoch: int, *, body: dict[str, Any] | None = None) -> Failure:
    return Failure(
        429,
        headers={
            "x-rate-limit-limit": "50",
            "x-rate-limit-remaining": "0",
            "x-rate-limit-reset": str(reset_epoch),
        },
        body=json.dumps(
            body
            or {
                "title": "Too Many Requests",
                "detail": "Too Many Requests",
                "type": "about:blank",
                "status": 429,
            }
        ),
    )


class FakeX:
    def __init__(self, *, tokens: tuple[str, ...] = ("good-bearer",), keepalive_s: float = 0.05) -> None:
        self.tokens = set(tokens)
        self.keepalive_s = keepalive_s
        self.rules: dict[str, dict[str, str]] = {}
        self.rule_posts: list[dict[str, Any]] = []
        self.scripts: list[list[tuple[Any, ...]]] = []
        self.stream_failures = FailureQueue()
        self.searchable: list[dict[str, Any]] = []
        self.search_requests: list[dict[str, str]] = []
        self.stream_requests: list[dict[str, str]] = []
        self.connections = 0
        self._ids = itertools.count(1_500_000_000_000_000_000)
        self.app = Starlette(
            routes=[
                Route("/2/tweets/search/stream/rules", self._rules, methods=["GET", "POST"]),
                Route("/2/tweets/search/stream", self._stream),
                Route("/2/tweets/search/recent", self._recent),
            ]
        )

    def _unauthorized(self, request: Request) -> Response | None:
        if request.headers.get("authorization", "").removeprefix("Bearer ") in self.tokens:
            return None
        return JSONResponse(
            {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"},
            status_code=401,
        )

    async def _rules(self, request: Request) -> Response:
        denied = self._unauthorized(request)
        if denied is not None:
            return denied
        if request.method == "GET":
            data = list(self.rules.values())
            return JSONResponse(
                {"data": data, "meta": {"sent": "2024-01-15T10:30:00.000Z", "result_count": len(data)}}
            )
        body = await request.json()
        self.rule_posts.append(body)
        if "delete" in body:
            for rule_id in body["delete"].get("ids", []):
                self.rules.pop(rule_id, None)
            return JSONResponse({"meta": {"sent": "2024-01-15T10:30:00.000Z", "summary": {"deleted": 1}}})
        created, errors = [], []
        for rule in body.get("add", []):
            if "INVALID" in rule["value"]:
                errors.append(
                    {
                        "value": rule["value"],
                        "details": ["Reference to invalid operator"],
                        "title": "UnprocessableEntity",
                    }
                )
                continue
            rule_id = str(next(self._ids))
            self.rules[rule_id] = {"id": rule_id, "value": rule["value"], "tag": rule.get("tag", "")}
            created.append(self.rules[rule_id])
        summary = {
            "created": len(created),
            "not_created": len(errors),
            "valid": len(created),
            "invalid": len(errors),
        }
        payload: dict[str, Any] = {
            "data": created,
            "meta": {"sent": "2024-01-15T10:30:00.000Z", "summary": summary},
        }
        if errors:
            payload["errors"] = errors
        return JSONResponse(payload, status_code=201)

    async def _stream(self, request: Request) -> Response:
        denied = self._unauthorized(request)
        if denied is not None:
            return denied
        failure = self.stream_failures.pop()
        if failure is not None:
            return failure_response(failure)
        self.connections += 1
        self.stream_requests.append(dict(request.query_params))
        script = self.scripts.pop(0) if self.scripts else []
        headers = {
            "x-rate-limit-limit": "50",
            "x-rate-limit-remaining": "49",
            "x-rate-limit-reset": "1705420800",
        }
        return StreamingResponse(self._body(script), media_type="application/json", headers=headers)

    async def _body(self, script: list[tuple[Any, ...]]) -> AsyncIterator[bytes]:
        for step in script:
            kind = step[0]
            if kind == "post":
                yield json.dumps(step[1], ensure_ascii=False).encode() + b"\r\n"
            elif kind == "split":
                line = json.dumps(step[1], ensure_ascii=False).encode() + b"\r\n"
                yield line[:17]
                await asyncio.sleep(0.02)
                yield line[17:]
            elif kind == "keepalive":
                yield b"\r\n"
            elif kind == "raw":
                yield step[1].encode()
            elif kind == "disconnect":
                yield json.dumps(DISCONNECT).encode() + b"\r\n"
                return
            elif kind in ("sleep", "stall"):
                await asyncio.sleep(step[1])
            elif kind == "drop":
                raise ConnectionResetError("scripted drop")
        while True:
            await asyncio.sleep(self.keepalive_s)
            yield b"\r\n"

    async def _recent(self, request: Request) -> Response:
        denied = self._unauthorized(request)
        if denied is not None:
            return denied
        params = request.query_params
        self.search_requests.append(dict(params))
        matching = sorted(self.searchable, key=lambda m: int(m["data"]["id"]), reverse=True)
        if "since_id" in params:
            matching = [m for m in matching if int(m["data"]["id"]) > int(params["since_id"])]
        size = min(max(int(params.get("max_results", "10")), 10), 100)
        offset = int(params.get("next_token", "0"))
        page = matching[offset : offset + size]
        if not page:
            return JSONResponse({"meta": {"result_count": 0}})
        includes: dict[str, dict[str, Any]] = {"users": {}, "tweets": {}, "places": {}}
        for message in page:  # one includes for the page, as X merges them
            for key, found in includes.items():
                for item in message.get("includes", {}).get(key, []):
                    found[item["id"]] = item
        meta: dict[str, Any] = {
            "newest_id": page[0]["data"]["id"],
            "oldest_id": page[-1]["data"]["id"],
            "result_count": len(page),
        }
        if offset + size < len(matching):
            meta["next_token"] = str(offset + size)
        merged = {key: list(found.values()) for key, found in includes.items() if found}
        return JSONResponse({"data": [m["data"] for m in page], "includes": merged, "meta": meta})
