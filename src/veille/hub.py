"""The composition root: builds the store, bus, pipeline, access and sources from settings."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

from veille.access import UserAccess
from veille.alerts.live import LiveAlerts
from veille.bus import Bus, MemoryBus
from veille.bus.nats import NatsBus
from veille.contracts import Source, Stage
from veille.enrich.chain import build_enrichment_stages
from veille.enrich.exact_duplicates import ExactDuplicateStage
from veille.jobs import Jobs
from veille.model import PostRejected
from veille.pipeline import Pipeline
from veille.settings import Settings
from veille.sources.connectors.health import SourceHealthCollector
from veille.sources.manager import LiveTopicsHooks, SourceManager
from veille.store.base import StoredPost
from veille.store.sql import SqlStore, open_store
from veille.telemetry import HubMetrics
from veille.topics import LiveTopics, load_live_topics

__all__ = ["Hub", "default_stages"]


def default_stages(settings: Settings, *, topics: LiveTopics | None = None) -> list[Stage]:
    """The enrichment chain every post goes through, in order."""
    # Exact re-deliveries are dropped before any work is spent on them; topics come last because
    # queries read what the other stages fill (hashtags, language, sentiment, country…).
    return [
        ExactDuplicateStage(),
        *build_enrichment_stages(languages=settings.languages, data_dir=settings.data_dir),
        (topics or LiveTopics()).stage(),
    ]


@dataclass
class Hub:
    settings: Settings
    store: SqlStore
    bus: Bus
    pipeline: Pipeline
    access: UserAccess
    metrics: HubMetrics
    sources: list[Source] = field(default_factory=list)
    source_manager: SourceManager | None = None
    topics: LiveTopics = field(default_factory=LiveTopics)
    jobs: Jobs = field(default_factory=Jobs)
    alerts: LiveAlerts | None = None
    _started: bool = False

    @classmethod
    def build(
        cls, settings: Settings, *, stages: Sequence[Stage] | None = None, sources: Sequence[Source] = ()
    ) -> Hub:
        store = open_store(settings.sqlalchemy_url)
        metrics = HubMetrics()
        bus: Bus = NatsBus(settings.nats_url) if settings.bus == "nats" else MemoryBus()
        try:
            topics = load_live_topics(store, settings)
        except ValueError:  # a bad [[topics]] table of veille.toml: refuse to start, say which
            store.close()
            raise

        def count_stored(source: str, stored: list[StoredPost]) -> None:
            metrics.posts_stored.labels(source=source).inc(len(stored))

        def count_rejected(source: str, rejected: list[PostRejected]) -> None:
            metrics.posts_rejected.labels(source=source).inc(len(rejected))

        pipeline = Pipeline(
            store=store,
            bus=bus,
            stages=default_stages(settings, topics=topics) if stages is None else stages,
            queue_batches=settings.queue_batches,
            on_stored=count_stored,
            on_rejected=count_rejected,
        )
        metrics.watch_queue(lambda: pipeline.queue_depth)
        # Platform sources of veille.toml's [[sources]] (validated now: a bad table stops the start).
        source_manager = SourceManager(
            pipeline=pipeline,
            store=store,
            topics=LiveTopicsHooks(topics),
            silent_after_s=settings.source_silent_after_s,
        )
        try:
            source_manager.load_tables(settings.sources)
        except ValueError:
            store.close()
            raise
        metrics.registry.register(SourceHealthCollector(source_manager))
        access = UserAccess(store)
        if settings.admin_token is not None:
            access.ensure_token("VEILLE_ADMIN_TOKEN", settings.admin_token.get_secret_value())
        alerts = LiveAlerts(
            store=store,
            bus=bus,
            language=settings.organisation_language,
            public_url=settings.public_url or f"http://{settings.host}:{settings.port}",
        )
        return cls(
            settings,
            store,
            bus,
            pipeline,
            access,
            metrics,
            list(sources),
            source_manager=source_manager,
            topics=topics,
            alerts=alerts,
        )

    async def start(self) -> None:
        if self._started:
            return
        self._started = True
        if isinstance(self.bus, NatsBus):
            await self.bus.start()  # fail fast, with a clear error, when NATS is not reachable
        if self.alerts is not None:
            await self.alerts.start()  # subscribed before the first post is published
        await self.pipeline.start()
        for source in self.sources:
            self.pipeline.add_source(source)
        if self.source_manager is not None:
            await self.source_manager.start()

    @property
    def stopping(self) -> bool:
        """True once :meth:`stop` has begun: the hub takes no new work (HTTP answers 503)."""
        return self.pipeline.closing

    async def stop(self) -> None:
        """Stop in the order that loses nothing: jobs and sources first, then the pipeline drains
        every accepted batch into the store, then the bus and the store close. Each step runs even
        when an earlier one failed, so the writer's last batches are always flushed."""
        if not self._started:
            return
        self._started = False
        try:
            await self.jobs.stop()
            if self.source_manager is not None:
                await self.source_manager.stop()
        finally:
            try:
                await self.pipeline.stop()
            finally:
                try:
                    if self.alerts is not None:
                        await self.alerts.stop()
                    await self.bus.close()
                finally:
                    await asyncio.to_thread(self.store.close)
