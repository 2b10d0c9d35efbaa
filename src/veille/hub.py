"""The composition root: builds the store, bus, pipeline, access and sources from settings."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field

from veille.access import UserAccess
from veille.accounts.brand_stage import BrandAccountStage, RegistryKeys
from veille.alerts.delivery import apprise_sender
from veille.alerts.live import LiveAlerts
from veille.bus import Bus, MemoryBus
from veille.bus.nats import BusUnavailable, NatsBus
from veille.clock import now_us
from veille.config_changes import ConfigFollower, ConfigKind, announce
from veille.contracts import Source, Stage
from veille.enrich.chain import build_enrichment_stages
from veille.enrich.exact_duplicates import ExactDuplicateStage
from veille.errors import Unavailable
from veille.jobs import Jobs
from veille.live import LiveLayer, LiveLimits
from veille.model import Post, PostRejected
from veille.pipeline import Pipeline, Preparer
from veille.preparer import ProcessPreparer
from veille.reports.scheduler import ReportScheduler
from veille.security import OutboundPolicy, SecretBox
from veille.settings import Settings
from veille.sources.connectors.health import SourceHealthCollector
from veille.sources.leases import SourceLeaseCollector, SourceLeases
from veille.sources.manager import LiveTopicsHooks, SourceManager
from veille.store import rollups
from veille.store.base import StoredPost
from veille.store.sql import SqlStore, open_store
from veille.telemetry import HubMetrics
from veille.topics import LiveTopics, load_live_topics
from veille.topics.follow import refresh_if_changed
from veille.topics.live import monitor_for
from veille.topics.repository import list_topics
from veille.workqueue import WORK_SUBJECT, WorkConsumer, publish_posts

__all__ = ["Hub", "HubStages", "default_stages"]

log = logging.getLogger(__name__)


def default_stages(
    settings: Settings,
    *,
    topics: LiveTopics | None = None,
    brand_accounts: Callable[[], Iterable[tuple[str, str]]] | Iterable[tuple[str, str]] = (),
) -> list[Stage]:
    """The enrichment chain every post goes through, in order.

    ``brand_accounts``: the brand-account registry's ``(platform, folded handle)`` keys, or a
    callable giving them (:class:`veille.accounts.brand_stage.RegistryKeys` follows the store)."""
    # Exact re-deliveries are dropped before any work is spent on them; topics come last because
    # queries read what the other stages fill (hashtags, language, sentiment, country…).
    return [
        ExactDuplicateStage(),
        BrandAccountStage(brand_accounts),
        *build_enrichment_stages(languages=settings.languages, data_dir=settings.data_dir),
        (topics or LiveTopics()).stage(),
    ]


class HubStages:
    """The hub's stages as its preparing process builds them (:mod:`veille.preparer`): its own
    connection to the store, the stored topics, the brand-account registry (reread at each batch
    when its table changed) and the enrichment models, including the workspace's."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store = open_store(settings.sqlalchemy_url, migrate=False)
        self.topics = LiveTopics(monitor_for(list_topics(self.store)))
        self.stages = default_stages(
            settings, topics=self.topics, brand_accounts=RegistryKeys(self.store, refresh_s=0.0)
        )

    def reload(self, kind: str) -> None:
        if kind == "topic":
            monitor = monitor_for(list_topics(self.store))
            self.topics.replace(monitor)
        elif kind == "sentiment":  # a workspace model retrained (corrections)
            from veille.enrich.sentiment import SentimentStage
            from veille.enrich.workspace import load_workspace_models

            models = load_workspace_models(self.settings.data_dir)
            for stage in self.stages:
                if isinstance(stage, SentimentStage):
                    for lang, model in models.items():
                        stage.use_model(lang, model)

    def close(self) -> None:
        self.store.close()


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
    # With the NATS bus (issue 15): the consumer of the work stream this process runs (None with
    # --pipeline off, or with the in-process bus).
    work: WorkConsumer | None = None
    live: LiveLayer | None = None
    alerts: LiveAlerts | None = None
    reports: ReportScheduler | None = None
    _started: bool = False
    _lag_task: asyncio.Task[None] | None = None
    _topics_task: asyncio.Task[None] | None = None
    _rankings_task: asyncio.Task[None] | None = None
    _maintenance_task: asyncio.Task[None] | None = None
    # Alert rules, sources (and topics, on a notice) changed by another process (issue 15, item 4).
    config: ConfigFollower | None = None

    @property
    def work_stream(self) -> bool:
        """True when pushed posts go to the JetStream work stream rather than this process's pipeline."""
        return isinstance(self.bus, NatsBus)

    async def accept_posts(self, posts: list[Post], *, source_name: str = "push") -> list[str]:
        """Posts a client sent: stored by this process's pipeline, or published to the work stream
        (with the NATS bus) and acknowledged by JetStream. Returns the ids taken."""
        if isinstance(self.bus, NatsBus):
            try:
                await publish_posts(self.bus, posts)
            except BusUnavailable as error:
                raise Unavailable(
                    f"the work stream did not take the posts, send them again: {error}"
                ) from error
            return [post.id for post in posts]
        stored = await self.pipeline.submit(posts, source_name=source_name)
        return [item.post.id for item in stored]

    @classmethod
    def build(
        cls, settings: Settings, *, stages: Sequence[Stage] | None = None, sources: Sequence[Source] = ()
    ) -> Hub:
        store = open_store(settings.sqlalchemy_url)
        store.minute_rollup_days = settings.minute_rollup_days
        metrics = HubMetrics()
        if settings.pipeline == "off" and settings.bus != "nats":
            store.close()
            raise ValueError("pipeline: 'off' needs VEILLE_BUS=nats (workers store what this hub receives)")
        bus: Bus = (
            NatsBus(
                settings.nats_url, stream=settings.nats_stream, subject_prefix=settings.nats_subject_prefix
            )
            if settings.bus == "nats"
            else MemoryBus()
        )
        try:
            topics = load_live_topics(store, settings)
        except ValueError:  # a bad [[topics]] table of veille.toml: refuse to start, say which
            store.close()
            raise

        registry = RegistryKeys(store)

        def count_stored(source: str, stored: list[StoredPost]) -> None:
            metrics.posts_stored.labels(source=source).inc(len(stored))

        def count_rejected(source: str, rejected: list[PostRejected]) -> None:
            metrics.posts_rejected.labels(source=source).inc(len(rejected))

        # The default stages run in a child process (settings.prepare_processes); stages given by
        # the caller (tests, embedders) run in a thread of this process, as they are. With NATS the
        # posts go through the work stream's consumer (its own stages), not this pipeline.
        preparer: Preparer | None = None
        if stages is None and settings.prepare_processes > 0 and settings.bus != "nats":
            preparer = ProcessPreparer(functools.partial(HubStages, settings), on_stage=metrics.observe_stage)
        pipeline = Pipeline(
            store=store,
            bus=bus,
            stages=default_stages(settings, topics=topics, brand_accounts=registry)
            if stages is None
            else stages,
            queue_batches=settings.queue_batches,
            on_stored=count_stored,
            on_rejected=count_rejected,
            on_stage=metrics.observe_stage,
            preparer=preparer,
        )
        metrics.watch_queue(lambda: pipeline.queue_depth)
        # With the NATS bus, each source runs in the one process holding its lease (issue 15).
        leases = (
            SourceLeases(
                bus=bus,
                bucket=settings.lease_bucket,
                ttl_s=settings.source_lease_ttl_s,
                renew_s=settings.source_lease_renew_s,
            )
            if isinstance(bus, NatsBus)
            else None
        )
        # Platform sources of veille.toml's [[sources]] (validated now: a bad table stops the start).
        source_manager = SourceManager(
            pipeline=pipeline,
            store=store,
            topics=LiveTopicsHooks(topics),
            silent_after_s=settings.source_silent_after_s,
            outbound=OutboundPolicy.build(
                allow=settings.outbound_allow, max_response_bytes=settings.max_response_bytes
            ),
            secrets=SecretBox.for_data_dir(settings.data_dir),
            leases=leases,
        )
        try:
            source_manager.load_tables(settings.sources)
        except ValueError:
            store.close()
            raise
        metrics.registry.register(SourceHealthCollector(source_manager))
        if leases is not None:
            metrics.registry.register(SourceLeaseCollector(source_manager, owner=leases.owner))
        work = None
        if isinstance(bus, NatsBus) and settings.pipeline == "on":
            # Its own stages: it runs beside the pipeline's writer, in another thread.
            work = WorkConsumer(
                bus=bus,
                store=store,
                stages=default_stages(settings, topics=topics, brand_accounts=registry)
                if stages is None
                else stages,
                durable=settings.work_consumer,
                ack_wait=settings.work_ack_wait_s,
                on_stored=count_stored,
                on_stage=metrics.observe_stage,
            )
        access = UserAccess(store, session_idle_s=settings.session_idle_minutes * 60)
        if settings.admin_token is not None:
            access.ensure_token("VEILLE_ADMIN_TOKEN", settings.admin_token.get_secret_value())
        live = LiveLayer(
            bus=bus,
            store=store,
            last_seq=store.last_seq,
            limits=LiveLimits(
                per_principal=settings.stream_clients_per_principal,
                total=settings.stream_clients_max,
                send_timeout_s=settings.stream_send_timeout_s,
            ),
            resolve_topic=topics.resolve,
        )
        # Apprise sends the notifications itself: the outbound policy checks the addresses it
        # resolves (a name answering an internal address is refused when a message is sent).
        notify = apprise_sender(source_manager.outbound)
        alerts = LiveAlerts(
            store=store,
            bus=bus,
            language=settings.organisation_language,
            public_url=settings.public_url or f"http://{settings.host}:{settings.port}",
            sender=notify,
        )
        own_host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
        reports = ReportScheduler(
            store=store,
            access=access,
            base_url=f"http://{own_host}:{settings.port}",
            public_url=settings.public_url or f"http://{settings.host}:{settings.port}",
            sender=notify,
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
            work=work,
            live=live,
            alerts=alerts,
            reports=reports,
        )

    async def start(self) -> None:
        if self._started:
            return
        self._started = True
        if isinstance(self.bus, NatsBus):
            await self.bus.start()  # fail fast, with a clear error, when NATS is not reachable
            self._lag_task = asyncio.create_task(self._watch_work_lag(self.bus), name="work-lag")
        if self.alerts is not None:
            await self.alerts.start()  # subscribed before the first post is published
        await self.pipeline.start()
        self._topics_task = asyncio.create_task(self._follow_topics(), name="follow-topics")
        self._rankings_task = asyncio.create_task(self._refresh_rankings(), name="influencer-rankings")
        self._maintenance_task = asyncio.create_task(
            self._maintain_store(self.settings.maintenance_every_s), name="store-maintenance"
        )
        await self.streams.start()
        if self.reports is not None:
            self.reports.start()
        if self.source_manager is not None:
            self.source_manager.on_change = self.announce
        if self.settings.pipeline == "on":  # off: API and screens only, sources and work in the workers
            for source in self.sources:
                self.pipeline.add_source(source)
            if self.source_manager is not None:
                await self.source_manager.start()
            if self.work is not None:
                await self.work.start()
        elif self.source_manager is not None:
            await self.source_manager.watch_leases()  # shows which worker runs each source
        self.config = ConfigFollower(
            store=self.store,
            bus=self.bus if isinstance(self.bus, NatsBus) else None,
            reloaders=self._reloaders(),
            poll_s=self.settings.config_poll_s,
            polled=frozenset({"alert_rule", "source"}),  # topics: polled by _follow_topics
        )
        await self.config.start()

    def _reloaders(self) -> dict[str, Callable[[], Awaitable[None]]]:
        reloaders: dict[str, Callable[[], Awaitable[None]]] = {"topic": self._reload_topics}
        if self.alerts is not None:
            reloaders["alert_rule"] = self.alerts.reload_rules
        manager = self.source_manager
        if manager is not None:

            async def sync_sources() -> None:
                await manager.sync_saved()

            reloaders["source"] = sync_sources
        return reloaders

    async def _reload_topics(self) -> None:
        def rebuild() -> None:
            with self.topics.lock:
                self.topics.replace(monitor_for(list_topics(self.store)))
            self.pipeline.reload("topic")  # the preparing process's own copy

        await asyncio.to_thread(rebuild)

    async def announce(self, kind: ConfigKind, id: str | int) -> None:
        """Tell the other processes of the hub that ``kind`` ``id`` changed (with the NATS bus;
        with the in-process bus there is no other process to tell). Never raises.

        The pipeline's preparing process is told first, in order with the batches: a post pushed
        after the change is prepared with it."""
        if kind == "topic":
            try:
                await asyncio.to_thread(self.pipeline.reload, "topic")
            except Exception:
                log.exception("the preparing process was not told of topic %s", id)
        if isinstance(self.bus, NatsBus) and self._started:
            await announce(self.bus, kind=kind, id=id)

    async def _follow_topics(self) -> None:
        """Topics changed by another process or the CLI apply here within a few seconds."""
        known = None
        while True:
            try:
                current = await asyncio.to_thread(refresh_if_changed, self.store, self.topics, known)
                if known is not None and current != known:
                    await asyncio.to_thread(self.pipeline.reload, "topic")
                known = current
            except Exception as error:  # the store busy or away: try again next time
                log.warning("topics not reread: %s", error)
            await asyncio.sleep(self.settings.topics_poll_s)

    async def _refresh_rankings(self, every_s: float = 5.0) -> None:
        """Influencer rankings asked for or read lately, recomputed when posts came since
        (:mod:`veille.analytics.kept_rankings`): requests read them instead of computing PageRank."""
        from veille.analytics.kept_rankings import refresh_rankings

        while True:
            try:
                await asyncio.to_thread(refresh_rankings, self.store)
            except Exception as error:  # the store busy or away: try again next time
                log.warning("influencer rankings not refreshed: %s", error)
            await asyncio.sleep(every_s)

    async def _maintain_store(self, every_s: float) -> None:
        """Every ``every_s`` (an hour), from the start: PostgreSQL's month partitions of posts ahead
        of time, and the minute rollups past ``minute_rollup_days`` pruned. Every process runs it;
        it is idempotent, and on PostgreSQL one process prunes at a time (the others skip)."""
        while True:
            try:
                await asyncio.to_thread(self.maintain_store)
            except Exception as error:  # the store busy or away: try again next time
                log.warning("store maintenance not done: %s", error)
            await asyncio.sleep(every_s)

    def maintain_store(self) -> rollups.PruneReport:
        created = self.store.maintain_partitions()
        if created:
            log.info("posts: partitions %s created", ", ".join(created))
        report = rollups.prune_minutes(self.store, days=self.settings.minute_rollup_days, now=now_us())
        pruned = sum(report.deleted.values())
        self.metrics.rollup_minute_pruned.inc(pruned)
        if pruned:
            log.info(
                "rollups: %d minute rows older than %d days pruned", pruned, self.settings.minute_rollup_days
            )
        return report

    async def _watch_work_lag(self, bus: NatsBus, every_s: float = 5.0) -> None:
        """/metrics' work-stream gauges, read from JetStream every few seconds."""
        while True:
            try:
                lag = await bus.consumer_lag(WORK_SUBJECT, self.settings.work_consumer)
            except Exception as error:  # an outage: the gauges keep their last value
                log.debug("work lag not read: %s", error)
            else:
                self.metrics.work_pending.set(lag.pending)
                self.metrics.work_unacknowledged.set(lag.unacknowledged)
            await asyncio.sleep(every_s)

    @property
    def streams(self) -> LiveLayer:
        """The live layer (built on first use for a hub assembled by hand, as in tests)."""
        if self.live is None:
            self.live = LiveLayer(bus=self.bus, store=self.store, last_seq=self.store.last_seq)
        return self.live

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
        for task in (self._lag_task, self._topics_task, self._rankings_task, self._maintenance_task):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._lag_task = self._topics_task = self._rankings_task = self._maintenance_task = None
        if self.config is not None:
            await self.config.stop()
            self.config = None
        try:
            if self.reports is not None:
                await self.reports.stop()  # a print under way is abandoned; its run says so
            await self.jobs.stop()
            if self.source_manager is not None:
                await self.source_manager.stop()
            if self.work is not None:
                await self.work.stop()  # the batch in hand is stored and acknowledged
        finally:
            try:
                await self.pipeline.stop()
            finally:
                try:
                    try:
                        if self.alerts is not None:
                            await self.alerts.stop()
                        await self.streams.stop()  # every live stream ends (its client reconnects)
                    finally:
                        await self.bus.close()
                finally:
                    await asyncio.to_thread(self.store.close)
