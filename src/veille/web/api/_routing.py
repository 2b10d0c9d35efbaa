"""The route class of the API: a JSON body is read as JSON whatever its ``Content-Type``.

``curl -d '{"query": "panne"}'`` sends ``application/x-www-form-urlencoded`` and a script may send
``text/plain`` or nothing; FastAPI would then hand the raw bytes to the body model and refuse them.
Every API route that declares a JSON body takes it as JSON instead (a body that does not parse is a
422 ``body: not JSON``). Routes that read their body themselves (the push ingest API, CSV imports)
declare none, so they still see the client's ``Content-Type``.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, params
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

__all__ = ["JsonBodyRoute", "api_router"]

_JSON = (b"content-type", b"application/json")


class JsonBodyRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        body = self.body_field
        if body is None or isinstance(body.field_info, params.Form):
            return handler

        async def as_json(request: Request) -> Response:
            headers = [(name, value) for name, value in request.scope["headers"] if name != _JSON[0]]
            scope = {**request.scope, "headers": [*headers, _JSON]}
            return await handler(Request(scope, request.receive))

        return as_json


def api_router(**options: Any) -> APIRouter:
    """An ``APIRouter`` of the API (its routes read JSON bodies whatever the ``Content-Type``)."""
    return APIRouter(route_class=JsonBodyRoute, **options)
