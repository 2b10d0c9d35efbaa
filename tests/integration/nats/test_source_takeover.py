"""A source runs once across the cluster (issue 15, item 3), on the machine's real NATS JetStream
and PostgreSQL: two ``veille worker`` processes share one Bluesky source (a local fake Jetstream);
only the lease holder connects. The holder is killed with SIGKILL; the other worker takes the lease
over after its TTL and reconnects from the checkpoint committed in the store: the posts published
while nobody listened are caught up (no gap) and nothing is stored twice.
"""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import nats
import pytest
from sqlalchemy import text

from tests.fakes import LocalServer
from tests.fakes.bluesky import FakeBluesky, make_post_event
from tests.integration.nats.test_nats_bus import NATS_URL, nats_reachable  # noqa: F401 (fixture)
from tests.support.workers import delete_nats, start_worker, stop_workers, wait_until, worker_environment
from veille.sources.leases import lease_key
from veille.store.sql import SqlStore, open_store

pytestmark = [pytest.mark.nats, pytest.mark.postgres]

DEADLINE_S = 90  # generous: two workers load their models on two busy cores
TTL_S, RENEW_S = 3, 1
BASE_US = 1_780_000_000_000_000
REWIND_US = 3_000_000  # the connector's cursor_rewind_s default
FIRST, OUTAGE, SECOND = range(0, 30), range(30, 45), range(45, 60)


def _event(number: int) -> dict[str, Any]:
    # One second apart: the reconnection's cursor (checkpoint minus 3 s) replays three of them.
    return make_post_event(BASE_US + number * 1_000_000, f"panne wifi numero {number}")


@pytest.fixture
def names(request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    request.getfixturevalue("nats_reachable")
    token = uuid.uuid4().hex[:10]
    found = {"stream": f"LEASE_{token}", "prefix": f"lease{token}", "bucket": f"leases_{token}"}
    yield found
    delete_nats(NATS_URL, streams=[found["stream"]], buckets=[found["bucket"]])


@pytest.fixture
def bluesky() -> Iterator[tuple[FakeBluesky, LocalServer]]:
    fake = FakeBluesky()
    with LocalServer(fake.app) as server:
        yield fake, server


def _holder(names: dict[str, str]) -> dict[str, Any] | None:
    async def read() -> dict[str, Any] | None:
        connection = await nats.connect(NATS_URL, connect_timeout=2, max_reconnect_attempts=1)
        try:
            kv = await connection.jetstream().key_value(names["bucket"])
            entry = await kv.get(lease_key("bsky"))
            return json.loads(entry.value) if entry.value else None
        except (nats.js.errors.BucketNotFoundError, nats.js.errors.KeyNotFoundError):
            return None
        finally:
            await connection.close()

    return asyncio.run(read())


def _texts(store: SqlStore) -> list[str]:
    with store.engine.connect() as connection:
        return [row[0] for row in connection.execute(text("SELECT doc->>'text' FROM posts"))]


def test_the_lease_holder_is_killed_and_another_worker_continues_from_the_checkpoint(
    postgres_url: str, names: dict[str, str], bluesky: tuple[FakeBluesky, LocalServer], tmp_path: Path
) -> None:
    fake, server = bluesky
    fake.scripts = [
        [("event", _event(number)) for number in FIRST],
        [("event", _event(number)) for number in SECOND],
    ]
    config = tmp_path / "veille.toml"
    config.write_text(
        f'[[sources]]\ntype = "bluesky"\nname = "bsky"\nendpoint = "{server.ws_url}/subscribe"\nquery = "wifi"\n'
    )
    environment = worker_environment(
        NATS_URL,
        postgres_url,
        VEILLE_NATS_STREAM=names["stream"],
        VEILLE_NATS_SUBJECT_PREFIX=names["prefix"],
        VEILLE_SOURCE_LEASE_BUCKET=names["bucket"],
        VEILLE_SOURCE_LEASE_TTL_S=str(TTL_S),
        VEILLE_SOURCE_LEASE_RENEW_S=str(RENEW_S),
        VEILLE_OUTBOUND_ALLOW='["127.0.0.1"]',
    )
    store = open_store(postgres_url)
    workers: list[subprocess.Popen[bytes]] = []
    killed: set[int] = set()  # pids killed on purpose

    def start(index: int) -> subprocess.Popen[bytes]:
        return start_worker(tmp_path / f"worker{index}", environment, "--config", str(config))

    def wait(condition: Callable[[], bool], what: str) -> None:
        wait_until(
            condition,
            what,
            workers=[w for w in workers if w.pid not in killed],
            folder=tmp_path,
            timeout_s=DEADLINE_S,
        )

    try:
        workers = [start(0), start(1)]
        wait(lambda: len(_texts(store)) == len(FIRST), "the first 30 posts stored by the lease holder")
        checkpoint = BASE_US + FIRST[-1] * 1_000_000
        wait(lambda: store.get_checkpoint("bsky") == str(checkpoint), "the checkpoint of the last post")
        holder = _holder(names)
        assert holder is not None and holder["source"] == "bsky"
        by_pid = {worker.pid: worker for worker in workers}
        assert holder["pid"] in by_pid, holder
        # Only the holder connected: the source ran once across the cluster.
        assert len(fake.connections) == 1

        killed.add(holder["pid"])
        by_pid[holder["pid"]].send_signal(signal.SIGKILL)
        by_pid[holder["pid"]].wait(timeout=30)
        # Posted on the platform while nobody listens: the next holder must catch up on them.
        fake.log.extend(_event(number) for number in OUTAGE)
        survivor = next(worker for worker in workers if worker.pid != holder["pid"])

        wait(
            lambda: len(_texts(store)) >= len(FIRST) + len(OUTAGE) + len(SECOND),
            "every post after the takeover",
        )
        taken = _holder(names)
        assert taken is not None and taken["pid"] == survivor.pid and taken["owner"] != holder["owner"]
        # The survivor reconnected once, from the committed checkpoint (minus the connector's rewind).
        assert len(fake.connections) == 2
        assert fake.connections[1]["cursor"] == [str(checkpoint - REWIND_US)]
        with store.engine.connect() as connection:
            count, distinct = connection.execute(text("SELECT count(*), count(DISTINCT id) FROM posts")).one()
        expected = {f"panne wifi numero {number}" for number in (*FIRST, *OUTAGE, *SECOND)}
        texts = _texts(store)
        assert (count, distinct) == (len(expected), len(expected))  # nothing stored twice
        assert sorted(texts) == sorted(expected)  # no gap
        wait(
            lambda: store.get_checkpoint("bsky") == str(BASE_US + SECOND[-1] * 1_000_000),
            "the survivor's checkpoint",
        )
        assert survivor.poll() is None
    finally:
        stop_workers(workers, timeout_s=60)
        store.close()
    # The survivor stopped cleanly and gave its lease back.
    assert survivor.returncode == 0
    assert _holder(names) is None
