"""A ``veille serve`` in a child process for the benchmarks that measure the hub from outside.

One place starts it on a free port of 127.0.0.1, waits for ``/healthz`` (failing with the tail of
its log when it stops or does not answer), and stops it with SIGTERM, killing it only when it does
not stop within a minute. Its resident memory and CPU time (its child processes' too) are read
from ``/proc``.

Also here, for the benchmarks that time the API while something else loads the hub
(``login_flood``, ``slow_streams``): :func:`timed_reads`, one client's sequential
token-authenticated reads, and :func:`percentile`.
"""

from __future__ import annotations

import math
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

__all__ = ["ServedHub", "free_port", "percentile", "served_hub", "timed_reads"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class ServedHub:
    base_url: str
    process: subprocess.Popen[bytes]

    def pids(self) -> list[int]:
        """The hub and its descendants (the preparing process, multiprocessing's resource tracker)."""
        found, waiting = [], [self.process.pid]
        while waiting:
            pid = waiting.pop()
            found.append(pid)
            try:
                for task in Path(f"/proc/{pid}/task").iterdir():
                    waiting.extend(int(child) for child in (task / "children").read_text().split())
            except OSError:
                continue
        return found

    @property
    def rss_mib(self) -> float:
        """Resident memory of the hub's main process."""
        return _rss_mib(self.process.pid)

    def rss_by_process(self) -> dict[str, float]:
        """Resident memory (MiB) of each of the hub's processes, by ``pid:name``."""
        return {f"{pid}:{_name(pid)}": round(_rss_mib(pid), 1) for pid in self.pids()}

    @property
    def cpu_s(self) -> float:
        """User + system CPU seconds of the hub's processes (main and children) so far."""
        return math.fsum(cpu for cpu in map(_cpu_s, self.pids()) if not math.isnan(cpu))

    @property
    def main_cpu_s(self) -> float:
        """User + system CPU seconds of the hub's main process alone."""
        return _cpu_s(self.process.pid)


def _rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return math.nan


def _name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return "?"


def _cpu_s(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return math.nan


def _tail(log: Path) -> str:
    try:
        return log.read_text(errors="replace")[-2000:]
    except OSError:
        return "(no log)"


@contextmanager
def served_hub(
    data: Path,
    *,
    env: Mapping[str, str],
    log: Path,
    extra_args: Sequence[str] = (),
    start_timeout_s: float = 180.0,
) -> Iterator[ServedHub]:
    """``veille serve --data DATA`` with ``env``, its output in ``log``, answering ``/healthz``."""
    port = free_port()
    command = [sys.executable, "-m", "veille", "serve", "--data", str(data), "--host", "127.0.0.1"]
    command += ["--port", str(port), *extra_args]
    with log.open("wb") as log_file:
        process = subprocess.Popen(command, env=dict(env), stdout=log_file, stderr=subprocess.STDOUT)
    hub = ServedHub(f"http://127.0.0.1:{port}", process)
    try:
        deadline = time.monotonic() + start_timeout_s
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"veille serve stopped at start (exit {process.returncode}): {_tail(log)}")
            try:
                if httpx.get(f"{hub.base_url}/healthz", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"veille serve did not answer /healthz within {start_timeout_s:.0f} s: {_tail(log)}"
                )
            time.sleep(0.2)
        yield hub
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def timed_reads(
    base_url: str, token: str, seconds: float, *, path: str = "/api/v1/me", pause_s: float = 0.01
) -> list[float]:
    """Latencies (ms) of one client's sequential ``GET path`` with ``token`` for ``seconds``
    (``pause_s`` between two reads); the connection and the hub's caches are warmed first."""
    latencies: list[float] = []
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=120) as client:
        client.get(path).raise_for_status()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            started = time.perf_counter()
            client.get(path).raise_for_status()
            latencies.append((time.perf_counter() - started) * 1000)
            time.sleep(pause_s)
    return latencies


def percentile(values: Sequence[float], share: float) -> float:
    """The value at ``share`` (0.99: p99) of ``values``, nearest rank, rounded to 0.01 (NaN if none)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return round(ordered[index], 2)
