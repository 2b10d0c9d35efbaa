"""A fake Reddit: OAuth token endpoint plus the listing endpoints of the reference (§4.3-4.7).

One server plays both hosts (``www.reddit.com`` for ``/api/v1/access_token`` and ``oauth.reddit.com``
for listings). Scriptable: queue faults (429 with ``X-Ratelimit-Reset``, 5xx, a body that is not JSON,
401 on the listing), serve children out of order, duplicate them, reject bad credentials.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes import LocalServer

__all__ = ["FakeReddit", "Fault", "comment", "submission"]


def submission(
    id36: str, created_utc: float, *, sub: str = "france", title: str = "Title", **extra: Any
) -> dict[str, Any]:
    """A ``t3`` child shaped like the recorded cassette (§4.4)."""
    data: dict[str, Any] = {
        "id": id36,
        "name": f"t3_{id36}",
        "subreddit": sub,
        "subreddit_id": "t5_2qhjz",
        "author": "RedHeadQc",
        "title": title,
        "selftext": "",
        "created_utc": created_utc,
        "permalink": f"/r/{sub}/comments/{id36}/slug/",
        "url": f"https://www.reddit.com/r/{sub}/comments/{id36}/slug/",
        "score": 1,
        "num_comments": 0,
        "over_18": False,
        "is_self": True,
        "domain": f"self.{sub}",
    }
    data.update(extra)
    return {"kind": "t3", "data": data}


def comment(
    id36: str,
    created_utc: float,
    *,
    sub: str = "france",
    body: str = "Body",
    parent: str = "t3_aaa",
    **extra: Any,
) -> dict[str, Any]:
    """A ``t1`` child shaped like the recorded cassette (§4.4)."""
    data: dict[str, Any] = {
        "id": id36,
        "name": f"t1_{id36}",
        "subreddit": sub,
        "subreddit_id": "t5_2qhjz",
        "author": "preppypuppy",
        "body": body,
        "created_utc": created_utc,
        "link_id": "t3_aaa",
        "parent_id": parent,
        "link_title": "A thread",
        "score": 1,
        "permalink": f"/r/{sub}/comments/aaa/slug/{id36}/",
    }
    data.update(extra)
    return {"kind": "t1", "data": data}


@dataclass
class Fault:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: str = '{"message": "fault", "error": 0}'
    path_contains: str = ""  # only for requests whose path contains this


@dataclass
class FakeReddit:
    client_id: str = "app-id"
    client_secret: str = "app-secret"
    username: str | None = None
    password: str | None = None
    token_lifetime_s: int = 3600
    submissions: list[dict[str, Any]] = field(default_factory=list)
    comments: list[dict[str, Any]] = field(default_factory=list)
    in_order: bool = True  # False: serve children in insertion order (out of order by time)
    ratelimit: dict[str, str] = field(
        default_factory=lambda: {
            "x-ratelimit-used": "2",
            "x-ratelimit-remaining": "598.0",
            "x-ratelimit-reset": "479",
        }
    )
    faults: list[Fault] = field(default_factory=list)
    private_subs: set[str] = field(default_factory=set)
    token_requests: int = 0
    listing_requests: list[str] = field(default_factory=list)
    issued_tokens: set[str] = field(default_factory=set)
    user_agents: list[str] = field(default_factory=list)

    # --- scripting -----------------------------------------------------------------------------
    def revoke_tokens(self) -> None:
        self.issued_tokens.clear()

    def _take_fault(self, path: str) -> Fault | None:
        for index, fault in enumerate(self.faults):
            if fault.path_contains in path:
                return self.faults.pop(index)
        return None

    # --- endpoints -----------------------------------------------------------------------------
    async def _token(self, request: Request) -> Response:
        self.token_requests += 1
        self.user_agents.append(request.headers.get("user-agent", ""))
        fault = self._take_fault("/api/v1/access_token")
        if fault:
            return Response(fault.body, status_code=fault.status, headers=fault.headers)
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {expected}":
            return JSONResponse({"message": "Unauthorized", "error": 401}, status_code=401)
        form = await request.form()
        grant = form.get("grant_type")
        if grant == "password":
            if (form.get("username"), form.get("password")) != (self.username, self.password):
                return JSONResponse({"error": "invalid_grant"}, status_code=200)
        elif grant != "client_credentials":
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        token = f"tok-{self.token_requests}"
        self.issued_tokens.add(token)
        return JSONResponse(
            {"access_token": token, "token_type": "bearer", "expires_in": self.token_lifetime_s, "scope": "*"}
        )

    def _authorised(self, request: Request) -> bool:
        header = request.headers.get("authorization", "")
        return header.lower().startswith("bearer ") and header[7:] in self.issued_tokens

    def _listing(self, children: list[dict[str, Any]], request: Request) -> Response:
        params = request.query_params
        try:
            limit = max(1, min(100, int(params.get("limit", "25"))))
        except ValueError:
            limit = 25
        ordered = list(children)
        if self.in_order:
            ordered.sort(key=_created, reverse=True)
        names = [_fullname(child) for child in ordered]
        start, stop = 0, len(ordered)
        if params.get("after") in names:
            start = names.index(params["after"]) + 1
        if params.get("before") in names:
            stop = names.index(params["before"])
            start = max(0, stop - limit) if "after" not in params else start
        page = ordered[start : min(stop, start + limit)]
        after = _fullname(page[-1]) if page and start + len(page) < stop else None
        before = _fullname(page[0]) if page and start > 0 else None
        body = {
            "kind": "Listing",
            "data": {"modhash": "", "dist": len(page), "children": page, "after": after, "before": before},
        }
        return Response(json.dumps(body), media_type="application/json", headers=self.ratelimit)

    async def _api(self, request: Request) -> Response:
        path = request.url.path
        self.listing_requests.append(str(request.url.path) + "?" + str(request.url.query))
        self.user_agents.append(request.headers.get("user-agent", ""))
        fault = self._take_fault(path)
        if fault:
            return Response(fault.body, status_code=fault.status, headers=fault.headers)
        if not self._authorised(request):
            return JSONResponse({"message": "Unauthorized", "error": 401}, status_code=401)
        parts = path.strip("/").split("/")
        subs = set(parts[1].lower().split("+")) if parts[0] == "r" and len(parts) > 2 else set()
        if subs & self.private_subs:
            return JSONResponse({"reason": "private", "message": "Forbidden", "error": 403}, status_code=403)
        kind = parts[-1]
        if kind in ("new", "comments"):
            pool = self.submissions if kind == "new" else self.comments
        elif kind == "search":
            query = request.query_params.get("q", "").lower()
            pool = [
                child
                for child in self.submissions
                if isinstance(child, dict)
                and isinstance(child.get("data"), dict)
                and (
                    query in str(child["data"].get("title", "")).lower()
                    or query in str(child["data"].get("selftext", "")).lower()
                )
            ]
            subs = subs if request.query_params.get("restrict_sr") in ("1", "true", "on") else set()
        else:
            return JSONResponse({"message": "Not Found", "error": 404}, status_code=404)
        if subs:
            pool = [child for child in pool if _subreddit(child) in subs or _subreddit(child) == ""]
        return self._listing(pool, request)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/api/v1/access_token", self._token, methods=["POST"]),
                Route("/{path:path}", self._api, methods=["GET"]),
            ]
        )

    def serve(self) -> LocalServer:
        """``with fake.serve() as server: server.url``."""
        return LocalServer(self.app())


def _fullname(child: Any) -> str:
    if not isinstance(child, dict):
        return repr(child)
    data = child.get("data") or {}
    return str(data.get("name") or f"{child.get('kind')}_{data.get('id')}")


def _created(child: Any) -> float:
    data = child.get("data") if isinstance(child, dict) else None
    value = data.get("created_utc") if isinstance(data, dict) else None
    return float(value) if isinstance(value, int | float) else 0.0


def _subreddit(child: Any) -> str:
    """Lower-case subreddit of a child; "" for a malformed one (served everywhere, to test skipping)."""
    data = child.get("data") if isinstance(child, dict) else None
    return str(data.get("subreddit") or "").lower() if isinstance(data, dict) else ""
