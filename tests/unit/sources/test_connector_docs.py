"""The field tables of the connector docs say what the connectors declare (Apprise's lesson).

Each registered connector has one section ``### `type` — Title`` in ``docs/connectors.md`` or
``docs/connectors-polling.md``, holding its default endpoint, its field table and the canonical
fields it never fills, all as :func:`describe_connectors` gives them. A connector whose fields
change fails here until its docs follow; the failure prints the section to paste.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from veille.sources.connectors import describe_connectors

DOCS = Path(__file__).resolve().parents[3] / "docs"
DOC_FILES = ("connectors.md", "connectors-polling.md")
HEADING = re.compile(r"^### `(?P<type>[a-z0-9_.-]+)` — (?P<title>.+)$")


def _value(value: Any) -> str:
    """A default as it is written in ``veille.toml`` (empty when the field has none)."""
    if value is None or value == [] or value == {}:
        return ""
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, str):
        return f"`{value}`"
    if isinstance(value, list | dict):
        return f"`{json.dumps(value, ensure_ascii=False)}`"
    return f"`{value!r}`"


def _notes(field: dict[str, Any]) -> str:
    notes = []
    if field["secret"]:
        notes.append("secret")
    if field["env"]:
        notes.append(f"env `{field['env']}`")
    if field["choices"]:
        notes.append("one of " + ", ".join(f"`{choice}`" for choice in field["choices"]))
    if field["help"]:
        # ``<ttl>`` would be read as an HTML tag by a Markdown renderer, and vanish.
        notes.append(field["help"].replace("<", "&lt;").replace(">", "&gt;"))
    return "; ".join(notes)


def field_rows(meta: dict[str, Any]) -> list[list[str]]:
    """The table's rows (cells), header first."""
    rows = [["field", "type", "default", "notes"]]
    for field in meta["fields"]:
        default = "required" if field["required"] else _value(field["default"])
        rows.append([f"`{field['name']}`", field["type"], default, _notes(field)])
    return rows


def section(meta: dict[str, Any]) -> str:
    """The documentation section of a connector, as it should read."""
    lines = [f"### `{meta['type']}` — {meta['title']}", ""]
    if meta["default_endpoint"]:
        lines += [f"Default endpoint: `{meta['default_endpoint']}`", ""]
    header, *rows = field_rows(meta)
    lines += ["| " + " | ".join(header) + " |", "| --- | --- | --- | --- |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    if meta["never_filled"]:
        lines += ["", "Never filled: " + ", ".join(f"`{name}`" for name in meta["never_filled"]) + "."]
    return "\n".join(lines)


def documented_sections() -> dict[str, tuple[str, list[str]]]:
    """``type`` → (doc file, the lines of its section up to the next heading)."""
    found: dict[str, tuple[str, list[str]]] = {}
    for name in DOC_FILES:
        lines = (DOCS / name).read_text(encoding="utf-8").splitlines()
        for index, line in enumerate(lines):
            match = HEADING.match(line)
            if match is None:
                continue
            kind = match.group("type")
            assert kind not in found, f"connector {kind!r} is documented twice ({found[kind][0]}, {name})"
            end = next((at for at in range(index + 1, len(lines)) if lines[at].startswith("#")), len(lines))
            found[kind] = (name, lines[index:end])
    return found


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _table(lines: list[str]) -> list[list[str]]:
    rows = [_cells(line) for line in lines if line.startswith("|")]
    return [row for row in rows if not all(set(cell) <= {"-", ":"} for cell in row)]


CONNECTORS = {meta["type"]: meta for meta in describe_connectors()}


def test_every_connector_has_a_section_and_every_section_a_connector() -> None:
    documented = documented_sections()
    missing = sorted(set(CONNECTORS) - set(documented))
    assert not missing, "connectors without a docs section; add:\n\n" + "\n\n".join(
        section(CONNECTORS[kind]) for kind in missing
    )
    assert not set(documented) - set(CONNECTORS), "docs sections of connectors that do not exist"


@pytest.mark.parametrize("kind", sorted(CONNECTORS))
def test_the_section_matches_the_connector_metadata(kind: str) -> None:
    meta = CONNECTORS[kind]
    documented = documented_sections()
    if kind not in documented:
        pytest.skip("reported by test_every_connector_has_a_section_and_every_section_a_connector")
    doc, lines = documented[kind]
    expected = section(meta)
    hint = f"docs/{doc}: the section of {kind!r} should read:\n\n{expected}\n"
    assert HEADING.match(lines[0]) and HEADING.match(lines[0]).group("title") == meta["title"], hint  # type: ignore[union-attr]
    assert _table(lines) == field_rows(meta), hint
    endpoint_lines = [line for line in lines if "endpoint:" in line.lower() and not line.startswith("|")]
    if meta["default_endpoint"]:
        assert f"Default endpoint: `{meta['default_endpoint']}`" in lines, hint
    else:
        assert not any(line.startswith("Default endpoint:") for line in endpoint_lines), hint
    never = [line for line in lines if line.startswith("Never filled:")]
    assert never == ([expected.splitlines()[-1]] if meta["never_filled"] else []), hint


def test_the_renderer_reads_its_own_output() -> None:
    """The check is not vacuous: a rendered section parses back to the same rows."""
    for meta in CONNECTORS.values():
        assert _table(section(meta).splitlines()) == field_rows(meta)
        assert len(field_rows(meta)) == len(meta["fields"]) + 1
