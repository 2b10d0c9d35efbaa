"""``veille worker`` processes on the machine's real NATS JetStream and PostgreSQL, shared by the
cluster tests (tests/integration/nats/test_workers.py, test_source_takeover.py): the environment
that points a worker at a private stream, starting and stopping workers, waiting on a condition
while watching that no worker died, and deleting the private stream and buckets afterwards."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import nats


def worker_environment(nats_url: str, postgres_url: str, **settings: str) -> dict[str, str]:
    """This process's environment without any VEILLE_ variable, plus the bus on NATS at
    ``nats_url``, the store at ``postgres_url`` and ``settings`` (VEILLE_ names, string values)."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("VEILLE_")}
    environment.update(
        {
            "VEILLE_BUS": "nats",
            "VEILLE_NATS_URL": nats_url,
            "VEILLE_DATABASE_URL": postgres_url.replace("postgresql+psycopg://", "postgresql://"),
            **settings,
        }
    )
    return environment


def start_worker(data: Path, environment: dict[str, str], *options: str) -> subprocess.Popen[bytes]:
    """``veille worker --data DATA OPTIONS``, its output appended to DATA/worker.log."""
    data.mkdir(parents=True, exist_ok=True)
    with (data / "worker.log").open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "veille", "worker", "--data", str(data), *options],
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def worker_logs(folder: Path, tail: int = 3000) -> str:
    """The end of every worker.log under ``folder`` (one level down)."""
    return "\n".join(path.read_text(errors="replace")[-tail:] for path in sorted(folder.glob("*/worker.log")))


def wait_until(
    condition: Callable[[], bool],
    what: str,
    *,
    workers: Iterable[subprocess.Popen[bytes]],
    folder: Path,
    timeout_s: float,
    interval_s: float = 0.2,
) -> None:
    """Poll ``condition`` until it holds; fail at once, with the workers' logs, when a worker
    exits meanwhile, or after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        for worker in list(workers):
            if worker.poll() is not None:
                raise AssertionError(
                    f"a worker exited ({worker.returncode}) while waiting for {what}:\n{worker_logs(folder)}"
                )
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}\n{worker_logs(folder)}")
        time.sleep(interval_s)


def stop_workers(workers: Iterable[subprocess.Popen[bytes]], timeout_s: float) -> None:
    """SIGTERM to every running worker, then wait for each (SIGKILL after ``timeout_s``)."""
    workers = list(workers)
    for worker in workers:
        if worker.poll() is None:
            worker.terminate()
    for worker in workers:
        try:
            worker.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def delete_nats(nats_url: str, *, streams: Iterable[str] = (), buckets: Iterable[str] = ()) -> None:
    """Delete the test's private streams and key-value buckets, those that exist."""

    async def delete() -> None:
        connection = await nats.connect(nats_url, connect_timeout=2, max_reconnect_attempts=1)
        js = connection.jetstream()
        try:
            for stream in streams:
                with contextlib.suppress(nats.js.errors.NotFoundError):
                    await js.delete_stream(stream)
            for bucket in buckets:
                with contextlib.suppress(nats.js.errors.NotFoundError):
                    await js.delete_key_value(bucket)
        finally:
            await connection.close()

    asyncio.run(delete())
