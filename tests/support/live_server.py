"""A real hub served by uvicorn on 127.0.0.1 in a background thread, for SSE and browser tests."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import uvicorn

from veille.hub import Hub
from veille.settings import Settings
from veille.web.app import create_app

__all__ = ["LiveHub", "serve_hub"]


@dataclass
class LiveHub:
    base_url: str
    hub: Hub
    token: str
    username: str
    password: str
    loop: asyncio.AbstractEventLoop

    @property
    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serve_hub(settings: Settings, *, hub: Hub | None = None) -> Iterator[LiveHub]:
    the_hub = hub or Hub.build(settings)
    token = the_hub.access.create_token("tests")
    username, password = "tester", "correct horse battery"
    the_hub.access.add_user(username, password, admin=True)
    app = create_app(settings, hub=the_hub)
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    loops: list[asyncio.AbstractEventLoop] = []

    def run() -> None:
        loop = asyncio.new_event_loop()
        loops.append(loop)
        loop.run_until_complete(server.serve())
        loop.close()

    thread = threading.Thread(target=run, name="live-hub", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the hub did not start")
        time.sleep(0.02)
    try:
        yield LiveHub(f"http://127.0.0.1:{port}", the_hub, token, username, password, loops[0])
    finally:
        server.should_exit = True
        thread.join(timeout=15)
