"""``/api/v1/dashboards`` on both engines: create, read, list, replace, delete, and every refusal
naming its field."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.live_server import LiveHub, serve_hub
from veille.settings import Settings
from veille.topics import TopicSpec
from veille.topics.service import create_topic

WIDGET_TYPES = (
    "volume",
    "sentiment",
    "share_of_voice",
    "map",
    "trends",
    "influencers",
    "top_posts",
    "feed",
    "care",
    "kpi",
    "content",
    "text",
)


@pytest.fixture
def live(hub_settings: Settings) -> Iterator[LiveHub]:
    with serve_hub(hub_settings) as hub:
        for name, query in (("nova", "nova"), ("helix", "helix")):
            create_topic(
                store=hub.hub.store, spec=TopicSpec(name=name, query=query, kind="brand"), live=hub.hub.topics
            )
        yield hub


@pytest.fixture
def api(live: LiveHub) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.base_url, headers=live.auth_headers, timeout=10) as client:
        yield client


def _body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Benchmark",
        "description": "Nova against Helix",
        "filters": {
            "range": {"from": "2026-11-01", "to": "2026-11-08T12:00:00+01:00"},
            "tz": "Europe/Paris",
            "topics": ["nova", "helix"],
            "countries": ["FR", "es"],
            "languages": ["fr"],
            "sources": ["x", "bluesky"],
            "sentiment": ["negative"],
            "include_duplicates": False,
        },
        "widgets": [
            {
                "type": kind,
                "title": f"{kind} title",
                "x": (4 * index) % 12,
                "y": index,
                "w": 4,
                "h": 3,
                "options": {},
            }
            for index, kind in enumerate(WIDGET_TYPES)
        ],
    }
    body["widgets"][2]["options"] = {"topics": ["nova", "helix"], "measure": "engagement"}
    body["widgets"][9]["options"] = {
        "metric": "posts",
        "filters": {"sentiment": ["negative"], "topics": ["nova"]},
    }
    body.update(changes)
    return body


def test_every_route_needs_credentials(live: LiveHub) -> None:
    with httpx.Client(base_url=live.base_url, timeout=10) as anonymous:
        for method, path in (
            ("GET", "/api/v1/dashboards"),
            ("POST", "/api/v1/dashboards"),
            ("GET", "/api/v1/dashboards/1"),
            ("PUT", "/api/v1/dashboards/1"),
            ("DELETE", "/api/v1/dashboards/1"),
            ("GET", "/api/v1/dashboards/1/report.pdf"),
        ):
            assert anonymous.request(method, path).status_code == 401, path


def test_create_read_list_replace_delete(api: httpx.Client) -> None:
    created = api.post("/api/v1/dashboards", json=_body())
    assert created.status_code == 201, created.text
    dashboard = created.json()
    assert isinstance(dashboard["id"], int)
    assert dashboard["owner"] == "tests"  # the calling token's name; a user's own name by session
    assert dashboard["visibility"] == "organisation"
    assert dashboard["filters"] == {
        "range": {"from": "2026-11-01", "to": "2026-11-08T12:00:00+01:00"},
        "tz": "Europe/Paris",
        "topics": ["nova", "helix"],
        "countries": ["FR", "ES"],
        "languages": ["fr"],
        "sources": ["x", "bluesky"],
        "sentiment": ["negative"],
        "include_duplicates": False,
    }
    assert [widget["type"] for widget in dashboard["widgets"]] == list(WIDGET_TYPES)
    assert dashboard["widgets"][2] == {
        "type": "share_of_voice",
        "title": "share_of_voice title",
        "x": 8,
        "y": 2,
        "w": 4,
        "h": 3,
        "options": {"topics": ["nova", "helix"], "measure": "engagement"},
    }

    read = api.get(f"/api/v1/dashboards/{dashboard['id']}")
    assert read.status_code == 200 and read.json() == dashboard

    second = api.post("/api/v1/dashboards", json={"name": "A first one"}).json()
    assert second["filters"]["range"] == "7d" and second["widgets"] == []
    listed = api.get("/api/v1/dashboards").json()["items"]
    assert [item["name"] for item in listed] == ["A first one", "Benchmark"]

    replaced_body = _body(name="Benchmark, 24 h", widgets=[{"type": "text", "options": {"text": "hello"}}])
    replaced_body["filters"] = {"range": "24h"}
    replaced = api.put(f"/api/v1/dashboards/{dashboard['id']}", json=replaced_body)
    assert replaced.status_code == 200, replaced.text
    after = replaced.json()
    assert after["name"] == "Benchmark, 24 h" and after["filters"]["range"] == "24h"
    assert after["widgets"] == [
        {"type": "text", "title": "", "x": 0, "y": 0, "w": 4, "h": 4, "options": {"text": "hello"}}
    ]
    assert after["owner"] == dashboard["owner"] and after["created_at"] == dashboard["created_at"]
    assert after["updated_at"] >= dashboard["updated_at"]
    assert api.get(f"/api/v1/dashboards/{dashboard['id']}").json() == after

    assert api.delete(f"/api/v1/dashboards/{dashboard['id']}").status_code == 204
    for method in ("GET", "DELETE"):
        gone = api.request(method, f"/api/v1/dashboards/{dashboard['id']}")
        assert gone.status_code == 404 and gone.json()["field"] == "id", gone.text
    missing = api.put(f"/api/v1/dashboards/{dashboard['id']}", json=_body())
    assert missing.status_code == 404
    assert [item["name"] for item in api.get("/api/v1/dashboards").json()["items"]] == ["A first one"]


def test_the_creating_user_owns_a_dashboard(live: LiveHub) -> None:
    with httpx.Client(base_url=live.base_url, timeout=10, follow_redirects=False) as browser:
        login = browser.post(
            "/login", data={"username": live.username, "password": live.password, "next": "/dashboards"}
        )
        assert login.status_code == 303
        refused = browser.post("/api/v1/dashboards", json={"name": "Mine"})
        assert refused.status_code == 403  # a cookie-authenticated write needs X-Requested-With
        created = browser.post(
            "/api/v1/dashboards", json={"name": "Mine"}, headers={"X-Requested-With": "veille"}
        )
        assert created.status_code == 201, created.text
        assert created.json()["owner"] == live.username


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"widgets": [{"type": "pie"}]}, "widgets.0.type", "'volume'"),
        ({"widgets": [{"type": "kpi", "x": 10, "w": 4}]}, "widgets.0", "x + w"),
        ({"widgets": [{"type": "kpi", "h": 0}]}, "widgets.0.h", ""),
        ({"widgets": [{"type": "kpi", "options": {"topics": ["nope"]}}]}, "widgets.0.options.topics", "nope"),
        ({"widgets": [{"type": "radar", "options": {"topic": "nope"}}]}, "widgets.0.options.topic", "nope"),
        (
            {"widgets": [{"type": "kpi", "options": {"filters": {"topics": ["ghost"]}}}]},
            "widgets.0.options.filters.topics",
            "ghost",
        ),
        ({"filters": {"range": "1y"}}, "filters.range", "24h, 7d, 30d"),
        ({"filters": {"range": {"from": "2026-11-08", "to": "2026-11-01"}}}, "filters.range", "after"),
        ({"filters": {"range": {"from": "yesterday", "to": "2026-11-01"}}}, "filters.range", "yesterday"),
        ({"filters": {"range": {"from": "2026-11-01"}}}, "filters.range", "from"),
        ({"filters": {"tz": "Mars/Olympus"}}, "filters.tz", "Mars/Olympus"),
        ({"filters": {"topics": ["nova", "nope"]}}, "filters.topics", "nope"),
        ({"filters": {"countries": ["FR", "ZZ"]}}, "filters.countries", "ZZ"),
        ({"filters": {"languages": ["french"]}}, "filters.languages", "french"),
        ({"filters": {"sentiment": ["angry"]}}, "filters.sentiment", ""),
        ({"filters": {"colour": "red"}}, "filters.colour", ""),
        ({"name": ""}, "name", ""),
        ({"visibility": "world"}, "visibility", ""),
    ],
)
def test_refusals_name_the_field(api: httpx.Client, change: dict[str, Any], field: str, words: str) -> None:
    base = {"name": "Refused"}
    base.update(change)
    for answer in (
        api.post("/api/v1/dashboards", json=base),
        api.put(
            f"/api/v1/dashboards/{api.post('/api/v1/dashboards', json={'name': 'ok'}).json()['id']}",
            json=base,
        ),
    ):
        assert answer.status_code == 422, answer.text
        named = _fields_named(answer.json())
        assert any(name == field or name.startswith(f"{field}.") for name in named), answer.text
        assert words in answer.text
    assert all(item["name"] != "Refused" for item in api.get("/api/v1/dashboards").json()["items"])


def _fields_named(body: dict[str, Any]) -> set[str]:
    """The fields an error answer names: ``field`` (the hub's shape) or each ``loc`` (FastAPI's list)."""
    named = {str(body.get("field"))}
    detail = body.get("detail")
    if isinstance(detail, list):
        for item in detail:
            loc = [str(part) for part in item.get("loc", ()) if part != "body"]
            named.add(".".join(loc))
    elif isinstance(detail, str):
        named.add(detail.partition(":")[0])
    return named
