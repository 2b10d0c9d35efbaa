"""``veille accounts import|list`` and ``veille report care`` on both engines."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from veille.accounts import list_accounts
from veille.cli import build_app
from veille.settings import Settings
from veille.store.sql import SqlStore, open_store

from .dataset import END, START, build_posts
from .oracle import expected_figures, inbound_times
from .test_metrics import FIGURES

COLUMNS = [
    "account",
    "brand",
    "country",
    "inbound",
    "responded",
    "response_rate",
    "median_s",
    "mean_s",
    "p90_s",
    "within_sla",
]

ACCOUNTS_CSV = """platform,handle,brand,country,ours,timezone,days,start,end
x,NovaTelecom_FR,Nova Telecom,FR,true,Europe/Paris,"mon,tue,wed,thu,fri",09:00,18:00
x,@NovaCare,Nova Telecom,,yes,,,,
x,HelixTelecom_FR,Helix Telecom,FR,false,Europe/Paris,mon tue wed thu fri,09:00,17:00
bluesky,helixtelecom-fr.bsky.social,Helix Telecom,FR,false,,,,
x,SiroccoTelecom_SN,Sirocco Telecom,SN,no,Africa/Dakar,mon tue wed thu fri sat,08:00,18:00
x,OrbisMobile,Orbis Mobile,GB,0,,,,
"""


@pytest.fixture
def cli(hub_settings: Settings, tmp_path: Path) -> tuple[CliRunner, list[str], Settings]:
    env = {"VEILLE_DATABASE_URL": hub_settings.database_url or ""}
    return CliRunner(env=env), ["--data", str(hub_settings.data_dir)], hub_settings


def _store(settings: Settings) -> SqlStore:
    return open_store(settings.sqlalchemy_url)


def test_import_list_and_report(cli: tuple[CliRunner, list[str], Settings], tmp_path: Path) -> None:
    runner, data, settings = cli
    app = build_app()
    file = tmp_path / "accounts.csv"
    file.write_text(ACCOUNTS_CSV, encoding="utf-8")
    result = runner.invoke(app, ["accounts", "import", str(file), *data])
    assert result.exit_code == 0, result.stderr
    assert "6 account(s) registered, 0 updated" in result.stderr
    listed = runner.invoke(app, ["accounts", "list", "--json", *data])
    assert [json.loads(line)["account"] for line in listed.stdout.splitlines()][:2] == [
        "x:@HelixTelecom_FR",
        "bluesky:@helixtelecom-fr.bsky.social",
    ] or listed.stdout
    assert "x:@OrbisMobile" in runner.invoke(app, ["accounts", "list", *data]).stdout

    store = _store(settings)
    try:
        posts = build_posts()
        store.upsert_posts(posts)
        accounts = {account.label: account for account in list_accounts(store=store)}
    finally:
        store.close()
    for business_hours, sla in ((False, 3600.0), (True, 600.0)):
        args = [
            "report",
            "care",
            "--from",
            "2026-11-02",
            "--to",
            "2026-11-09T00:00:00Z",
            "--format",
            "json",
            "--sla",
            str(sla),
            *data,
        ]
        if business_hours:
            args.append("--business-hours")
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.stderr
        rows = json.loads(result.stdout)
        assert isinstance(rows, list) and all(list(row) == COLUMNS for row in rows)
        now = inbound_times(
            posts, list(accounts.values()), start=START, end=END, business_hours=business_hours
        )
        assert {row["account"] for row in rows} == set(accounts)
        for row in rows:
            want = expected_figures(now[accounts[row["account"]].id], sla_s=sla)
            for name in FIGURES:
                assert row[name] == pytest.approx(want[name]), (row["account"], name)

    result = runner.invoke(
        app, ["report", "care", "--from", "2026-11-02", "--to", "2026-11-09", "--format", "csv", *data]
    )
    assert result.exit_code == 0, result.stderr
    table = list(csv.reader(io.StringIO(result.stdout)))
    assert table[0] == COLUMNS
    by_account = {line[0]: dict(zip(COLUMNS, line, strict=True)) for line in table[1:]}
    orbis, sirocco, care = (
        by_account["x:@OrbisMobile"],
        by_account["x:@SiroccoTelecom_SN"],
        by_account["x:@NovaCare"],
    )
    assert (orbis["inbound"], orbis["response_rate"], orbis["median_s"]) == ("0", "", "")
    assert (sirocco["response_rate"], sirocco["within_sla"], sirocco["median_s"]) == ("0.0", "0.0", "")
    assert care["country"] == "" and float(care["median_s"]) == 240.0
    assert float(by_account["x:@NovaTelecom_FR"]["response_rate"]) == 6 / 7  # unrounded

    shown = runner.invoke(app, ["report", "care", "--from", "2026-11-02", "--to", "2026-11-09", *data])
    assert shown.exit_code == 0 and "x:@NovaTelecom_FR" in shown.stdout and "0.857" in shown.stdout


def test_refusals_name_what_is_wrong(cli: tuple[CliRunner, list[str], Settings], tmp_path: Path) -> None:
    runner, data, _settings = cli
    app = build_app()
    file = tmp_path / "bad.csv"
    file.write_text(
        "platform,handle,brand,country,ours\n"
        "x,NovaTelecom_FR,Nova,FR,true\n"
        "x,Nova Care,Nova,FR,maybe\n"
        "x,novatelecom_fr,Nova,France,true\n"
        "x,Helix,Helix\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["accounts", "import", str(file), *data])
    assert result.exit_code == 2
    message = result.stderr
    assert "line 3, column 5 (ours): expected true or false, got 'maybe'" in message
    assert "line 4, column 4 (country): 'France' is not an ISO 3166 country code" in message
    assert "line 5: 3 fields where the header has 5" in message
    assert runner.invoke(app, ["accounts", "list", "--json", *data]).stdout == ""  # nothing imported

    header = tmp_path / "header.csv"
    header.write_text("platform,handle,brand\nx,a,b\n", encoding="utf-8")
    result = runner.invoke(app, ["accounts", "import", str(header), *data])
    assert result.exit_code == 2 and "line 1 (header): missing column(s) country, ours" in result.stderr
    hours = tmp_path / "hours.csv"
    hours.write_text(
        "platform,handle,brand,country,ours,timezone,start\nx,a,b,FR,true,,09:00\nx,c,b,FR,true,Europe/Paris,9h\n"
    )
    result = runner.invoke(app, ["accounts", "import", str(hours), *data])
    assert "line 2, column 7 (start): business hours need a timezone" in result.stderr
    assert "line 3, column 7 (start): '9h' is not a time of day" in result.stderr

    for args, message in (
        (["--from", "2026-11-09", "--to", "2026-11-02"], "--to: must come after from"),
        (["--from", "nov", "--to", "2026-11-02"], "--from: 'nov' is not an ISO date"),
        (
            ["--from", "2026-11-01", "--to", "2026-11-02", "--format", "xml"],
            "--format: must be one of json, csv, table",
        ),
    ):
        result = runner.invoke(app, ["report", "care", *args, *data])
        assert result.exit_code == 2 and message in result.stderr, result.stderr
