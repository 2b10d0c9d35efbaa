"""The query editor's routes on both engines: ``/query/lint`` (errors and warnings at their line and
column) and ``/query/preview`` (matches of the recent days, daily volume, overlaps with topics)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from tests.support.live_server import LiveHub
from tests.support.posts import post_json


def test_lint_notes_carry_line_and_column(api: httpx.Client) -> None:
    api.post("/api/v1/topics", json={"name": "outage", "query": "panne"})
    clean = api.post("/api/v1/query/lint", json={"query": "panne AND topic:outage"}).json()
    assert clean == {"errors": [], "warnings": []}
    warned = api.post("/api/v1/query/lint", json={"query": "panne\nOR no*"}).json()
    assert warned["errors"] == []
    (warning,) = warned["warnings"]
    assert (warning["line"], warning["column"], warning["offset"], warning["code"]) == (
        2,
        4,
        9,
        "short-wildcard",
    )
    broken = api.post("/api/v1/query/lint", json={"query": "panne AND ("}).json()
    (error,) = broken["errors"]
    assert (error["line"], error["column"]) == (1, 12) and "expected a term" in error["message"]
    unknown = api.post("/api/v1/query/lint", json={"query": "topic:nope"}).json()
    assert "nope" in unknown["errors"][0]["message"]
    assert api.post("/api/v1/query/lint", json={"query": "  "}).json() == {"errors": [], "warnings": []}


def test_preview_counts_days_and_overlaps(api: httpx.Client) -> None:
    now = datetime.now(UTC)

    def at(index: int, text: str, days_ago: int) -> dict[str, object]:
        moment = (now - timedelta(days=days_ago, minutes=5)).isoformat().replace("+00:00", "Z")
        return post_json(index, text=text, created_at=moment)

    api.post("/api/v1/topics", json={"name": "outage", "query": "panne"})
    api.post(
        "/api/v1/posts",
        json=[
            at(0, "Panne NovaBox", 0),
            at(1, "novabox neuve", 0),
            at(2, "panne seule", 1),
            at(3, "NovaBox en panne", 2),
            at(4, "NovaBox ancienne", 40),  # outside 30 days
        ],
    )
    preview = api.post("/api/v1/query/preview", json={"query": "novabox", "days": 30, "limit": 1})
    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert (body["scanned"], body["matched"], body["complete"]) == (4, 3, True)
    assert len(body["items"]) == 1 and body["items"][0]["post"]["id"] == "push:1"
    assert len(body["daily"]) in (30, 31) and sum(day["posts"] for day in body["daily"]) == 3
    assert body["overlaps"] == [
        {"topic": "outage", "common": 2, "share_of_query": 2 / 3, "share_of_topic": 2 / 3}
    ]
    refused = api.post("/api/v1/query/preview", json={"query": "novabox AND ("})
    assert refused.status_code == 422 and refused.json()["column"] == 14


def test_the_preview_counts_only_what_the_writer_may_see(api: httpx.Client, live: LiveHub) -> None:
    # Issue 14: an analyst of the French team previews over French posts only.
    moment = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    api.post(
        "/api/v1/posts",
        json=[
            post_json(0, text="NovaBox à Paris", created_at=moment, country="FR"),
            post_json(1, text="NovaBox in Brussel", created_at=moment, country="BE"),
        ],
    )
    assert api.post("/api/v1/teams", json={"name": "fr", "countries": ["FR"]}).status_code == 201
    created = api.post("/api/v1/tokens", json={"name": "fr-analyst", "role": "analyst", "teams": ["fr"]})
    headers = {"Authorization": f"Bearer {created.json()['token']}"}
    with httpx.Client(base_url=live.base_url, headers=headers, timeout=30) as analyst:
        body = analyst.post("/api/v1/query/preview", json={"query": "novabox", "days": 1}).json()
    assert body["matched"] == 1 and [item["post"]["id"] for item in body["items"]] == ["push:0"]
    everything = api.post("/api/v1/query/preview", json={"query": "novabox", "days": 1}).json()
    assert everything["matched"] == 2
