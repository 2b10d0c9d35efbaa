"""The linter (spec §5) and the ``veille query`` commands."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from veille.cli.query import app
from veille.query import QuerySyntaxError, lint


def codes(text: str) -> list[tuple[int, str]]:
    return [(warning.column, warning.code) for warning in lint(text)]


def test_lint_warnings() -> None:
    assert codes("livebox AND panne") == []
    assert codes("ab* OR abc*") == [(1, "short-wildcard")]
    assert codes("#ab* author:x*") == [(1, "short-wildcard"), (6, "short-wildcard")]
    assert codes("a NEAR/10 b") == []
    assert codes("a NEAR/11 b") == [(1, "wide-near")]
    assert codes("livebox OR panne OR livebox") == [(21, "duplicate-term")]
    assert codes('"mobile payment" AND payment') == [(22, "redundant-and")]
    assert codes('"mobile payment" AND {payment}') == []
    many = " OR ".join(f"w{i}" for i in range(201))
    assert codes(many) == [(1, "long-or")]
    assert codes(" OR ".join(f"w{i}" for i in range(200))) == []
    with pytest.raises(QuerySyntaxError):
        lint("a AND")


def test_cli_match_reads_jsonl_and_reports_bad_lines() -> None:
    def post(post_id: str, text: str) -> str:
        return json.dumps(
            {
                "id": post_id,
                "source": "x",
                "created_at": "2026-01-01T00:00:00Z",
                "text": text,
                "author": {"handle": "a"},
            }
        )

    stdin = "\n".join(
        [
            post("x:1", "Ma Livebox est en panne"),
            "not json",
            post("x:2", "rien"),
            '{"id": "x:3"}',
            post("x:4", "panne livebox"),
        ]
    )
    result = CliRunner().invoke(app, ["match", "livebox AND panne"], input=stdin + "\n")
    assert result.exit_code == 0
    assert result.stdout.split() == ["x:1", "x:4"]
    assert "line 2: not JSON" in result.stderr
    assert "line 4: source: required field is missing" in result.stderr
    spans = CliRunner().invoke(app, ["match", "--spans", "livebox"], input=post("x:1", "Ma Livebox") + "\n")
    assert spans.stdout == "x:1\t3-10\n"


def test_cli_bad_query_exits_2_with_the_column() -> None:
    result = CliRunner().invoke(app, ["match", "livebox AND"], input="")
    assert result.exit_code == 2
    assert "column 12: expected a term or '(' after AND" in result.stderr
    result = CliRunner().invoke(app, ["lint", "NOT spam"])
    assert result.exit_code == 2 and "only negative terms" in result.stderr


def test_cli_lint_prints_warnings() -> None:
    result = CliRunner().invoke(app, ["lint", "ab* NEAR/20 c"])
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "column 1: 'ab*' has only 2 characters before '*': it can match very many words [short-wildcard]",
        "column 1: NEAR/20 is wider than 10 tokens: it is close to a plain AND [wide-near]",
    ]
