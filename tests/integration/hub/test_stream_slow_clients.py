"""Issue 18, fault 7, over real sockets: clients that never read hold up neither the pushes nor a
client that reads, their memory stays bounded, and the send time-out closes them.

Every wait is on a condition with a generous deadline; nothing asserts a duration.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.live_server import LiveHub, serve_hub
from tests.support.posts import post_json
from tests.support.sse import read_events
from veille.hub import Hub
from veille.live import LiveLayer, LiveLimits
from veille.settings import Settings

DEADLINE_S = 120.0
SLOW_CLIENTS = 8
BATCHES, PER_BATCH = 30, 20
BIG_TEXT = "fibre " * 1500  # ~9 kB a post: the slow clients' socket buffers fill within the run


def _wait(condition: object, what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveHub]:
    settings = Settings(data_dir=tmp_path / "data", stream_send_timeout_s=3)
    hub = Hub.build(settings, stages=[])
    hub.live = LiveLayer(
        bus=hub.bus,
        store=hub.store,
        last_seq=hub.store.last_seq,
        limits=LiveLimits(queue_chunks=4, send_timeout_s=3),
    )
    with serve_hub(settings, hub=hub) as served:
        yield served


def _never_reading_client(live: LiveHub) -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # fills fast, then stays full
    sock.connect(("127.0.0.1", int(live.base_url.rsplit(":", 1)[1])))
    sock.sendall(
        b"GET /api/v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
        b"Authorization: Bearer " + live.token.encode() + b"\r\n\r\n"
    )
    return sock


def test_clients_that_never_read_hold_up_no_one_and_are_closed(live: LiveHub) -> None:
    streams = live.hub.streams
    slow = [_never_reading_client(live) for _ in range(SLOW_CLIENTS)]
    _wait(lambda: streams.client_count == SLOW_CLIENTS, "the slow clients' streams")

    received: list[str] = []
    done = threading.Event()

    def read_fast() -> None:
        with (
            httpx.Client(base_url=live.base_url, headers=live.auth_headers, timeout=DEADLINE_S) as client,
            client.stream("GET", "/api/v1/stream") as response,
        ):
            for event in read_events(response):
                if event.event == "post":
                    received.append(event.json()["id"])
                    if len(received) == BATCHES * PER_BATCH:
                        break
        done.set()

    reader = threading.Thread(target=read_fast, daemon=True)
    reader.start()
    _wait(lambda: streams.client_count == SLOW_CLIENTS + 1, "the fast client's stream")

    statuses = []
    with httpx.Client(base_url=live.base_url, headers=live.auth_headers, timeout=DEADLINE_S) as client:
        for batch in range(BATCHES):
            items = [
                post_json(batch * PER_BATCH + n, text=f"{batch * PER_BATCH + n} {BIG_TEXT}")
                for n in range(PER_BATCH)
            ]
            statuses.append(client.post("/api/v1/posts", json=items).status_code)
        assert statuses == [200] * BATCHES  # the pipeline never waited for a client
        assert client.get("/healthz").status_code == 200

    assert done.wait(DEADLINE_S), f"the fast client got {len(received)} posts"
    assert received == [f"push:{index}" for index in range(BATCHES * PER_BATCH)]
    # The slow ones fell behind (their queues are bounded: they hold references to shared
    # batches, nothing more), and the send time-out then closed them.
    assert streams.lagging_events >= 1
    _wait(lambda: streams.client_count <= 1, "the send time-out to close the slow clients")
    assert streams.stalled >= 1
    for sock in slow:
        sock.close()
    reader.join(timeout=DEADLINE_S)
