"""The HTTP API on both engines: access, search, push ingest, schema, operations routes."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from tests.support.live_server import LiveHub, serve_hub
from tests.support.posts import post_json
from veille.settings import Settings


@pytest.fixture
def live(hub_settings: Settings) -> Iterator[LiveHub]:
    with serve_hub(hub_settings.model_copy(update={"max_body_bytes": 200_000, "max_batch_items": 50})) as hub:
        yield hub


def test_every_route_but_healthz_needs_credentials(live: LiveHub) -> None:
    with httpx.Client(base_url=live.base_url, timeout=10) as anonymous:
        assert anonymous.get("/healthz").json()["status"] == "ok"
        for path in ("/api/v1/posts", "/api/v1/stream", "/metrics", "/openapi.json", "/api/v1/schema/post"):
            response = anonymous.get(path)
            assert response.status_code == 401, path
            assert response.headers["www-authenticate"] == "Bearer"
        assert anonymous.post("/api/v1/posts", json=[post_json(1)]).status_code == 401
        bad = anonymous.get("/api/v1/posts", headers={"Authorization": "Bearer nope"})
        assert bad.status_code == 401 and bad.json()["detail"] == "invalid API token"
        assert anonymous.get("/wall", follow_redirects=False).headers["location"] == "/login?next=/wall"
        assert anonymous.get("/docs", follow_redirects=False).status_code == 303


def test_login_session_cookie_and_csrf_header(live: LiveHub) -> None:
    with httpx.Client(base_url=live.base_url, timeout=10) as browser:
        wrong = browser.post("/login", data={"username": live.username, "password": "wrong password"})
        assert wrong.status_code == 401 and "wrong password" in wrong.text
        ok = browser.post(
            "/login",
            data={"username": live.username, "password": live.password, "next": "//evil.example"},
            follow_redirects=False,
        )
        assert ok.status_code == 303 and ok.headers["location"] == "/wall"
        cookie = ok.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie
        assert browser.get("/api/v1/posts").status_code == 200
        assert browser.get("/wall").status_code == 200
        # A cross-site form cannot add the header: cookie-authenticated writes without it are refused.
        assert browser.post("/api/v1/posts", json=[post_json(1)]).status_code == 403
        pushed = browser.post("/api/v1/posts", json=[post_json(1)], headers={"X-Requested-With": "veille"})
        assert pushed.status_code == 200
        browser.post("/logout", follow_redirects=False)
        assert browser.get("/api/v1/posts").status_code == 401


def test_push_json_array_with_partial_acceptance(api: httpx.Client) -> None:
    body = [post_json(0), post_json(1, created_at="not a date"), post_json(2), {"id": "push:3"}]
    response = api.post("/api/v1/posts", json=body)
    assert response.status_code == 200
    result = response.json()
    assert result["accepted"] == 2 and result["rejected"] == 2
    assert result["errors"][0] == {"index": 1, "message": "item 1: created_at: not an RFC 3339 timestamp"}
    assert (
        result["errors"][1]["index"] == 3
        and "author: required field is missing" in result["errors"][1]["message"]
    )
    listed = api.get("/api/v1/posts").json()
    assert [item["id"] for item in listed["items"]] == ["push:2", "push:0"]
    assert listed["next_cursor"] is None


def test_push_ndjson_and_all_refused_is_422(api: httpx.Client) -> None:
    ndjson = "\n".join(json.dumps(post_json(i)) for i in range(3)) + "\n"
    response = api.post("/api/v1/posts", content=ndjson, headers={"Content-Type": "application/x-ndjson"})
    assert response.json()["accepted"] == 3
    refused = api.post("/api/v1/posts", json=[{"text": "no id"}])
    assert refused.status_code == 422 and refused.json()["accepted"] == 0


def test_push_size_limits_are_clear_413s(api: httpx.Client) -> None:
    too_big = api.post("/api/v1/posts", json=[post_json(0, text="x" * 90_000)] * 3)
    assert too_big.status_code == 413
    assert "larger than the limit of 200000 bytes" in too_big.json()["detail"]
    too_many = api.post("/api/v1/posts", json=[post_json(i) for i in range(51)])
    assert too_many.status_code == 413
    assert too_many.json()["detail"] == "batch of 51 items is larger than the limit of 50 items"


def test_search_filters_and_cursor_over_http(api: httpx.Client) -> None:
    api.post(
        "/api/v1/posts",
        json=[post_json(i, text=f"panne numero {i}" if i % 2 else f"ok {i}") for i in range(9)],
    )
    page = api.get("/api/v1/posts", params={"q": "panne", "limit": 2}).json()
    assert [item["id"] for item in page["items"]] == ["push:7", "push:5"]
    rest = api.get("/api/v1/posts", params={"q": "panne", "limit": 2, "cursor": page["next_cursor"]}).json()
    assert [item["id"] for item in rest["items"]] == ["push:3", "push:1"]
    assert api.get("/api/v1/posts", params={"since": "yesterday"}).json()["detail"] == (
        "since: not an RFC 3339 timestamp"
    )
    assert api.get("/api/v1/posts", params={"cursor": "garbage!"}).status_code == 422
    assert api.get("/api/v1/posts", params={"limit": 0}).status_code == 422
    one = api.get("/api/v1/posts/push:3").json()
    assert one["text"] == "panne numero 3" and one["hashtags"] == [] and one["mentions"] == []
    assert api.get("/api/v1/posts/push:404").status_code == 404


def test_pipeline_stages_fill_entities(api: httpx.Client) -> None:
    api.post("/api/v1/posts", json=[post_json(1, text="Vive #LiveBox ! @Nova_FR voir https://ex.org/a.")])
    post = api.get("/api/v1/posts/push:1").json()
    assert post["hashtags"] == ["livebox"]
    assert post["mentions"] == ["nova_fr"]
    assert post["links"] == ["https://ex.org/a"]


def test_schema_metrics_openapi_docs(api: httpx.Client, live: LiveHub) -> None:
    api.post("/api/v1/posts", json=[post_json(1), {"bad": 1}])
    schema = api.get("/api/v1/schema/post").json()
    assert "created_at" in schema["required"]
    metrics = api.get("/metrics").text
    assert 'veille_posts_stored_total{source="push"} 1.0' in metrics
    assert 'veille_posts_rejected_total{source="push"} 1.0' in metrics
    paths = api.get("/openapi.json").json()["paths"]
    assert {"/api/v1/posts", "/api/v1/stream", "/healthz"} <= set(paths)
    with httpx.Client(base_url=live.base_url, timeout=10) as browser:
        browser.post("/login", data={"username": live.username, "password": live.password})
        docs = browser.get("/docs")
        assert docs.status_code == 200 and "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs.text
        assert browser.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
