"""Security headers on every response (issue 14, item 5), as an ASGI middleware.

- ``Content-Security-Policy``: scripts only from the hub itself, plus the inline scripts the
  templates hold, allowed one by one by their SHA-256 (the import map of ``base.html``, the print
  flag of a dashboard report); no plugins, no ``<base>`` elsewhere, no framing, forms post only to
  the hub. Styles allow inline ``style`` attributes and elements (``'unsafe-inline'``): the
  vendored grid and charts libraries write them, and a style cannot run code. ``/docs`` (Swagger
  UI) gets the same policy with its own inline script's hash. ``frame-ancestors 'none'``: no page
  may be framed, not even by the hub itself (the wall editor opens its preview in a tab).
- ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: same-origin``, ``X-Frame-Options: DENY``
  (the same for browsers that predate ``frame-ancestors``).
- ``Strict-Transport-Security`` only when the hub is behind TLS (``[hub] behind_tls``), or the
  request itself came over HTTPS (directly, or through a proxy uvicorn trusts with
  ``--forwarded-allow-ips``): sent over plain HTTP it would be ignored at best, and lock a
  misconfigured hub out of browsers at worst.

A header a route set itself is kept (a route may need a narrower policy).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["SecurityHeaders", "content_security_policy", "inline_script_hashes", "template_script_hashes"]

# An inline <script> element (no src attribute) and its text, exactly as the browser hashes it.
_INLINE_SCRIPT: Final = re.compile(
    r"<script\b(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE
)
_TEMPLATE_MARK: Final = re.compile(r"\{\{|\{%|\{#")
HSTS: Final = "max-age=31536000; includeSubDomains"


def inline_script_hashes(html: str) -> list[str]:
    """The CSP source expressions (``'sha256-…'``) of every inline script of ``html``."""
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"
        for text in _INLINE_SCRIPT.findall(html)
        if text
    ]


def template_script_hashes(folder: Path, constants: dict[str, str] | None = None) -> list[str]:
    """The hashes of the inline scripts of the templates in ``folder``.

    Read from the sources: an inline script must be plain text (no Jinja inside), so that its
    rendered text, which the browser hashes, is its source. One that is not is refused here, at
    start-up, rather than blocked silently in browsers. The only exception: ``constants``, template
    expressions fixed for the process's life (``{"{{ static_prefix }}": "/static/v/…"}``), put in
    before hashing."""
    hashes: list[str] = []
    for path in sorted(folder.rglob("*.html")):
        source = path.read_text(encoding="utf-8")
        for expression, value in (constants or {}).items():
            source = source.replace(expression, value)
        for text in _INLINE_SCRIPT.findall(source):
            if _TEMPLATE_MARK.search(text):
                raise ValueError(f"{path.name}: an inline script must not hold template code (CSP hashes)")
        hashes.extend(inline_script_hashes(source))
    return sorted(set(hashes))


def content_security_policy(script_hashes: Iterable[str]) -> str:
    scripts = " ".join(["'self'", *script_hashes])
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {scripts}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            # No page of the hub is ever framed (clickjacking), not even by the hub itself.
            "frame-ancestors 'none'",
            "form-action 'self'",
        ]
    )


class SecurityHeaders:
    """Adds the headers to every HTTP response; ``policies`` maps a path to its own CSP."""

    def __init__(
        self, app: ASGIApp, *, policy: str, policies: dict[str, str] | None = None, hsts: bool
    ) -> None:
        self.app = app
        self.policy = policy
        self.policies = policies or {}
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = self.policies.get(scope.get("path", ""), self.policy)
        added: list[tuple[bytes, bytes]] = [
            (b"content-security-policy", policy.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
            (b"x-frame-options", b"DENY"),
        ]
        if self.hsts or scope.get("scheme") == "https":
            added.append((b"strict-transport-security", HSTS.encode()))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                present = {name.lower() for name, _ in headers}
                headers.extend(item for item in added if item[0] not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
