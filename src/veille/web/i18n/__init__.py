"""The UI's languages: message catalogues, the language of a request, and the catalogue for the JavaScript.

The strings of the templates, of the web package's Python and of the JavaScript modules are in
Babel message catalogues, one per language: ``<lang>/LC_MESSAGES/messages.po`` beside this file,
extracted with ``make i18n`` (``pybabel extract`` with ``babel.cfg``, then ``pybabel update``). The
``.po`` files are read when first needed (no compiled ``.mo``, no build step) and kept; the same
messages are served to the browser as JSON (``GET /i18n/{lang}.json``), so the JavaScript's
``t("…")`` reads the very catalogue the templates use.

The language of a page is the user's setting, else the best of the browser's ``Accept-Language``
that the hub speaks, else English.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

__all__ = [
    "CATALOGUE_DIR",
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "N_",
    "Translations",
    "catalogue_for",
    "language_from_accept",
    "page_language",
    "translations",
]

CATALOGUE_DIR = Path(__file__).parent
LANGUAGES: tuple[str, ...] = ("en", "fr")
DEFAULT_LANGUAGE = "en"
# Each language named in itself: what a language menu shows.
LANGUAGE_NAMES: dict[str, str] = {"en": "English", "fr": "Français"}


def N_(message: str) -> str:
    """Mark ``message`` for the catalogues without translating it here: it is translated where it is
    shown, in the reader's language (the name is the one message extractors look for)."""
    return message


def catalogue_path(language: str) -> Path:
    return CATALOGUE_DIR / language / "LC_MESSAGES" / "messages.po"


def read_catalogue(language: str) -> Catalog:
    with catalogue_path(language).open("rb") as handle:
        return read_po(handle, locale=language)


def _plural_index(language: str) -> Callable[[int], int]:
    # English: 1 is singular; French: 0 and 1 are (CLDR), as the catalogues' Plural-Forms say.
    if language == "fr":
        return lambda n: 0 if n in (0, 1) else 1
    return lambda n: 0 if n == 1 else 1


@dataclass(frozen=True)
class Translations:
    """One language's messages: ``gettext`` and ``ngettext`` for templates and Python, JSON for the browser."""

    language: str
    messages: dict[str, str]
    plurals: dict[str, tuple[str, ...]]
    json_bytes: bytes = field(repr=False)
    version: str

    def gettext(self, message: str) -> str:
        return self.messages.get(message) or message

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        forms = self.plurals.get(singular)
        index = _plural_index(self.language)(count)
        if forms and index < len(forms) and forms[index]:
            return forms[index]
        return singular if count == 1 else plural

    def template_context(self) -> dict[str, Any]:
        """What a template needs: ``gettext``/``ngettext`` (Jinja's ``_()`` and ``{% trans %}`` use them)."""
        return {"gettext": self.gettext, "ngettext": self.ngettext, "lang": self.language}


def catalogue_for(language: str) -> Translations:
    """The translations of ``language`` from its ``.po`` file (fuzzy and empty entries left out)."""
    catalogue = read_catalogue(language)
    messages: dict[str, str] = {}
    plurals: dict[str, tuple[str, ...]] = {}
    for message in catalogue:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, tuple):
            forms = tuple(str(form) for form in message.string) if message.string else ()
            if any(forms):
                plurals[str(message.id[0])] = forms
        elif message.string:
            messages[str(message.id)] = str(message.string)
    document = {
        "language": language,
        "messages": messages,
        "plurals": {key: list(forms) for key, forms in plurals.items()},
    }
    body = json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    version = hashlib.sha256(body).hexdigest()[:12]
    return Translations(language, messages, plurals, body, version)


_loaded: dict[str, Translations] = {}
_loading = threading.Lock()


def translations(language: str) -> Translations:
    """The cached translations of a language the hub speaks (else English's)."""
    chosen = language if language in LANGUAGES else DEFAULT_LANGUAGE
    found = _loaded.get(chosen)
    if found is None:
        with _loading:
            found = _loaded.get(chosen)
            if found is None:
                found = catalogue_for(chosen)
                _loaded[chosen] = found
    return found


def language_from_accept(header: str | None) -> str | None:
    """The best language of an ``Accept-Language`` header that the hub speaks, or None.

    ``fr-CA,fr;q=0.9,en;q=0.5`` → ``fr``; ``de,en;q=0.3`` → ``en``; ``de`` → None. Ties keep the
    header's order; ``q=0`` means "not this one".
    """
    if not header:
        return None
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        primary = tag.split("-")[0].lower()
        if quality > 0 and primary in LANGUAGES:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else None


def page_language(preferred: str | None, accept_language: str | None) -> str:
    """The user's setting when the hub speaks it, else the browser's best, else English."""
    if preferred in LANGUAGES:
        return str(preferred)
    return language_from_accept(accept_language) or DEFAULT_LANGUAGE
