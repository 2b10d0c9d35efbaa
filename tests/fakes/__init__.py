"""Fake platform servers for connector tests, and the helpers they share.

* :class:`LocalServer` runs any ASGI app (a Starlette app: HTTP, chunked streams, SSE, WebSocket)
  with uvicorn in a background thread on ``127.0.0.1`` and a random free port::

      with LocalServer(app) as server:
          server.url        # "http://127.0.0.1:54321"
          server.ws_url     # "ws://127.0.0.1:54321"

* :class:`RecordingClock` is the clock to inject into connectors: real time, but ``sleep`` records
  the requested delay and only yields to the loop, so a "wait 60 s after 429" is checked, not waited.

* :class:`Failure` / :class:`FailureQueue` script HTTP failures (status, headers, body) that a fake
  server serves before its normal answer.

* :func:`real_payload` / :func:`real_text` read the payloads recorded by other projects kept in
  ``data/real/<platform>/`` (origins and licences in its README).
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn

__all__ = [
    "REAL_DATA",
    "Failure",
    "FailureQueue",
    "LocalServer",
    "RecordingClock",
    "real_payload",
    "real_text",
]

REAL_DATA = Path(__file__).parent / "data" / "real"


def real_text(platform: str, name: str) -> str:
    """A recorded file of ``data/real/<platform>/``, as text."""
    return (REAL_DATA / platform / name).read_text(encoding="utf-8")


def real_payload(platform: str, name: str) -> Any:
    """A recorded JSON file (``.jsonl``: the list of its lines' objects)."""
    text = real_text(platform, name)
    if name.endswith(".jsonl"):
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    return json.loads(text)


class LocalServer:
    """Uvicorn in a thread, bound to 127.0.0.1 on a free port; a context manager."""

    def __init__(self, app: Any, *, ws_ping_interval: float | None = None) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self.port: int = self._sock.getsockname()[1]
        config = uvicorn.Config(
            app,
            log_level="warning",
            lifespan="off",
            ws="websockets-sansio",
            ws_ping_interval=ws_ping_interval,
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def __enter__(self) -> LocalServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the fake server did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.should_exit = True
        self._server.force_exit = True
        self._thread.join(timeout=5)
        self._sock.close()


class RecordingClock:
    """Wall/monotonic time of the machine; ``sleep`` records and returns at once.

    ``advance`` (default on) moves a virtual offset forward by each recorded sleep so that code
    comparing "now" with a reset time sees the wait as done.
    """

    def __init__(self, *, advance: bool = True) -> None:
        self.sleeps: list[float] = []
        self.offset = 0.0
        self.advance = advance

    def time(self) -> float:
        return time.time() + self.offset

    def monotonic(self) -> float:
        return time.monotonic() + self.offset

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        if self.advance:
            self.offset += max(0.0, seconds)
        await asyncio.sleep(0)


@dataclass(slots=True)
class Failure:
    """One scripted HTTP failure."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | str = b""
    content_type: str = "application/json"


class FailureQueue:
    """Failures served in order by one route before it answers normally (thread-safe)."""

    def __init__(self) -> None:
        self._items: deque[Failure] = deque()
        self._lock = threading.Lock()

    def push(self, *failures: Failure) -> None:
        with self._lock:
            self._items.extend(failures)

    def pop(self) -> Failure | None:
        with self._lock:
            return self._items.popleft() if self._items else None

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


def failure_response(failure: Failure) -> Any:
    """The Starlette response of a scripted failure."""
    from starlette.responses import Response

    body = failure.body.encode() if isinstance(failure.body, str) else failure.body
    return Response(
        body, status_code=failure.status, headers=failure.headers, media_type=failure.content_type
    )
