"""``veille alerts replay FILE.jsonl --rules RULES.json``: one JSON line per alert that would have
fired, then its updates; bad rules refused naming the rule and field."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from veille.cli import build_app


def _posts(path: Path) -> None:
    start = datetime(2026, 11, 30, 9, tzinfo=UTC)
    lines = []
    for index in range(40):
        at = start + timedelta(seconds=30 * index)
        text = "grosse panne internet" if index >= 20 else "bonne journée"
        lines.append(
            {
                "id": f"x:{index}",
                "source": "x",
                "created_at": at.isoformat(),
                "text": text,
                "author": {"handle": f"user{index % 7}"},
                "sentiment": {"label": "negative" if index >= 20 else "neutral", "score": 0.0},
            }
        )
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\nnot json\n", encoding="utf-8")


def test_replay_prints_each_alert_then_its_updates(tmp_path: Path) -> None:
    posts = tmp_path / "posts.jsonl"
    _posts(posts)
    rules = tmp_path / "rules.json"
    rules.write_text(
        json.dumps(
            [
                {
                    "name": "panne",
                    "kind": "volume_threshold",
                    "query": "panne",
                    "window_s": 300,
                    "threshold": 5,
                    "cooldown_s": 60,
                },
                {"name": "never", "kind": "volume_threshold", "query": "tempête", "threshold": 1},
            ]
        )
    )
    result = CliRunner().invoke(
        build_app(), ["alerts", "replay", str(posts), "--rules", str(rules), "--data", str(tmp_path / "d")]
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert lines[0] == {
        "rule": "panne",
        "opened_at": "2026-11-30T09:12:00Z",
        "severity": "warning",
        "posts": 5,
    }
    assert [line.get("event") for line in lines[1:]] and all(line["rule"] == "panne" for line in lines)
    assert "1 lines skipped" in result.stderr or "1 lines skipped" in result.output


def test_bad_rules_are_refused_naming_the_field(tmp_path: Path) -> None:
    posts = tmp_path / "posts.jsonl"
    _posts(posts)
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps([{"name": "bad", "kind": "volume_threshold", "query": "x", "window_s": 1}]))
    result = CliRunner().invoke(build_app(), ["alerts", "replay", str(posts), "--rules", str(rules)])
    assert result.exit_code == 2
    assert "rules[0] (bad)" in result.output and "window_s" in result.output
