"""NatsBus against the real NATS JetStream server of the machine (no mocks).

Each test gets its own stream and subject prefix (two streams may not share subjects) and deletes
the stream afterwards.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import nats
import pytest

from tests.conftest import unavailable
from tests.support.posts import post_json
from veille.bus.base import POSTS_SUBJECT, BusEvent, Subscription
from veille.bus.nats import BusUnavailable, NatsBus, message_id
from veille.model import parse_post
from veille.pipeline import Pipeline
from veille.store.sql import open_store

pytestmark = pytest.mark.nats

NATS_URL = os.environ.get("VEILLE_TEST_NATS_URL", "nats://127.0.0.1:4222")

BusFactory = Callable[..., Awaitable[NatsBus]]


@pytest.fixture(scope="module")
def nats_reachable() -> None:
    """Checked once: skip (or fail under VEILLE_REQUIRE_SERVICES=1) when the server is not there."""
    url = urlsplit(NATS_URL)
    try:
        socket.create_connection((url.hostname or "127.0.0.1", url.port or 4222), timeout=2).close()
    except OSError as error:
        unavailable(f"NATS JetStream at {NATS_URL}", error)


@pytest.fixture
async def names(nats_reachable: None) -> AsyncIterator[dict[str, str]]:
    token = uuid.uuid4().hex[:12]
    stream = f"TEST_{token}"
    yield {"stream": stream, "subject_prefix": f"test{token}"}
    # Deleted through a separate connection, whatever state the buses were left in.
    with_cleanup = await nats.connect(NATS_URL, connect_timeout=2, max_reconnect_attempts=1)
    try:
        await with_cleanup.jetstream().delete_stream(stream)
    except nats.js.errors.NotFoundError:
        pass
    finally:
        await with_cleanup.close()


@pytest.fixture
async def make_bus(names: dict[str, str]) -> AsyncIterator[BusFactory]:
    """Buses on the test's stream, each with its own connection (as separate processes would)."""
    buses: list[NatsBus] = []

    async def make(**options: Any) -> NatsBus:
        options = {**names, "connect_wait": 3.0, **options}
        try:
            bus = await NatsBus.connect(NATS_URL, **options)
        except BusUnavailable as error:
            unavailable(f"NATS JetStream at {NATS_URL}", error)
        buses.append(bus)
        return bus

    yield make
    for bus in buses:
        await bus.close()


def events(seqs: range, subject: str = POSTS_SUBJECT) -> list[BusEvent]:
    return [BusEvent(subject, seq, post_json(seq)) for seq in seqs]


async def take(subscription: Subscription, count: int, timeout: float = 60.0) -> list[BusEvent]:
    received: list[BusEvent] = []
    iterator = aiter(subscription)

    async def collect() -> None:
        while len(received) < count:
            received.append(await anext(iterator))

    await asyncio.wait_for(collect(), timeout)
    return received


async def wait_until(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.02)


# -- live side ----------------------------------------------------------------------------------


async def test_round_trip_in_publication_order(make_bus: BusFactory) -> None:
    bus = await make_bus()
    subscription = await bus.subscribe(POSTS_SUBJECT)
    sent = events(range(1, 41)) + events(range(41, 42)) + events(range(42, 121))
    await bus.publish(sent[:40])
    await bus.publish(sent[40:41])
    await bus.publish(sent[41:])
    received = await take(subscription, 120)
    assert received == sent
    assert not subscription.lagged
    assert bus.stats.published == 120 and bus.stats.duplicates == 0


async def test_subscribers_get_only_events_published_after_subscribing(make_bus: BusFactory) -> None:
    bus = await make_bus()
    await bus.publish(events(range(1, 6)))
    subscription = await bus.subscribe(POSTS_SUBJECT)
    await bus.publish(events(range(6, 11)))
    received = await take(subscription, 5)
    assert [event.seq for event in received] == [6, 7, 8, 9, 10]


async def test_every_process_and_every_subscriber_gets_every_event(make_bus: BusFactory) -> None:
    serve_a, serve_b, worker = await make_bus(), await make_bus(), await make_bus()
    subscriptions = [
        await serve_a.subscribe(POSTS_SUBJECT),
        await serve_a.subscribe(POSTS_SUBJECT),
        await serve_b.subscribe(POSTS_SUBJECT),
    ]
    sent = events(range(1, 31))
    await worker.publish(sent)
    for subscription in subscriptions:
        assert await take(subscription, 30) == sent


async def test_subjects_are_kept_apart(make_bus: BusFactory) -> None:
    bus = await make_bus()
    posts = await bus.subscribe(POSTS_SUBJECT)
    alerts = await bus.subscribe("alerts.fired")
    await bus.publish([BusEvent("alerts.fired", 1, {"rule": "r1"}), *events(range(1, 3))])
    assert await take(alerts, 1) == [BusEvent("alerts.fired", 1, {"rule": "r1"})]
    assert [event.seq for event in await take(posts, 2)] == [1, 2]


async def test_a_replayed_batch_is_delivered_once(make_bus: BusFactory, names: dict[str, str]) -> None:
    worker, serve = await make_bus(), await make_bus()
    subscription = await serve.subscribe(POSTS_SUBJECT)
    batch = events(range(1, 21))
    await worker.publish(batch)
    # A worker that crashed before committing its checkpoint publishes the same stored posts again.
    replay = await make_bus()
    await replay.publish(batch)
    await replay.publish(events(range(21, 22)))  # a marker: everything before it has been delivered
    received = await take(subscription, 21)
    assert [event.seq for event in received] == list(range(1, 22))
    assert replay.stats.duplicates == 20 and replay.stats.published == 21
    nc = await nats.connect(NATS_URL)
    try:
        info = await nc.jetstream().stream_info(names["stream"])
    finally:
        await nc.close()
    assert info.state.messages == 21


def test_message_id_names_subject_sequence_and_post() -> None:
    assert message_id(BusEvent("posts", 7, {"id": "x:1"})) == "posts:7:x:1"
    assert message_id(BusEvent("alerts", 2, {"rule": "r"})) == "alerts:2:"


async def test_a_slow_subscriber_keeps_the_newest_events_and_is_marked_lagged(make_bus: BusFactory) -> None:
    bus = await make_bus(buffer=3)
    slow = await bus.subscribe(POSTS_SUBJECT)
    await bus.publish(events(range(1, 11)))
    await wait_until(lambda: bus.stats.received == 10)
    received = await take(slow, 3)
    assert [event.seq for event in received] == [8, 9, 10]
    assert slow.lagged


async def test_close_ends_the_subscriptions(make_bus: BusFactory) -> None:
    bus = await make_bus()
    subscription = await bus.subscribe(POSTS_SUBJECT)
    await bus.close()
    leftover = [event async for event in subscription]
    assert leftover == []
    with pytest.raises(BusUnavailable, match="closed"):
        await bus.publish(events(range(1, 2)))


async def test_stored_posts_reach_another_process_through_the_pipeline(
    make_bus: BusFactory, tmp_path: Path
) -> None:
    worker_bus, serve_bus = await make_bus(), await make_bus()
    subscription = await serve_bus.subscribe(POSTS_SUBJECT)
    store = open_store(f"sqlite:///{tmp_path / 'veille.sqlite3'}")
    pipeline = Pipeline(store=store, bus=worker_bus, stages=[])
    await pipeline.start()
    try:
        posts = [parse_post(post_json(index)) for index in range(1, 6)]
        stored = await pipeline.submit(posts)
    finally:
        await pipeline.stop()
        store.close()
    received = await take(subscription, 5)
    assert [(event.seq, event.data["id"]) for event in received] == [
        (item.seq, item.post.id) for item in stored
    ]
    assert received[0].data == stored[0].post.to_json_dict()


# -- stream configuration and errors -------------------------------------------------------------


async def test_stream_creation_is_idempotent_and_takes_new_limits(
    make_bus: BusFactory, names: dict[str, str]
) -> None:
    first = await make_bus(max_age=3600)
    await first.publish(events(range(1, 4)))
    second = await make_bus(max_age=7200, max_bytes=1 << 20)
    nc = await nats.connect(NATS_URL)
    try:
        info = await nc.jetstream().stream_info(names["stream"])
    finally:
        await nc.close()
    assert info.config.subjects == [f"{names['subject_prefix']}.>"]
    assert info.config.max_age == 7200 and info.config.max_bytes == 1 << 20
    assert info.state.messages == 3  # updating the limits kept the stored events
    assert second.stats.published == 0


async def test_a_stream_overlapping_another_is_refused_clearly(
    make_bus: BusFactory, names: dict[str, str]
) -> None:
    await make_bus()
    with pytest.raises(ValueError, match="overlap"):
        await NatsBus.connect(
            NATS_URL, stream=names["stream"] + "_OTHER", subject_prefix=names["subject_prefix"]
        )


async def test_bad_subjects_and_names_are_refused(make_bus: BusFactory) -> None:
    bus = await make_bus()
    with pytest.raises(ValueError, match=re.escape("'posts.>'")):
        await bus.subscribe("posts.>")
    with pytest.raises(ValueError, match="'two words'"):
        await bus.publish([BusEvent("two words", 1, {})])
    with pytest.raises(ValueError, match="durable consumer name"):
        await bus.pull("work", durable="a.b")
    with pytest.raises(ValueError, match="stream name"):
        NatsBus(stream="has space")


async def test_an_unreachable_server_is_reported() -> None:
    bus = NatsBus("nats://127.0.0.1:1", connect_wait=0.5)
    with pytest.raises(BusUnavailable, match=r"127\.0\.0\.1:1 is not reachable"):
        await bus.start()
    await bus.close()


# -- work queue ----------------------------------------------------------------------------------


async def test_workers_on_one_durable_share_the_messages_without_duplicates(make_bus: BusFactory) -> None:
    producer, worker_a, worker_b = await make_bus(), await make_bus(), await make_bus()
    queue_a = await worker_a.pull("work.sources")
    queue_b = await worker_b.pull("work.sources")
    await producer.publish(events(range(1, 41), subject="work.sources"))
    got: dict[str, list[int]] = {"a": [], "b": []}
    for _ in range(20):
        # Each takes a batch while the other still holds its own, unacknowledged.
        batch_a = await queue_a.fetch(7, timeout=0.5)
        batch_b = await queue_b.fetch(7, timeout=0.5)
        got["a"] += [message.event.seq for message in batch_a]
        got["b"] += [message.event.seq for message in batch_b]
        for message in batch_a + batch_b:
            assert message.event.subject == "work.sources"
            assert message.deliveries == 1
            await message.ack()
        if len(got["a"]) + len(got["b"]) >= 40:
            break
    assert got["a"] and got["b"]
    assert not set(got["a"]) & set(got["b"])
    assert sorted(got["a"] + got["b"]) == list(range(1, 41))
    await worker_a.flush()
    await worker_b.flush()
    assert await queue_a.fetch(10, timeout=0.3) == []


async def test_work_published_before_the_first_worker_is_not_lost(make_bus: BusFactory) -> None:
    producer, worker = await make_bus(), await make_bus()
    await producer.publish(events(range(1, 4), subject="work"))
    queue = await worker.pull("work")
    batch = await queue.fetch(10, timeout=5)
    assert [message.event.seq for message in batch] == [1, 2, 3]
    assert batch[0].event.data == post_json(1)


async def test_an_unacknowledged_message_goes_to_another_worker_after_ack_wait(make_bus: BusFactory) -> None:
    producer, crashed, survivor = await make_bus(), await make_bus(), await make_bus()
    queue_crashed = await crashed.pull("work", ack_wait=1.0)
    queue_survivor = await survivor.pull("work", ack_wait=1.0)
    await producer.publish(events(range(1, 2), subject="work"))
    [first] = await queue_crashed.fetch(1, timeout=5)
    assert first.deliveries == 1
    # Never acknowledged: after ack_wait the server hands it to whoever pulls.
    [again] = await queue_survivor.fetch(1, timeout=5)
    assert again.event == first.event
    assert again.deliveries == 2
    await again.ack()


async def test_a_refused_message_is_delivered_again(make_bus: BusFactory) -> None:
    producer, worker = await make_bus(), await make_bus()
    queue = await worker.pull("work", ack_wait=30.0)
    await producer.publish(events(range(1, 3), subject="work"))
    first = await queue.fetch(2, timeout=5)
    assert [message.event.seq for message in first] == [1, 2]
    await first[0].nak()
    await first[1].ack()
    [again] = await queue.fetch(2, timeout=5)
    assert (again.event.seq, again.deliveries) == (1, 2)
    await again.term()
    await worker.flush()
    assert await queue.fetch(1, timeout=0.3) == []


async def test_one_durable_name_serves_several_subjects(make_bus: BusFactory) -> None:
    bus = await make_bus()
    sources = await bus.pull("work.sources")
    alerts = await bus.pull("work.alerts")
    await bus.publish(
        events(range(1, 3), subject="work.sources") + events(range(1, 2), subject="work.alerts")
    )
    assert [m.event.seq for m in await sources.fetch(5, timeout=5)] == [1, 2]
    assert [m.event.subject for m in await alerts.fetch(5, timeout=5)] == ["work.alerts"]
    assert sources.consumer == "workers_work_sources"
