"""``veille bench slow_streams``: the API's latency while 300 stream clients never read during
1,000 posts/s of pushes (issue 18, fault 7; part (b) of its bench, ``login_flood`` is part (a)).

A real hub (``python -m veille serve`` in a process of its own, SQLite, the whole enrichment chain)
answers a token-authenticated read (``GET /api/v1/me``, one client, one request at a time):

1. **alone** — the baseline of the same run;
2. **during pushes alone**: 1,000 posts/s through ``POST /api/v1/posts`` (the live benchmark's
   pusher, in a process of its own), no stream client — what the pushes cost the read by themselves;
   the hub's resident memory once they are over is the **memory baseline**;
3. **during pushes with 300 clients that never read**: in another process, 300 sockets with a tiny
   receive buffer (4 KiB) each send ``GET /api/v1/stream`` and never read a byte. Their socket
   buffers fill within a second; the hub marks them lagging (their queues hold references to
   shared batches, nothing more) and its send time-out (``stream_send_timeout_s``) ends them. The
   hub's count of open streams (``veille_stream_clients`` on ``/metrics``) is followed throughout:
   it must fall to 0 while the 300 sockets are still open (the hub cut them; nobody else did);
4. **after**: once the sockets are gone, the hub's memory, which must be back to its baseline
   (within 10 %).

Before issue 18, the hub replayed up to 5,000 posts per lagging client from the store at once:
300 such clients took it from 451 MiB to 1.5 GiB, never returned, and API calls timed out after
60 s. Goals: the read's p99 under 250 ms during step 3, memory after within 10 % of the baseline,
every never-reading client cut by the hub.

``--quick`` runs the steps for 3, 6 and 12 s with a 4 s send time-out (the default, 30 s, would not
fit in a minute); the full run 15, 30 and 60 s with the default time-out.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import re
import signal
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from veille.benchmarks.live import RATE, Pushed, push_posts
from veille.benchmarks.served import ServedHub, percentile, served_hub, timed_reads

__all__ = ["DESCRIPTION", "run"]

DESCRIPTION = (
    "API p99 of a token-authenticated read while 300 stream clients never read during 1,000 posts/s "
    "of pushes; the hub cuts them and its memory is back to its baseline after"
)

CLIENTS = 300
GOAL_P99_MS = 250.0
MEMORY_TOLERANCE = 0.10  # after within 10 % of the baseline
RECEIVE_BUFFER = 4096
TOKEN = "bench-slow-streams-token"
_GAUGE = re.compile(rb"^veille_stream_clients (\S+)$", re.MULTILINE)


@contextmanager
def _serve(data: Path, *, send_timeout_s: float | None) -> Iterator[ServedHub]:
    env = {
        **os.environ,
        "VEILLE_ADMIN_TOKEN": TOKEN,
        # Every one of the 300 is let in (the caps would refuse most of them with 429: a defence,
        # but not the one measured here).
        "VEILLE_STREAM_CLIENTS_PER_PRINCIPAL": "1000",
        "VEILLE_STREAM_CLIENTS_MAX": "2000",
    }
    if send_timeout_s is not None:
        env["VEILLE_STREAM_SEND_TIMEOUT_S"] = str(send_timeout_s)
    env.pop("VEILLE_CONFIG_FILE", None)
    data.mkdir(parents=True, exist_ok=True)
    with served_hub(data, env=env, log=data.parent / "hub.log") as hub:
        yield hub


def _push_process(base_url: str, run: str, seconds: float, conn: Connection) -> None:
    """In a process of its own: ``seconds`` of pushes at 1,000 posts/s; sends back the summary."""
    pushed = asyncio.run(push_posts(base_url, run, seconds, token=TOKEN))
    conn.send(pushed)


def _never_reading(base_url: str, count: int, conn: Connection) -> None:
    """In a process of its own: ``count`` streams that never read, until told to look at them.

    Then each socket is read to its end (for at most 30 s in all): a socket at its end (or reset)
    was closed by the hub. Reports how many were, and the bytes the hub had sent each."""
    url = urlsplit(base_url)
    address = (url.hostname or "127.0.0.1", url.port or 80)
    request = (
        f"GET /api/v1/stream HTTP/1.1\r\nHost: {url.netloc}\r\nAccept: text/event-stream\r\n"
        f"Authorization: Bearer {TOKEN}\r\n\r\n"
    ).encode()
    sockets: list[socket.socket] = []
    errors: list[str] = []
    for _ in range(count):
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)  # before connect
        try:
            sock.connect(address)
            sock.sendall(request)
        except OSError as error:
            errors.append(f"{type(error).__name__}: {error}")
            sock.close()
            continue
        sockets.append(sock)
    conn.send(("connected", len(sockets), errors[:3]))
    conn.recv()  # the measurement is over: look at the sockets
    ended = reset = 0
    received: list[int] = []
    deadline = time.monotonic() + 30
    for sock in sockets:
        total = 0
        try:
            while True:
                if time.monotonic() > deadline:
                    break  # still receiving at the deadline: not at its end
                sock.settimeout(max(0.01, deadline - time.monotonic()))
                chunk = sock.recv(1 << 20)
                if not chunk:
                    ended += 1
                    break
                total += len(chunk)
        except ConnectionResetError:
            reset += 1
        except OSError:
            pass  # still open at the deadline: not at its end
        received.append(total)
        sock.close()
    conn.send(("looked", {"ended": ended, "reset": reset, "bytes": received}))


class _Watch:
    """The hub's RSS and open streams (``/metrics``), sampled in a thread every half second."""

    def __init__(self, hub: ServedHub) -> None:
        self.hub = hub
        self.samples: list[tuple[float, float, float]] = []  # (monotonic time, RSS MiB, open streams)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> _Watch:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        with httpx.Client(base_url=self.hub.base_url, headers=headers, timeout=30) as client:
            while not self._stop.is_set():
                self.samples.append((time.monotonic(), self.hub.rss_mib, _open_streams(client)))
                self._stop.wait(0.5)

    def streams_at(self, since: float) -> list[float]:
        return [streams for at, _rss, streams in self.samples if at >= since]

    def max_rss(self, since: float) -> float:
        return max((rss for at, rss, _streams in self.samples if at >= since), default=float("nan"))


def _open_streams(client: httpx.Client) -> float:
    try:
        found = _GAUGE.search(client.get("/metrics").content)
    except httpx.HTTPError:
        return float("nan")
    return float(found.group(1)) if found else float("nan")


def _settled_rss(hub: ServedHub, seconds: float) -> float:
    """The hub's RSS once it has been idle for ``seconds`` (the lowest of the last samples)."""
    samples = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        samples.append(hub.rss_mib)
        time.sleep(0.25)
    return min(samples[-4:])


def _pushing(
    hub: ServedHub, run: str, seconds: float
) -> tuple[multiprocessing.process.BaseProcess, Connection]:
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=_push_process, args=(hub.base_url, run, seconds, child), daemon=True)
    process.start()
    return process, parent


def _pushed(process: multiprocessing.process.BaseProcess, conn: Connection, seconds: float) -> Pushed:
    if not conn.poll(seconds + 180):
        raise RuntimeError("the pusher did not report")
    pushed: Pushed = conn.recv()
    process.join(timeout=30)
    return pushed


def _summary(latencies: list[float]) -> dict[str, float]:
    return {
        "p50": percentile(latencies, 0.50),
        "p95": percentile(latencies, 0.95),
        "p99": percentile(latencies, 0.99),
        "max": round(max(latencies), 2) if latencies else float("nan"),
        "reads": len(latencies),
    }


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def run(*, quick: bool) -> dict[str, Any]:
    previous = signal.signal(signal.SIGTERM, _interrupt)  # a time-out around the bench stops all
    try:
        return _run(quick=quick)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run(*, quick: bool) -> dict[str, Any]:
    alone_s, pushes_s, slow_s = (3.0, 6.0, 12.0) if quick else (15.0, 30.0, 60.0)
    send_timeout_s = 4.0 if quick else None  # None: the hub's default (30 s)
    context = multiprocessing.get_context("spawn")
    with (
        tempfile.TemporaryDirectory(prefix="veille-bench-slow-") as folder,
        _serve(Path(folder) / "data", send_timeout_s=send_timeout_s) as hub,
        _Watch(hub) as watch,
    ):
        rss_start = hub.rss_mib
        # 1. The read alone.
        alone = timed_reads(hub.base_url, TOKEN, alone_s)
        # 2. During pushes alone; the memory baseline once they are over.
        process, conn = _pushing(hub, "alone", pushes_s)
        time.sleep(1.0)  # the pushes are under way before the reads are timed
        during_pushes = timed_reads(hub.base_url, TOKEN, pushes_s - 1.5)
        pushed_alone = _pushed(process, conn, pushes_s)
        rss_before = _settled_rss(hub, 3.0)
        # 3. The 300 clients that never read, then the pushes, the reads sampled throughout.
        parent, child = context.Pipe()
        clients = context.Process(target=_never_reading, args=(hub.base_url, CLIENTS, child), daemon=True)
        clients.start()
        try:
            if not parent.poll(120):
                raise RuntimeError("the never-reading clients did not connect within 120 s")
            _kind, connected, connect_errors = parent.recv()
            deadline = time.monotonic() + 60
            while (watch.streams_at(time.monotonic() - 1) or [0])[-1] < connected:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the hub did not open the {connected} streams within 60 s")
                time.sleep(0.2)
            slow_started = time.monotonic()
            process, conn = _pushing(hub, "slow", slow_s)
            time.sleep(1.0)
            during_slow = timed_reads(hub.base_url, TOKEN, slow_s - 1.5)
            pushed_slow = _pushed(process, conn, slow_s)
            # The hub ends them with its send time-out (from when their writes first blocked).
            deadline = time.monotonic() + (send_timeout_s or 30.0) + 30
            while (watch.streams_at(time.monotonic() - 1) or [1])[-1] > 0 and time.monotonic() < deadline:
                time.sleep(0.2)
            streams_left = (watch.streams_at(time.monotonic() - 1) or [float("nan")])[-1]
            cut_after_s = next(
                (
                    at - slow_started
                    for at, _rss, streams in watch.samples
                    if at > slow_started and streams == 0
                ),
                None,
            )
            rss_during = watch.max_rss(slow_started)
            open_streams = [
                (round(at - slow_started, 1), streams)
                for at, _rss, streams in watch.samples[::4]
                if at >= slow_started - 1
            ]
            parent.send("look")
            if not parent.poll(120):
                raise RuntimeError("the never-reading clients did not report")
            _kind, looked = parent.recv()
            clients.join(timeout=30)
        finally:
            if clients.is_alive():
                clients.kill()
        # 4. The clients are gone: the memory once the hub has settled.
        rss_after = _settled_rss(hub, 5.0)
        after = timed_reads(hub.base_url, TOKEN, 2.0)
    slow = _summary(during_slow)
    base = _summary(alone)
    memory_back = rss_after <= rss_before * (1 + MEMORY_TOLERANCE)
    # Ended by the hub: its count of open streams fell to 0 while the 300 sockets were open.
    all_cut = cut_after_s is not None
    # Closed for the peer: the hub's buffered bytes are flushed before the socket closes, so a
    # socket reaches its end only once read (step 4 reads them, for 30 s in all).
    sockets_ended = looked["ended"] + looked["reset"]
    result: dict[str, Any] = {
        "metric": "p99_ms",
        "value": slow["p99"],
        "unit": f"ms, p99 of GET /api/v1/me while {CLIENTS} stream clients never read during {RATE:,} posts/s",
        "baseline": base["p99"],
        "ratio": round(slow["p99"] / base["p99"], 2) if base["p99"] else None,
        "goal": GOAL_P99_MS,
        "goal_met": slow["p99"] < GOAL_P99_MS and memory_back and all_cut,
        "p50": slow["p50"],
        "p95": slow["p95"],
        "p99": slow["p99"],
        "alone": base,
        "during_pushes_alone": _summary(during_pushes),
        "during_never_reading_clients": slow,
        "after": _summary(after),
        "never_reading_clients": connected,
        "connect_errors": connect_errors,
        "all_cut_by_hub": all_cut,
        "sockets_ended_when_read": sockets_ended,
        "streams_left_open": streams_left,
        "all_cut_after_s": round(cut_after_s, 1) if cut_after_s is not None else None,
        # Open streams (the hub's gauge) every ~2 s from the start of the pushes.
        "open_streams": open_streams,
        "send_timeout_s": send_timeout_s or 30.0,
        "bytes_sent_per_client_max": max(looked["bytes"], default=0),
        "pushes_alone": _push_summary(pushed_alone),
        "pushes_with_clients": _push_summary(pushed_slow),
        "rss_mib": {
            "start": round(rss_start),
            "baseline": round(rss_before),
            "during_max": round(rss_during),
            "after": round(rss_after),
        },
        "memory_back_to_baseline": memory_back,
        "load_average": [round(value, 2) for value in os.getloadavg()],
    }
    print(
        f"  GET /api/v1/me p99: {base['p99']} ms alone, {result['during_pushes_alone']['p99']} ms during "
        f"{RATE:,} posts/s, {slow['p99']} ms with {connected} never-reading stream clients too "
        f"(pushed {result['pushes_with_clients']['posts_per_s']:,.0f}/s); streams ended by the hub: "
        f"{'all' if all_cut else 'not all'} (send time-out {result['send_timeout_s']:.0f} s, all gone "
        f"{result['all_cut_after_s']} s after the pushes started; {sockets_ended}/{connected} sockets at "
        f"their end when read); "
        f"hub RSS {rss_start:.0f} → baseline {rss_before:.0f} → during ≤ {rss_during:.0f} → after "
        f"{rss_after:.0f} MiB; load {os.getloadavg()[0]:.1f}",
        file=sys.stderr,
        flush=True,
    )
    return result


def _push_summary(pushed: Pushed) -> dict[str, float]:
    return {
        "posts_per_s": round(len(pushed.acked) / pushed.seconds, 1) if pushed.seconds else 0.0,
        "refused": pushed.refused,
        "push_p99_ms": round(pushed.push_p99_ms, 1),
        "pusher_cpu_per_s": round(pushed.cpu_s / pushed.seconds, 3) if pushed.seconds else float("nan"),
    }
