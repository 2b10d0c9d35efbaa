"""Posts through JetStream: producers publish raw posts, any number of workers store them.

With ``bus = "nats"`` (issue 15) the push API and ``veille ingest`` validate posts and publish them
to the work subject :data:`WORK_SUBJECT` of the hub's stream (:func:`publish_posts`), with
``Nats-Msg-Id`` = the post id so that the stream stores a post published twice within its
duplicate window once; they answer once JetStream has acknowledged them. Every ``veille worker``
(and ``veille serve`` unless ``--pipeline off``) runs a :class:`WorkConsumer`: it pulls batches
from one shared durable consumer, runs the stages, writes the batch in one transaction, publishes
the stored posts to the live screens and only then acknowledges the messages. A worker killed at
any point leaves its batch unacknowledged: JetStream gives it to another worker after
``ack_wait``, and the upsert by id (rollups and topic rows moved, not added) makes a batch
written twice count once.

Exact re-deliveries are left to the stream (message ids) and to the idempotent upsert: the
workers do not run the in-memory exact-duplicate stage, whose memory would outlive a failed write
and drop the redelivered posts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import nats.errors
from pydantic import ValidationError

from veille.bus.base import POSTS_SUBJECT, BusEvent
from veille.bus.nats import BusUnavailable, NatsBus, WorkMessage, WorkQueue
from veille.contracts import Stage, run_stages, stages_committed
from veille.model import Post
from veille.store.base import Store, StoredPost
from veille.store.prepared import PreparedPosts, prepare_posts

__all__ = ["WORK_SUBJECT", "WorkConsumer", "WorkStats", "publish_posts"]

log = logging.getLogger(__name__)

WORK_SUBJECT = "work.posts"
# Published per call to JetStream: the acknowledgements of a chunk are awaited together.
_PUBLISH_CHUNK = 1000


async def publish_posts(bus: NatsBus, posts: Sequence[Post]) -> int:
    """Publish validated posts to the work stream; returns once JetStream stored them all (how many
    it dropped as already there). Raises :class:`BusUnavailable` when NATS did not acknowledge."""
    duplicates = 0
    for start in range(0, len(posts), _PUBLISH_CHUNK):
        chunk = posts[start : start + _PUBLISH_CHUNK]
        duplicates += await bus.publish_work(
            WORK_SUBJECT, [(post.id, post.model_dump_json().encode()) for post in chunk]
        )
    return duplicates


@dataclass(slots=True)
class WorkStats:
    batches: int = 0
    stored: int = 0
    failed_batches: int = 0  # written nowhere, given back (nak) for another try
    refused: int = 0  # messages that are no post (terminated: never delivered again)


class WorkConsumer:
    """Pulls posts from the shared durable consumer, stores them, acknowledges after the commit."""

    def __init__(
        self,
        *,
        bus: NatsBus,
        store: Store,
        stages: Sequence[Stage],
        durable: str = "workers",
        ack_wait: float = 30.0,
        batch: int = 500,
        on_stored: Callable[[str, list[StoredPost]], None] | None = None,
        on_stage: Callable[[str, int, float], None] | None = None,
    ) -> None:
        self.bus = bus
        self.store = store
        # The exact-duplicate stage is the stream's job here (see the module's documentation).
        self.stages = [stage for stage in stages if stage.name != "exact_duplicates"]
        self.durable = durable
        self.ack_wait = ack_wait
        self.batch = batch
        self.stats = WorkStats()
        self._on_stored = on_stored
        self._on_stage = on_stage
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self._task is None:
            self._stopping.clear()
            # Created now, so that a wrong configuration fails the start rather than a background task.
            queue = await self.bus.pull(
                WORK_SUBJECT, self.durable, ack_wait=self.ack_wait, max_ack_pending=50_000
            )
            self._task = asyncio.create_task(self._run(queue), name="work-consumer")

    async def stop(self) -> None:
        """Finish the batch in hand (stored and acknowledged), then stop pulling."""
        self._stopping.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self, queue: WorkQueue) -> None:
        while not self._stopping.is_set():
            try:
                messages = await queue.fetch(self.batch, timeout=1.0)
            except (BusUnavailable, nats.errors.Error) as error:
                log.warning("work stream: fetch failed (%s); trying again", error)
                await asyncio.sleep(1.0)
                continue
            if messages:
                await self._handle(messages)

    async def _handle(self, messages: list[WorkMessage]) -> None:
        posts: list[Post] = []
        taken: list[WorkMessage] = []
        for message in messages:
            try:
                posts.append(Post.model_validate(message.event.data))
            except ValidationError as error:
                self.stats.refused += 1
                log.warning("work stream: a message is not a post (%s); dropped", error.errors()[:1])
                await message.term()
                continue
            taken.append(message)
        if not taken:
            return
        try:
            prepared = await asyncio.to_thread(self._prepare, posts)
            started = time.perf_counter()
            seqs = await asyncio.to_thread(self.store.write_prepared, prepared)
            stages_committed(self.stages)  # only now: a batch given back is not remembered as seen
            if self._on_stage is not None:
                self._on_stage("write", len(prepared), time.perf_counter() - started)
        except Exception:
            self.stats.failed_batches += 1
            log.exception("work stream: a batch of %d posts could not be stored; given back", len(taken))
            for message in taken:
                with contextlib.suppress(nats.errors.Error):
                    await message.nak(delay=1.0)
            return
        # Committed: from here a kill only means the batch is written again, which counts once.
        stages_committed(self.stages)
        for message in taken:
            await message.ack()
        assert prepared.posts is not None
        stored = [StoredPost(seq=seq, post=post) for seq, post in zip(seqs, prepared.posts, strict=True)]
        self.stats.batches += 1
        self.stats.stored += len(stored)
        if self._on_stored is not None:
            self._on_stored("work", stored)
        if stored:
            events = [BusEvent(POSTS_SUBJECT, item.seq, item.post.to_json_dict()) for item in stored]
            try:
                await self.bus.publish(events)
            except BusUnavailable:
                # Stored: screens catch up from the store (Last-Event-ID).
                log.exception("work stream: %d posts stored but not published live", len(events))

    def _prepare(self, posts: list[Post]) -> PreparedPosts:
        kept = run_stages(self.stages, posts, on_stage=self._on_stage)
        started = time.perf_counter()
        prepared = prepare_posts(kept)
        if self._on_stage is not None:
            self._on_stage("prepare", len(kept), time.perf_counter() - started)
        return prepared
