"""A private nats-server (own port and store folder) is stopped and started again under the bus.

The machine's shared server is never touched: this one is started by the test and stopped by
its own process id.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import unavailable
from tests.support.posts import post_json
from veille.bus.base import POSTS_SUBJECT, BusEvent
from veille.bus.nats import NatsBus

pytestmark = [pytest.mark.nats, pytest.mark.slow]

NATS_SERVER = shutil.which("nats-server") or "/usr/sbin/nats-server"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PrivateServer:
    def __init__(self, store: Path) -> None:
        self.port = _free_port()
        self.store = store
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [NATS_SERVER, "-a", "127.0.0.1", "-p", str(self.port), "-js", "-sd", str(self.store)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError(f"private nats-server on port {self.port} did not start") from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def server(tmp_path: Path) -> Iterator[PrivateServer]:
    if not Path(NATS_SERVER).is_file():
        unavailable("nats-server binary", FileNotFoundError(NATS_SERVER))
    private = PrivateServer(tmp_path / "jetstream")
    private.start()
    yield private
    private.stop()


def _events(seqs: range) -> list[BusEvent]:
    return [BusEvent(POSTS_SUBJECT, seq, post_json(seq)) for seq in seqs]


async def test_live_subscribers_and_publishers_survive_a_server_restart(server: PrivateServer) -> None:
    worker = await NatsBus.connect(server.url, heartbeat=0.5)
    serve = await NatsBus.connect(server.url, heartbeat=0.5)
    try:
        subscription = await serve.subscribe(POSTS_SUBJECT)
        await worker.publish(_events(range(1, 6)))
        iterator = aiter(subscription)
        first = [await asyncio.wait_for(anext(iterator), 10) for _ in range(5)]
        assert [event.seq for event in first] == [1, 2, 3, 4, 5]

        await asyncio.to_thread(server.stop)
        await asyncio.to_thread(server.start)  # same port, same store: the stream is still there
        deadline = time.monotonic() + 20
        while True:  # the publisher reconnects by itself; retry until the server acknowledges
            try:
                await worker.publish(_events(range(6, 11)))
                break
            except ConnectionError:
                assert time.monotonic() < deadline, "the publisher never got back to the server"
                await asyncio.sleep(0.2)
        after = [await asyncio.wait_for(anext(iterator), 20) for _ in range(5)]
        assert [event.seq for event in after] == [6, 7, 8, 9, 10]
    finally:
        await worker.close()
        await serve.close()
