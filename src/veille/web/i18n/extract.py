"""Extract the UI's messages from the web package (templates, Python, JavaScript), as ``make i18n`` does.

The test of the catalogues calls :func:`extracted_messages` and checks that every message is in
each catalogue and translated in French, so a string added without its translation fails there.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

from veille.web.i18n import CATALOGUE_DIR

__all__ = ["KEYWORDS", "WEB_DIR", "ExtractedMessage", "extracted_messages"]

WEB_DIR = CATALOGUE_DIR.parent
MAPPING_FILE = CATALOGUE_DIR / "babel.cfg"
# Babel's defaults (_, gettext, ngettext, N_…) plus the JavaScript's t() and tn(one, many, n).
KEYWORDS: dict[str, tuple[int, ...] | None] = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "N_": None,
    "t": None,
    "tn": (1, 2),
}


@dataclass(frozen=True, slots=True)
class ExtractedMessage:
    message_id: str
    plural: str | None
    path: str
    line: int


def extracted_messages(web_dir: Path = WEB_DIR) -> list[ExtractedMessage]:
    """Every marked message of the web package, with where it was found."""
    with MAPPING_FILE.open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found: list[ExtractedMessage] = []
    for path, line, message, _comments, _context in extract_from_dir(
        str(web_dir), method_map, options_map, keywords=KEYWORDS
    ):
        if isinstance(message, tuple):
            singular, plural = str(message[0]), (str(message[1]) if len(message) > 1 else None)
        else:
            singular, plural = str(message), None
        if singular:
            found.append(ExtractedMessage(singular, plural, path, line))
    return found
