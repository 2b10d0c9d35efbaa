"""The analytics API on both engines: each endpoint's JSON is the service's figures, CSV and Parquet
hold the same rows, bad parameters answer 422 naming them, and nothing is served without credentials."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pyarrow.parquet as pq
import pytest

from tests.support.live_server import LiveHub
from veille.analytics.exports import export_bytes
from veille.analytics.filters import AnalyticsFilter
from veille.analytics.results import AnalyticsResult, json_value
from veille.analytics.scope import Scope
from veille.analytics.sentiment import sentiment
from veille.analytics.top import top_domains, top_hashtags, top_links, top_posts
from veille.analytics.voice import share_of_voice
from veille.analytics.volume import volume

PATHS = ("volume", "sentiment", "share-of-voice", "top-posts", "top-hashtags", "top-links", "top-domains")
RANGE = {"from": "2026-03-27T05:07:13Z", "to": "2026-03-31", "tz": "Europe/Paris"}


def _service(path: str, hub: LiveHub, params: dict[str, Any]) -> dict[str, Any]:
    filters = AnalyticsFilter.of(
        start=datetime(2026, 3, 27, 5, 7, 13, tzinfo=UTC),
        end=datetime(2026, 3, 31, tzinfo=ZoneInfo("Europe/Paris")),  # "to": a date, read in tz
        tz="Europe/Paris",
        interval=params.get("interval", "day"),
        topics=params["topic"].split(",") if "topic" in params else None,
        countries=params["country"].split(",") if "country" in params else None,
        include_duplicates=params.get("include_duplicates", "true") == "true",
    )
    store, scope = hub.hub.store, Scope()
    compute = {
        "volume": lambda: volume(store, filters=filters, scope=scope, group_by=params.get("group_by")),
        "sentiment": lambda: sentiment(store, filters=filters, scope=scope, group_by=params.get("group_by")),
        "share-of-voice": lambda: share_of_voice(store, filters=filters, scope=scope, per_country=True),
        "top-posts": lambda: top_posts(store, filters=filters, scope=scope, by="reach", limit=7),
        "top-hashtags": lambda: top_hashtags(store, filters=filters, scope=scope, limit=20),
        "top-links": lambda: top_links(store, filters=filters, scope=scope, limit=20),
        "top-domains": lambda: top_domains(store, filters=filters, scope=scope, limit=20),
    }
    return compute[path]().to_json_dict()


def _params(path: str) -> dict[str, Any]:
    params: dict[str, Any] = dict(RANGE)
    if path in ("volume", "sentiment"):
        params |= {
            "interval": "hour",
            "group_by": "country",
            "country": "FR,ES",
            "include_duplicates": "false",
        }
    if path == "share-of-voice":
        params |= {"topic": "nova,helix,orbis", "per_country": "true"}
    if path == "top-posts":
        params |= {"by": "reach", "limit": "7", "topic": "outage"}
    return params


@pytest.mark.parametrize("path", PATHS)
def test_each_endpoint_serves_the_service_figures_as_json_csv_and_parquet(
    loaded_live: LiveHub, loaded_api: httpx.Client, path: str
) -> None:
    params = _params(path)
    response = loaded_api.get(f"/api/v1/analytics/{path}", params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body == _service(path, loaded_live, params)
    assert body["rows"], "the dataset gives every endpoint something to show"

    as_csv = loaded_api.get(f"/api/v1/analytics/{path}", params=params | {"format": "csv"})
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    assert f'filename="{body["kind"]}.csv"' in as_csv.headers["content-disposition"]
    table = list(csv.reader(io.StringIO(as_csv.text)))
    assert table[0] == body["columns"]
    assert table[1:] == [[_csv_text(row[name]) for name in body["columns"]] for row in body["rows"]]

    as_parquet = loaded_api.get(f"/api/v1/analytics/{path}", params=params | {"format": "parquet"})
    assert as_parquet.status_code == 200
    read = pq.read_table(io.BytesIO(as_parquet.content))
    assert read.column_names == body["columns"]
    assert json.loads(read.schema.metadata[b"veille"])["kind"] == body["kind"]
    for name in body["columns"]:
        values = read.column(name).to_pylist()
        assert [json_value(value) for value in values] == [row[name] for row in body["rows"]], name


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "|".join(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return "'" + text if text.startswith(("=", "+", "-", "@")) and isinstance(value, str) else text


def test_refusals_name_the_parameter(loaded_live: LiveHub, loaded_api: httpx.Client) -> None:
    with httpx.Client(base_url=loaded_live.base_url, timeout=10) as anonymous:
        for path in PATHS:
            assert anonymous.get(f"/api/v1/analytics/{path}", params=RANGE).status_code == 401
    for params, field in (
        (RANGE | {"interval": "fortnight"}, "interval:"),
        (RANGE | {"tz": "Nowhere/Land"}, "tz:"),
        (RANGE | {"format": "xlsx"}, "format:"),
        (RANGE | {"sentiment": "angry"}, "sentiment:"),
        (RANGE | {"from": "yesterday"}, "from:"),
        (RANGE | {"group_by": "colour"}, "group_by:"),
    ):
        response = loaded_api.get("/api/v1/analytics/volume", params=params)
        assert response.status_code == 422 and response.json()["detail"].startswith(field), response.text
    assert (
        loaded_api.get("/api/v1/analytics/share-of-voice", params=RANGE).json()["detail"].startswith("topic:")
    )
    assert (
        loaded_api.get("/api/v1/analytics/top-posts", params=RANGE | {"by": "likes"})
        .json()["detail"]
        .startswith("by:")
    )
    assert loaded_api.get("/api/v1/analytics/top-links", params=RANGE | {"limit": 0}).status_code == 422


def test_csv_never_hands_a_formula_to_a_spreadsheet() -> None:
    result = AnalyticsResult(
        kind="t",
        columns=["text", "n"],
        rows=[{"text": '=HYPERLINK("http://evil")', "n": -1}, {"text": "@x", "n": 2}],
    )
    assert export_bytes(result, "csv").decode().splitlines() == [
        "text,n",
        '"\'=HYPERLINK(""http://evil"")",-1',
        "'@x,2",
    ]


@pytest.mark.parametrize("path", ["volume", "sentiment"])
def test_month_buckets_are_calendar_months_in_the_time_zone(loaded_api: httpx.Client, path: str) -> None:
    params = {"from": "2026-03-27", "to": "2026-04-02", "tz": "Europe/Paris"}
    by_month = loaded_api.get(f"/api/v1/analytics/{path}", params=params | {"interval": "month"}).json()
    by_day = loaded_api.get(f"/api/v1/analytics/{path}", params=params | {"interval": "day"}).json()
    assert [row["bucket"] for row in by_month["rows"]] == [
        "2026-03-01T00:00:00+01:00",
        "2026-04-01T00:00:00+02:00",
    ]
    for month in ("2026-03", "2026-04"):
        (row,) = [row for row in by_month["rows"] if row["bucket"].startswith(month)]
        assert row["posts"] == sum(day["posts"] for day in by_day["rows"] if day["bucket"].startswith(month))
    as_csv = loaded_api.get(
        f"/api/v1/analytics/{path}", params=params | {"interval": "month", "format": "csv"}
    )
    assert as_csv.text.splitlines()[1].startswith("2026-03-01T00:00:00+01:00,")
