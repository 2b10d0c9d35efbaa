"""The API's error answers, in one place: every refusal is JSON ``{"detail", "field"}`` (and
``column`` for a query that does not parse), whatever raised it.

- a domain error (:class:`veille.errors.VeilleError`) answers its status (``Invalid`` 422,
  ``NotFound`` 404, ``Conflict`` 409, ``Unavailable`` 503) with :func:`veille.errors.error_body`;
- a request FastAPI could not read (a parameter out of range, a body field of the wrong type, a body
  that is not JSON) answers 422 with a sentence naming the field, not pydantic's error list;
- an HTTP error (401, 403, 404 for an unknown route, 405…) answers ``{"detail"}`` with its headers
  (``WWW-Authenticate``). Browser pages may answer HTML instead (:mod:`veille.web.html_errors`), but a
  path under ``/api/`` always gets JSON: :func:`http_error_json` is there for that fallback.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from veille.errors import VeilleError, error_body, http_status, validation_message
from veille.web.api._routing import NOT_JSON
from veille.web.openapi import allowed_methods

__all__ = ["API_PREFIX", "http_error_json", "install_error_handlers", "request_error_body"]

API_PREFIX = "/api/"
# Where a request value comes from; the field a person sees leaves it out (``limit``, not ``query.limit``).
_LOCATIONS = frozenset({"body", "query", "path", "header", "cookie"})
_NOT_JSON_BODY = {"detail": "body: not JSON", "field": "body"}


def install_error_handlers(app: FastAPI) -> None:
    """Answer every API error in Veille's JSON shape (one call in ``create_app``)."""
    app.add_exception_handler(VeilleError, _domain_error)
    app.add_exception_handler(RequestValidationError, _request_invalid)
    app.add_exception_handler(StarletteHTTPException, http_error_json)


async def _domain_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, VeilleError)
    return JSONResponse(error_body(error), status_code=http_status(error))


async def _request_invalid(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    if request.scope.get(NOT_JSON):
        return JSONResponse(_NOT_JSON_BODY, status_code=422)
    return JSONResponse(request_error_body(error.errors()), status_code=422)


async def http_error_json(request: Request, error: Exception) -> JSONResponse:
    """``{"detail": …, "field": null}`` (the declared error body) with the error's status and headers;
    a 405's ``Allow`` lists every method served at the path, not only the first route's."""
    assert isinstance(error, StarletteHTTPException)
    headers = dict(error.headers or {})
    if error.status_code == 405:
        methods = allowed_methods(request.app, request.url.path)
        if methods:
            headers["Allow"] = ", ".join(methods)
    return JSONResponse(
        {"detail": error.detail, "field": None}, status_code=error.status_code, headers=headers or None
    )


def _field_item(item: Mapping[str, Any]) -> dict[str, Any]:
    """The problem with its location as a person names it: ``("query", "limit")`` → ``("limit",)``,
    ``("body",)`` (the body as a whole) stays ``("body",)``."""
    loc = tuple(item.get("loc", ()))
    if len(loc) > 1 and loc[0] in _LOCATIONS:
        loc = loc[1:]
    return {**item, "loc": loc}


def request_error_body(errors: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """``{"detail", "field"}`` (and ``column``) for the problems FastAPI found in a request."""
    items = [_field_item(item) for item in errors]
    if any(item.get("type") == "json_invalid" for item in items):
        return dict(_NOT_JSON_BODY)
    first = items[0] if items else {}
    field = ".".join(str(part) for part in first.get("loc", ())) or None
    body: dict[str, Any] = {"detail": validation_message(items), "field": field}
    # A value refused by a domain validator keeps what it knows, such as a query's column.
    cause = (first.get("ctx") or {}).get("error")
    if isinstance(cause, VeilleError) and cause.column is not None:
        body["column"] = cause.column
    return body
