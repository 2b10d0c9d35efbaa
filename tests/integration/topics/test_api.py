"""The topics API on both engines: CRUD with auth, refusals naming the field and column, live matching
of pushed posts, backfill jobs and ``/query/test``."""

from __future__ import annotations

import time
from typing import Any

import httpx

from tests.support.live_server import LiveHub
from tests.support.posts import post_json


def _post(index: int, text: str) -> dict[str, Any]:
    return post_json(index, text=text)


def test_crud_needs_credentials_and_refusals_name_the_field(live: LiveHub, api: httpx.Client) -> None:
    with httpx.Client(base_url=live.base_url, timeout=10) as anonymous:
        for method, path in (
            ("GET", "/api/v1/topics"),
            ("POST", "/api/v1/topics"),
            ("GET", "/api/v1/topics/x"),
            ("PATCH", "/api/v1/topics/x"),
            ("DELETE", "/api/v1/topics/x"),
            ("POST", "/api/v1/topics/x/backfill"),
            ("GET", "/api/v1/jobs/x"),
            ("POST", "/api/v1/query/test"),
        ):
            assert anonymous.request(method, path, json={}).status_code == 401, path

    created = api.post(
        "/api/v1/topics",
        json={"name": "outage", "query": "panne* OR outage", "kind": "sensitive", "colour": "#D1242F"},
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["name"] == "outage" and body["colour"] == "#d1242f" and body["enabled"] is True
    assert body["created_at"].endswith("Z")
    assert api.post("/api/v1/topics", json={"name": "outage", "query": "x"}).status_code == 409

    bad = api.post("/api/v1/topics", json={"name": "broken", "query": "livebox AND (", "kind": "theme"})
    assert bad.status_code == 422
    assert bad.json() == {
        "detail": "query: column 14: expected a term or '(' after '('",
        "field": "query",
        "column": 14,
    }
    wrong_kind = api.post("/api/v1/topics", json={"name": "x", "query": "x", "kind": "weather"})
    assert wrong_kind.status_code == 422 and wrong_kind.json()["field"] == "kind"
    unknown_parent = api.post("/api/v1/topics", json={"name": "x", "query": "x", "parent": "nope"})
    assert unknown_parent.status_code == 422 and unknown_parent.json()["field"] == "parent"

    child = api.post(
        "/api/v1/topics",
        json={"name": "novabox_outage", "query": "topic:outage AND novabox", "parent": "outage"},
    )
    assert child.status_code == 201
    assert [t["name"] for t in api.get("/api/v1/topics").json()["items"]] == ["novabox_outage", "outage"]
    assert [t["name"] for t in api.get("/api/v1/topics", params={"kind": "sensitive"}).json()["items"]] == [
        "outage"
    ]
    patched = api.patch(
        "/api/v1/topics/novabox_outage", json={"label": "Pannes NovaBox", "owner_team": "Care"}
    )
    assert patched.status_code == 200 and patched.json()["label"] == "Pannes NovaBox"
    assert patched.json()["query"] == "topic:outage AND novabox"
    refused = api.patch("/api/v1/topics/outage", json={"query": "panne OR"})
    assert refused.status_code == 422 and refused.json()["column"] == 9
    assert api.patch("/api/v1/topics/nope", json={"label": "x"}).status_code == 404
    assert api.delete("/api/v1/topics/outage").status_code == 409  # has a sub-topic that refers to it
    assert api.delete("/api/v1/topics/novabox_outage").status_code == 204
    assert api.get("/api/v1/topics/novabox_outage").status_code == 404
    assert api.get("/api/v1/topics/outage").json()["matches"] == 0


def test_a_topic_added_through_the_api_matches_the_next_pushed_post(live: LiveHub, api: httpx.Client) -> None:
    api.post("/api/v1/posts", json=[_post(1, "Panne de la NovaBox")])
    assert api.get("/api/v1/posts/push:1").json()["topics"] == []
    assert api.post("/api/v1/topics", json={"name": "outage", "query": "panne* OR outage"}).status_code == 201
    api.post("/api/v1/posts", json=[_post(2, "Encore une panne à Lyon"), _post(3, "All good")])
    assert api.get("/api/v1/posts/push:2").json()["topics"] == [{"name": "outage", "spans": [[11, 16]]}]
    assert api.get("/api/v1/posts/push:3").json()["topics"] == []
    rows = live.hub.store.execute_text("SELECT post_id, topic FROM post_topics ORDER BY post_id")
    assert [(row["post_id"], row["topic"]) for row in rows] == [("push:2", "outage")]
    # Changed and removed topics apply at once too.
    api.patch("/api/v1/topics/outage", json={"query": "lyon"})
    api.post("/api/v1/posts", json=[_post(4, "Panne à Lyon")])
    assert api.get("/api/v1/posts/push:4").json()["topics"] == [{"name": "outage", "spans": [[8, 12]]}]
    api.delete("/api/v1/topics/outage")
    api.post("/api/v1/posts", json=[_post(5, "Panne à Lyon")])
    assert api.get("/api/v1/posts/push:5").json()["topics"] == []


def _wait_for_job(api: httpx.Client, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        job = api.get(f"/api/v1/jobs/{job_id}").json()
        if job["state"] != "running":
            return dict(job)
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} still running")


def test_backfill_job_reports_progress_and_fills_history(live: LiveHub, api: httpx.Client) -> None:
    texts = ["panne ici", "tout va bien", "grosse panne", "rien", "PANNE encore"]
    api.post("/api/v1/posts", json=[_post(index, text) for index, text in enumerate(texts)])
    api.post("/api/v1/topics", json={"name": "outage", "query": "panne"})
    started = api.post("/api/v1/topics/outage/backfill", json={"batch_size": 2})
    assert started.status_code == 202
    job = started.json()
    assert job["topic"] == "outage" and job["kind"] == "backfill"
    assert started.headers["location"] == f"/api/v1/jobs/{job['id']}"
    finished = _wait_for_job(api, job["id"])
    assert finished["state"] == "done" and finished["error"] is None
    assert (finished["done"], finished["total"], finished["matched"], finished["fraction"]) == (5, 5, 3, 1.0)
    assert finished["finished_at"] is not None
    assert api.get("/api/v1/topics/outage").json()["matches"] == 3
    assert api.get("/api/v1/posts/push:4").json()["topics"] == [{"name": "outage", "spans": [[0, 5]]}]
    assert api.get("/api/v1/jobs/unknown").status_code == 404
    assert api.post("/api/v1/topics/nope/backfill").status_code == 404
    api.post("/api/v1/topics", json={"name": "off", "query": "x", "enabled": False})
    assert api.post("/api/v1/topics/off/backfill").status_code == 422
    assert api.post("/api/v1/topics/outage/backfill", json={"since": "yesterday"}).status_code == 422


def test_query_test_returns_recent_matches_with_highlights(api: httpx.Client) -> None:
    texts = ["Panne NovaBox à Lyon", "La NovaBox est top", "panne générale", "rien"]
    api.post("/api/v1/posts", json=[_post(index, text) for index, text in enumerate(texts)])
    api.post("/api/v1/topics", json={"name": "novabox", "query": "novabox"})
    tried = api.post("/api/v1/query/test", json={"query": "panne AND topic:novabox", "last": 10})
    assert tried.status_code == 200
    result = tried.json()
    assert (result["scanned"], result["matched"]) == (4, 1)
    (item,) = result["items"]
    assert item["post"]["id"] == "push:0" and item["spans"] == [[0, 5], [6, 13]]
    newest_two = api.post("/api/v1/query/test", json={"query": "panne", "last": 2}).json()
    assert [hit["post"]["id"] for hit in newest_two["items"]] == ["push:2"]
    assert newest_two["scanned"] == 2
    linted = api.post("/api/v1/query/test", json={"query": "pa* OR panne", "last": 5}).json()
    assert [warning["code"] for warning in linted["warnings"]] == ["short-wildcard"]
    bad = api.post("/api/v1/query/test", json={"query": "panne OR", "last": 5})
    assert bad.status_code == 422 and bad.json()["column"] == 9 and bad.json()["field"] == "query"
    unknown = api.post("/api/v1/query/test", json={"query": "topic:nope", "last": 5})
    assert unknown.status_code == 422 and "nope" in unknown.json()["detail"]
    assert api.post("/api/v1/query/test", json={"query": "x", "last": 0}).status_code == 422
