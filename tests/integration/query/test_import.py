"""``veille query import`` (one query, a CSV creating topics) and ``POST /api/v1/query/import``."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from typer.testing import CliRunner

from tests.support.live_server import LiveHub
from veille.cli import build_app
from veille.settings import Settings
from veille.store.sql import open_store
from veille.topics import list_topics


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(build_app(), ["query", "import", *args])
    return result.exit_code, result.stdout, result.stderr


def test_one_query_prints_the_equivalent_and_exits_by_whether_the_meaning_is_kept() -> None:
    code, out, err = run("--dialect", "meltwater", "Apple ONEAR/10 watch")
    assert (code, out, err) == (0, "apple NEAR/10f watch\n", "")
    code, out, err = run("--dialect", "brandwatch", '"apple juice"~5')
    assert code == 0 and out == "apple NEAR/5f juice OR juice NEAR/3f apple\n"
    code, out, err = run("--dialect", "sprinklr", "((Apple) NEAR/5 (iphone OR MacBook))")
    assert code == 2 and out == "apple NEAR/5 (iphone OR macbook)\n"
    assert err.startswith("warning: column 10: NEAR/5: Sprinklr does not document")
    code, out, err = run("--dialect", "x", "(kittens OR puppies) has:media")
    assert (
        code == 2
        and out == ""
        and err.startswith("error: column 22: has:media: the post record holds no media")
    )
    code, _, err = run("--dialect", "bing", "a")
    assert code == 2 and "--dialect: expected one of brandwatch" in err
    code, _, err = run("--dialect", "x")
    assert code == 2 and "give a QUERY or --csv FILE" in err


def test_a_csv_creates_the_topics_whose_meaning_is_kept(settings: Settings, tmp_path: Path) -> None:
    data = str(settings.data_dir)
    rows = tmp_path / "queries.csv"
    rows.write_text(
        "name,query,kind,label\n"
        'Nike - Brand,"nike NEAR/2 (shoe OR shoes)",brand,\n'
        'Apple juice,"""apple juice""~5",,Apple juice mentions\n'
        'Berlin,"city:bedo AND juice",,\n'
        'Mixed,"a OR b AND c",,\n'
        "\n"
        'Nike - Brand,"nike",brand,\n',
        encoding="utf-8",
    )
    code, out, err = run("--dialect", "brandwatch", "--csv", str(rows), "--data", data)
    assert code == 2
    assert json.loads(out) == {
        "created": ["nike-brand", "apple-juice"],
        "skipped": ["berlin", "mixed", "Nike - Brand"],
    }
    assert "skipped: line 4: berlin: query: column 1: city: is not a field here" in err
    assert "skipped: line 5: mixed: query: the meaning cannot be kept exactly" in err
    assert "warning: line 5 (Mixed): column 3: AND and OR mixed without parentheses" in err
    store = open_store(settings.sqlalchemy_url)
    try:
        topics = {topic.name: topic for topic in list_topics(store=store)}
    finally:
        store.close()
    assert (
        topics["nike-brand"].query == "nike NEAR/2 (shoe OR shoes)" and topics["nike-brand"].kind == "brand"
    )
    assert topics["nike-brand"].label == "Nike - Brand"
    assert topics["apple-juice"].query == "apple NEAR/5f juice OR juice NEAR/3f apple"
    assert topics["apple-juice"].label == "Apple juice mentions" and topics["apple-juice"].kind == "theme"
    # Again: the names are taken now; --approximate creates the converted-with-warnings one.
    code, out, err = run("--dialect", "brandwatch", "--csv", str(rows), "--approximate", "--data", data)
    assert code == 2 and json.loads(out)["created"] == ["mixed"]
    assert "nike-brand: name: a topic of that name exists already" in err
    bad = tmp_path / "bad.csv"
    bad.write_text("title,text\nx,y\n", encoding="utf-8")
    code, _, err = run("--dialect", "x", "--csv", str(bad), "--data", data)
    assert code == 2 and "line 1: the header has no name and no query column" in err


def test_the_api_converts_or_refuses_with_the_column(live: LiveHub) -> None:
    with httpx.Client(base_url=live.base_url, timeout=10) as anonymous:
        assert anonymous.post("/api/v1/query/import", json={"dialect": "x", "query": "a"}).status_code == 401
    with httpx.Client(base_url=live.base_url, headers=live.auth_headers, timeout=10) as api:
        answer = api.post("/api/v1/query/import", json={"dialect": "meltwater", "query": "Apple NEAR watch"})
        assert answer.status_code == 200
        assert answer.json() == {"query": "apple NEAR/4 watch", "warnings": [], "exact": True}
        inexact = api.post("/api/v1/query/import", json={"dialect": "x", "query": "to:XDevelopers"}).json()
        assert inexact["exact"] is False and inexact["query"] == "@xdevelopers AND is:reply"
        assert inexact["warnings"][0].startswith("column 1: to:XDevelopers: X matches replies")
        refused = api.post("/api/v1/query/import", json={"dialect": "x", "query": "cats has:media"})
        assert refused.status_code == 422
        assert refused.json() == {
            "detail": "column 6: has:media: the post record holds no media (attachments are not kept); "
            "has:links matches posts with a link",
            "field": "query",
            "column": 6,
        }
        assert api.post("/api/v1/query/import", json={"dialect": "bing", "query": "a"}).status_code == 422
        assert api.post("/api/v1/query/import", json={"dialect": "x"}).status_code == 422
        schema = api.get("/openapi.json").json()
        operation = schema["paths"]["/api/v1/query/import"]["post"]
        assert "requestBody" in operation and "200" in operation["responses"]
