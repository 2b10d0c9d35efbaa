"""A hub's life as an operator sees it, with real processes and real signals.

``veille serve`` is started as a subprocess, posts are pushed to it without pause, and it is
stopped with SIGTERM or SIGINT in the middle: it must exit 0, print nothing on stderr but log
lines, and have stored every post whose push it acknowledged. A second hub on the same data folder
is refused naming the first one's PID; a port in use is a one-line error.

Waits are generous (a busy 2-core machine loads the models slowly) and nothing asserts a duration.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.support.posts import post_json
from veille.store import open_store

TOKEN = "lifecycle-test-token-0123456789"
READY_TIMEOUT_S = 180
EXIT_TIMEOUT_S = 120
# What uvicorn and the hub write on stderr: "INFO:     message", "WARNING:  message".
LOG_LINE = re.compile(r"^(DEBUG|INFO|WARNING):\s+\S")

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _veille(*args: str, data: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "veille", *args, "--data", str(data)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env=_env(),
    )


def _env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("VEILLE_")}
    env["VEILLE_ADMIN_TOKEN"] = TOKEN
    return env


@dataclass
class HubProcess:
    process: subprocess.Popen[str]
    base_url: str
    stderr_path: Path

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the hub exited with {self.process.returncode}:\n{self.stderr}")
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise AssertionError(f"the hub did not answer /healthz:\n{self.stderr}")

    def stop(self, *signals: int) -> int:
        for signum in signals:
            self.process.send_signal(signum)
        return self.process.wait(timeout=EXIT_TIMEOUT_S)


StartHub = Callable[..., HubProcess]  # (command, data folder, *options) → a started hub


@pytest.fixture
def start_hub(tmp_path: Path) -> Iterator[StartHub]:
    started: list[HubProcess] = []

    def start(command: str, data: Path, *extra: str) -> HubProcess:
        port = _free_port()
        stderr_path = tmp_path / f"{command}-{len(started)}.stderr"
        process = subprocess.Popen(
            [sys.executable, "-m", "veille", command, "--data", str(data), "--port", str(port), *extra],
            stdout=subprocess.DEVNULL,
            stderr=stderr_path.open("w"),
            text=True,
            env=_env(),
        )
        hub = HubProcess(process, f"http://127.0.0.1:{port}", stderr_path)
        started.append(hub)
        return hub

    yield start
    for hub in started:
        if hub.process.poll() is None:
            hub.process.kill()
            hub.process.wait(timeout=30)


@dataclass
class Pusher:
    """Pushes batches of new posts back to back until the hub is gone, noting what was acknowledged."""

    base_url: str
    acknowledged: list[str] = field(default_factory=list)
    refused: list[int] = field(default_factory=list)  # statuses other than 200
    failures: list[str] = field(default_factory=list)  # connection errors (the hub stopped listening)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="pusher", daemon=True)
        self._thread.start()

    def wait_for(self, count: int) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while len(self.acknowledged) < count:
            assert time.monotonic() < deadline, f"only {len(self.acknowledged)} posts acknowledged"
            assert self._thread is not None and self._thread.is_alive(), self.failures[-3:]
            time.sleep(0.05)

    def stop(self) -> None:
        self._stop.set()
        assert self._thread is not None
        self._thread.join(timeout=EXIT_TIMEOUT_S)
        assert not self._thread.is_alive(), "a push never got an answer"

    def _run(self) -> None:
        index = 0
        headers = {"Authorization": f"Bearer {TOKEN}"}
        # A read timeout longer than any stop: a push left hanging would show as a stuck thread.
        with httpx.Client(base_url=self.base_url, headers=headers, timeout=EXIT_TIMEOUT_S) as client:
            while not self._stop.is_set():
                batch = [post_json(index + offset) for offset in range(5)]
                index += len(batch)
                try:
                    response = client.post("/api/v1/posts", json=batch)
                except httpx.TransportError as error:
                    self.failures.append(repr(error))
                    time.sleep(0.05)
                    continue
                if response.status_code == 200 and response.json()["accepted"] == len(batch):
                    self.acknowledged.extend(item["id"] for item in batch)
                else:
                    self.refused.append(response.status_code)


def _assert_clean_exit(hub: HubProcess, returncode: int) -> None:
    stderr = hub.stderr
    assert returncode == 0, stderr
    assert "Traceback" not in stderr and "RuntimeError" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert lines, "the hub logged nothing"
    strays = [line for line in lines if not LOG_LINE.match(line)]
    assert not strays, f"not log lines: {strays}\n{stderr}"


def _assert_stored(data: Path, ids: list[str]) -> None:
    store = open_store(f"sqlite:///{data / 'veille.sqlite3'}", migrate=False)
    try:
        missing = [post_id for post_id in ids if store.get_post(post_id) is None]
    finally:
        store.close()
    assert not missing, f"{len(missing)} acknowledged posts lost, e.g. {missing[:5]}"


@pytest.mark.parametrize(
    "signals",
    [(signal.SIGTERM,), (signal.SIGINT,), (signal.SIGINT, signal.SIGINT)],
    ids=["SIGTERM", "SIGINT", "SIGINT-twice"],
)
def test_a_stop_signal_while_posts_are_pushed_loses_no_acknowledged_post(
    tmp_path: Path, start_hub: StartHub, signals: tuple[int, ...]
) -> None:
    data = tmp_path / "data"
    hub: HubProcess = start_hub("serve", data)
    hub.wait_ready()
    pusher = Pusher(hub.base_url)
    # A live-stream client stays connected through the stop: it must not hold the stop up.
    stream_done = threading.Event()

    def follow_stream() -> None:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        try:
            with httpx.stream(
                "GET", f"{hub.base_url}/api/v1/stream", headers=headers, timeout=None
            ) as events:
                for _ in events.iter_lines():
                    pass
        except httpx.HTTPError:
            pass
        finally:
            stream_done.set()

    threading.Thread(target=follow_stream, name="stream", daemon=True).start()
    pusher.start()
    pusher.wait_for(100)
    returncode = hub.stop(*signals)  # twice: Ctrl+C pressed again skips waiting, not the flush
    pusher.stop()

    _assert_clean_exit(hub, returncode)
    assert "Application shutdown complete" in hub.stderr
    assert stream_done.wait(timeout=EXIT_TIMEOUT_S), "the stream was not closed"
    # While stopping, a push is either stored (200), refused with 503, or cannot connect.
    assert set(pusher.refused) <= {503}, pusher.refused
    _assert_stored(data, pusher.acknowledged)


def test_serve_logs_its_address_and_how_to_log_in(tmp_path: Path, start_hub: StartHub) -> None:
    hub: HubProcess = start_hub("serve", tmp_path / "data")
    hub.wait_ready()
    deadline = time.monotonic() + READY_TIMEOUT_S
    while "veille user add NAME" not in hub.stderr and time.monotonic() < deadline:
        time.sleep(0.2)
    stderr = hub.stderr
    assert f"Veille serving {hub.base_url}" in stderr
    assert f"{hub.base_url}/wall" in stderr
    assert f"create one with `veille user add NAME --data {tmp_path / 'data'}`" in stderr
    assert "VEILLE_ADMIN_TOKEN" in stderr
    _assert_clean_exit(hub, hub.stop(signal.SIGTERM))


def test_a_demo_with_its_simulator_running_stops_cleanly_on_ctrl_c(
    tmp_path: Path, start_hub: StartHub
) -> None:
    data = tmp_path / "data"
    # No history: the test is about stopping, and two days of history take most of its time.
    hub: HubProcess = start_hub("demo", data, "--rate", "600", "--history-days", "0")
    hub.wait_ready()
    headers = {"Authorization": f"Bearer {TOKEN}"}
    deadline = time.monotonic() + READY_TIMEOUT_S
    while not httpx.get(f"{hub.base_url}/api/v1/posts", headers=headers, timeout=30).json()["items"]:
        assert time.monotonic() < deadline, "the simulator stored nothing"
        time.sleep(0.5)
    returncode = hub.stop(signal.SIGINT)
    stderr = hub.stderr
    assert returncode == 0, stderr
    assert "Traceback" not in stderr and "RuntimeError" not in stderr, stderr
    assert "Application shutdown complete" in stderr


def test_a_data_folder_serves_one_hub_and_still_takes_ingest(tmp_path: Path, start_hub: StartHub) -> None:
    data = tmp_path / "data"
    first: HubProcess = start_hub("serve", data)
    first.wait_ready()

    second = _veille("serve", "--port", str(_free_port()), data=data)
    assert second.returncode == 2, second.stderr
    assert second.stderr.strip().splitlines() == [
        f"error: the data folder {data} is in use by another hub (PID {first.process.pid}): "
        "stop it first, or give this one another --data folder"
    ]
    worker = _veille("worker", data=data)
    assert worker.returncode == 2 and f"(PID {first.process.pid})" in worker.stderr, worker.stderr

    # Commands that are not a hub keep working on the folder the hub holds.
    jsonl = tmp_path / "posts.jsonl"
    jsonl.write_text("".join(json.dumps(post_json(9000 + i)) + "\n" for i in range(3)))
    ingest = _veille("ingest", str(jsonl), data=data)
    assert ingest.returncode == 0, ingest.stderr
    assert json.loads(ingest.stdout.strip().splitlines()[-1]) == {"accepted": 3, "rejected": 0}
    listed = _veille("topics", "list", data=data)
    assert listed.returncode == 0, listed.stderr
    headers = {"Authorization": f"Bearer {TOKEN}"}
    assert (
        httpx.get(f"{first.base_url}/api/v1/posts/push:9001", headers=headers, timeout=30).status_code == 200
    )

    # The lock dies with its process, however it ends: no stale lock to clean.
    first.process.kill()
    first.process.wait(timeout=EXIT_TIMEOUT_S)
    after: HubProcess = start_hub("serve", data)
    after.wait_ready()
    _assert_clean_exit(after, after.stop(signal.SIGTERM))


@pytest.mark.parametrize("command", ["serve", "demo"])
def test_a_port_in_use_is_one_line_and_nothing_pretends_to_run(tmp_path: Path, command: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _veille(command, "--port", str(port), data=tmp_path / "data", timeout=120)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        f"error: port {port} is already in use on 127.0.0.1: choose another one with --port"
    ]


def test_a_worker_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    data = tmp_path / "data"
    stderr_path = tmp_path / "worker.stderr"
    with stderr_path.open("w") as stderr_file:
        worker = subprocess.Popen(
            [sys.executable, "-m", "veille", "worker", "--data", str(data)],
            stdout=subprocess.DEVNULL,
            stderr=stderr_file,
            env=_env(),
        )
        try:
            deadline = time.monotonic() + READY_TIMEOUT_S
            while "worker running" not in stderr_path.read_text():
                assert worker.poll() is None and time.monotonic() < deadline, stderr_path.read_text()
                time.sleep(0.2)
            second = _veille("worker", data=data)
            assert second.returncode == 2 and f"(PID {worker.pid})" in second.stderr, second.stderr
            worker.send_signal(signal.SIGINT)
            returncode = worker.wait(timeout=EXIT_TIMEOUT_S)
        finally:
            if worker.poll() is None:
                worker.kill()
    stderr = stderr_path.read_text()
    assert returncode == 0, stderr
    assert "Traceback" not in stderr, stderr
    assert "worker stopping" in stderr
