"""The live layer in process: one encoding per batch, one evaluation per distinct filter, slow
clients caught up from the store without holding anyone up, caps per principal and in all.

A real hub (SQLite store, in-process bus, the real pipeline without enrichment stages) writes the
posts; clients are :class:`~veille.live.LiveSubscription` objects read (or not read) by tasks.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.support.posts import post_json
from veille.errors import Invalid
from veille.hub import Hub
from veille.live import LiveFilter, LiveLayer, LiveLimits, LiveSubscription, StreamLimitReached, StreamsFull
from veille.model import Post
from veille.settings import Settings

DEADLINE_S = 60.0  # generous: the machine is shared; every wait below is on a condition


@dataclass
class Event:
    event: str
    id: str | None
    data: str

    def json(self) -> Any:
        return json.loads(self.data)


def parse(chunk: bytes) -> list[Event]:
    events = []
    for block in chunk.decode().split("\n\n"):
        name, event_id, data = "message", None, []
        for line in block.split("\n"):
            key, _, value = line.partition(": ")
            if key == "event":
                name = value
            elif key == "id":
                event_id = value
            elif key == "data":
                data.append(value)
        if data:
            events.append(Event(name, event_id, "\n".join(data)))
    return events


@dataclass
class Reader:
    """Reads one subscription in a task, as a fast screen would."""

    subscription: LiveSubscription
    events: list[Event] = field(default_factory=list)
    writes: int = 0
    task: asyncio.Task[None] | None = None

    def start(self) -> Reader:
        self.task = asyncio.create_task(self._read())
        return self

    async def _read(self) -> None:
        async for chunk in self.subscription.chunks():
            self.writes += 1
            self.events.extend(parse(chunk))

    @property
    def post_ids(self) -> list[str]:
        return [event.json()["id"] for event in self.events if event.event == "post"]

    @property
    def names(self) -> list[str]:
        return [event.event for event in self.events]

    async def stop(self) -> None:
        await self.subscription.close()
        if self.task is not None:
            await asyncio.wait_for(self.task, DEADLINE_S)


async def wait_for(condition: Callable[[], bool], what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DEADLINE_S
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


@pytest.fixture
async def hub(settings: Settings) -> AsyncIterator[Hub]:
    the_hub = Hub.build(settings, stages=[])
    the_hub.live = LiveLayer(
        bus=the_hub.bus,
        store=the_hub.store,
        last_seq=the_hub.store.last_seq,
        limits=LiveLimits(per_principal=3, total=5, queue_chunks=4, page_size=16, store_reads_per_s=200),
        resolve_topic=the_hub.topics.resolve,
    )
    await the_hub.start()
    try:
        yield the_hub
    finally:
        await the_hub.stop()


def posts(start: int, count: int, **overrides: Any) -> list[Post]:
    return [Post.model_validate(post_json(index, **overrides)) for index in range(start, start + count)]


async def test_a_batch_is_encoded_once_and_filtered_once_per_distinct_filter(hub: Hub) -> None:
    live = hub.streams
    french = LiveFilter.of(languages=["fr"])
    readers = [Reader(live.subscribe(french, principal=f"p{index}")).start() for index in range(3)] + [
        Reader(live.subscribe(LiveFilter(), principal="all")).start()
    ]
    assert live.filter_count == 2
    batches_before, evaluations_before = live.batches, live.filter_evaluations
    await hub.pipeline.submit([*posts(0, 3, lang="fr"), *posts(3, 2, lang="en"), *posts(5, 1, lang="fr")])

    await wait_for(lambda: all(len(reader.post_ids) >= 3 for reader in readers[:3]), "the French posts")
    await wait_for(lambda: len(readers[3].post_ids) == 6, "every post")
    assert live.batches - batches_before == 1
    assert live.filter_evaluations - evaluations_before == 2  # two distinct filters, four clients
    for reader in readers[:3]:
        assert reader.post_ids == ["push:0", "push:1", "push:2", "push:5"]
    assert readers[3].post_ids == [f"push:{index}" for index in range(6)]
    ids = [int(event.id or 0) for event in readers[3].events if event.event == "post"]
    assert ids == sorted(ids)
    for reader in readers:
        await reader.stop()
    assert live.client_count == 0 and live.filter_count == 0


async def test_filters_deliver_exactly_the_matching_posts(hub: Hub) -> None:
    live = hub.streams
    cases = {
        "source": LiveFilter.of(sources=["Mastodon"]),
        "country": LiveFilter.of(countries=["fr"]),
        "query": LiveFilter.of(query='"number 4" OR fibre AND lang:de'),
        "both": LiveFilter.of(languages=["de"], countries=["ES"]),
    }
    readers = {name: Reader(live.subscribe(f, principal=f"p-{name}")).start() for name, f in cases.items()}
    batch = [
        *posts(0, 2, source="mastodon"),
        *posts(2, 2, country="FR"),
        *posts(4, 1),
        *posts(5, 2, lang="de", country="ES"),
        *posts(7, 1, lang="de"),
    ]
    await hub.pipeline.submit(batch)
    expected = {
        "source": ["push:0", "push:1"],
        "country": ["push:2", "push:3"],
        "query": ["push:4", "push:5", "push:6", "push:7"],
        "both": ["push:5", "push:6"],
    }
    # Each filter's selection of a batch is one chunk: once its last post is there, all of it is.
    for name, reader in readers.items():
        await wait_for(lambda reader=reader, name=name: len(reader.post_ids) >= len(expected[name]), name)
    for name, reader in readers.items():
        assert reader.post_ids == expected[name], name
        await reader.stop()


async def test_a_client_resuming_ahead_of_the_live_edge_gets_no_repeat(hub: Hub) -> None:
    live = hub.streams
    # The writer has stored these, but the live layer may not have seen them yet: a client that
    # already got them (its Last-Event-ID) must not get them again from the live batch.
    stored = await hub.pipeline.submit(posts(0, 6))
    reader = Reader(live.subscribe(LiveFilter(), principal="p", after=stored[2].seq)).start()
    await hub.pipeline.submit(posts(6, 1))
    await wait_for(lambda: "push:6" in reader.post_ids, "the next post")
    assert reader.post_ids == ["push:3", "push:4", "push:5", "push:6"]
    await reader.stop()


async def test_a_query_that_does_not_parse_or_names_no_topic_is_refused(hub: Hub) -> None:
    live = hub.streams
    with pytest.raises(Invalid) as refused:
        live.subscribe(LiveFilter.of(query="fibre AND ("), principal="p")
    assert refused.value.field == "query"
    with pytest.raises(Invalid, match="unknown topic 'nowhere'"):
        live.subscribe(LiveFilter.of(query="topic:nowhere"), principal="p")
    assert live.client_count == 0


async def test_resume_after_an_event_id_replays_the_gap_then_goes_live(hub: Hub) -> None:
    live = hub.streams
    stored = await hub.pipeline.submit(posts(0, 40))  # more than two catch-up pages of 16
    await wait_for(lambda: live.last_seq == stored[-1].seq, "the live edge")  # so the gap is in the store
    reads_before = live.catchup.reads
    reader = Reader(live.subscribe(LiveFilter(), principal="p", after=stored[4].seq)).start()
    await wait_for(lambda: len(reader.post_ids) == 35, "the gap")
    await hub.pipeline.submit(posts(40, 2))
    await wait_for(lambda: len(reader.post_ids) == 37, "the live posts")
    assert reader.post_ids == [f"push:{index}" for index in range(5, 42)]
    assert "catching-up" not in reader.names  # a resume is not a slow client
    assert live.catchup.reads > reads_before
    assert reader.events[0].event == "ready" and reader.events[0].json() == {"last_seq": stored[4].seq}
    await reader.stop()


async def test_a_slow_client_holds_up_neither_the_pipeline_nor_a_fast_client(hub: Hub) -> None:
    live = hub.streams
    slow = live.subscribe(LiveFilter(), principal="slow")  # never read until the end
    fast = Reader(live.subscribe(LiveFilter(), principal="fast")).start()
    total = 0
    for start in range(0, 120, 6):  # 20 batches: far more than the slow client's 4 queued ones
        await hub.pipeline.submit(posts(start, 6))  # returns once stored and published
        total += 6
    await wait_for(lambda: len(fast.post_ids) == total, "the fast client")
    assert fast.post_ids == [f"push:{index}" for index in range(total)]
    assert "catching-up" not in fast.names
    assert slow.behind is not None, "the slow client is marked lagging"
    reads_before = live.catchup.reads

    # Now it reads: what was queued, then "catching-up", the missed posts from the store, "caught-up".
    late = Reader(slow).start()
    await wait_for(lambda: "caught-up" in late.names, "the catch-up")
    await hub.pipeline.submit(posts(total, 2))
    await wait_for(lambda: len(late.post_ids) == total + 2, "the slow client, live again")
    assert late.post_ids == [f"push:{index}" for index in range(total + 2)]  # no gap, no repeat
    names = [name for name in late.names if name != "post"]
    assert names == ["ready", "catching-up", "caught-up"]
    assert live.catchup.reads > reads_before
    await wait_for(lambda: len(fast.post_ids) == total + 2, "the fast client")
    await fast.stop()
    await late.stop()


async def test_lagging_clients_of_one_filter_share_the_store_reads(hub: Hub) -> None:
    live = hub.streams
    lagging = [live.subscribe(LiveFilter(), principal=f"p{index}") for index in range(3)]
    for start in range(0, 96, 6):
        await hub.pipeline.submit(posts(start, 6))
    assert all(sub.behind is not None for sub in lagging)
    reads_before = live.catchup.reads
    readers = [Reader(sub).start() for sub in lagging]
    await wait_for(lambda: all("caught-up" in reader.names for reader in readers), "every catch-up")
    for reader in readers:
        assert reader.post_ids == [f"push:{index}" for index in range(96)]
    # The missed posts span a handful of pages: read once each, not once per client.
    pages = 96 // live.limits.page_size + 2
    assert live.catchup.reads - reads_before <= pages
    for reader in readers:
        await reader.stop()


async def test_a_client_far_behind_is_skipped_forward_and_told_so(settings: Settings) -> None:
    hub = Hub.build(settings, stages=[])
    hub.live = LiveLayer(
        bus=hub.bus,
        store=hub.store,
        last_seq=hub.store.last_seq,
        limits=LiveLimits(queue_chunks=2, max_replay=20, page_size=8, store_reads_per_s=200),
    )
    await hub.start()
    try:
        slow = hub.streams.subscribe(LiveFilter(), principal="p")
        for start in range(0, 60, 5):
            await hub.pipeline.submit(posts(start, 5))
        reader = Reader(slow).start()
        await wait_for(lambda: "caught-up" in reader.names, "the catch-up")
        catching = next(event for event in reader.events if event.event == "catching-up").json()
        assert catching["skipped"] > 0
        # What was queued (the first two batches), then only the newest 20 posts.
        assert reader.post_ids == [f"push:{index}" for index in [*range(10), *range(40, 60)]]
        await reader.stop()
    finally:
        await hub.stop()


async def test_streams_are_capped_per_principal_and_in_all(hub: Hub) -> None:
    live = hub.streams
    held = [live.subscribe(LiveFilter(), principal="screen") for _ in range(3)]
    with pytest.raises(StreamLimitReached) as per_principal:
        live.subscribe(LiveFilter(), principal="screen")
    assert "3 live streams are already open" in str(per_principal.value)
    others = [live.subscribe(LiveFilter(), principal=f"other{index}") for index in range(2)]
    with pytest.raises(StreamsFull):
        live.subscribe(LiveFilter(), principal="newcomer")
    await held[0].close()
    await held[0].close()  # closing twice frees one place, once
    held[0] = live.subscribe(LiveFilter(), principal="screen")
    assert live.client_count == 5 and live.clients_of("screen") == 3
    for subscription in [*held, *others]:
        await subscription.close()
    assert live.client_count == 0


async def test_stopping_the_hub_ends_every_stream(settings: Settings) -> None:
    hub = Hub.build(settings, stages=[])
    await hub.start()
    reader = Reader(hub.streams.subscribe(LiveFilter(), principal="p")).start()
    await wait_for(lambda: reader.names == ["ready"], "ready")
    await hub.stop()
    assert reader.task is not None
    await asyncio.wait_for(reader.task, DEADLINE_S)


async def test_notify_reaches_the_clients_whose_filter_is_chosen(hub: Hub) -> None:
    live = hub.streams
    wall = Reader(live.subscribe(LiveFilter.of(topics=["helix"]), principal="a")).start()
    other = Reader(live.subscribe(LiveFilter(), principal="b")).start()
    await wait_for(lambda: wall.names == ["ready"] and other.names == ["ready"], "ready")
    assert live.notify("hide", {"post_id": "push:1"}, where=lambda f: "helix" in f.topics) == 1
    await wait_for(lambda: "hide" in wall.names, "the event")
    await hub.pipeline.submit(posts(0, 1))
    await wait_for(lambda: len(other.post_ids) == 1, "a post after it")
    assert "hide" not in other.names
    await wall.stop()
    await other.stop()


async def test_when_the_bus_feed_ends_every_stream_ends_and_new_ones_follow_a_new_feed(hub: Hub) -> None:
    live = hub.streams
    first = Reader(live.subscribe(LiveFilter(), principal="p")).start()
    await wait_for(lambda: first.names == ["ready"], "ready")
    await hub.bus.close()  # what a cut of the bus does to its subscribers
    assert first.task is not None
    await asyncio.wait_for(first.task, DEADLINE_S)
    await first.stop()
    await wait_for(lambda: live._feed is not None and hub.bus.subscriber_count == 1, "a new feed")  # type: ignore[attr-defined]
    again = Reader(live.subscribe(LiveFilter(), principal="p")).start()
    await hub.pipeline.submit(posts(0, 2))
    await wait_for(lambda: again.post_ids == ["push:0", "push:1"], "posts on the new feed")
    await again.stop()


async def test_a_control_event_reaches_a_client_even_while_it_catches_up(hub: Hub) -> None:
    # A wall's scene change must not be lost by a screen that fell behind (``notify`` drops it).
    live = hub.streams
    slow = live.subscribe(LiveFilter(), principal="slow")  # not read: its queue of 4 overflows
    for start in range(0, 60, 6):
        await hub.pipeline.submit(posts(start, 6))
    assert slow.behind is not None
    slow.send_event(b'event: state\ndata: {"scene": 2}\n\n')
    assert live.notify("hide", {"post_id": "x"}, where=lambda _filter: True) == 1  # dropped: behind
    late = Reader(slow).start()
    await wait_for(lambda: "caught-up" in late.names, "the catch-up")
    assert [event.json() for event in late.events if event.event == "state"] == [{"scene": 2}]
    assert "hide" not in late.names
    assert late.post_ids == [f"push:{index}" for index in range(60)]  # no gap, no repeat around it
    await late.stop()
