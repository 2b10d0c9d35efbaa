"""Extract the UI's messages from the web package (templates, Python, JavaScript) and merge them into
the catalogues: ``make i18n`` runs ``python -m veille.web.i18n.extract``.

The test of the catalogues calls :func:`extracted_messages` and checks that every message is in
each catalogue and translated in French, so a string added without its translation fails there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

from veille.web.i18n import CATALOGUE_DIR, LANGUAGES, catalogue_path

__all__ = [
    "KEYWORDS",
    "WEB_DIR",
    "ExtractedMessage",
    "extracted_messages",
    "template_catalogue",
    "update_catalogues",
]

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


# -- updating the catalogues (make i18n) ---------------------------------------------------------

# Two plural forms in both languages (French: 0 and 1 are singular), as veille/i18n.js applies them.
PLURAL_FORMS = {"en": (2, "(n != 1)"), "fr": (2, "(n > 1)")}
HEADER_COMMENT = (
    "# {name} messages of the Veille user interface (templates, web Python, JavaScript).\n"
    "# Extracted and merged by `make i18n` (python -m veille.web.i18n.extract); tests/unit/test_i18n.py\n"
    "# fails when a marked string is missing here or, in French, untranslated."
)
LANGUAGE_NAMES = {"en": "English", "fr": "French"}
CATALOGUE_DATE = datetime(2026, 12, 1, tzinfo=UTC)


def template_catalogue(web_dir: Path = WEB_DIR) -> Catalog:
    """Every marked message, as a catalogue without translations (what ``messages.pot`` holds)."""
    template = Catalog(project="Veille", fuzzy=False, creation_date=CATALOGUE_DATE)
    for message in extracted_messages(web_dir):
        message_id: str | tuple[str, str] = (
            (message.message_id, message.plural) if message.plural else message.message_id
        )
        template.add(message_id, locations=[(message.path, message.line)])
    return template


def _prepared(language: str) -> Catalog:
    path = catalogue_path(language)
    if path.is_file():
        with path.open("rb") as handle:
            catalogue = read_po(handle, locale=language)
    else:
        catalogue = Catalog(locale=language, project="Veille", fuzzy=False)
    count, expression = PLURAL_FORMS[language]
    # Babel takes CLDR's forms otherwise (3 in French); the file's header keeps these from now on.
    catalogue._num_plurals = count  # type: ignore[assignment]
    catalogue._plural_expr = expression  # type: ignore[assignment]
    catalogue.project = "Veille"
    catalogue.version = ""
    catalogue.msgid_bugs_address = ""
    catalogue.last_translator = "Veille contributors"
    catalogue.language_team = f"{LANGUAGE_NAMES[language]} (Veille contributors)"
    catalogue.fuzzy = False
    catalogue.header_comment = HEADER_COMMENT.format(name=LANGUAGE_NAMES[language])
    return catalogue


def update_catalogues(web_dir: Path = WEB_DIR) -> dict[str, int]:
    """Merge the extracted messages into each language's ``.po`` (new ones untranslated, vanished
    ones dropped) and write ``messages.pot``; how many messages each catalogue has."""
    template = template_catalogue(web_dir)
    with (CATALOGUE_DIR / "messages.pot").open("wb") as handle:
        write_po(handle, template, no_location=True, sort_output=True, width=110, omit_header=True)
    counts: dict[str, int] = {}
    for language in LANGUAGES:
        catalogue = _prepared(language)
        catalogue.update(template, no_fuzzy_matching=True)
        catalogue.obsolete.clear()
        # Fixed dates: a run that changes no message changes no line.
        catalogue.creation_date = catalogue.revision_date = CATALOGUE_DATE
        path = catalogue_path(language)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(handle, catalogue, no_location=True, sort_output=True, width=110, ignore_obsolete=True)
        counts[language] = len([message for message in catalogue if message.id])
    return counts


if __name__ == "__main__":
    for language, count in update_catalogues().items():
        print(f"{catalogue_path(language).relative_to(WEB_DIR.parent.parent.parent)}: {count} messages")
