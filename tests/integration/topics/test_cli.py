"""``veille topics`` on a SQLite data folder: add, list, remove, load, backfill."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tests.support.posts import post_json
from veille.cli import build_app
from veille.demo.seed import demo_taxonomy
from veille.model import parse_post
from veille.settings import Settings
from veille.store.sql import open_store


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(build_app(), ["topics", *args])
    return result.exit_code, result.stdout, result.stderr


def test_add_list_remove_and_refusals(settings: Settings) -> None:
    data = str(settings.data_dir)
    code, _, err = run("add", "outage", "--query", "panne* OR outage", "--kind", "sensitive", "--data", data)
    assert code == 0 and "topic outage added" in err
    code, _, _ = run(
        "add",
        "novabox_outage",
        "-q",
        "topic:outage AND novabox",
        "-k",
        "theme",
        "--parent",
        "outage",
        "--data",
        data,
    )
    assert code == 0
    code, _, err = run("add", "broken", "--query", "livebox AND (", "--kind", "theme", "--data", data)
    assert code == 2 and err.strip() == "error: query: column 14: expected a term or '(' after '('"
    code, _, err = run("add", "x", "--query", "x", "--kind", "weather", "--data", data)
    assert code == 2 and "kind:" in err
    code, out, _ = run("list", "--json", "--data", data)
    listed = [json.loads(line) for line in out.splitlines()]
    assert [(t["name"], t["parent"]) for t in listed] == [("novabox_outage", "outage"), ("outage", None)]
    code, out, _ = run("list", "--data", data)
    assert code == 0 and "  novabox_outage" in out  # indented under its parent
    code, _, err = run("remove", "outage", "--data", data)
    assert code == 2 and "sub-topics: novabox_outage" in err
    assert run("remove", "novabox_outage", "--data", data)[0] == 0
    assert run("remove", "outage", "--data", data)[0] == 0
    assert run("list", "--json", "--data", data)[1] == ""


def test_load_a_file_or_the_demo(settings: Settings, tmp_path: Path) -> None:
    data = str(settings.data_dir)
    file = tmp_path / "topics.toml"
    file.write_text(
        '[[topics]]\nname = "outage"\nquery = "panne*"\n\n[[topics]]\nname = "bad"\nquery = "a OR"\n'
    )
    code, _, err = run("load", str(file), "--data", data)
    assert code == 2 and "topics[1] (bad): query: column 5" in err
    file.write_text('[[topics]]\nname = "outage"\nquery = "panne*"\nkind = "sensitive"\n')
    code, out, _ = run("load", str(file), "--data", data)
    assert code == 0 and json.loads(out) == {"created": 1, "updated": 0, "unchanged": 0}
    code, out, _ = run("load", "--demo", "--data", data)
    demo_size = len(demo_taxonomy())
    # The demo's own outage topic replaces the file's.
    assert code == 0 and json.loads(out) == {"created": demo_size - 1, "updated": 1, "unchanged": 0}
    assert run("load", "--data", data)[0] == 2


def test_backfill_prints_a_summary(settings: Settings) -> None:
    data = str(settings.data_dir)
    store = open_store(settings.sqlalchemy_url)
    texts = ["panne ici", "rien", "grosse panne"]
    store.upsert_posts([parse_post(post_json(i, text=text)) for i, text in enumerate(texts)])
    store.close()
    run("add", "outage", "--query", "panne", "--kind", "sensitive", "--data", data)
    code, out, err = run("backfill", "outage", "--batch-size", "2", "--data", data)
    assert code == 0, err
    assert json.loads(out.splitlines()[-1]) == {"scanned": 3, "matched": 2, "gained": 2, "lost": 0}
    code, _, err = run("backfill", "nope", "--data", data)
    assert code == 2 and "no topic named 'nope'" in err


def test_list_keeps_whole_names_and_kinds_in_an_80_column_terminal(settings: Settings) -> None:
    data = str(settings.data_dir)
    assert run("load", "--demo", "--data", data)[0] == 0
    result = CliRunner(env={"COLUMNS": "80"}).invoke(build_app(), ["topics", "list", "--data", data])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["name", "kind", "label", "query"]
    assert max(len(line) for line in lines) <= 80
    shown = {line.split()[0]: line.split()[1] for line in lines[1:]}
    assert shown == {spec.name: spec.kind for spec in demo_taxonomy()}  # every name whole, with its kind
    wide = CliRunner(env={"COLUMNS": "250"}).invoke(build_app(), ["topics", "list", "--data", data]).stdout
    assert any(spec.label and spec.label in wide for spec in demo_taxonomy())  # room: labels whole
