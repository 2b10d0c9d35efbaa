"""A fake of the platforms' write APIs that accepts replies: what ``veille demo`` answers through,
and what the reply clients are tested against (``tests/fakes/replies.py`` serves it on 127.0.0.1).

One ASGI app, one prefix per platform, each speaking its platform's wire format:

- ``/mastodon``: ``POST /api/v1/statuses`` (``in_reply_to_id``), ``GET /api/v2/search?resolve=true``;
- ``/bluesky``: ``/xrpc/com.atproto.server.createSession``, ``com.atproto.repo.getRecord``,
  ``com.atproto.repo.createRecord``;
- ``/x``: ``POST /2/tweets`` (``reply.in_reply_to_tweet_id``), 201 ``{"data": {"id", "text"}}``;
- ``/reddit``: ``POST /api/comment`` (form ``thing_id``, ``text``, ``api_type=json``);
- ``/youtube``: ``POST /youtube/v3/comments?part=snippet`` (``snippet.parentId``).

Tokens not in ``tokens`` are refused as each platform refuses them (401); a parent in ``deleted``
is gone the way each platform says so. :meth:`ReplyPlatform.fail` scripts the next answer of a
platform: ``rate_limited``, ``unauthorized``, ``gone`` or ``server_error``, in that platform's own
words and headers. Every accepted reply is kept in ``replies``.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

__all__ = ["DEMO_TOKEN", "FAILURES", "ReplyPlatform", "demo_credentials"]

DEMO_TOKEN = "demo-write-token"
DEMO_APP_PASSWORD = "demo-app-pass-word"
FAILURES = ("rate_limited", "unauthorized", "gone", "server_error")


def demo_credentials(platform: str) -> dict[str, str]:
    """The credentials the fake accepts, per platform (what the demo stores for its accounts)."""
    if platform == "bluesky":
        return {"app_password": DEMO_APP_PASSWORD}
    return {"access_token": DEMO_TOKEN}


@dataclass
class ReplyPlatform:
    tokens: set[str] = field(default_factory=lambda: {DEMO_TOKEN})
    app_passwords: set[str] = field(default_factory=lambda: {DEMO_APP_PASSWORD})
    deleted: set[str] = field(default_factory=set)
    replies: list[dict[str, Any]] = field(default_factory=list)
    rate_window_s: int = 900
    _failures: dict[str, deque[str]] = field(default_factory=lambda: defaultdict(deque))
    _ids: Any = field(default_factory=lambda: itertools.count(1_800_000_000_000_000_000))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, platform: str, kind: str, times: int = 1) -> None:
        if kind not in FAILURES:
            raise ValueError(f"unknown failure {kind!r}; known: {', '.join(FAILURES)}")
        with self._lock:
            self._failures[platform].extend([kind] * times)

    def _next_failure(self, platform: str) -> str | None:
        with self._lock:
            queue = self._failures[platform]
            return queue.popleft() if queue else None

    def _new_id(self) -> int:
        with self._lock:
            return int(next(self._ids))

    def _keep(self, platform: str, **values: Any) -> None:
        with self._lock:
            self.replies.append({"platform": platform, **values})

    @staticmethod
    def _bearer(request: Request) -> str:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        return token.strip() if scheme.lower() == "bearer" else ""

    # -- Mastodon ----------------------------------------------------------------------------------

    def _mastodon_failure(self, kind: str) -> Response:
        if kind == "rate_limited":
            reset = (datetime.now(UTC) + timedelta(seconds=self.rate_window_s)).strftime(
                "%Y-%m-%dT%H:%M:%S.%fZ"
            )
            return JSONResponse(
                {"error": "Too many requests"},
                status_code=429,
                headers={
                    "X-RateLimit-Limit": "300",
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset": reset,
                },
            )
        if kind == "unauthorized":
            return JSONResponse({"error": "The access token is invalid"}, status_code=401)
        if kind == "gone":
            return JSONResponse({"error": "Record not found"}, status_code=404)
        return JSONResponse({"error": "We're sorry, but something went wrong on our end."}, status_code=503)

    async def _mastodon_search(self, request: Request) -> Response:
        if self._bearer(request) not in self.tokens:
            return self._mastodon_failure("unauthorized")
        query = request.query_params.get("q", "")
        if any(gone in query for gone in self.deleted):
            return JSONResponse({"accounts": [], "statuses": [], "hashtags": []})
        local = self._new_id()
        return JSONResponse({"accounts": [], "statuses": [{"id": str(local), "url": query}], "hashtags": []})

    async def _mastodon_status(self, request: Request) -> Response:
        failure = self._next_failure("mastodon")
        if failure:
            return self._mastodon_failure(failure)
        if self._bearer(request) not in self.tokens:
            return self._mastodon_failure("unauthorized")
        body = await request.json()
        parent = str(body.get("in_reply_to_id") or "")
        if not body.get("status"):
            return JSONResponse({"error": "Validation failed: Text can't be blank"}, status_code=422)
        if parent in self.deleted:
            return self._mastodon_failure("gone")
        status_id = str(self._new_id())
        host = request.headers.get("host", "mastodon.example")
        self._keep("mastodon", parent=parent, text=body["status"], id=status_id)
        return JSONResponse(
            {
                "id": status_id,
                "created_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
                "in_reply_to_id": parent,
                "content": f"<p>{body['status']}</p>",
                "visibility": body.get("visibility", "public"),
                "uri": f"http://{host}/users/brand/statuses/{status_id}",
                "url": f"http://{host}/@brand/{status_id}",
            }
        )

    # -- Bluesky -----------------------------------------------------------------------------------

    def _xrpc_failure(self, kind: str) -> Response:
        if kind == "rate_limited":
            reset = int(time.time()) + self.rate_window_s
            return JSONResponse(
                {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
                status_code=429,
                headers={
                    "RateLimit-Limit": "5000",
                    "RateLimit-Remaining": "0",
                    "RateLimit-Reset": str(reset),
                    "RateLimit-Policy": f"5000;w={self.rate_window_s}",
                },
            )
        if kind == "unauthorized":
            return JSONResponse({"error": "ExpiredToken", "message": "Token has expired"}, status_code=400)
        if kind == "gone":
            return JSONResponse(
                {"error": "RecordNotFound", "message": "Could not locate record"}, status_code=400
            )
        return JSONResponse(
            {"error": "InternalServerError", "message": "Internal Server Error"}, status_code=500
        )

    async def _bsky_session(self, request: Request) -> Response:
        body = await request.json()
        if body.get("password") not in self.app_passwords:
            return JSONResponse(
                {"error": "AuthenticationRequired", "message": "Invalid identifier or password"},
                status_code=401,
            )
        identifier = str(body.get("identifier") or "brand.bsky.social")
        did = "did:plc:" + identifier.replace(".", "")[:24].lower()
        return JSONResponse(
            {
                "did": did,
                "handle": identifier,
                "accessJwt": f"jwt-{did}",
                "refreshJwt": f"refresh-{did}",
                "active": True,
            }
        )

    async def _bsky_get_record(self, request: Request) -> Response:
        if not self._bearer(request).startswith("jwt-"):
            return self._xrpc_failure("unauthorized")
        repo = request.query_params.get("repo", "")
        collection = request.query_params.get("collection", "")
        rkey = request.query_params.get("rkey", "")
        uri = f"at://{repo}/{collection}/{rkey}"
        if uri in self.deleted:
            return self._xrpc_failure("gone")
        return JSONResponse(
            {
                "uri": uri,
                "cid": f"bafyrei{rkey[:20]}",
                "value": {"$type": collection, "text": "…", "createdAt": "2026-01-01T00:00:00Z"},
            }
        )

    async def _bsky_create_record(self, request: Request) -> Response:
        failure = self._next_failure("bluesky")
        if failure:
            return self._xrpc_failure(failure)
        if not self._bearer(request).startswith("jwt-"):
            return self._xrpc_failure("unauthorized")
        body = await request.json()
        record = body.get("record") or {}
        reply = record.get("reply") or {}
        parent, root = reply.get("parent") or {}, reply.get("root") or {}
        if not (parent.get("uri") and parent.get("cid") and root.get("uri") and root.get("cid")):
            return JSONResponse(
                {
                    "error": "InvalidRequest",
                    "message": "Invalid app.bsky.feed.post record: reply must have root and parent",
                },
                status_code=400,
            )
        rkey = f"3l{self._new_id():x}"[:13]
        uri = f"at://{body.get('repo')}/{body.get('collection')}/{rkey}"
        self._keep("bluesky", parent=parent["uri"], root=root["uri"], text=record.get("text"), id=uri)
        return JSONResponse({"uri": uri, "cid": f"bafyrei{rkey}", "validationStatus": "valid"})

    # -- X -----------------------------------------------------------------------------------------

    def _x_failure(self, kind: str) -> Response:
        if kind == "rate_limited":
            reset = int(time.time()) + self.rate_window_s
            return JSONResponse(
                {
                    "title": "Too Many Requests",
                    "detail": "Too Many Requests",
                    "type": "about:blank",
                    "status": 429,
                },
                status_code=429,
                headers={
                    "x-rate-limit-limit": "100",
                    "x-rate-limit-remaining": "0",
                    "x-rate-limit-reset": str(reset),
                },
            )
        if kind == "unauthorized":
            return JSONResponse(
                {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"},
                status_code=401,
            )
        if kind == "gone":
            return JSONResponse(
                {
                    "detail": "You attempted to reply to a Tweet that is deleted or not visible to you.",
                    "type": "about:blank",
                    "title": "Forbidden",
                    "status": 403,
                },
                status_code=403,
            )
        return JSONResponse(
            {"title": "Service Unavailable", "detail": "Service Unavailable", "status": 503}, status_code=503
        )

    async def _x_tweet(self, request: Request) -> Response:
        failure = self._next_failure("x")
        if failure:
            return self._x_failure(failure)
        if self._bearer(request) not in self.tokens:
            return self._x_failure("unauthorized")
        body = await request.json()
        parent = str((body.get("reply") or {}).get("in_reply_to_tweet_id") or "")
        if parent in self.deleted:
            return self._x_failure("gone")
        tweet_id = str(self._new_id())
        self._keep("x", parent=parent, text=body.get("text"), id=tweet_id)
        return JSONResponse(
            {"data": {"id": tweet_id, "text": body.get("text"), "edit_history_tweet_ids": [tweet_id]}},
            status_code=201,
        )

    # -- Reddit ------------------------------------------------------------------------------------

    def _reddit_failure(self, kind: str) -> Response:
        if kind == "rate_limited":
            return JSONResponse(
                {
                    "json": {
                        "errors": [
                            ["RATELIMIT", "you are doing that too much. try again in 9 minutes.", "ratelimit"]
                        ],
                        "ratelimit": 540.0,
                    }
                },
                headers={
                    "x-ratelimit-remaining": "0.0",
                    "x-ratelimit-used": "600",
                    "x-ratelimit-reset": "540",
                },
            )
        if kind == "unauthorized":
            return JSONResponse({"message": "Unauthorized", "error": 401}, status_code=401)
        if kind == "gone":
            return JSONResponse(
                {"json": {"errors": [["DELETED_COMMENT", "that comment has been deleted", "parent"]]}}
            )
        return Response(
            "<html><body><h1>502 Bad Gateway</h1></body></html>", status_code=502, media_type="text/html"
        )

    async def _reddit_comment(self, request: Request) -> Response:
        failure = self._next_failure("reddit")
        if failure:
            return self._reddit_failure(failure)
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or token.strip() not in self.tokens:
            return self._reddit_failure("unauthorized")
        form = await request.form()
        thing = str(form.get("thing_id") or "")
        if thing in self.deleted:
            return self._reddit_failure("gone")
        if not str(form.get("text") or "").strip():
            return JSONResponse({"json": {"errors": [["NO_TEXT", "we need something here", "text"]]}})
        id36 = format(self._new_id() % 36**7, "x")
        self._keep("reddit", parent=thing, text=str(form.get("text")), id=f"t1_{id36}")
        data = {
            "id": id36,
            "name": f"t1_{id36}",
            "parent_id": thing,
            "body": str(form.get("text")),
            "permalink": f"/r/demo/comments/{thing.removeprefix('t3_').removeprefix('t1_')}/_/{id36}/",
        }
        return JSONResponse({"json": {"errors": [], "data": {"things": [{"kind": "t1", "data": data}]}}})

    # -- YouTube -----------------------------------------------------------------------------------

    @staticmethod
    def _google_error(code: int, reason: str, message: str, status: str) -> Response:
        return JSONResponse(
            {
                "error": {
                    "code": code,
                    "message": message,
                    "errors": [{"message": message, "domain": "youtube.comment", "reason": reason}],
                    "status": status,
                }
            },
            status_code=code,
        )

    def _youtube_failure(self, kind: str) -> Response:
        if kind == "rate_limited":
            return self._google_error(
                403,
                "quotaExceeded",
                "The request cannot be completed because you have exceeded your quota.",
                "PERMISSION_DENIED",
            )
        if kind == "unauthorized":
            return self._google_error(
                401,
                "authError",
                "Request had invalid authentication credentials. Expected OAuth 2 access token.",
                "UNAUTHENTICATED",
            )
        if kind == "gone":
            return self._google_error(
                404, "parentCommentNotFound", "The specified parent comment could not be found.", "NOT_FOUND"
            )
        return self._google_error(500, "backendError", "Backend Error", "INTERNAL")

    async def _youtube_comment(self, request: Request) -> Response:
        failure = self._next_failure("youtube")
        if failure:
            return self._youtube_failure(failure)
        if self._bearer(request) not in self.tokens:
            return self._youtube_failure("unauthorized")
        body = await request.json()
        snippet = body.get("snippet") or {}
        parent = str(snippet.get("parentId") or "")
        if not parent:
            return self._google_error(
                400, "parentIdMissing", "No parent ID was specified.", "INVALID_ARGUMENT"
            )
        if parent in self.deleted:
            return self._youtube_failure("gone")
        comment_id = f"{parent}.{self._new_id():x}"
        self._keep("youtube", parent=parent, text=snippet.get("textOriginal"), id=comment_id)
        return JSONResponse(
            {
                "kind": "youtube#comment",
                "etag": "demo",
                "id": comment_id,
                "snippet": {
                    "textOriginal": snippet.get("textOriginal"),
                    "textDisplay": snippet.get("textOriginal"),
                    "parentId": parent,
                    "publishedAt": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
                },
            }
        )

    # -- the app -----------------------------------------------------------------------------------

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Mount(
                    "/mastodon",
                    routes=[
                        Route("/api/v1/statuses", self._mastodon_status, methods=["POST"]),
                        Route("/api/v2/search", self._mastodon_search, methods=["GET"]),
                    ],
                ),
                Mount(
                    "/bluesky/xrpc",
                    routes=[
                        Route("/com.atproto.server.createSession", self._bsky_session, methods=["POST"]),
                        Route("/com.atproto.repo.getRecord", self._bsky_get_record, methods=["GET"]),
                        Route("/com.atproto.repo.createRecord", self._bsky_create_record, methods=["POST"]),
                    ],
                ),
                Route("/x/2/tweets", self._x_tweet, methods=["POST"]),
                Route("/reddit/api/comment", self._reddit_comment, methods=["POST"]),
                Route("/youtube/youtube/v3/comments", self._youtube_comment, methods=["POST"]),
            ]
        )
