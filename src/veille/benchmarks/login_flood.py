"""``veille bench login_flood``: the API's latency while 32 clients flood the login (issue 18, fault 6).

A real hub (``python -m veille serve`` in a process of its own, SQLite) answers a token-authenticated
read (``GET /api/v1/me``, one client, one request at a time) first alone — the baseline of the same
run — then while 32 clients in another process post wrong passwords to ``/login`` as fast as the hub
answers them. Reported: the read's p50/p95/p99 under the flood beside the baseline's, the sign-ins
answered per second, and the hub's resident memory before and after. Goal: p99 under 250 ms.

Before issue 18, argon2 ran in the thread pool every database read uses: the same flood took this
read from 9 ms to 10.4 s. The hashes now run on their own small pool (``veille.security.PasswordPool``).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.synchronize import Event as EventType
from pathlib import Path
from typing import Any

import httpx

__all__ = ["DESCRIPTION", "run"]

DESCRIPTION = "API p99 of a token-authenticated read while 32 clients flood the login with wrong passwords"

FLOODERS = 32
GOAL_P99_MS = 250.0
TOKEN = "bench-login-flood-token"
USER, PASSWORD = "benchflood", "bench flood password"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


@dataclass
class _Hub:
    base_url: str
    process: subprocess.Popen[bytes]


@contextmanager
def _serve(data: Path) -> Iterator[_Hub]:
    port = _free_port()
    env = {**os.environ, "VEILLE_ADMIN_TOKEN": TOKEN}
    env.pop("VEILLE_CONFIG_FILE", None)
    subprocess.run(
        [sys.executable, "-m", "veille", "user", "add", USER, "--data", str(data)],
        env={**env, "VEILLE_NEW_PASSWORD": PASSWORD},
        check=True,
        capture_output=True,
    )
    command = [sys.executable, "-m", "veille", "serve", "--data", str(data), "--port", str(port)]
    with (data.parent / "hub.log").open("wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    hub = _Hub(f"http://127.0.0.1:{port}", process)
    try:
        deadline = time.monotonic() + 180
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"the hub stopped at start: {(data.parent / 'hub.log').read_text()[-2000:]}"
                )
            try:
                if httpx.get(f"{hub.base_url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the hub did not answer /healthz within 180 s")
            time.sleep(0.2)
        yield hub
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _flood(base_url: str, stop: EventType, answered: Any) -> None:
    """In another process: FLOODERS concurrent wrong sign-ins, again and again, until ``stop``."""

    async def one(client: httpx.AsyncClient) -> None:
        while not stop.is_set():
            try:
                await client.post("/login", data={"username": USER, "password": "wrong password"})
            except httpx.HTTPError:
                continue
            with answered.get_lock():
                answered.value += 1

    async def main() -> None:
        limits = httpx.Limits(max_connections=FLOODERS)
        async with httpx.AsyncClient(base_url=base_url, timeout=120, limits=limits) as client:
            await asyncio.gather(*(one(client) for _ in range(FLOODERS)))

    asyncio.run(main())


def _reads(base_url: str, seconds: float) -> list[float]:
    """Latencies (ms) of sequential token-authenticated reads for ``seconds``."""
    latencies: list[float] = []
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=120) as client:
        client.get("/api/v1/me").raise_for_status()  # connection and caches warm
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            started = time.perf_counter()
            client.get("/api/v1/me").raise_for_status()
            latencies.append((time.perf_counter() - started) * 1000)
            time.sleep(0.01)
    return latencies


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return round(ordered[index], 2)


def run(*, quick: bool) -> dict[str, Any]:
    baseline_s, flood_s = (4.0, 8.0) if quick else (15.0, 40.0)
    with tempfile.TemporaryDirectory(prefix="veille-bench-login-") as folder:
        data = Path(folder) / "veille-data"
        with _serve(data) as hub:
            rss_before = _rss_mib(hub.process.pid)
            baseline = _reads(hub.base_url, baseline_s)
            context = multiprocessing.get_context("spawn")
            stop = context.Event()
            answered = context.Value("i", 0)
            flooder = context.Process(target=_flood, args=(hub.base_url, stop, answered), daemon=True)
            flooder.start()
            time.sleep(2.0)  # the flood is under way before the reads are timed
            started_count, started = answered.value, time.monotonic()
            flooded = _reads(hub.base_url, flood_s)
            sign_ins_per_s = (answered.value - started_count) / (time.monotonic() - started)
            rss_flood = _rss_mib(hub.process.pid)
            stop.set()
            flooder.join(timeout=180)
            if flooder.is_alive():
                flooder.terminate()
            time.sleep(2.0)
            rss_after = _rss_mib(hub.process.pid)
    p99, baseline_p99 = _percentile(flooded, 0.99), _percentile(baseline, 0.99)
    print(
        f"GET /api/v1/me p99: {baseline_p99} ms alone, {p99} ms under {FLOODERS} login flooders "
        f"({sign_ins_per_s:.1f} wrong sign-ins answered/s); hub RSS {rss_before:.0f} → {rss_flood:.0f} "
        f"→ {rss_after:.0f} MiB",
        file=sys.stderr,
    )
    return {
        "metric": "p99_ms",
        "value": p99,
        "unit": "ms",
        "baseline": baseline_p99,
        "ratio": round(p99 / baseline_p99, 2) if baseline_p99 else None,
        "goal": GOAL_P99_MS,
        "goal_met": p99 < GOAL_P99_MS,
        "p50": _percentile(flooded, 0.50),
        "p95": _percentile(flooded, 0.95),
        "p99": p99,
        "baseline_p50": _percentile(baseline, 0.50),
        "reads": len(flooded),
        "flooders": FLOODERS,
        "sign_ins_per_s": round(sign_ins_per_s, 1),
        "rss_mib": {"before": round(rss_before), "flood": round(rss_flood), "after": round(rss_after)},
    }
