"""``/api/v1/walls`` on both engines: CRUD and refusals naming the field, scenes by the server's
clock, moderation, kiosk links (what a token may and may not read), and the wall's stream."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.support.live_server import LiveHub, serve_hub
from veille.settings import Settings
from veille.topics import TopicSpec
from veille.topics.service import create_topic


@pytest.fixture
def live(hub_settings: Settings) -> Iterator[LiveHub]:
    with serve_hub(hub_settings) as hub:
        create_topic(
            store=hub.hub.store, spec=TopicSpec(name="nova", query="nova", kind="brand"), live=hub.hub.topics
        )
        yield hub


@pytest.fixture
def api(live: LiveHub) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.base_url, headers=live.auth_headers, timeout=15) as client:
        yield client


def wall_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Hub video wall",
        "screens": {"columns": 3, "rows": 2},
        "filters": {"range": "24h", "topics": ["nova"], "languages": ["fr", "en"]},
        "moderation": {"mode": "post", "blocklist": ["arnaque"], "hide_links": True, "min_followers": 10},
        "scenes": [
            {
                "name": "Live",
                "duration_s": 30,
                "widgets": [
                    {"type": "carousel", "x": 6, "y": 0, "w": 12, "h": 12, "options": {}},
                    {"type": "clock", "x": 0, "y": 12, "w": 12, "h": 6, "options": {}},
                ],
            },
            {
                "name": "Figures",
                "duration_s": 20,
                "widgets": [{"type": "kpi", "x": 0, "y": 0, "w": 36, "h": 24}],
            },
        ],
    }
    body.update(changes)
    return body


def post(post_id: str, text: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"push:{post_id}",
        "source": "push",
        "created_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "text": text,
        "lang": "fr",
        "author": {"handle": "alice", "followers": 500},
        **extra,
    }


def test_create_read_list_replace_delete(api: httpx.Client) -> None:
    created = api.post("/api/v1/walls", json=wall_body())
    assert created.status_code == 201, created.text
    wall = created.json()
    assert wall["id"] >= 1 and wall["version"] == 1 and wall["owner"] == "tests"
    assert wall["screens"] == {"columns": 3, "rows": 2}
    assert wall["scenes"][0]["widgets"][0]["type"] == "carousel"
    assert api.get(f"/api/v1/walls/{wall['id']}").json() == wall
    assert [item["id"] for item in api.get("/api/v1/walls").json()["items"]] == [wall["id"]]
    replaced = api.put(f"/api/v1/walls/{wall['id']}", json=wall_body(name="Renamed"))
    assert replaced.status_code == 200 and replaced.json()["name"] == "Renamed"
    assert replaced.json()["version"] == 2
    versions = api.get(f"/api/v1/walls/{wall['id']}/versions").json()["items"]
    assert [item["version"] for item in versions] == [2, 1]
    assert versions[1]["wall"]["name"] == "Hub video wall"
    assert api.delete(f"/api/v1/walls/{wall['id']}").status_code == 204
    assert api.get(f"/api/v1/walls/{wall['id']}").status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"screens": {"columns": 0, "rows": 1}}, "screens.columns"),
        ({"scenes": []}, "scenes"),
        ({"scenes": [{"widgets": [{"type": "ticker"}]}]}, "scenes.0.widgets.0.type"),
        ({"scenes": [{"widgets": [{"type": "clock", "x": 30, "w": 8}]}]}, "scenes.0.widgets.0.w"),
        ({"scenes": [{"widgets": [{"type": "clock", "y": 24}]}]}, "scenes.0.widgets.0.y"),
        ({"scenes": [{}, {"widgets": [{"type": "clock", "y": 20, "h": 6}]}]}, "scenes.1.widgets.0.h"),
        ({"moderation": {"mode": "later"}}, "moderation.mode"),
        ({"moderation": {"min_followers": -1}}, "moderation.min_followers"),
        ({"filters": {"topics": ["ghost"]}}, "filters.topics"),
        ({"filters": {"countries": ["Atlantis"]}}, "filters.countries"),
        ({"scenes": [{"duration_s": 1}]}, "scenes.0.duration_s"),
    ],
)
def test_refusals_name_the_field(api: httpx.Client, change: dict[str, Any], field: str) -> None:
    answer = api.post("/api/v1/walls", json=wall_body(**change))
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == field, answer.json()


def test_scenes_follow_the_server_clock_and_the_operator(api: httpx.Client) -> None:
    wall = api.post("/api/v1/walls", json=wall_body()).json()
    state = api.get(f"/api/v1/walls/{wall['id']}/state").json()
    assert state["scene"] == 0 and state["hold"] is False
    since = datetime.fromisoformat(state["since"].replace("Z", "+00:00"))
    next_at = datetime.fromisoformat(state["next_at"].replace("Z", "+00:00"))
    assert (next_at - since).total_seconds() == pytest.approx(30)
    jumped = api.post(f"/api/v1/walls/{wall['id']}/scene", json={"scene": 1}).json()
    assert jumped["scene"] == 1
    assert api.get(f"/api/v1/walls/{wall['id']}/state").json()["scene"] == 1
    held = api.post(f"/api/v1/walls/{wall['id']}/scene", json={"hold": True}).json()
    assert held == {**held, "scene": 1, "hold": True, "next_at": None}
    answer = api.post(f"/api/v1/walls/{wall['id']}/scene", json={"scene": 2})
    assert answer.status_code == 422 and answer.json()["field"] == "scene"


def test_moderation_rules_decisions_and_pre_mode(api: httpx.Client, live: LiveHub) -> None:
    wall = api.post("/api/v1/walls", json=wall_body()).json()
    pushed = [
        post("good", "J'adore nova, bravo"),
        post("scam", "nova c'est une ARNAQUE totale"),
        post("link", "nova en promo https://example.org/x"),
        post("small", "nova sans abonnés", author={"handle": "bob", "followers": 2}),
        post("other", "rien à voir"),
    ]
    assert api.post("/api/v1/posts", json=pushed).status_code == 200
    ids = [item["id"] for item in api.get(f"/api/v1/walls/{wall['id']}/posts").json()["items"]]
    assert ids == ["push:good"]
    queue = {
        item["post"]["id"]: item for item in api.get(f"/api/v1/walls/{wall['id']}/moderation").json()["items"]
    }
    assert set(queue) == {"push:good", "push:scam", "push:link", "push:small"}
    assert queue["push:scam"]["reason"] == "blocklist: arnaque" and not queue["push:scam"]["shown"]
    assert queue["push:link"]["reason"] == "links" and queue["push:small"]["reason"] == "followers"
    # An approval overrides the rules; a pin comes first; a hide removes.
    assert (
        api.post(f"/api/v1/walls/{wall['id']}/moderation/push:link", json={"action": "approve"}).status_code
        == 200
    )
    assert (
        api.post(f"/api/v1/walls/{wall['id']}/moderation/push:small", json={"action": "pin"}).status_code
        == 200
    )
    ids = [item["id"] for item in api.get(f"/api/v1/walls/{wall['id']}/posts").json()["items"]]
    assert ids[0] == "push:small" and set(ids) == {"push:small", "push:link", "push:good"}
    api.post(f"/api/v1/walls/{wall['id']}/moderation/push:good", json={"action": "hide"})
    ids = [item["id"] for item in api.get(f"/api/v1/walls/{wall['id']}/posts").json()["items"]]
    assert "push:good" not in ids
    answer = api.post(f"/api/v1/walls/{wall['id']}/moderation/push:good", json={"action": "delete"})
    assert answer.status_code == 422 and answer.json()["field"] == "action"
    assert (
        api.post(f"/api/v1/walls/{wall['id']}/moderation/push:none", json={"action": "hide"}).status_code
        == 404
    )
    # Pre-moderation: only what was approved or pinned.
    pre = api.post("/api/v1/walls", json=wall_body(moderation={"mode": "pre"})).json()
    assert api.get(f"/api/v1/walls/{pre['id']}/posts").json()["items"] == []
    api.post(f"/api/v1/walls/{pre['id']}/moderation/push:scam", json={"action": "approve"})
    assert [item["id"] for item in api.get(f"/api/v1/walls/{pre['id']}/posts").json()["items"]] == [
        "push:scam"
    ]


def test_a_kiosk_token_reads_its_wall_and_nothing_else(api: httpx.Client, live: LiveHub) -> None:
    wall = api.post("/api/v1/walls", json=wall_body()).json()
    other = api.post("/api/v1/walls", json=wall_body(name="Other")).json()
    link = api.post(f"/api/v1/walls/{wall['id']}/links")
    assert link.status_code == 201
    token = link.json()["token"]
    assert link.json()["url"] == f"/k/{token}"
    with httpx.Client(base_url=live.base_url, timeout=15, follow_redirects=False) as kiosk:
        page = kiosk.get(f"/k/{token}?screen=2")
        assert page.status_code == 200 and f'data-wall="{wall["id"]}"' in page.text
        assert kiosk.cookies.get("veille_kiosk") == token
        assert kiosk.get(f"/api/v1/walls/{wall['id']}").status_code == 200
        assert kiosk.get(f"/api/v1/walls/{wall['id']}/state").status_code == 200
        assert kiosk.get(f"/api/v1/walls/{wall['id']}/posts").status_code == 200
        inside = {"from": "2026-01-01", "to": "2026-01-02", "topic": "nova", "lang": ["fr"]}
        assert kiosk.get("/api/v1/analytics/volume", params=inside).status_code == 200
        for path, params in (
            (f"/api/v1/walls/{other['id']}", {}),
            (f"/api/v1/walls/{wall['id']}/moderation", {}),
            (f"/api/v1/walls/{wall['id']}/links", {}),
            ("/api/v1/walls", {}),
            ("/api/v1/posts", {}),
            ("/api/v1/stream", {}),
            ("/api/v1/topics", {}),
            ("/api/v1/analytics/volume", {"from": "2026-01-01", "to": "2026-01-02"}),
            ("/api/v1/analytics/volume", {**inside, "topic": "other"}),
            ("/api/v1/analytics/top-posts", inside),
            ("/metrics", {}),
        ):
            answer = kiosk.get(path, params=params)
            assert answer.status_code in (401, 403), (path, answer.status_code)
        for path in (
            "/wall",
            "/walls",
            f"/walls/{wall['id']}",
            "/dashboards",
            "/sources",
            f"/walls/{wall['id']}/edit",
        ):
            assert kiosk.get(path).status_code in (401, 403), path
        assert kiosk.post(f"/api/v1/walls/{wall['id']}/scene", json={"scene": 1}).status_code in (401, 403)
        assert kiosk.delete(f"/api/v1/walls/{wall['id']}/links/{token}").status_code in (401, 403)
        # Revoked: the token reads nothing any more.
        assert api.delete(f"/api/v1/walls/{wall['id']}/links/{token}").status_code == 204
        assert kiosk.get(f"/api/v1/walls/{wall['id']}").status_code in (401, 403)
        assert kiosk.get(f"/k/{token}").status_code in (401, 403, 404)
    assert api.delete(f"/api/v1/walls/{wall['id']}/links/{token}").status_code == 404


def _events(
    response: httpx.Response, wanted: set[str], deadline_s: float = 20
) -> Iterator[tuple[str, dict[str, Any]]]:
    name = None
    deadline = time.monotonic() + deadline_s
    for line in response.iter_lines():
        if time.monotonic() > deadline:
            raise AssertionError("no such event before the deadline")
        if line.startswith("event:"):
            name = line.split(":", 1)[1].strip()
        elif line.startswith("data:") and name in wanted:
            yield name, json.loads(line.split(":", 1)[1])


def test_the_stream_sends_admitted_posts_hides_and_scene_changes(api: httpx.Client, live: LiveHub) -> None:
    wall = api.post("/api/v1/walls", json=wall_body()).json()
    with api.stream("GET", f"/api/v1/walls/{wall['id']}/stream") as response:
        assert response.status_code == 200
        events = _events(response, {"ready", "post", "hide", "state"})
        assert next(events)[0] == "ready"
        assert next(events) == ("state", next_state := next_state_of(api, wall["id"]))
        api.post("/api/v1/posts", json=[post("spam", "nova arnaque"), post("ok", "nova est top")])
        name, data = next(events)
        assert (name, data["id"]) == ("post", "push:ok")
        api.post(f"/api/v1/walls/{wall['id']}/moderation/push:ok", json={"action": "hide"})
        assert next(events) == ("hide", {"post_id": "push:ok"})
        api.post(f"/api/v1/walls/{wall['id']}/scene", json={"scene": 1})
        name, data = next(events)
        assert name == "state" and data["scene"] == 1 and next_state["scene"] == 0
    # An edit and a revoked kiosk link reach the stream.
    token = api.post(f"/api/v1/walls/{wall['id']}/links").json()["token"]
    with httpx.Client(base_url=live.base_url, timeout=15) as kiosk:
        assert kiosk.get(f"/k/{token}").status_code == 200
        with kiosk.stream("GET", f"/api/v1/walls/{wall['id']}/stream") as response:
            assert response.status_code == 200
            events = _events(response, {"ready", "wall", "revoked"})
            assert next(events)[0] == "ready"
            api.put(f"/api/v1/walls/{wall['id']}", json=wall_body(name="Edited"))
            assert next(events) == ("wall", {"version": 2})
            api.delete(f"/api/v1/walls/{wall['id']}/links/{token}")
            assert next(events) == ("revoked", {"wall": wall["id"]})


def next_state_of(api: httpx.Client, wall_id: int) -> dict[str, Any]:
    state = api.get(f"/api/v1/walls/{wall_id}/state").json()
    state.pop("now")
    return state


def test_the_stream_shows_a_person_only_their_teams_posts(api: httpx.Client, live: LiveHub) -> None:
    # Issue 14: the team scope applies on walls too; a kiosk link shows the wall as made.
    assert api.post("/api/v1/teams", json={"name": "fr", "countries": ["FR"]}).status_code == 201
    created = api.post("/api/v1/tokens", json={"name": "fr-desk", "role": "viewer", "teams": ["fr"]})
    assert created.status_code == 201, created.text
    wall = api.post("/api/v1/walls", json=wall_body()).json()
    headers = {"Authorization": f"Bearer {created.json()['token']}"}
    with (
        httpx.Client(base_url=live.base_url, headers=headers, timeout=15) as viewer,
        viewer.stream("GET", f"/api/v1/walls/{wall['id']}/stream") as response,
    ):
        assert response.status_code == 200
        events = _events(response, {"ready", "post"})
        assert next(events)[0] == "ready"
        pushed = [post("be", "nova en Belgique", country="BE"), post("fr", "nova en France", country="FR")]
        assert api.post("/api/v1/posts", json=pushed).status_code == 200
        name, data = next(events)
        assert (name, data["id"]) == ("post", "push:fr")


def test_the_screens_of_a_wall_share_one_filter_and_one_follower(api: httpx.Client, live: LiveHub) -> None:
    # Issue 12, item 1: a wall is one filter of the live layer, judged once per batch for all its
    # screens (two of a person, one of a kiosk link: the same scope), and followed once.
    from veille.web.wall_stream import _feeds

    layer = live.hub.streams
    wall = api.post("/api/v1/walls", json=wall_body()).json()
    token = api.post(f"/api/v1/walls/{wall['id']}/links").json()["token"]
    path = f"/api/v1/walls/{wall['id']}/stream"
    with (
        httpx.Client(base_url=live.base_url, timeout=15) as kiosk,
        api.stream("GET", path) as first,
        api.stream("GET", path) as second,
    ):
        assert kiosk.get(f"/k/{token}").status_code == 200
        with kiosk.stream("GET", path) as third:
            screens = [
                _events(response, {"ready", "post", "hide", "state"}) for response in (first, second, third)
            ]
            for events in screens:
                assert next(events)[0] == "ready"
                assert next(events)[0] == "state"
            assert layer.filter_count == 1 and layer.client_count == 3
            feed = _feeds[layer][wall["id"]]
            assert len(feed.screens) == 3 and len(feed.gates) == 1
            evaluations, batches = layer.filter_evaluations, layer.batches
            api.post("/api/v1/posts", json=[post("spam", "nova arnaque"), post("shown", "nova est top")])
            for events in screens:
                name, data = next(events)
                assert (name, data["id"]) == ("post", "push:shown")
            # Each batch judged once for the wall, not once per screen.
            assert layer.filter_evaluations - evaluations == layer.batches - batches >= 1
            api.post(f"/api/v1/walls/{wall['id']}/moderation/push:shown", json={"action": "hide"})
            for events in screens:
                assert next(events) == ("hide", {"post_id": "push:shown"})
            api.post(f"/api/v1/walls/{wall['id']}/scene", json={"scene": 1})
            for events in screens:
                name, data = next(events)
                assert name == "state" and data["scene"] == 1
    deadline = time.monotonic() + 30
    while wall["id"] in _feeds.get(layer, {}) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert wall["id"] not in _feeds.get(layer, {}), "the wall's follower stops with its last screen"
    assert layer.client_count == 0
