"""What every page template is rendered with: its language, time zone, translations and user.

The language is ``?lang=`` when a page is asked in a given language (a report printed for someone,
a link shared in French), else the user's setting, else the browser's ``Accept-Language``, else
English (:func:`veille.web.i18n.page_language`). The time zone is the user's setting, else none: the
page then uses the browser's (``veille/format.js``).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

from veille.access import Principal
from veille.web.brand import brand_version
from veille.web.i18n import LANGUAGE_NAMES, LANGUAGES, page_language, translations

__all__ = ["language_of", "page_context"]


def language_of(request: Request, principal: Principal | None) -> str:
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return str(asked)
    return page_language(principal.language if principal else None, request.headers.get("accept-language"))


def page_context(request: Request, principal: Principal | None, **extra: Any) -> dict[str, Any]:
    """The base template's variables (``lang``, ``time_zone``, ``i18n_url``, ``gettext``…, the
    organisation's look) plus ``extra``."""
    language = language_of(request, principal)
    catalogue = translations(language)
    settings = request.app.state.hub.settings
    return {
        "brand": brand_version(settings),
        "brand_colours": bool(settings.brand_colour),
        "brand_logo": settings.brand_logo is not None,
        "organisation_name": settings.organisation_name or "",
        **catalogue.template_context(),
        "time_zone": principal.time_zone if principal else None,
        "i18n_url": f"/i18n/{language}.json?v={catalogue.version}",
        "languages": LANGUAGE_NAMES,
        "user": principal.name if principal else None,
        "user_role": principal.role if principal else None,
        **extra,
    }
