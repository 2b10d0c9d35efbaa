"""Stream clients of the live benchmark, run in processes of their own (``multiprocessing``).

Each process opens ``count`` streams with asyncio and httpx, reads them as a screen would (all of
each response), and measures for every post the time from its push to its arrival: the pusher
writes the wall-clock time of the push into the post's id (``bench:<run>:<n>:<unix time>``), so
that a regular expression over the received bytes finds both without decoding the JSON of 200
clients × 1,000 posts/s on a 2-core machine. Latencies are kept in milliseconds (4 bytes each) and
summed into a histogram before they go back to the parent, with the time the last of the
process's clients read each post (for the parent's acknowledgement-to-every-client delay).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from array import array
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

import httpx

__all__ = ["ClientPlan", "run_clients"]

_POST = re.compile(rb'"id":"bench:([a-z0-9]+):(\d+):(\d+\.\d+)"')
_CATCHING_UP = b"event: catching-up"
_MAX_MS = 600_000


@dataclass(frozen=True)
class ClientPlan:
    base_url: str
    token: str
    run: str
    paths: list[str]  # one stream per path (its filter in the query string)
    # Per stream, the posts its filter selects: those whose number n has n % 10 == rule (None: all).
    rules: list[int | None]


@dataclass
class _Client:
    path: str
    rule: int | None
    seen: set[int] = field(default_factory=set)
    latencies: array = field(default_factory=lambda: array("I"))
    catching_up: int = 0
    ready: bool = False
    error: str | None = None


async def _follow(
    http: httpx.AsyncClient, client: _Client, run: bytes, stop: asyncio.Event, latest: dict[int, float]
) -> None:
    buffer = b""
    try:
        async with http.stream("GET", client.path) as response:
            if response.status_code != 200:
                client.error = f"HTTP {response.status_code}: {(await response.aread())[:200]!r}"
                client.ready = True
                return
            async for raw in response.aiter_raw():
                now = time.time()
                buffer += raw
                cut = buffer.rfind(b"\n\n")
                if cut < 0:
                    continue
                complete, buffer = buffer[: cut + 2], buffer[cut + 2 :]
                if not client.ready and b"event: ready" in complete:
                    client.ready = True
                if _CATCHING_UP in complete:
                    client.catching_up += complete.count(_CATCHING_UP)
                for found_run, number, sent in _POST.findall(complete):
                    if found_run != run:
                        continue
                    seq = int(number)
                    client.seen.add(seq)
                    if latest.get(seq, 0.0) < now:
                        latest[seq] = now  # the last of this process's clients to read it
                    client.latencies.append(min(_MAX_MS, max(0, int((now - float(sent)) * 1000))))
                if stop.is_set():
                    return
    except (httpx.HTTPError, OSError) as error:
        if not stop.is_set():
            client.error = f"{type(error).__name__}: {error}"
        client.ready = True


async def _main(plan: ClientPlan, conn: Connection) -> None:
    clients = [_Client(path, rule) for path, rule in zip(plan.paths, plan.rules, strict=True)]
    stop = asyncio.Event()
    limits = httpx.Limits(max_connections=len(clients) + 2, max_keepalive_connections=0)
    timeout = httpx.Timeout(30.0, read=None)
    async with httpx.AsyncClient(
        base_url=plan.base_url,
        headers={"Authorization": f"Bearer {plan.token}"},
        limits=limits,
        timeout=timeout,
    ) as http:
        run = plan.run.encode()
        latest: dict[int, float] = {}
        tasks = [asyncio.create_task(_follow(http, client, run, stop, latest)) for client in clients]
        while not all(client.ready for client in clients):
            await asyncio.sleep(0.05)
        conn.send(("ready", [client.error for client in clients]))
        # The parent says when the pushing is over and how many posts each stream should get.
        loop = asyncio.get_running_loop()
        expected: list[int] = await loop.run_in_executor(None, conn.recv)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(
            len(client.seen) < want and client.error is None
            for client, want in zip(clients, expected, strict=True)
        ):
            await asyncio.sleep(0.1)
        stop.set()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
    histogram: dict[int, int] = {}
    for client in clients:
        for value in client.latencies:
            histogram[value] = histogram.get(value, 0) + 1
    report: dict[str, Any] = {
        "seen": [len(client.seen) for client in clients],
        "wrong": sum(
            sum(1 for number in client.seen if number % 10 != client.rule)
            for client in clients
            if client.rule is not None
        ),
        "catching_up": sum(client.catching_up for client in clients),
        "errors": [client.error for client in clients if client.error],
        "histogram": histogram,
        "latest": latest,
    }
    conn.send(("done", report))


def run_clients(plan: ClientPlan, conn: Connection) -> None:
    """The process's entry point (spawned): follow the streams until told to stop, then report."""
    asyncio.run(_main(plan, conn))
