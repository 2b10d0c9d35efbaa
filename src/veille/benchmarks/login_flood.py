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
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.synchronize import Event as EventType
from pathlib import Path
from typing import Any

import httpx

from veille.benchmarks.served import ServedHub, percentile, served_hub, timed_reads

__all__ = ["DESCRIPTION", "run"]

DESCRIPTION = "API p99 of a token-authenticated read while 32 clients flood the login with wrong passwords"

FLOODERS = 32
GOAL_P99_MS = 250.0
TOKEN = "bench-login-flood-token"
USER, PASSWORD = "benchflood", "bench flood password"


@contextmanager
def _serve(data: Path) -> Iterator[ServedHub]:
    # The login throttle (issue 14) would answer this flood 429 before any hash: lifted, so that the
    # bench keeps measuring the password pool's isolation under hashes (its purpose).
    env = {
        **os.environ,
        "VEILLE_ADMIN_TOKEN": TOKEN,
        "VEILLE_LOGIN_ADDRESS_BURST": "1000000000",
        "VEILLE_LOGIN_FAILURES": "1000000000",
    }
    env.pop("VEILLE_CONFIG_FILE", None)
    subprocess.run(
        [sys.executable, "-m", "veille", "user", "add", USER, "--data", str(data)],
        env={**env, "VEILLE_NEW_PASSWORD": PASSWORD},
        check=True,
        capture_output=True,
    )
    with served_hub(data, env=env, log=data.parent / "hub.log") as hub:
        yield hub


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


def run(*, quick: bool) -> dict[str, Any]:
    baseline_s, flood_s = (4.0, 8.0) if quick else (15.0, 40.0)
    with tempfile.TemporaryDirectory(prefix="veille-bench-login-") as folder:
        data = Path(folder) / "veille-data"
        with _serve(data) as hub:
            rss_before = hub.rss_mib
            baseline = timed_reads(hub.base_url, TOKEN, baseline_s)
            context = multiprocessing.get_context("spawn")
            stop = context.Event()
            answered = context.Value("i", 0)
            flooder = context.Process(target=_flood, args=(hub.base_url, stop, answered), daemon=True)
            flooder.start()
            time.sleep(2.0)  # the flood is under way before the reads are timed
            started_count, started = answered.value, time.monotonic()
            flooded = timed_reads(hub.base_url, TOKEN, flood_s)
            sign_ins_per_s = (answered.value - started_count) / (time.monotonic() - started)
            rss_flood = hub.rss_mib
            stop.set()
            flooder.join(timeout=180)
            if flooder.is_alive():
                flooder.terminate()
            time.sleep(2.0)
            rss_after = hub.rss_mib
    p99, baseline_p99 = percentile(flooded, 0.99), percentile(baseline, 0.99)
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
        "p50": percentile(flooded, 0.50),
        "p95": percentile(flooded, 0.95),
        "p99": p99,
        "baseline_p50": percentile(baseline, 0.50),
        "reads": len(flooded),
        "flooders": FLOODERS,
        "sign_ins_per_s": round(sign_ins_per_s, 1),
        "rss_mib": {"before": round(rss_before), "flood": round(rss_flood), "after": round(rss_after)},
    }
