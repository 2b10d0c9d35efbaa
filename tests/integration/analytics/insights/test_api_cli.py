"""The insights API (JSON equals the service's figures, CSV/Parquet exports, curated CRUD, 401/404/422)
and ``veille influencers import|list`` on both engines."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from tests.support.live_server import serve_hub
from veille.analytics.content import content_performance
from veille.analytics.filters import AnalyticsFilter
from veille.analytics.influence import influencers
from veille.analytics.scope import Scope
from veille.analytics.trends import trends
from veille.cli import build_app
from veille.influencers import list_influencers
from veille.model import Post
from veille.settings import Settings
from veille.store.sql import SqlStore, open_store

from .dataset import END, GRAPH_START, START


@pytest.fixture(scope="module")
def api(
    loaded: tuple[SqlStore, list[Post]], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[httpx.Client]:
    store, _ = loaded
    url = str(store.engine.url.render_as_string(hide_password=False))
    settings = Settings(data_dir=tmp_path_factory.mktemp("hub"))
    settings = settings.model_copy(update={"database_url": url.replace("postgresql+psycopg", "postgresql")})
    with (
        serve_hub(settings) as hub,
        httpx.Client(base_url=hub.base_url, headers=hub.auth_headers, timeout=30) as client,
    ):
        yield client


def _same(got: dict[str, Any], expected: dict[str, Any]) -> None:
    assert got == json.loads(json.dumps(expected, default=str))


def test_endpoints_serve_the_service_figures(api: httpx.Client, loaded: tuple[SqlStore, list[Post]]) -> None:
    store, _ = loaded
    whole = {"from": START.isoformat(), "to": END.isoformat()}
    got = api.get("/api/v1/analytics/trends", params={**whole, "kind": "hashtags", "window": 3600})
    assert got.status_code == 200, got.text
    filters = AnalyticsFilter.of(start=START, end=END)
    kept = got.json()
    # Served from the kept trends (veille.analytics.kept_rankings): current, so the posts' own figure.
    assert kept.pop("kept")["stale"] is False
    _same(kept, trends(store, filters=filters, scope=Scope(), window=timedelta(hours=1)).to_json_dict())
    hour = {"from": GRAPH_START.isoformat(), "to": (GRAPH_START + timedelta(hours=1)).isoformat()}
    got = api.get("/api/v1/analytics/influencers", params={**hour, "limit": 5})
    graph = AnalyticsFilter.of(start=GRAPH_START, end=GRAPH_START + timedelta(hours=1))
    ranked = got.json()
    # Served from the kept rankings (veille.analytics.kept_rankings): current, so the posts' own figure.
    assert ranked.pop("ranking")["stale"] is False
    _same(ranked, influencers(store, filters=graph, scope=Scope(), limit=5).to_json_dict())
    got = api.get(
        "/api/v1/analytics/content-performance", params={**whole, "group_by": "hour", "tz": "Europe/Paris"}
    )
    paris = AnalyticsFilter.of(start=START, end=END, tz="Europe/Paris")
    _same(
        got.json(), content_performance(store, filters=paris, scope=Scope(), group_by="hour").to_json_dict()
    )
    best = api.get("/api/v1/analytics/content-performance", params={**whole, "group_by": "posts", "limit": 2})
    assert best.json()["kind"] == "content-best-posts" and len(best.json()["rows"]) == 2
    author = api.get("/api/v1/analytics/authors/@Alice", params={**hour, "platform": "x"})
    assert author.status_code == 200 and author.json()["author"]["category"] == "journalist"
    assert api.get("/api/v1/analytics/authors/nobody", params=hour).status_code == 404


def test_exports_and_errors(api: httpx.Client) -> None:
    hour = {"from": GRAPH_START.isoformat(), "to": (GRAPH_START + timedelta(hours=1)).isoformat()}
    as_json = api.get("/api/v1/analytics/influencers", params=hour).json()
    as_csv = api.get("/api/v1/analytics/influencers", params={**hour, "format": "csv"})
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert [row["handle"] for row in rows] == [row["handle"] for row in as_json["rows"]]
    parquet = api.get("/api/v1/analytics/influencers", params={**hour, "format": "parquet"})
    table = pq.read_table(io.BytesIO(parquet.content))
    assert table.column("handle").to_pylist() == [row["handle"] for row in as_json["rows"]]
    posts_csv = api.get("/api/v1/analytics/authors/alice", params={**hour, "format": "csv", "part": "posts"})
    assert next(csv.DictReader(io.StringIO(posts_csv.text)))["id"] == "x:alice1"
    for params, name in (
        ({"kind": "words"}, "kind"),
        ({"format": "xml"}, "format"),
        ({"baseline": "yearly"}, "baseline"),
    ):
        answer = api.get("/api/v1/analytics/trends", params={**hour, "window": 600, **params})
        assert answer.status_code == 422 and name in answer.text, params
    bad_group = api.get("/api/v1/analytics/content-performance", params={**hour, "group_by": "weekday"})
    assert bad_group.status_code == 422 and "group_by" in bad_group.text
    anonymous = httpx.get(str(api.base_url) + "/api/v1/analytics/influencers", params=hour)
    assert anonymous.status_code == 401


def test_curated_crud(api: httpx.Client, loaded: tuple[SqlStore, list[Post]]) -> None:
    store, _ = loaded
    body = {
        "platform": "x",
        "handle": "@HannahClarke",
        "category": "journalist",
        "country": "gb",
        "name": "Hannah",
    }
    created = api.post("/api/v1/influencers/curated", json=body)
    assert created.status_code == 201, created.text
    item = created.json()
    assert (item["handle"], item["country"], item["category"]) == ("HannahClarke", "GB", "journalist")
    assert api.post("/api/v1/influencers/curated", json=body).status_code == 409
    refused = api.post("/api/v1/influencers/curated", json={**body, "handle": "other", "category": "pundit"})
    assert refused.status_code == 422 and refused.json()["field"] == "category"
    changed = api.put(f"/api/v1/influencers/curated/{item['id']}", json={**body, "category": "blogger"})
    assert changed.status_code == 200 and changed.json()["category"] == "blogger"
    listed = api.get("/api/v1/influencers/curated", params={"category": "blogger"}).json()["items"]
    assert [entry["handle"] for entry in listed] == ["HannahClarke"]
    assert api.delete(f"/api/v1/influencers/curated/{item['id']}").status_code == 204
    assert api.get(f"/api/v1/influencers/curated/{item['id']}").status_code == 404
    assert [entry.handle for entry in list_influencers(store=store)] == ["Erin"]


def test_cli_import_and_list(hub_settings: Settings, tmp_path: Path) -> None:
    runner = CliRunner(env={"VEILLE_DATABASE_URL": hub_settings.database_url or ""})
    options = ["--data", str(hub_settings.data_dir)]
    file = tmp_path / "influencers.csv"
    file.write_text("platform,handle,category,country,name\nx,@ClaireMorel_Tech,Journalist,fr,Claire Morel\n"
                    "bluesky,sophie-lambert.bsky.social,elected,FR,\n")  # fmt: skip
    result = runner.invoke(build_app(), ["influencers", "import", str(file), *options])
    assert result.exit_code == 0, result.output
    again = runner.invoke(build_app(), ["influencers", "import", str(file), *options])
    assert "0 influencer(s) added, 2 updated" in again.output
    listed = runner.invoke(build_app(), ["influencers", "list", "--json", *options])
    items = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [(i["platform"], i["handle"], i["category"], i["country"]) for i in items] == [
        ("bluesky", "sophie-lambert.bsky.social", "elected", "FR"),
        ("x", "ClaireMorel_Tech", "journalist", "FR"),
    ]
    file.write_text("platform,handle,category\nx,a,pundit\nx,b,blogger\nx,B,other\n")
    bad = runner.invoke(build_app(), ["influencers", "import", str(file), *options])
    assert bad.exit_code != 0
    assert "line 2, column category" in bad.output and "line 4, column handle" in bad.output
    store = open_store(hub_settings.sqlalchemy_url)
    try:
        assert len(list_influencers(store=store)) == 2  # all or nothing
    finally:
        store.close()
