"""The UI's message catalogues: every string marked in the templates, the web package's Python and
the JavaScript modules is in each catalogue and translated in French (with the same placeholders),
and the language of a request is chosen as documented."""

from __future__ import annotations

import re

import pytest

from veille.web.i18n import LANGUAGES, catalogue_for, language_from_accept, page_language, read_catalogue
from veille.web.i18n.extract import WEB_DIR, extracted_messages

PLACEHOLDER = re.compile(r"\{(\w+)\}")


@pytest.fixture(scope="module")
def extracted() -> dict[str, str]:
    """Every marked message (singular form) → where it was first found."""
    found: dict[str, str] = {}
    for message in extracted_messages():
        found.setdefault(message.message_id, f"{message.path}:{message.line}")
        if message.plural:
            found.setdefault(message.plural, f"{message.path}:{message.line} (plural)")
    return found


def test_the_extraction_reads_templates_python_and_javascript(extracted: dict[str, str]) -> None:
    places = {where.split(":")[0].rsplit(".", 1)[-1] for where in extracted.values()}
    assert {"html", "py", "js"} <= places
    # One of each: a template, html_errors.py's N_(), a widget's t() inside an html`…` template.
    assert extracted["Log in"].startswith("templates/")
    assert extracted["Page not found"].startswith("html_errors.py")
    assert "No posts match these filters in this period." in extracted
    assert "Download the data as CSV" in extracted


STRING = r'"((?:[^"\\]|\\.)*)"'
JS_CALL = re.compile(rf"\bt\(\s*{STRING}|\btn\(\s*{STRING}\s*,\s*{STRING}")


def test_the_extraction_misses_no_javascript_call(extracted: dict[str, str]) -> None:
    """A plain reading of every t("…") and tn("…", "…") call finds nothing Babel's JavaScript
    extractor left out (it can lose a call nested in a template literal inside a template)."""
    static = WEB_DIR / "static"
    found: dict[str, str] = {}
    for path in static.rglob("*.js"):
        if "vendor" in path.relative_to(static).parts:
            continue
        # Code only: the examples in comments are not calls.
        code = "\n".join(
            line
            for line in path.read_text(encoding="utf-8").splitlines()
            if not line.lstrip().startswith("//")
        )
        for match in JS_CALL.finditer(code):
            for message in match.groups():
                if message:
                    found.setdefault(message.replace('\\"', '"'), str(path.relative_to(WEB_DIR)))
    assert found, "no t() call found: is the pattern still right?"
    missing = {message: where for message, where in found.items() if message not in extracted}
    assert not missing, f"Babel's extraction misses these calls (write them plainly): {missing}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_in_the_catalogue(language: str, extracted: dict[str, str]) -> None:
    catalogue = read_catalogue(language)
    known: set[str] = set()
    for message in catalogue:
        if isinstance(message.id, tuple):
            known.update(str(part) for part in message.id)
        elif message.id:
            known.add(str(message.id))
    missing = {message: where for message, where in extracted.items() if message not in known}
    assert not missing, f"{language}: not in the catalogue (run `make i18n`, then translate): {missing}"


def test_every_message_is_translated_in_french(extracted: dict[str, str]) -> None:
    catalogue = read_catalogue("fr")
    untranslated = []
    wrong_placeholders = []
    for message in catalogue:
        if not message.id:
            continue
        ids = [str(part) for part in message.id] if isinstance(message.id, tuple) else [str(message.id)]
        strings = (
            [str(part) for part in message.string]
            if isinstance(message.string, tuple)
            else [str(message.string)]
        )
        if message.fuzzy or not all(strings):
            untranslated.append(ids[0])
            continue
        wanted = set(PLACEHOLDER.findall(ids[0]))
        for string in strings:
            if set(PLACEHOLDER.findall(string)) - (wanted | {"n"}) or wanted - set(
                PLACEHOLDER.findall(string)
            ) - {"n"}:
                wrong_placeholders.append((ids[0], string))
    assert not untranslated, f"fr: untranslated or fuzzy: {untranslated}"
    assert not wrong_placeholders, f"fr: placeholders differ from the English: {wrong_placeholders}"


def test_the_javascript_catalogue_holds_the_translations() -> None:
    french = catalogue_for("fr")
    assert french.gettext("Dashboards") == "Tableaux de bord"
    assert french.gettext("not a message") == "not a message"
    assert french.ngettext("{n} widget", "{n} widgets", 1) == "{n} widget"
    assert french.ngettext("{n} widget", "{n} widgets", 0) == "{n} widget"  # French: 0 is singular
    assert french.ngettext("{n} widget", "{n} widgets", 2) == "{n} widgets"
    assert b'"Tableaux de bord"' in french.json_bytes
    assert catalogue_for("fr").version == french.version  # the same catalogue, the same address


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("fr-CA,fr;q=0.9,en;q=0.5", "fr"),
        ("en-GB,en;q=0.9,fr;q=0.8", "en"),
        ("de-DE,de;q=0.9,fr;q=0.4", "fr"),
        ("de,en;q=0.3", "en"),
        ("de", None),
        ("fr;q=0,en;q=0.1", "en"),
        ("FR", "fr"),
        ("en;q=0.5,fr;q=0.5", "en"),
        ("", None),
        (None, None),
        ("fr;q=abc", None),
    ],
)
def test_accept_language(header: str | None, expected: str | None) -> None:
    assert language_from_accept(header) == expected


def test_the_users_setting_comes_first() -> None:
    assert page_language("fr", "en-US,en") == "fr"
    assert page_language(None, "fr-FR") == "fr"
    assert page_language("de", "fr-FR") == "fr"  # a language the hub does not speak is no setting
    assert page_language(None, None) == "en"
