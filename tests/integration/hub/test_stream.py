"""The live stream: new posts arrive over SSE, and a reconnect with Last-Event-ID loses nothing."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.live_server import LiveHub, serve_hub
from tests.support.posts import post_json
from tests.support.sse import SseEvent, read_events
from veille.settings import Settings


@pytest.fixture
def live(settings: Settings) -> Iterator[LiveHub]:
    with serve_hub(settings) as hub:
        yield hub


def _collect(live: LiveHub, count: int, headers: dict[str, str] | None = None) -> list[SseEvent]:
    events: list[SseEvent] = []
    with (
        httpx.Client(base_url=live.base_url, headers=live.auth_headers, timeout=10) as client,
        client.stream("GET", "/api/v1/stream", headers=headers or {}) as response,
    ):
        assert response.headers["content-type"].startswith("text/event-stream")
        for event in read_events(response):
            events.append(event)
            if len([e for e in events if e.event == "post"]) >= count:
                break
    return events


def _push_later(live: LiveHub, items: list[dict], delay: float = 0.3) -> threading.Thread:
    def push() -> None:
        time.sleep(delay)
        httpx.post(f"{live.base_url}/api/v1/posts", json=items, headers=live.auth_headers, timeout=10)

    thread = threading.Thread(target=push)
    thread.start()
    return thread


def test_new_posts_are_pushed_in_write_order(live: LiveHub) -> None:
    pusher = _push_later(live, [post_json(i) for i in range(5)])
    started = time.monotonic()
    events = _collect(live, 5)
    pusher.join()
    assert events[0].event == "ready"
    posts = [event for event in events if event.event == "post"]
    assert [event.json()["id"] for event in posts] == [f"push:{i}" for i in range(5)]
    assert [int(e.id or 0) for e in posts] == sorted(int(e.id or 0) for e in posts)
    assert time.monotonic() - started < 5


def test_reconnect_with_last_event_id_replays_the_gap_once(live: LiveHub) -> None:
    httpx.post(
        f"{live.base_url}/api/v1/posts", json=[post_json(i) for i in range(3)], headers=live.auth_headers
    )
    first_seq = int(live.hub.store.posts_after(0)[0].seq)
    pusher = _push_later(live, [post_json(10)])
    events = _collect(live, 3, headers={"Last-Event-ID": str(first_seq)})
    pusher.join()
    ids = [event.json()["id"] for event in events if event.event == "post"]
    assert ids == ["push:1", "push:2", "push:10"]


def test_bad_last_event_id_is_a_clear_error(live: LiveHub) -> None:
    response = httpx.get(
        f"{live.base_url}/api/v1/stream", headers={**live.auth_headers, "Last-Event-ID": "abc"}, timeout=10
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "Last-Event-ID: expected an event id"


def test_filter_parameters_select_the_posts(live: LiveHub) -> None:
    items = [
        post_json(0, lang="fr", country="FR"),
        post_json(1, lang="en"),
        post_json(2, lang="fr", source="mastodon"),
        post_json(3, lang="fr", country="FR", text="Une panne de fibre à Lyon"),
    ]
    pusher = _push_later(live, items)
    events = _collect_from(live, "/api/v1/stream?language=fr&country=FR", 2)
    pusher.join()
    assert [event.json()["id"] for event in events if event.event == "post"] == ["push:0", "push:3"]
    pusher = _push_later(live, [post_json(10, text="rien"), post_json(11, text="la fibre encore")])
    events = _collect_from(live, "/api/v1/stream?query=fibre%20AND%20encore&source=push", 1)
    pusher.join()
    assert [event.json()["id"] for event in events if event.event == "post"] == ["push:11"]


def _collect_from(live: LiveHub, path: str, count: int) -> list[SseEvent]:
    events: list[SseEvent] = []
    with (
        httpx.Client(base_url=live.base_url, headers=live.auth_headers, timeout=30) as client,
        client.stream("GET", path) as response,
    ):
        assert response.status_code == 200
        for event in read_events(response):
            events.append(event)
            if len([e for e in events if e.event == "post"]) >= count:
                break
    return events


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("language=xx", "language", "language: not an ISO 639-1 language code: 'xx'"),
        ("country=Fra", "country", "country: not an ISO 3166-1 alpha-2 country code: 'Fra'"),
        ("topic=nowhere", "topic", "topic: no topic named 'nowhere'"),
        ("source=myspace", "source", "source: no source named 'myspace'"),
        ("query=fibre%20AND%20(", "query", ""),
        ("after=-1", "after", ""),
    ],
)
def test_unknown_filter_values_are_refused_with_422(
    live: LiveHub, query: str, field: str, message: str
) -> None:
    response = httpx.get(f"{live.base_url}/api/v1/stream?{query}", headers=live.auth_headers, timeout=10)
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == field
    assert body["detail"].startswith(message)
    assert live.hub.streams.client_count == 0


def test_streams_over_the_principals_cap_get_429(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", stream_clients_per_principal=2)
    with (
        serve_hub(settings) as live,
        httpx.Client(base_url=live.base_url, headers=live.auth_headers, timeout=10) as client,
    ):
        with (
            client.stream("GET", "/api/v1/stream") as first,
            client.stream("GET", "/api/v1/stream") as second,
        ):
            assert first.status_code == second.status_code == 200
            refused = client.get("/api/v1/stream")
            assert refused.status_code == 429
            assert refused.json() == {
                "detail": "stream: 2 live streams are already open with these credentials, the limit "
                "(stream_clients_per_principal); close one first",
                "field": "stream",
            }
        # Closed streams free their places (the hub notices the disconnect).
        deadline = time.monotonic() + 30
        while live.hub.streams.client_count and time.monotonic() < deadline:
            time.sleep(0.05)
        with client.stream("GET", "/api/v1/stream") as again:
            assert again.status_code == 200
