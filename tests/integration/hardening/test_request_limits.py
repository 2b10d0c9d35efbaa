"""Faults 8 and 10 of issue 18 at the HTTP boundary: one body-size limit for every route, checked
before any route reads the body; JSON nested too deep and NUL characters answered 422, never 500
(SQLite and PostgreSQL)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest

from tests.support.live_server import LiveHub, serve_hub
from veille.settings import Settings
from veille.web.limits import MAX_BODY_DEPTH, json_nesting_exceeds

LIMIT = 64 * 1024


@pytest.fixture
def live(hub_settings: Settings) -> Iterator[LiveHub]:
    with serve_hub(hub_settings.model_copy(update={"max_body_bytes": LIMIT})) as hub:
        yield hub


ROUTES = [
    ("POST", "/api/v1/topics"),
    ("POST", "/api/v1/sources"),
    ("POST", "/api/v1/dashboards"),
    ("PUT", "/api/v1/me"),
    ("POST", "/api/v1/posts"),
    ("POST", "/api/v1/query/import"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_every_route_refuses_a_body_over_the_limit(api: httpx.Client, method: str, path: str) -> None:
    big = b'{"name": "' + b"x" * (LIMIT + 10) + b'"}'
    answer = api.request(method, path, content=big, headers={"content-type": "application/json"})
    assert answer.status_code == 413, (path, answer.text[:200])
    assert answer.json()["field"] == "body"


def test_a_body_without_length_is_cut_off_at_the_limit(live: LiveHub) -> None:
    """Chunked, no Content-Length: counted while it arrives; the hub answers 413 without reading on."""

    def chunks() -> Iterator[bytes]:
        yield b'{"name": "'
        for _ in range(64):  # 4 MiB offered; the answer comes after LIMIT bytes
            yield b"x" * 65536
        yield b'"}'

    with httpx.Client(base_url=live.base_url, headers=live.auth_headers, timeout=30) as client:
        answer = client.post("/api/v1/topics", content=chunks(), headers={"content-type": "application/json"})
    assert answer.status_code == 413


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/api/v1/topics"), ("POST", "/api/v1/sources"), ("POST", "/api/v1/dashboards")],
)
def test_deep_json_is_a_422(api: httpx.Client, method: str, path: str) -> None:
    deep = b'{"a":' * 5000 + b"1" + b"}" * 5000
    answer = api.request(method, path, content=deep, headers={"content-type": "application/json"})
    assert answer.status_code == 422, answer.text[:200]
    assert "nested deeper" in answer.json()["detail"]


def test_deep_json_in_a_push_is_not_a_500(api: httpx.Client) -> None:
    deep = b"[" * 30_000 + b"]" * 30_000
    answer = api.post("/api/v1/posts", content=deep, headers={"content-type": "application/json"})
    assert answer.status_code in (400, 422), answer.text[:200]


def test_nul_characters_are_a_422_on_every_engine(api: httpx.Client) -> None:
    topic = api.post("/api/v1/topics", json={"name": "nul\x00topic", "query": "wifi"})
    assert topic.status_code == 422 and topic.json()["field"] == "body"
    search = api.get("/api/v1/posts", params={"q": "wifi\x00"})
    assert search.status_code == 422, search.text
    assert api.get("/api/v1/posts", params={"q": "wifi"}).status_code == 200


def test_depth_scan_ignores_brackets_in_strings() -> None:
    assert not json_nesting_exceeds(b'{"text": "' + b"[" * 1000 + b'"}')
    assert json_nesting_exceeds(b"[" * (MAX_BODY_DEPTH + 1) + b"]" * (MAX_BODY_DEPTH + 1))
    assert not json_nesting_exceeds(b"[" * MAX_BODY_DEPTH + b"]" * MAX_BODY_DEPTH)
    assert not json_nesting_exceeds(b"[]" * 100_000)


def test_declared_length_over_the_limit_is_refused_before_reading(live: LiveHub) -> None:
    host, port = live.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as raw:
        raw.sendall(
            f"POST /api/v1/topics HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {live.token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {300 * 1024 * 1024}\r\n\r\n".encode()
        )
        answer = raw.recv(4096).decode("latin-1")  # no body sent at all: the answer comes anyway
    assert answer.startswith("HTTP/1.1 413"), answer[:200]
