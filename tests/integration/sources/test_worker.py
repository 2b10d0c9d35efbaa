"""`veille worker`: runs the config's sources and the pipeline without a web server, stops on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes import LocalServer
from tests.fakes.bluesky import FakeBluesky, make_post_event
from veille.store import open_store


@pytest.fixture
def bluesky() -> Iterator[tuple[FakeBluesky, LocalServer]]:
    fake = FakeBluesky()
    with LocalServer(fake.app) as server:
        yield fake, server


def test_worker_stores_source_posts_and_stops_cleanly(
    tmp_path: Path, bluesky: tuple[FakeBluesky, LocalServer]
) -> None:
    fake, server = bluesky
    fake.scripts = [[("event", make_post_event(2_000_000 + i, f"panne wifi numero {i}")) for i in range(5)]]
    config = tmp_path / "veille.toml"
    config.write_text(
        f'[[sources]]\ntype = "bluesky"\nname = "bsky"\nendpoint = "{server.ws_url}/subscribe"\nquery = "wifi"\n'
    )
    data = tmp_path / "data"
    worker = subprocess.Popen(
        [sys.executable, "-m", "veille", "worker", "--data", str(data), "--config", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        stored = 0
        while time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.3)
            if (data / "veille.sqlite3").exists():
                store = open_store(f"sqlite:///{data / 'veille.sqlite3'}", migrate=False)
                try:
                    stored = store.count_posts()
                except Exception:  # schema still being created by the worker
                    stored = 0
                finally:
                    store.close()
                if stored == 5:
                    break
        assert stored == 5, worker.stderr.read() if worker.poll() is not None else "timed out"
    finally:
        worker.send_signal(signal.SIGTERM)
        _, stderr = worker.communicate(timeout=30)
    assert worker.returncode == 0, stderr
    assert "worker running 1 source(s): bsky" in stderr
