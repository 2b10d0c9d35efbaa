"""``veille team``, ``veille user`` and ``veille token`` on a SQLite data folder, refusals included."""

from __future__ import annotations

from typer.testing import CliRunner

from veille.cli import build_app
from veille.settings import Settings


def run(*args: str, data: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(build_app(), [*args, "--data", data], env={"VEILLE_NEW_PASSWORD": ""})
    return result.exit_code, result.stdout, result.stderr


def test_teams_users_and_tokens_from_the_command_line(settings: Settings) -> None:
    data = str(settings.data_dir)
    code, _, err = run("team", "add", "care", "--countries", "FR,BE", "--sources", "x,bluesky", data=data)
    assert (code, err.strip()) == (0, "team care added")
    code, out, _ = run("team", "list", data=data)
    assert code == 0 and "care" in out and "FR" in out and "bluesky" in out

    code, _, err = run(
        "user", "add", "ana", "--role", "analyst", "--team", "care", "--password", "s3cret-pass!", data=data
    )
    assert code == 0 and "user ana added (analyst, teams care)" in err
    code, out, _ = run("user", "list", data=data)
    assert code == 0 and "ana" in out and "analyst" in out

    code, token, _ = run("token", "create", "screens", "--role", "viewer", "--team", "care", data=data)
    assert code == 0 and len(token.strip()) >= 20
    code, out, _ = run("token", "list", data=data)
    assert code == 0 and "screens" in out and token.strip() not in out  # the token is printed once

    token_id = next(line.split()[0] for line in out.splitlines() if "screens" in line)
    code, _, err = run("token", "revoke", token_id, data=data)
    assert (code, err.strip()) == (0, f"token {token_id} revoked")
    code, _, err = run("user", "remove", "ana", data=data)
    assert (code, err.strip()) == (0, "user ana removed")
    code, out, _ = run("user", "list", data=data)
    assert "ana" not in out


def test_refusals_name_what_is_wrong_and_exit_2(settings: Settings) -> None:
    data = str(settings.data_dir)
    code, _, err = run("user", "add", "bob", "--role", "wizard", "--password", "s3cret-pass!", data=data)
    assert code == 2 and err.startswith("error: ") and "wizard" in err
    code, _, err = run(
        "user", "add", "bob", "--role", "viewer", "--team", "nowhere", "--password", "s3cret-pass!", data=data
    )
    assert code == 2 and "nowhere" in err
    code, _, err = run("user", "remove", "ghost", data=data)
    assert code == 2 and "ghost" in err
    code, _, err = run("team", "remove", "nowhere", data=data)
    assert code == 2 and "nowhere" in err
    code, _, err = run("token", "revoke", "999", data=data)
    assert code == 2 and "999" in err
