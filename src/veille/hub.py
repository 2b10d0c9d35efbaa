"""The composition root: builds the store, bus, pipeline, access and sources from settings."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

from veille.access import UserAccess
from veille.bus import Bus, MemoryBus
from veille.model import PostRejected
from veille.pipeline import Pipeline
from veille.settings import Settings
from veille.sources.base import Source
from veille.stages import EntitiesStage, ExactDuplicateStage, Stage
from veille.store.base import StoredPost
from veille.store.sql import SqlStore, open_store
from veille.telemetry import HubMetrics

__all__ = ["Hub", "default_stages"]


def default_stages(settings: Settings) -> list[Stage]:
    """The enrichment chain every post goes through, in order."""
    return [EntitiesStage(), ExactDuplicateStage()]


@dataclass
class Hub:
    settings: Settings
    store: SqlStore
    bus: Bus
    pipeline: Pipeline
    access: UserAccess
    metrics: HubMetrics
    sources: list[Source] = field(default_factory=list)
    _started: bool = False

    @classmethod
    def build(
        cls, settings: Settings, *, stages: Sequence[Stage] | None = None, sources: Sequence[Source] = ()
    ) -> Hub:
        store = open_store(settings.sqlalchemy_url)
        metrics = HubMetrics()
        bus: Bus = MemoryBus()

        def count_stored(source: str, stored: list[StoredPost]) -> None:
            metrics.posts_stored.labels(source=source).inc(len(stored))

        def count_rejected(source: str, rejected: list[PostRejected]) -> None:
            metrics.posts_rejected.labels(source=source).inc(len(rejected))

        pipeline = Pipeline(
            store=store,
            bus=bus,
            stages=default_stages(settings) if stages is None else stages,
            queue_batches=settings.queue_batches,
            on_stored=count_stored,
            on_rejected=count_rejected,
        )
        metrics.watch_queue(lambda: pipeline.queue_depth)
        access = UserAccess(store)
        if settings.admin_token is not None:
            access.ensure_token("VEILLE_ADMIN_TOKEN", settings.admin_token.get_secret_value())
        return cls(settings, store, bus, pipeline, access, metrics, list(sources))

    async def start(self) -> None:
        if self._started:
            return
        self._started = True
        await self.pipeline.start()
        for source in self.sources:
            self.pipeline.add_source(source)

    async def stop(self) -> None:
        if not self._started:
            return
        self._started = False
        await self.pipeline.stop()
        await self.bus.close()
        await asyncio.to_thread(self.store.close)
