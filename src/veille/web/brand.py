"""The organisation's look: its colours as a stylesheet and its logo (``[hub] brand_*`` settings).

Both are served by the hub itself, so the strict Content-Security-Policy needs no exception: every
page links ``/brand.css`` after the base styles when colours are set, and the walls show
``/brand/logo``. The logo is the operator's file, yet an SVG is a document that could hold a
script: it is served with a policy of its own that runs nothing and sandboxes it.
"""

from __future__ import annotations

import hashlib

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import FileResponse, Response

from veille.settings import LOGO_TYPES, Settings
from veille.web.deps import CurrentHub

__all__ = ["brand_stylesheet", "brand_version", "router"]

router = APIRouter(include_in_schema=False)

LOGO_POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox"


def _ink_on(colour: str) -> str:
    """Black or white, whichever reads better on ``colour`` (WCAG relative luminance)."""

    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (int(colour[index : index + 2], 16) for index in (1, 3, 5))
    luminance = 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
    return "#04111d" if luminance > 0.179 else "#ffffff"


def brand_stylesheet(settings: Settings) -> str:
    """CSS that replaces the accent colours in both themes; empty when no colour is set."""
    if not settings.brand_colour:
        return ""
    second = settings.brand_colour_2 or settings.brand_colour
    declarations = f"--accent: {settings.brand_colour}; --accent-2: {second}; --accent-ink: {_ink_on(settings.brand_colour)};"
    return f"/* the organisation's colours ([hub] brand_colour, brand_colour_2) */\n:root, .theme-dark, .theme-light {{ {declarations} }}\n"


def brand_version(settings: Settings) -> str | None:
    """A short tag that changes with the look (a cache-busting ``?v=``), None when nothing is set."""
    if not settings.brand_colour and not settings.brand_logo:
        return None
    logo = settings.brand_logo
    stamp = f"{logo.stat().st_mtime_ns}" if logo and logo.is_file() else ""
    look = f"{settings.brand_colour}|{settings.brand_colour_2}|{logo}|{stamp}"
    return hashlib.sha256(look.encode()).hexdigest()[:10]


@router.get("/brand.css")
async def brand_css(hub: CurrentHub) -> Response:
    return Response(
        brand_stylesheet(hub.settings), media_type="text/css", headers={"Cache-Control": "no-cache"}
    )


@router.get("/brand/logo")
async def brand_logo(hub: CurrentHub) -> Response:
    logo = hub.settings.brand_logo
    if logo is None or not logo.is_file():
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no organisation logo is set ([hub] brand_logo)")
    return FileResponse(
        logo,
        media_type=LOGO_TYPES[logo.suffix.lower()],
        headers={"Content-Security-Policy": LOGO_POLICY, "Cache-Control": "no-cache"},
    )
