"""The OpenAPI document as complete as the API is (issue 18, fault 10).

FastAPI writes each route's parameters, bodies and answers; this adds what holds for every route
and FastAPI cannot see from one route alone:

- ``securitySchemes``: an API token (``Authorization: Bearer``) or the browser session cookie
  (with ``X-Requested-With`` on changes); every operation but ``/healthz`` requires one of them.
- the answers any route may give whatever its own code: 401/403 (credentials, roles), 404 (no such
  object, or a path no route serves), 405 (the method is not served at this path; ``Allow`` lists
  those that are), 413 and 422 (:mod:`veille.web.limits`: body size, JSON depth, NUL characters
  refused before any route runs) and 503 (the hub is stopping), each with the error body
  ``{"detail", "field"}`` (:class:`veille.web.schemas.ErrorRead`).
"""

from __future__ import annotations

import functools
import re
from typing import Any

__all__ = ["SESSION_SCHEME", "TOKEN_SCHEME", "allowed_methods", "complete_openapi"]

TOKEN_SCHEME = "apiToken"
SESSION_SCHEME = "sessionCookie"
_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorRead"}}}
_OPEN_PATHS = frozenset({"/healthz"})
_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
_COMMON: dict[str, str] = {
    "404": "no such object, or no route at this path",
    "405": "the method is not served at this path (Allow lists those that are)",
    "413": "the body is over max_body_bytes",
    "422": "a value is refused (the message names it); also a body nested too deep or a NUL character",
    "503": "the hub is stopping, or a service it needs is not running",
}
_SECURED: dict[str, str] = {
    "401": "no or bad credentials (WWW-Authenticate: Bearer)",
    "403": "the caller's role does not allow it, or a cookie-authenticated change without X-Requested-With",
}


def complete_openapi(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` (FastAPI's) with the security schemes and the common answers added."""
    components = document.setdefault("components", {})
    components["securitySchemes"] = {
        TOKEN_SCHEME: {
            "type": "http",
            "scheme": "bearer",
            "description": "an API token (veille token create NAME, or VEILLE_ADMIN_TOKEN)",
        },
        SESSION_SCHEME: {
            "type": "apiKey",
            "in": "cookie",
            "name": "veille_session",
            "description": "the login page's session; changes also need the X-Requested-With header",
        },
    }
    for path, item in document.get("paths", {}).items():
        for method in _METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            responses = operation.setdefault("responses", {})
            answers = dict(_COMMON)
            if path in _OPEN_PATHS:
                operation["security"] = []
            else:
                operation.setdefault("security", [{TOKEN_SCHEME: []}, {SESSION_SCHEME: []}])
                answers.update(_SECURED)
            for status, description in answers.items():
                if status in responses:  # the route's own description wins
                    continue
                answer: dict[str, Any] = {"description": description, "content": _ERROR}
                if status == "405":
                    answer["headers"] = {
                        "Allow": {"description": "the methods served", "schema": {"type": "string"}}
                    }
                responses[status] = answer
    return document


def allowed_methods(app: Any, path: str) -> list[str]:
    """Every method the OpenAPI document serves at ``path`` (the ``Allow`` header of a 405).

    Starlette answers a 405 with the methods of the first route whose path matched; the document
    knows all of them (``/api/v1/posts``: GET and POST). ``[]`` for a path it does not describe.
    """
    paths = app.openapi().get("paths", {})
    if path in paths:  # a literal path is its own (/accounts/import, not /accounts/{account_id})
        return sorted(method.upper() for method in paths[path] if method in _METHODS)
    found: set[str] = set()
    for template, item in paths.items():
        if "{" in template and _template_re(template).fullmatch(path):
            found.update(method.upper() for method in item if method in _METHODS)
    return sorted(found)


@functools.lru_cache(maxsize=512)
def _template_re(template: str) -> re.Pattern[str]:
    pattern = re.sub(r"\\\{[^}:]+:path\\\}", ".+", re.escape(template))
    return re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", pattern))
