"""``GET /api/v1/posts?query=`` and the streamed export on both engines: the full-text pre-filter never
loses a match (look-alike letters, prefixes, queries it cannot narrow), the scan budget pages exactly,
and ``/posts/export`` streams every matching post as JSON Lines or CSV."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import httpx

from tests.support.live_server import LiveHub
from tests.support.posts import post_json
from veille.analytics.mentions import MentionFilter, search_mentions
from veille.analytics.scope import Scope

TEXTS = [
    "Panne NovaBox à Lyon",  # 0
    "La nоvabox est top",  # 1: a Cyrillic о, matched as novabox
    "panne générale du réseau",  # 2
    "rien à signaler",  # 3
    "=cmd| la novaboxette arrive",  # 4: a prefix match, and a formula-looking text
    "NovaBox et Helix en panne",  # 5
]


def _ids(api: httpx.Client, **params: Any) -> list[str]:
    response = api.get("/api/v1/posts", params={"limit": 100, **params})
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_query_finds_every_match_through_the_prefilter(api: httpx.Client) -> None:
    api.post("/api/v1/posts", json=[post_json(index, text=text) for index, text in enumerate(TEXTS)])
    assert _ids(api, query="novabox") == ["push:5", "push:1", "push:0"]
    assert _ids(api, query="novabox*") == ["push:5", "push:4", "push:1", "push:0"]
    assert _ids(api, query="panne AND NOT novabox") == ["push:2"]
    assert _ids(api, query="lang:en AND NOT panne AND NOT novabox*") == ["push:3"]  # nothing to narrow with
    assert _ids(api, query="novabox", q="lyon") == ["push:0"]  # both apply
    hit = api.get("/api/v1/posts", params={"query": "novabox NEAR/3 panne"}).json()["items"]
    assert [(item["id"], item["highlights"]) for item in hit] == [
        ("push:5", [[0, 7], [20, 25]]),
        ("push:0", [[0, 5], [6, 13]]),
    ]


def test_scan_budget_pages_resume_exactly(live: LiveHub, api: httpx.Client) -> None:
    api.post(
        "/api/v1/posts",
        json=[
            post_json(index, text=f"post {index}" + (" panne" if index % 5 == 0 else ""))
            for index in range(40)
        ],
    )
    store, topics = live.hub.store, live.hub.topics
    filters = MentionFilter(query="panne OR NOT panne AND post AND panne")
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        page = search_mentions(
            store=store, live=topics, filters=filters, scope=Scope(), limit=3, cursor=cursor, scan_budget=7
        )
        assert page.scanned <= 7
        seen += [hit.post.id for hit in page.items]
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [f"push:{index}" for index in range(35, -1, -5)]
    assert pages >= 6  # budget-limited pages, some with fewer than 3 items


def test_export_streams_every_match(api: httpx.Client) -> None:
    api.post("/api/v1/posts", json=[post_json(index, text=text) for index, text in enumerate(TEXTS)])
    jsonl = api.get("/api/v1/posts/export", params={"query": "novabox*", "format": "jsonl"})
    assert jsonl.status_code == 200 and jsonl.headers["content-type"].startswith("application/x-ndjson")
    assert 'filename="posts.jsonl"' in jsonl.headers["content-disposition"]
    assert [json.loads(line)["id"] for line in jsonl.text.splitlines()] == [
        "push:5",
        "push:4",
        "push:1",
        "push:0",
    ]
    exported = api.get("/api/v1/posts/export", params={"query": "novabox*", "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [row["id"] for row in rows] == ["push:5", "push:4", "push:1", "push:0"]
    assert rows[1]["text"] == "'=cmd| la novaboxette arrive"  # never a spreadsheet formula
    assert api.get("/api/v1/posts/export", params={"format": "xml"}).json()["field"] == "format"
    assert api.get("/api/v1/posts/export", params={"query": "a AND ("}).json()["field"] == "query"
    assert api.get("/api/v1/posts/export", params={"topic": "nope"}).status_code == 422
