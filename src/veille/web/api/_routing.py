"""The route class of the API: a JSON body is read as JSON whatever its ``Content-Type``.

``curl -d '{"query": "panne"}'`` sends ``application/x-www-form-urlencoded`` and a script may send
``text/plain`` or nothing; FastAPI would then hand the raw bytes to the body model and refuse them.
Every API route that declares a JSON body takes it as JSON instead. A body that does not parse is
left to the model as bytes and flagged (:data:`NOT_JSON`), so the caller's credentials are checked
first and the refusal then says ``body: not JSON``. Routes that read their body themselves (the push
ingest API, CSV imports) declare none, so they still see the client's ``Content-Type``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, params
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message

__all__ = ["NOT_JSON", "JsonBodyRoute", "api_router"]

# Set in the request's scope when the body of a JSON route does not parse as JSON.
NOT_JSON = "veille.body_not_json"
_CONTENT_TYPE = b"content-type"


class JsonBodyRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        body = self.body_field
        if body is None or isinstance(body.field_info, params.Form):
            return handler

        async def as_json(request: Request) -> Response:
            raw = await request.body()
            media = b"application/json"
            try:
                json.loads(raw or b"null")
            except ValueError:
                media = b"application/octet-stream"
                request.scope[NOT_JSON] = True
            headers = [(name, value) for name, value in request.scope["headers"] if name != _CONTENT_TYPE]
            scope = {**request.scope, "headers": [*headers, (_CONTENT_TYPE, media)]}

            async def replay() -> Message:  # the body was read above: hand it over again
                return {"type": "http.request", "body": raw, "more_body": False}

            return await handler(Request(scope, replay))

        return as_json


def api_router(**options: Any) -> APIRouter:
    """An ``APIRouter`` of the API (its routes read JSON bodies whatever the ``Content-Type``)."""
    return APIRouter(route_class=JsonBodyRoute, **options)
