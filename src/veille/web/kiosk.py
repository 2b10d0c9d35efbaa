"""Kiosk links: ``/k/<token>`` shows one wall without a login, and that token reads that wall's
data and nothing else.

The kiosk page sets the token in a cookie (:data:`KIOSK_COOKIE`). Pages never accept it (they
answer 403 to a browser that carries it without a session, see :func:`veille.web.pages.login_redirect`);
the API accepts it only for reading (GET) the wall it belongs to:

- ``/api/v1/walls/{id}``, ``/state``, ``/posts`` and ``/stream`` of that wall;
- ``/api/v1/accounts`` (the official-account registry, public handles) for the care widget;
- the analytics figures its widgets draw (volume, sentiment, share of voice, trends, influencers,
  care, content performance), and only when the request stays inside the wall's filters (each
  list the wall restricts is given and within it), so the token cannot read beyond the wall.

Anything else answers 403. A revoked token is refused at the next request, and the wall's stream
checks it every second and tells the open screens (``event: revoked``).
"""

from __future__ import annotations

import asyncio
import re

from fastapi import HTTPException, Request, status

from veille.access import Principal, TeamScope
from veille.errors import NotFound
from veille.hub import Hub
from veille.walls import service

__all__ = ["KIOSK_COOKIE", "KIOSK_VIA", "kiosk_principal", "kiosk_token"]

KIOSK_COOKIE = "veille_kiosk"
KIOSK_VIA = "kiosk"
_WALL_ROUTE = re.compile(r"^/api/v1/walls/(\d+)(?:/(state|posts|stream))?$")
_ANALYTICS = re.compile(
    r"^/api/v1/analytics/(volume|sentiment|share-of-voice|trends|influencers|care|content-performance)$"
)
# The analytics parameter that carries each of the wall's filter lists.
_FILTER_PARAMS = {
    "topics": "topic",
    "countries": "country",
    "languages": "lang",
    "sources": "source",
    "sentiment": "sentiment",
}


def kiosk_token(request: Request) -> str | None:
    token = request.cookies.get(KIOSK_COOKIE)
    return token.strip() if token and token.strip() else None


def _values(request: Request, name: str) -> list[str]:
    return [
        part.strip()
        for item in request.query_params.getlist(name)
        for part in item.split(",")
        if part.strip()
    ]


def _within_filters(request: Request, hub: Hub, wall_id: int) -> bool:
    try:
        wall = service.get_wall(store=hub.store, wall_id=wall_id)
    except NotFound:
        return False
    filters = wall.filters.model_dump()
    for field, param in _FILTER_PARAMS.items():
        allowed = [str(value).lower() for value in filters[field]]
        if not allowed:
            continue
        asked = [value.lower() for value in _values(request, param)]
        if not asked or any(value not in allowed for value in asked):
            return False
    if not wall.filters.include_duplicates:
        return request.query_params.get("include_duplicates", "true").lower() == "false"
    return True


def _allowed(request: Request, hub: Hub, wall_id: int) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    path = request.url.path
    route = _WALL_ROUTE.match(path)
    if route is not None:
        return int(route.group(1)) == wall_id
    if _ANALYTICS.match(path):
        return _within_filters(request, hub, wall_id)
    # The care widget names the accounts it compares: the registry's handles are public, no secret.
    return path == "/api/v1/accounts"


async def kiosk_principal(request: Request, hub: Hub) -> Principal | None:
    """The kiosk of the request's cookie when it may read this route; 403 when it may not; None
    when there is no (valid) kiosk cookie."""
    token = kiosk_token(request)
    if token is None:
        return None
    wall_id = await asyncio.to_thread(service.wall_for_token, store=hub.store, token=token)
    if wall_id is None:
        return None
    if not await asyncio.to_thread(_allowed, request, hub, wall_id):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, f"a kiosk link reads its wall ({wall_id}) and nothing else"
        )
    # A viewer whose scope is the whole hub: what it may read is bounded above, by the wall's routes
    # and the wall's own filters, never by a team.
    return Principal(
        name=f"kiosk:{wall_id}",
        user_id=None,
        via=KIOSK_VIA,
        role="viewer",
        scopes=(TeamScope(team=f"kiosk:{wall_id}"),),
    )
