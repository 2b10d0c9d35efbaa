"""The company profile as data (dict/TOML) and the ``veille simulate`` commands."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from veille.cli.simulate import app
from veille.demo.simulator import CompanyProfile, default_profile, generate_history, load_profile, vocabulary
from veille.model import parse_post


def test_default_profile_is_a_fictional_telecom_with_three_competitors() -> None:
    profile = default_profile()
    assert profile.company.name == "Nova Telecom"
    assert len(profile.competitors) == 3
    assert {"FR", "GB", "US", "ES", "SN", "BE", "DE"} <= {c.code for c in profile.countries}
    categories = {i.category for i in profile.influencers}
    assert {"journalist", "blogger", "elected"} <= categories
    terms = profile.brand_terms()
    assert "NovaBox" in terms["nova"]["products"] and "NovaTelecom_FR" in terms["nova"]["handles"]
    essentials = vocabulary()
    assert {"home", "work", "entertainment", "well_being", "family", "payment"} <= set(essentials)
    assert {"connected_objects", "mobile_payment", "data_protection"} <= set(essentials)
    rows = profile.brand_accounts()
    assert {"platform", "handle", "brand", "country", "ours"} == set(rows[0])
    assert any(not row["ours"] for row in rows)


def test_from_dict_replaces_given_fields_and_keeps_the_rest() -> None:
    profile = CompanyProfile.from_dict(
        {
            "launch": {"product": "Acme Box", "hashtag": "AcmeBox"},
            "outage": {"country": "SN", "service": "Nova Mobile", "hashtags": {"fr": "NovaKO"}},
        }
    )
    assert profile.launch.hashtag == "AcmeBox"
    assert profile.company.name == "Nova Telecom"
    end = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)
    posts = list(
        generate_history(
            end - timedelta(hours=4), end, scenario="outage_crisis", profile=profile, rate_per_min=10
        )
    )
    outage = [p for p in posts if p.extra["simulator"]["kind"] == "outage"]
    assert outage and all(p.extra["simulator"]["country"] == "SN" for p in outage)
    assert any("#NovaKO" in p.text for p in outage)


def test_bad_profiles_name_the_field() -> None:
    with pytest.raises(ValueError, match="unknown field"):
        CompanyProfile.from_dict({"companny": {}})
    with pytest.raises(ValueError, match=r"influencers\.x\.country"):
        CompanyProfile.from_dict(
            {
                "influencers": [
                    {
                        "handle": "x",
                        "name": "X",
                        "platform": "x",
                        "category": "blogger",
                        "country": "ZZ",
                        "lang": "en",
                        "followers": 10,
                        "bio": "b",
                    }
                ]
            }
        )
    with pytest.raises(ValueError, match="followers"):
        CompanyProfile.from_dict(
            {
                "influencers": [
                    {
                        "handle": "x",
                        "name": "X",
                        "platform": "x",
                        "category": "blogger",
                        "country": "FR",
                        "lang": "en",
                        "followers": "many",
                        "bio": "b",
                    }
                ]
            }
        )


def test_load_profile_from_a_toml_table(tmp_path: Path) -> None:
    path = tmp_path / "veille.toml"
    path.write_text(
        '[simulator.profile.event]\nname = "Fête de la Fibre"\nhashtag = "FeteFibre"\ncountry = "BE"\n',
        encoding="utf-8",
    )
    profile = load_profile(path, table="simulator.profile")
    assert profile.event.hashtag == "FeteFibre" and profile.event.country == "BE"
    with pytest.raises(ValueError, match="no \\[other\\] table"):
        load_profile(path, table="other")


def test_cli_lists_scenarios() -> None:
    result = CliRunner().invoke(app, ["scenarios"])
    assert result.exit_code == 0, result.output
    for name in ("quiet_day", "product_launch", "live_event", "outage_crisis"):
        assert name in result.output


def test_cli_writes_reproducible_jsonl(tmp_path: Path) -> None:
    runner = CliRunner()
    files = []
    for name in ("a.jsonl", "b.jsonl"):
        out = tmp_path / name
        result = runner.invoke(
            app,
            [
                "jsonl",
                "--scenario",
                "outage_crisis",
                "--seed",
                "5",
                "--count",
                "300",
                "--out",
                str(out),
                "--end",
                "2026-11-20T18:00:00Z",
            ],
        )
        assert result.exit_code == 0, result.output
        files.append(out.read_text(encoding="utf-8"))
    assert files[0] == files[1]
    lines = files[0].splitlines()
    assert len(lines) == 300
    for line in lines:
        post = parse_post(json.loads(line))
        assert post.created_at <= datetime(2026, 11, 20, 18, 0, tzinfo=UTC)


def test_cli_refuses_unknown_scenario() -> None:
    result = CliRunner().invoke(app, ["jsonl", "--scenario", "nope", "--count", "1"])
    assert result.exit_code != 0
    assert "unknown scenario" in result.output
