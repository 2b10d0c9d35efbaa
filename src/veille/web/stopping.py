"""HTTP while the hub stops: a clear 503 instead of a request left waiting on a closing pipeline.

uvicorn stops accepting connections first and lets the requests in flight finish before the app's
lifespan stops the hub, so a push acknowledged with 200 is stored. What reaches the app once the
hub has begun to stop (a request on a connection kept open, a push whose batch came too late for
the writer) gets ``503`` with ``Retry-After`` and ``Connection: close``: the client knows that
nothing was stored and that it may send again.
"""

from __future__ import annotations

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from veille.errors import error_body
from veille.hub import Hub
from veille.pipeline import ShuttingDown

__all__ = ["RETRY_AFTER_S", "RefuseWhileStopping"]

RETRY_AFTER_S = 10


def _unavailable(error: ShuttingDown) -> JSONResponse:
    return JSONResponse(
        error_body(error),
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_S), "Connection": "close"},
    )


class RefuseWhileStopping:
    """ASGI middleware: HTTP requests get 503 once the hub stops, and so does a ``ShuttingDown``
    raised by a route before it answered."""

    def __init__(self, app: ASGIApp, *, hub: Hub) -> None:
        self.app = app
        self.hub = hub

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.hub.stopping:
            await _unavailable(ShuttingDown())(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except ShuttingDown as error:
            if started:  # the answer was on its way: nothing clean left to say
                raise
            await _unavailable(error)(scope, receive, send)
