"""HTML error pages for people in a browser; the API keeps answering JSON.

:func:`install` adds one ASGI middleware that rewrites an error *answer*, not the exceptions: the
app's exception handlers keep producing their JSON body (``{"detail", "field"}``), and only when a
browser navigates to a page (``Accept`` names ``text/html``) and the path is not an API path does
the middleware turn that JSON error into a page:

- 401: a redirect to ``/login?next=<the page>``, so the person comes back after logging in;
- 404, 422 and the other 4xx: a page that says what went wrong, with the hub's message (escaped by
  Jinja's autoescape: a message can quote what the request carried);
- 500 (an exception nobody handled): a sober page that leaks nothing; the exception still goes on
  to the server's log.

Paths under ``/api/`` and ``/healthz``, ``/metrics``, ``/openapi.json`` always answer JSON, whatever
they accept. Answers that are already HTML (the login page's own 401) pass through untouched, and
successful answers (an SSE stream) are never buffered.

The page texts live in :data:`ERROR_TEXTS` and :data:`PAGE_TEXTS`, marked with :func:`N_` so that
the message catalogues (Babel's default keywords include ``N_``) extract them; the page shows them
in the reader's language (``?lang=``, the logged-in user's setting, else ``Accept-Language``).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from veille.web.deps import SESSION_COOKIE
from veille.web.i18n import DEFAULT_LANGUAGE, LANGUAGES, N_, page_language, translations
from veille.web.pages import login_redirect, templates

__all__ = ["ERROR_TEXTS", "JSON_ONLY_PATHS", "N_", "PAGE_TEXTS", "HtmlErrorPages", "install", "wants_html"]


@dataclass(frozen=True)
class ErrorText:
    title: str
    explanation: str


# What a person reads, per status; other statuses use the 4xx or 5xx entry.
ERROR_TEXTS: dict[int | str, ErrorText] = {
    404: ErrorText(
        N_("Page not found"), N_("There is no page at this address. It may have moved, or the link is wrong.")
    ),
    403: ErrorText(N_("Not allowed"), N_("Your account cannot open this page.")),
    405: ErrorText(N_("Not possible here"), N_("This address does not answer that kind of request.")),
    422: ErrorText(
        N_("This address cannot be used"), N_("Something in the address or the form is not valid:")
    ),
    "4xx": ErrorText(N_("The request was refused"), N_("The hub could not do what was asked:")),
    500: ErrorText(
        N_("Something went wrong"),
        N_("The hub met an error while preparing this page. It has been logged; try again in a moment."),
    ),
    "5xx": ErrorText(
        N_("The hub is not ready"), N_("A service the hub needs does not answer. Try again in a moment.")
    ),
}

# The rest of the page's words.
PAGE_TEXTS: dict[str, str] = {
    "status": N_("Error {status}"),
    "home": N_("Go to the home page"),
}

# These answer JSON to everyone: API clients, monitoring and scrapers never get a page.
JSON_ONLY_PATHS = ("/api", "/healthz", "/metrics", "/openapi.json")
_MAX_ERROR_BODY = 64 * 1024
_LOCATIONS = ("body", "query", "path", "header", "cookie")


def _json_only(path: str) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in JSON_ONLY_PATHS)


def wants_html(accept: str) -> bool:
    """True when an ``Accept`` header names ``text/html`` (with q > 0): a browser navigating, not ``*/*``."""
    for media_range in accept.split(","):
        kind, *params = (part.strip() for part in media_range.split(";"))
        if kind.lower() != "text/html":
            continue
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    return float(value) > 0
                except ValueError:
                    return False
        return True
    return False


def _message_of(status: int, body: bytes) -> str | None:
    """The hub's message from a JSON error body, or None when it says no more than the status."""
    try:
        payload: Any = json.loads(body)
    except ValueError:
        return None
    detail = payload.get("detail") if isinstance(payload, dict) else None
    if isinstance(detail, list):
        # FastAPI's validation errors: one line each, "where: what".
        lines = []
        for item in detail:
            if not isinstance(item, dict):
                continue
            loc = list(item.get("loc", ()))
            # loc starts with where the value was (["query", "theme"]); a field may be named "query" too.
            where = [str(part) for part in (loc[1:] if loc and loc[0] in _LOCATIONS else loc)]
            lines.append(f"{'.'.join(where)}: {item.get('msg', '')}" if where else str(item.get("msg", "")))
        return "\n".join(lines) or None
    if not isinstance(detail, str) or not detail.strip():
        return None
    try:
        generic = HTTPStatus(status).phrase
    except ValueError:
        generic = ""
    return None if detail.strip().lower() == generic.lower() else detail


def _texts_for(status: int) -> ErrorText:
    if status in ERROR_TEXTS:
        return ERROR_TEXTS[status]
    return ERROR_TEXTS["5xx" if status >= 500 else "4xx"]


async def page_language_of(request: Request) -> str:
    """The error page's language: ``?lang=``, else the logged-in user's setting, else the browser's."""
    asked = request.query_params.get("lang")
    preferred = asked if asked in LANGUAGES else None
    session_id = request.cookies.get(SESSION_COOKIE)
    hub = getattr(request.app.state, "hub", None)
    if preferred is None and session_id and hub is not None:
        try:
            principal = await asyncio.to_thread(hub.access.principal_for_session, session_id)
        except Exception:  # the store may be the very thing that failed: fall back to the browser's
            principal = None
        preferred = principal.language if principal is not None else None
    return page_language(preferred, request.headers.get("accept-language"))


def error_page(
    request: Request, status: int, message: str | None, language: str = DEFAULT_LANGUAGE
) -> Response:
    """The HTML page of an error answer (a 401 is a redirect to the login page instead)."""
    if status == 401:
        return login_redirect(request)
    theme = request.query_params.get("theme")
    catalogue = translations(language)
    context = {
        **catalogue.template_context(),
        "i18n_url": f"/i18n/{language}.json?v={catalogue.version}",
        "status": status,
        "text": _texts_for(status),
        "page_text": PAGE_TEXTS,
        # A server error shows no detail: it could reveal internals, and the log has it.
        "message": None if status >= 500 else message,
        "path": request.url.path,
        "theme": theme if theme in ("dark", "light") else "dark",
    }
    content = templates.get_template("error.html").render(context)
    return HTMLResponse(content, status_code=status)


class HtmlErrorPages:
    """ASGI middleware: JSON error answers to browser page requests become HTML pages (see module doc)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _json_only(scope["path"]):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if not wants_html(request.headers.get("accept", "")):
            await self.app(scope, receive, send)
            return

        held: Message | None = None  # the start of a JSON error answer, kept until its body is read
        body = bytearray()
        started = False
        replaced = False  # the page has been sent: what is left of the JSON answer is dropped

        async def send_or_hold(message: Message) -> None:
            nonlocal held, started, replaced
            if replaced:
                return
            if message["type"] == "http.response.start":
                content_type = _header(message, b"content-type")
                if message["status"] >= 400 and (b"json" in content_type or b"text/plain" in content_type):
                    held = message
                    return
                started = True
                await send(message)
                return
            if held is None or message["type"] != "http.response.body":
                await send(message)
                return
            body.extend(message.get("body", b""))
            if message.get("more_body", False) and len(body) <= _MAX_ERROR_BODY:
                return
            status = int(held["status"])
            held = None
            started = replaced = True
            language = await page_language_of(request)
            page = error_page(request, status, _message_of(status, bytes(body[:_MAX_ERROR_BODY])), language)
            await page(scope, receive, send)

        try:
            await self.app(scope, receive, send_or_hold)
        except Exception:
            if started:
                raise
            # Nobody handled it: a page for the person, and the exception on to the server's log.
            await error_page(request, 500, None, page_language(None, request.headers.get("accept-language")))(
                scope, receive, send
            )
            raise


def _header(message: Message, name: bytes) -> bytes:
    for key, value in message.get("headers", ()):
        if key.lower() == name:
            return bytes(value).lower()
    return b""


def install(app: FastAPI) -> None:
    """Answer browser page requests' errors with HTML pages (a 401 with the login page)."""
    app.add_middleware(HtmlErrorPages)
