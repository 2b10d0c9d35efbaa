"""What every request body and address must respect before any route reads it (ASGI middleware).

- **size**: one limit for every route (``[hub] max_body_bytes``, 16 MiB by default): a declared
  ``Content-Length`` over it is answered 413 before a byte is read, and a body that grows past it
  while arriving is cut off there, 413 as well — never read whole first (a 300 MiB JSON body used to
  be parsed by any route but the push API).
- **depth**: a JSON body nested deeper than :data:`MAX_BODY_DEPTH` is refused with 422 before it is
  parsed (deep nesting costs recursion in every parser and validator behind it).
- **NUL**: a NUL character in a JSON or form body, the query string or the path is refused with 422
  (PostgreSQL text cannot hold it: it used to be a 500 there).

The push API (``POST /api/v1/posts``) streams its own body with the same size limit and refuses,
strips or reports each item itself (:mod:`veille.sources.push`): it is only counted here.
"""

from __future__ import annotations

import re
from typing import Final

import numpy as np
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from veille.errors import Invalid, TooLarge, VeilleError, error_body

__all__ = ["MAX_BODY_DEPTH", "RequestLimits", "json_nesting_exceeds"]

MAX_BODY_DEPTH: Final = 64
_PUSH_PATH: Final = "/api/v1/posts"
_OPENERS: Final = np.frombuffer(b"[{", dtype=np.uint8)
_CLOSERS: Final = np.frombuffer(b"]}", dtype=np.uint8)
_STRINGS_RE: Final = re.compile(rb'"(?:[^"\\]|\\.)*"')


def json_nesting_exceeds(body: bytes, limit: int = MAX_BODY_DEPTH) -> bool:
    """Does this JSON text nest arrays/objects deeper than ``limit``? (without parsing it)

    Strings are blanked first (brackets inside them do not count); the running depth is a cumulative
    sum over the brackets, in numpy so that a 16 MiB body of brackets costs milliseconds.
    """
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    bare = _STRINGS_RE.sub(b'""', body)
    codes = np.frombuffer(bare, dtype=np.uint8)
    steps = np.isin(codes, _OPENERS).astype(np.int32) - np.isin(codes, _CLOSERS).astype(np.int32)
    return bool(steps.size) and int(np.cumsum(steps).max()) > limit


def _answer(error: VeilleError, status: int) -> JSONResponse:
    return JSONResponse(
        error_body(error), status_code=status, headers={"Connection": "close"} if status == 413 else None
    )


class RequestLimits:
    """ASGI middleware applying the module's rules to every HTTP request."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope.get("path", "") or b"%00" in scope.get("query_string", b""):
            error = Invalid("NUL characters are not accepted in an address", field="query")
            await _answer(error, 422)(scope, receive, send)
            return
        headers = dict(scope.get("headers") or ())
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            await _answer(self._too_large(), 413)(scope, receive, send)
            return
        if scope["path"] == _PUSH_PATH and scope["method"] == "POST":
            await self.app(scope, receive, send)  # streamed and limited by the push API itself
            return
        body, first_other = await self._read(receive)
        if body is None:
            await _answer(self._too_large(), 413)(scope, receive, send)
            return
        content_type = headers.get(b"content-type", b"").lower()
        problem = _body_problem(body, content_type)
        if problem is not None:
            await _answer(problem, 422)(scope, receive, send)
            return
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                if first_other is not None:
                    return first_other
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    def _too_large(self) -> TooLarge:
        return TooLarge(f"body: larger than the limit of {self.max_body_bytes} bytes", field="body")

    async def _read(self, receive: Receive) -> tuple[bytes | None, Message | None]:
        """The whole body (``None`` once over the limit), or the first non-body message (a disconnect)."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return b"".join(chunks), message
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                return None, None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks), None


def _body_problem(body: bytes, content_type: bytes) -> Invalid | None:
    if not body:
        return None
    if b"json" in content_type or (not content_type and body.lstrip()[:1] in (b"{", b"[")):
        if b"\\u0000" in body or b"\x00" in body:
            return Invalid("body: NUL characters (\\u0000) are not accepted", field="body")
        if json_nesting_exceeds(body):
            return Invalid(f"body: JSON nested deeper than {MAX_BODY_DEPTH} levels", field="body")
    elif b"form-urlencoded" in content_type and b"%00" in body:
        return Invalid("body: NUL characters are not accepted", field="body")
    return None
