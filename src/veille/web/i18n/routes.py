"""``GET /i18n/{lang}.json``: a language's messages for the JavaScript (``veille/i18n.js``).

Open to all (the login page and kiosk screens need it, and it holds no secret). Pages ask for it
with ``?v=<version>`` (a hash of its content, in ``<html data-i18n>``), so it is cached for a year and
a new catalogue is a new address.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request, status
from fastapi.responses import Response

from veille.web.i18n import LANGUAGES, translations

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/i18n/{language}.json")
async def catalogue_json(
    language: Annotated[str, Path(description=f"one of {', '.join(LANGUAGES)}")], request: Request
) -> Response:
    if language not in LANGUAGES:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"language: {language!r} is not one of {', '.join(LANGUAGES)}"
        )
    catalogue = translations(language)
    etag = f'"{catalogue.version}"'
    versioned = request.query_params.get("v") == catalogue.version
    headers = {
        "ETag": etag,
        "Cache-Control": "public, max-age=31536000, immutable" if versioned else "no-cache",
        "Vary": "Accept-Encoding",
    }
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(catalogue.json_bytes, media_type="application/json", headers=headers)
