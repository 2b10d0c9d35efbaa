"""Stream clients of the live benchmark, run in processes of their own (``multiprocessing``).

Each process opens ``count`` streams on plain asyncio sockets (one :class:`asyncio.Protocol` per
stream speaking HTTP/1.1: a ``GET``, the status line and headers, then the body, de-chunked when
the hub sends it with ``Transfer-Encoding: chunked`` — uvicorn does, one chunk per write), reads
them as a screen would (all of each response, in chunks as large as the kernel hands over), and
measures for every post the time from its push to its arrival: the pusher writes the wall-clock
time of the push (one per batch of 50, taken as it is sent) into the post's id
(``bench:<run>:<n>:<unix time>``), so that one regular expression over the received bytes finds
both without decoding the JSON of 200 clients × 1,000 posts/s on a 2-core machine.

The per-post work is all in C (``re.findall``, ``zip``, ``set.update``, ``Counter``): the posts of
one read are counted per push time, and the Python work (a latency, a histogram bin, the batch's
latest arrival) is done once per push time in the read, not once per post. So the clients do not
take the cores the hub needs (with httpx and per-post Python, 200 clients took more CPU than the
hub). Each process reports its CPU time (:func:`time.process_time`, user and system) from the
first push to the last post read, for the parent's CPU-per-delivered-post figure.

Latencies go back to the parent as a histogram in milliseconds, with the time the last of the
process's clients read each batch (for the parent's acknowledgement-to-every-client delay).
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any
from urllib.parse import urlsplit

__all__ = ["ClientPlan", "Dechunker", "run_clients"]

_CATCHING_UP = b"event: catching-up"
_READY = b"event: ready"
_MAX_MS = 600_000


@dataclass(frozen=True)
class ClientPlan:
    base_url: str
    token: str
    run: str
    paths: list[str]  # one stream per path (its filter in the query string)
    # Per stream, the posts its filter selects: those whose number n has n % 10 == rule (None: all).
    rules: list[int | None]


class Dechunker:
    """HTTP/1.1 ``Transfer-Encoding: chunked`` decoding, fed with bytes as they arrive.

    :meth:`feed` returns the body bytes the input completes (possibly none) and keeps what is not
    yet complete: a chunk's size line cut in two, its data, or its trailing CRLF. ``ended`` is set
    by the last (zero-size) chunk. Chunk extensions (``;name=value``) are ignored, as RFC 9112 says.
    """

    __slots__ = ("_buffer", "_crlf", "_left", "ended")

    def __init__(self) -> None:
        self._buffer = b""
        self._left = 0  # data bytes of the current chunk still to come
        self._crlf = False  # the CRLF after a chunk's data is still to come
        self.ended = False

    def feed(self, data: bytes) -> bytes:
        buffer = self._buffer + data if self._buffer else data
        parts: list[bytes] = []
        position, size = 0, len(buffer)
        while position < size and not self.ended:
            if self._left:
                take = min(self._left, size - position)
                parts.append(buffer[position : position + take])
                position += take
                self._left -= take
                if self._left == 0:
                    self._crlf = True
                continue
            if self._crlf:
                if size - position < 2:
                    break
                if buffer[position : position + 2] != b"\r\n":
                    raise ValueError("chunked body: a chunk's data is not followed by CRLF")
                position += 2
                self._crlf = False
                continue
            end = buffer.find(b"\r\n", position)
            if end < 0:
                if size - position > 1024:
                    raise ValueError("chunked body: a chunk size line over 1 KiB")
                break
            line = buffer[position:end].split(b";", 1)[0].strip()
            try:
                self._left = int(line, 16)
            except ValueError:
                raise ValueError(f"chunked body: bad chunk size {line[:40]!r}") from None
            position = end + 2
            if self._left == 0:
                self.ended = True  # trailers, if any, are not read
        self._buffer = buffer[position:] if position < size else b""
        return parts[0] if len(parts) == 1 else b"".join(parts)


@dataclass
class _Client:
    path: str
    rule: int | None
    seen: set[bytes] = field(default_factory=set)  # post numbers as sent (ASCII digits)
    catching_up: int = 0
    received: int = 0  # body bytes
    ready: bool = False
    done: bool = False  # the connection is over (closed by the hub, or failed)
    error: str | None = None


class _Stream(asyncio.Protocol):
    """One ``GET /api/v1/stream``: the response's head, then its body as SSE bytes."""

    def __init__(
        self,
        client: _Client,
        request: bytes,
        pattern: re.Pattern[bytes],
        latest: dict[bytes, float],
        histogram: dict[int, int],
    ) -> None:
        self.client = client
        self.request = request
        self.pattern = pattern
        self.latest = latest
        self.histogram = histogram
        self.transport: asyncio.Transport | None = None
        self.head = b""
        self.dechunker: Dechunker | None = None  # None until the head is read (and without chunking)
        self.in_body = False
        self.pending = b""  # SSE bytes after the last complete event

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        if not self.in_body:
            self.head += data
            end = self.head.find(b"\r\n\r\n")
            if end < 0:
                if len(self.head) > 65536:
                    self._fail("the response's head is over 64 KiB")
                return
            head, data = self.head[:end], self.head[end + 4 :]
            self.head = b""
            self.in_body = True
            status_line, _, fields = head.partition(b"\r\n")
            parts = status_line.split(b" ", 2)
            if len(parts) < 2 or parts[1] != b"200":
                self._fail(f"HTTP {status_line.decode(errors='replace')}: {data[:200]!r}")
                return
            for line in fields.split(b"\r\n"):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"transfer-encoding" and b"chunked" in value.lower():
                    self.dechunker = Dechunker()
            if not data:
                return
        if self.dechunker is not None:
            try:
                data = self.dechunker.feed(data)
            except ValueError as error:
                self._fail(str(error))
                return
            if not data:
                return
        self._events(data)

    def _events(self, data: bytes) -> None:
        now = time.time()
        self.client.received += len(data)
        buffer = self.pending + data if self.pending else data
        cut = buffer.rfind(b"\n\n")
        if cut < 0:
            self.pending = buffer
            return
        complete, self.pending = buffer[: cut + 2], buffer[cut + 2 :]
        client = self.client
        if not client.ready and _READY in complete:
            client.ready = True
        if _CATCHING_UP in complete:
            client.catching_up += complete.count(_CATCHING_UP)
        found = self.pattern.findall(complete)
        if not found:
            return
        numbers, stamps = zip(*found, strict=True)
        client.seen.update(numbers)
        histogram, latest = self.histogram, self.latest
        for stamp, count in Counter(stamps).items():  # one or two push times per read
            latency = min(_MAX_MS, max(0, int((now - float(stamp)) * 1000)))
            histogram[latency] = histogram.get(latency, 0) + count
            latest[stamp] = now  # the last of this process's clients to read it: ``now`` only grows

    def _fail(self, reason: str) -> None:
        self.client.error = reason
        self.client.ready = True
        if self.transport is not None:
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        client = self.client
        if exc is not None and client.error is None and not client.done:
            client.error = f"{type(exc).__name__}: {exc}"
        client.done = True
        client.ready = True


def _factory(stream: _Stream) -> Callable[[], _Stream]:
    return lambda: stream


def _request(plan: ClientPlan, path: str, host: str) -> bytes:
    return (
        f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\n"
        f"Authorization: Bearer {plan.token}\r\nCache-Control: no-cache\r\n\r\n"
    ).encode()


async def _main(plan: ClientPlan, conn: Connection) -> None:
    clients = [_Client(path, rule) for path, rule in zip(plan.paths, plan.rules, strict=True)]
    url = urlsplit(plan.base_url)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    pattern = re.compile(rb'"id":"bench:' + re.escape(plan.run.encode()) + rb':(\d+):(\d+\.\d+)"')
    latest: dict[bytes, float] = {}
    histogram: dict[int, int] = {}
    loop = asyncio.get_running_loop()
    transports: list[asyncio.Transport] = []
    for client in clients:
        stream = _Stream(client, _request(plan, client.path, url.netloc), pattern, latest, histogram)
        try:
            transport, _protocol = await loop.create_connection(_factory(stream), host, port)
        except OSError as error:
            client.error = f"{type(error).__name__}: {error}"
            client.ready = True
            continue
        transports.append(transport)
    while not all(client.ready for client in clients):
        await asyncio.sleep(0.05)
    conn.send(("ready", [client.error for client in clients]))
    # The parent says when the pushing starts (for the CPU time), then when it is over and how
    # many posts each stream should get.
    await loop.run_in_executor(None, conn.recv)
    cpu_start, wall_start = time.process_time(), time.monotonic()
    expected: list[int] = await loop.run_in_executor(None, conn.recv)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(
        len(client.seen) < want and client.error is None and not client.done
        for client, want in zip(clients, expected, strict=True)
    ):
        await asyncio.sleep(0.1)
    cpu_s, wall_s = time.process_time() - cpu_start, time.monotonic() - wall_start
    for transport in transports:
        transport.close()
    numbers = [{int(number) for number in client.seen} for client in clients]
    report: dict[str, Any] = {
        "seen": [len(seen) for seen in numbers],
        "wrong": sum(
            sum(1 for number in seen if number % 10 != client.rule)
            for client, seen in zip(clients, numbers, strict=True)
            if client.rule is not None
        ),
        "catching_up": sum(client.catching_up for client in clients),
        "errors": [client.error for client in clients if client.error],
        "histogram": histogram,
        "latest": {stamp.decode(): at for stamp, at in latest.items()},
        "received_bytes": sum(client.received for client in clients),
        "cpu_s": cpu_s,
        "wall_s": wall_s,
    }
    conn.send(("done", report))


def run_clients(plan: ClientPlan, conn: Connection) -> None:
    """The process's entry point (spawned): follow the streams until told to stop, then report."""
    asyncio.run(_main(plan, conn))
