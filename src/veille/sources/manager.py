"""The running platform sources of a hub: built from ``[[sources]]`` tables and from the API.

:class:`SourceManager` turns each table (``type``, ``name``, the platform's fields, ``endpoint``,
an optional ``query``) into a connector (:func:`~veille.sources.connectors.build_connector`), starts
and stops it live in the pipeline, shares one ``httpx.AsyncClient`` between all of them, keeps the
sources added through the API in the store (they come back after a restart), and reports health
and alerts (a connector that failed, or that has been silent for longer than ``silent_after_s``:
the rules are in :mod:`veille.sources.connectors.health`). The hub's own sources (the simulator, a
replayed file, the push API) are listed too, read-only, with the posts they stored; every source
shows its dead letters (items that could not become posts, ``veille.store.dead_letters``).

Filtering: a table's ``query`` (query language) becomes the connector's ``query_filter``.
A firehose (Bluesky's Jetstream, a Mastodon public timeline) with no ``query`` and none of its own
filters (keywords, hashtags, accounts) keeps the posts matching any of the hub's topics; the
topics reach the manager through :attr:`SourceManager.topics` (any object with ``resolve(name)``
and ``matches_any(post)``, see :class:`TopicHooks`; :class:`LiveTopicsHooks` adapts the hub's live
topics). With no topics, such a source keeps nothing and says so in its alerts.

Three keys are the manager's, not the connector's: ``enabled`` (default true: start with the hub),
``silent_after_s`` (the silence alert's delay for this source; hub default
``[hub] source_silent_after_s``, 900 s) and ``default_to_topics`` (a firehose's ``keywords`` and
``hashtags`` are a fallback: when the hub has topics at start, they are set aside and the topics
filter instead — what ``veille demo --live`` uses).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import httpx

from veille import __version__
from veille.bus.nats import BusUnavailable
from veille.clock import Clock, SystemClock
from veille.errors import Conflict, Invalid, NotFound
from veille.model import Post
from veille.pipeline import Pipeline
from veille.query import Query, QueryError, compile_tester, parse_query, view_post
from veille.query.match import PostView, Tester
from veille.security import GuardedTransport, OutboundPolicy, OutboundRefused, SecretBox, SecretKeyError
from veille.sources.connectors import Connector, ConnectorConfigError, QueryFilter, build_connector
from veille.sources.connectors.health import (
    ConnectorHealth,
    FilterMode,
    SourceStatus,
    health_view,
    source_alerts,
)
from veille.sources.leases import Lease, LeaseHolder, SourceLeases
from veille.sources.saved import (
    delete_source,
    list_saved_sources,
    replace_source_config,
    save_source,
    set_source_enabled,
)
from veille.store.dead_letters import DeadLetter, count_dead_letters, list_dead_letters
from veille.store.sql import SqlStore

__all__ = [
    "DEFAULT_SILENT_AFTER_S",
    "MANAGER_KEYS",
    "PUSH_SOURCE",
    "LiveTopicsHooks",
    "ManagedSource",
    "SourceConfigError",
    "SourceConflictError",
    "SourceManager",
    "SourceNotFoundError",
    "TopicHooks",
    "source_tables",
]

log = logging.getLogger(__name__)

DEFAULT_SILENT_AFTER_S = 900.0
# The push ingest API's source name (``Pipeline.submit``'s default, what its posts are counted under).
PUSH_SOURCE = "push"
# Keys of a [[sources]] table read by the manager and removed before the connector sees the table.
MANAGER_KEYS = ("enabled", "silent_after_s", "default_to_topics")
# Own filters of a firehose that ``default_to_topics`` sets aside when the hub has topics.
_FIREHOSE_FILTERS = ("keywords", "hashtags")
_REPEAT_LOG_S = 60.0
Origin = Literal["config", "api"]


class SourceConfigError(Invalid):
    """A ``[[sources]]`` table (or an API body) is wrong; the message names the table and the field."""


class SourceConflictError(Conflict, ValueError):
    """The name is taken, or the operation is not allowed on this source (defined in veille.toml)."""


class SourceNotFoundError(NotFound, KeyError):
    def __str__(self) -> str:
        return f"no source named {self.args[0]!r}"


class TopicHooks(Protocol):
    """What the manager needs from the hub's topics."""

    def resolve(self, name: str) -> Query | None:
        """The saved query of topic ``name`` (``topic:`` references in a source's query)."""
        ...

    def matches_any(self, post: Post) -> bool:
        """Does ``post`` match at least one enabled topic? (the default filter of firehoses)"""
        ...

    def count(self) -> int:
        """How many enabled topics there are."""
        ...


class LiveTopicsHooks:
    """:class:`TopicHooks` over the hub's live topics (``veille.topics.live.LiveTopics``: a
    ``monitor`` guarded by a ``lock``, and ``resolve``/``names``)."""

    def __init__(self, live: Any) -> None:
        self.live = live

    def resolve(self, name: str) -> Query | None:
        found: Query | None = self.live.resolve(name)
        return found

    def matches_any(self, post: Post) -> bool:
        view = view_post(post)
        with self.live.lock:
            return bool(self.live.monitor.match_view(view))

    def count(self) -> int:
        return len(self.live.names())


def source_tables(document: Mapping[str, Any], *, origin: str = "veille.toml") -> list[dict[str, Any]]:
    """The ``[[sources]]`` tables of a parsed TOML document (``[]`` when there are none)."""
    tables = document.get("sources", [])
    if not isinstance(tables, list) or not all(isinstance(item, Mapping) for item in tables):
        raise SourceConfigError(f"{origin}: sources: expected [[sources]] tables (an array of tables)")
    return [dict(item) for item in tables]


@dataclass(eq=False)
class ManagedSource:
    """One source of the manager: its table, its connector and what the manager knows of it."""

    name: str
    table: dict[str, Any]  # as given, secrets included: never printed nor returned
    origin: Origin
    connector: Connector
    enabled: bool
    silent_after_s: float
    filter_mode: FilterMode
    started_at: float | None = None
    stopped_by_user: bool = False
    logged_alerts: dict[str, str] = field(default_factory=dict)
    logged_error: tuple[str, float] | None = None  # (message, when logged): repeats logged once a minute

    @property
    def type(self) -> str:
        return self.connector.meta.type

    def masked_config(self) -> dict[str, Any]:
        config = self.connector.config.to_dict()
        config["enabled"] = self.enabled
        config["silent_after_s"] = self.silent_after_s
        return config


class SourceManager:
    """Builds, starts, stops and watches the platform sources of one hub."""

    def __init__(
        self,
        *,
        pipeline: Pipeline,
        store: SqlStore,
        topics: TopicHooks | None = None,
        silent_after_s: float = DEFAULT_SILENT_AFTER_S,
        watch_interval_s: float = 5.0,
        clock: Clock | None = None,
        environ: Mapping[str, str] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        outbound: OutboundPolicy | None = None,
        secrets: SecretBox | None = None,
        leases: SourceLeases | None = None,
    ) -> None:
        self.pipeline = pipeline
        self.store = store
        self.topics = topics
        self.silent_after_s = silent_after_s
        self.watch_interval_s = watch_interval_s
        self.clock: Clock = clock or SystemClock()
        self.environ = environ
        self._transport = transport
        # Every request of every source goes through this policy (veille.security): the default
        # refuses every non-public address.
        self.outbound = outbound or OutboundPolicy()
        # Seals the secret fields of the sources saved in the store (None: kept as given, tests).
        self.secrets = secrets
        self._sources: dict[str, ManagedSource] = {}
        self._load_problems: list[dict[str, Any]] = []
        self._topic_testers: dict[str, tuple[Query, Tester]] = {}
        self._client: httpx.AsyncClient | None = None
        self._watcher: asyncio.Task[None] | None = None
        self._started = False
        # With the NATS bus (issue 15): a source runs here only while this process holds its
        # lease (veille.sources.leases); None: every enabled source runs here.
        self.leases = leases
        self._held: dict[str, Lease] = {}
        self._holders: dict[str, LeaseHolder] = {}
        self._lease_task: asyncio.Task[None] | None = None
        self._lease_wake: asyncio.Event | None = None
        # Held while the saved sources are changed, here or by sync_saved (created in the loop).
        self._saving: asyncio.Lock | None = None
        # Told ("source", name) after each change made here, so that the other processes of the
        # hub apply it at once (the hub's announce: a config.changed notice on the bus).
        self.on_change: Callable[[Any, str], Awaitable[None]] | None = None

    # -- the shared HTTP client ----------------------------------------------------------------

    @property
    def http_client(self) -> httpx.AsyncClient:
        """One client (connection pool) for every connector; created without I/O."""
        if self._client is None or self._client.is_closed:
            self._client = httpx.AsyncClient(
                transport=GuardedTransport(self.outbound, self._transport),
                timeout=self.outbound.timeout,
                headers={"User-Agent": f"Veille/{__version__} (social listening hub)"},
            )
        return self._client

    # -- configuration -------------------------------------------------------------------------

    def load_tables(self, tables: Sequence[Mapping[str, Any]], *, origin: Origin = "config") -> None:
        """Validate and register tables (not started yet); the first bad one raises, naming it."""
        built: list[ManagedSource] = []
        names: set[str] = set(self._sources)
        for index, table in enumerate(tables, start=1):
            where = f"[[sources]] #{index}"
            managed = self._build(table, origin=origin, where=where)
            if managed.name in names:
                raise SourceConfigError(f"{where}: source {managed.name!r}: name: used by another source")
            names.add(managed.name)
            built.append(managed)
        for managed in built:
            self._sources[managed.name] = managed

    def _build(
        self, table: Mapping[str, Any], *, origin: Origin, where: str = "", topics_available: bool = False
    ) -> ManagedSource:
        """Build one source; errors read ``[where: ]source 'name': field: what is wrong``."""
        prefix = f"{where}: " if where else ""
        if not isinstance(table, Mapping):
            raise SourceConfigError(f"{prefix}expected a table of fields")
        label = prefix + (f"source {table.get('name')!r}" if table.get("name") else "source")
        connector_table = {key: value for key, value in table.items() if key not in MANAGER_KEYS}
        if not isinstance(table.get("default_to_topics", False), bool):
            raise SourceConfigError(
                f"{label}: default_to_topics: expected true or false", field="default_to_topics"
            )
        if table.get("default_to_topics") and topics_available:
            for key in _FIREHOSE_FILTERS:
                connector_table.pop(key, None)
        enabled = table.get("enabled", True)
        if not isinstance(enabled, bool):
            raise SourceConfigError(
                f"{label}: enabled: expected true or false, got {enabled!r}", field="enabled"
            )
        silent_after = table.get("silent_after_s", self.silent_after_s)
        if isinstance(silent_after, bool) or not isinstance(silent_after, int | float) or silent_after <= 0:
            raise SourceConfigError(
                f"{label}: silent_after_s: expected a positive number of seconds", field="silent_after_s"
            )
        try:
            connector = build_connector(
                connector_table, http_client=self.http_client, environ=self._environ_for(origin)
            )
            filter_mode, query_filter = self._filter_for(connector)
            self._check_addresses(connector)
        except (ConnectorConfigError, OutboundRefused) as error:
            raise SourceConfigError(
                f"{label}: {error}" if isinstance(error, OutboundRefused) else f"{prefix}{error}",
                field=error.field,
            ) from None
        connector.query_filter = query_filter
        connector.outbound = self.outbound
        return ManagedSource(
            name=connector.name,
            table=dict(table),
            origin=origin,
            connector=connector,
            enabled=enabled,
            silent_after_s=float(silent_after),
            filter_mode=filter_mode,
        )

    def _check_addresses(self, connector: Connector) -> None:
        """A literal non-public address in a URL field is refused now (422 naming the field); names
        are resolved and checked on every request (the client's transport)."""
        config = connector.config
        if config.endpoint:
            self.outbound.check_literal(config.endpoint, field="endpoint")
        for spec in connector.meta.fields:
            value = config.get(spec.name)
            urls = value if isinstance(value, list) else [value]
            for url in urls:
                if isinstance(url, str) and url.startswith(("http://", "https://", "ws://", "wss://")):
                    self.outbound.check_literal(url, field=spec.name)

    def _environ_for(self, origin: Origin) -> Mapping[str, str] | None:
        """The operator's environment for the operator's sources (veille.toml) only: a source added
        through the API chose its own endpoint, and must not be handed the hub's credentials."""
        if origin != "config":
            return None
        return os.environ if self.environ is None else self.environ

    def _filter_for(self, connector: Connector) -> tuple[FilterMode, QueryFilter | None]:
        text = connector.config.query
        if text:
            try:
                query = parse_query(text)
                tester = compile_tester(query.root, self._topic_tester)
            except QueryError as error:
                raise ConnectorConfigError(f"source {connector.name!r}: query: {error}") from None

            def matches_query(post: Post) -> bool:
                return tester(view_post(post))

            return "query", matches_query
        if _is_unfiltered_firehose(connector):

            def matches_topics(post: Post) -> bool:
                hooks = self.topics  # read at match time: topics may be wired or changed later
                return hooks is not None and hooks.matches_any(post)

            return "topics", matches_topics
        return "source", None

    def _topic_tester(self, name: str) -> Tester:
        """Tester of a ``topic:`` reference, resolved when a post is matched (topics change live)."""
        hooks = self.topics
        query = hooks.resolve(name) if hooks is not None else None
        if query is None:
            return _never
        cached = self._topic_testers.get(name)
        if cached is not None and cached[0] is query:
            return cached[1]
        tester = compile_tester(query.root, self._topic_tester)
        self._topic_testers[name] = (query, tester)
        return tester

    # -- life cycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        """Start every enabled source (veille.toml first, then those saved through the API)."""
        if self._started:
            return
        self._started = True
        await asyncio.to_thread(self.load_saved)
        if self.leases is not None:
            self._lease_wake = asyncio.Event()
            self._lease_task = asyncio.create_task(self._keep_leases(), name="source-leases")
        else:
            for managed in list(self._sources.values()):
                if managed.enabled:
                    self._run(managed)
        self._watcher = asyncio.create_task(self._watch(), name="sources-watch")

    async def watch_leases(self) -> None:
        """Without running any source (``serve --pipeline off``): keep reading who holds each
        lease, for the API and /metrics. Stopped by :meth:`stop`."""
        if self.leases is None or self._lease_task is not None:
            return
        self._lease_task = asyncio.create_task(self._read_holders(), name="source-lease-holders")

    async def _read_holders(self) -> None:
        assert self.leases is not None
        while True:
            for name in list(self._sources):
                try:
                    holder = await self.leases.holder(name)
                except Exception as error:  # NATS away: keep the last view
                    log.debug("source %s: lease holder not read (%s)", name, error)
                    continue
                if holder is None:
                    self._holders.pop(name, None)
                else:
                    self._holders[name] = holder
            await asyncio.sleep(self.leases.renew_s)

    async def stop(self) -> None:
        if not self._started:
            if self._lease_task is not None:  # watching only (watch_leases)
                self._lease_task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._lease_task
                self._lease_task = None
            return
        self._started = False
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher
            self._watcher = None
        if self._lease_task is not None:
            self._lease_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._lease_task
            self._lease_task = None
        for managed in self._sources.values():
            await self.pipeline.remove_source(managed.name)
            _mark_stopped(managed)
        # Stopped first, given back then: another process may take them over at once.
        for name in list(self._held):
            await self._give_back(name)
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def load_saved(self) -> None:
        """Register the sources saved through the API (not started; ``start`` runs them)."""
        for saved in list_saved_sources(self.store):
            label = f"saved source {saved.name!r}"
            if saved.name in self._sources:
                self._problem(saved.name, f"{label}: ignored, veille.toml defines a source of that name")
                continue
            try:
                table = self._opened(saved.table)
                managed = self._build(table, origin="api", where="saved source")
            except (SourceConfigError, SecretKeyError) as error:
                self._problem(saved.name, str(error))
                continue
            managed.enabled = saved.enabled
            self._sources[managed.name] = managed
            sealed = self._sealed(managed)
            if sealed != saved.table:  # saved in clear by an older hub: sealed now
                replace_source_config(self.store, managed.name, sealed)

    @property
    def saving(self) -> asyncio.Lock:
        if self._saving is None:
            self._saving = asyncio.Lock()
        return self._saving

    async def sync_saved(self) -> list[str]:
        """Apply the saved sources as the store has them now (a source added, removed, started,
        stopped or changed by another process): start the new, stop the removed, restart the
        changed. Returns the names it acted on. veille.toml's sources are left alone."""
        async with self.saving:
            return await self._sync_saved()

    async def _sync_saved(self) -> list[str]:
        saved = {item.name: item for item in await asyncio.to_thread(list_saved_sources, self.store)}
        acted: list[str] = []
        for name, managed in list(self._sources.items()):
            if managed.origin != "api":
                continue
            item = saved.get(name)
            if item is None:
                await self.pipeline.remove_source(name)
                _mark_stopped(managed)
                del self._sources[name]
                await self._give_back(name)
                log.info("source %s removed by another process: stopped", name)
                acted.append(name)
                continue
            try:
                table = self._opened(item.table)
            except SecretKeyError as error:
                self._problem(name, f"saved source {name!r}: {error}")
                continue
            if table != managed.table:
                await self.pipeline.remove_source(name)
                await self._give_back(name)
                try:
                    rebuilt = self._build(table, origin="api", where="saved source")
                except SourceConfigError as error:
                    self._problem(name, str(error))
                    del self._sources[name]
                    acted.append(name)
                    continue
                rebuilt.enabled = item.enabled
                self._sources[name] = managed = rebuilt
                if managed.enabled and self._started:
                    self._run(managed)
                log.info("source %s changed by another process: restarted", name)
                acted.append(name)
            elif item.enabled != managed.enabled:
                managed.enabled = item.enabled
                if item.enabled:
                    if self._started:
                        self._run(managed)
                    log.info("source %s started by another process", name)
                else:
                    await self.pipeline.remove_source(name)
                    _mark_stopped(managed)
                    managed.stopped_by_user = True
                    await self._give_back(name)
                    log.info("source %s stopped by another process", name)
                acted.append(name)
        for name, item in saved.items():
            if name in self._sources:
                continue
            try:
                managed = self._build(self._opened(item.table), origin="api", where="saved source")
            except (SourceConfigError, SecretKeyError) as error:
                self._problem(name, f"saved source {name!r}: {error}")
                continue
            managed.enabled = item.enabled
            self._sources[name] = managed
            if managed.enabled and self._started:
                self._run(managed)
            log.info("source %s added by another process%s", name, ": started" if managed.enabled else "")
            acted.append(name)
        return acted

    def _secret_fields(self, managed: ManagedSource) -> set[str]:
        return {spec.name for spec in managed.connector.meta.fields if spec.secret}

    def _sealed(self, managed: ManagedSource) -> dict[str, Any]:
        """The table to store: secret fields sealed (kept as given when the manager has no box)."""
        table = dict(managed.table)
        if self.secrets is None:
            return table
        for name in self._secret_fields(managed):
            value = table.get(name)
            if isinstance(value, str) and value:
                table[name] = self.secrets.seal(value)
        return table

    def _opened(self, stored: Mapping[str, Any]) -> dict[str, Any]:
        if self.secrets is None:
            return dict(stored)
        return {key: self.secrets.reveal(value) for key, value in stored.items()}

    def _problem(self, name: str, message: str) -> None:
        log.error("%s", message)
        self._load_problems.append(
            {"source": name, "type": None, "kind": "config", "message": message, "since": self.clock.time()}
        )

    def _run(self, managed: ManagedSource) -> None:
        """Run ``managed`` here; with leases, only once this process holds its lease (the lease
        keeper is woken up to ask for it now)."""
        if self.leases is not None and managed.name not in self._held:
            if self._lease_wake is not None:
                self._lease_wake.set()
            return
        self._start_now(managed)

    def _start_now(self, managed: ManagedSource) -> None:
        if managed.name in self.pipeline.running_sources:
            return
        if managed.started_at is not None or managed.table.get("default_to_topics"):
            # A fresh connector: new health, backoff and dedup memory; the checkpoint is the store's.
            rebuilt = self._build(
                managed.table,
                origin=managed.origin,
                topics_available=self.topics is not None and self.topics.count() > 0,
            )
            managed.connector = rebuilt.connector
            managed.filter_mode = rebuilt.filter_mode
        elif managed.connector.http.is_closed:
            managed.connector.http = self.http_client
        managed.started_at = self.clock.time()
        managed.stopped_by_user = False
        managed.logged_alerts.clear()
        self.pipeline.add_source(managed.connector)
        log.info("source %s started: %s", managed.name, managed.connector.config.dumps())

    # -- leases (bus = "nats") -------------------------------------------------------------------

    async def _keep_leases(self) -> None:
        """Every ``renew_s`` (or at once when woken): renew the leases held, ask for the others."""
        assert self.leases is not None and self._lease_wake is not None
        while True:
            self._lease_wake.clear()
            try:
                await self.lease_round()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("source leases: a round failed; trying again")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._lease_wake.wait(), self.leases.renew_s)

    async def lease_round(self) -> None:
        """One pass over the sources: renew, give up, acquire and start, note who holds the rest."""
        leases = self.leases
        if leases is None:
            return
        for name, managed in list(self._sources.items()):
            held = self._held.get(name)
            if held is not None:
                if not managed.enabled:
                    await self._give_back(name)
                    continue
                try:
                    renewed = await leases.renew(held)
                except BusUnavailable as error:
                    if time.monotonic() - held.renewed_at >= leases.fence_after_s:
                        log.warning(
                            "source %s: lease not renewed for %.0f s (%s); stopped here before it expires",
                            name,
                            time.monotonic() - held.renewed_at,
                            error,
                        )
                        await self._stop_leased(managed)
                    continue
                if renewed is None:
                    log.warning(
                        "source %s: lease lost (it expired and another process took it); stopped here", name
                    )
                    await self._stop_leased(managed)
                    continue
                self._held[name] = renewed
                continue
            if not managed.enabled:
                continue
            try:
                lease = await leases.acquire(name)
                if lease is None:
                    holder = await leases.holder(name)
                    if holder is not None:
                        self._holders[name] = holder
                    else:
                        self._holders.pop(name, None)
                    continue
            except BusUnavailable as error:
                log.debug("source %s: lease not asked for (%s)", name, error)
                continue
            self._held[name] = lease
            self._holders.pop(name, None)
            if not self._started:
                await self._give_back(name)
                return
            log.info(
                "source %s: lease acquired by %s; starting from the stored checkpoint", name, leases.owner
            )
            self._start_now(managed)
        for name in set(self._held) - set(self._sources):
            await self._give_back(name)

    async def _stop_leased(self, managed: ManagedSource) -> None:
        self._held.pop(managed.name, None)
        await self.pipeline.remove_source(managed.name)
        _mark_stopped(managed)

    async def _give_back(self, name: str) -> None:
        lease = self._held.pop(name, None)
        if lease is None or self.leases is None:
            return
        try:
            await self.leases.release(lease)
        except Exception as error:  # NATS away: the lease expires by itself after its TTL
            log.warning("source %s: lease not given back (%s); it expires after its TTL", name, error)

    def held_leases(self) -> list[str]:
        """The sources whose lease this process holds."""
        return sorted(self._held)

    def lease_view(self, name: str) -> dict[str, Any] | None:
        """Who runs ``name`` in the cluster (None without leases): this process, another, or nobody."""
        leases = self.leases
        if leases is None:
            return None
        held = self._held.get(name)
        if held is not None:
            return {"holder": leases.owner, "here": True, "expires_at": held.expires_at}
        other = self._holders.get(name)
        if other is not None:
            return {"holder": other.owner, "here": False, "expires_at": other.expires_at}
        return {"holder": None, "here": False, "expires_at": None}

    # -- operations (the API) ------------------------------------------------------------------

    def names(self) -> list[str]:
        return list(self._sources)

    def get(self, name: str) -> ManagedSource:
        try:
            return self._sources[name]
        except KeyError:
            raise SourceNotFoundError(name) from None

    async def add(self, table: Mapping[str, Any]) -> ManagedSource:
        """Validate, save and (when enabled) start a source given through the API."""
        name = table.get("name")
        label = f"source {name!r}" if name else "source"
        if isinstance(name, str) and (name in self._sources or name in self.pipeline.running_sources):
            raise SourceConflictError(f"{label}: name: already used by another source")
        managed = self._build(table, origin="api")
        async with self.saving:
            await asyncio.to_thread(save_source, self.store, self._sealed(managed), enabled=managed.enabled)
            self._sources[managed.name] = managed
        if managed.enabled and self._started:
            self._run(managed)
        await self._changed(managed.name)
        return managed

    async def _changed(self, name: str) -> None:
        if self.on_change is not None:
            await self.on_change("source", name)

    async def remove(self, name: str) -> None:
        """Stop and forget a source added through the API (veille.toml ones: stop them instead)."""
        managed = self.get(name)
        if managed.origin == "config":
            raise SourceConflictError(
                f"source {name!r} is defined in veille.toml: stop it (POST /api/v1/sources/{name}/stop) "
                "or remove its [[sources]] table"
            )
        async with self.saving:
            await self.pipeline.remove_source(name)
            self._sources.pop(name, None)
            await self._give_back(name)
            await asyncio.to_thread(delete_source, self.store, name)
        log.info("source %s removed", name)
        await self._changed(name)

    async def stop_source(self, name: str) -> ManagedSource:
        async with self.saving:
            managed = self.get(name)
            await self.pipeline.remove_source(name)
            _mark_stopped(managed)
            managed.stopped_by_user = True
            managed.enabled = False
            await self._give_back(name)
            if managed.origin == "api":
                await asyncio.to_thread(set_source_enabled, self.store, name, False)
        log.info("source %s stopped", name)
        await self._changed(name)
        return managed

    async def start_source(self, name: str) -> ManagedSource:
        async with self.saving:
            managed = self.get(name)
            managed.enabled = True
            if managed.origin == "api":
                await asyncio.to_thread(set_source_enabled, self.store, name, True)
            if self._started:
                self._run(managed)
        await self._changed(name)
        return managed

    # -- health and alerts ---------------------------------------------------------------------

    def is_running(self, managed: ManagedSource) -> bool:
        return managed.name in self.pipeline.running_sources

    def status(self, managed: ManagedSource) -> SourceStatus:
        """What the health checks need to know of a source (see :mod:`veille.sources.connectors.health`)."""
        return SourceStatus(
            name=managed.name,
            type=managed.type,
            health=managed.connector.health,
            running=self.is_running(managed),
            enabled=managed.enabled,
            started_at=managed.started_at,
            stopped_by_user=managed.stopped_by_user,
            silent_after_s=managed.silent_after_s,
            filter_mode=managed.filter_mode,
            hub_topics=0 if self.topics is None else self.topics.count(),
        )

    def statuses(self) -> list[SourceStatus]:
        return [self.status(managed) for managed in self._sources.values()]

    def alerts_for(self, managed: ManagedSource, now: float | None = None) -> list[dict[str, Any]]:
        now = self.clock.time() if now is None else now
        return source_alerts(self.status(managed), now)

    def alerts(self, now: float | None = None) -> list[dict[str, Any]]:
        now = self.clock.time() if now is None else now
        found = list(self._load_problems)
        for managed in self._sources.values():
            found.extend(self.alerts_for(managed, now))
        return found

    def describe(
        self, managed: ManagedSource, now: float | None = None, *, failed: int | None = None
    ) -> dict[str, Any]:
        """JSON view: masked config, health, alerts, and (when counted) its dead letters."""
        now = self.clock.time() if now is None else now
        status = self.status(managed)
        return {
            "name": managed.name,
            "type": managed.type,
            "origin": managed.origin,
            "read_only": False,
            "enabled": managed.enabled,
            "running": status.running,
            "filter": managed.filter_mode,
            "config": managed.masked_config(),
            "health": health_view(status, now),
            "alerts": source_alerts(status, now),
            "failed": failed,
            "lease": self.lease_view(managed.name),
        }

    def describe_all(
        self, now: float | None = None, *, failed: Mapping[str, int] | None = None
    ) -> list[dict[str, Any]]:
        """Every source: the platform sources, then the hub's own (simulator, files, push API).

        ``failed``: dead letters per source (:meth:`failed_counts`, read in a worker thread by
        the caller); without it the ``failed`` fields are ``null``.
        """
        now = self.clock.time() if now is None else now
        counts = failed if failed is not None else None
        items = [
            self.describe(managed, now, failed=None if counts is None else counts.get(managed.name, 0))
            for managed in self._sources.values()
        ]
        items.extend(self.describe_builtin(now, failed=counts))
        return items

    # -- the hub's own sources (read-only) -----------------------------------------------------

    def builtin_names(self) -> list[str]:
        """Sources the pipeline runs or stored posts from that the manager does not manage: the
        simulator, a replayed file, and always the push API (``POST /api/v1/posts``)."""
        seen = set(self.pipeline.running_sources) | set(self.pipeline.stats.per_source_stored)
        names = sorted(name for name in seen if name not in self._sources and name != PUSH_SOURCE)
        return [*names, PUSH_SOURCE]

    def describe_builtin(
        self, now: float, *, failed: Mapping[str, int] | None = None
    ) -> list[dict[str, Any]]:
        """Read-only entries for :meth:`builtin_names`: running or not, and the posts they stored."""
        running = set(self.pipeline.running_sources)
        stored = self.pipeline.stats.per_source_stored
        items = []
        for name in self.builtin_names():
            kind = _builtin_type(name)
            health = ConnectorHealth(name=name, type=kind)
            health.posts_total = stored.get(name, 0)
            if name == PUSH_SOURCE:
                health.state = "listening"  # the ingest API accepts posts whenever the hub runs
            else:
                health.state = "running" if name in running else "stopped"
            items.append(
                {
                    "name": name,
                    "type": kind,
                    "origin": "hub",
                    "read_only": True,
                    "enabled": True,
                    "running": name == PUSH_SOURCE or name in running,
                    "filter": "source",
                    "config": {},
                    "health": health.snapshot(now),
                    "alerts": [],
                    "failed": None if failed is None else failed.get(name, 0),
                    "lease": None,  # the hub's own sources run where they are (never leased)
                }
            )
        return items

    def knows(self, name: str) -> bool:
        """A managed source or one of the hub's own (simulator, push API...)."""
        return name in self._sources or name in self.builtin_names()

    # -- dead letters ----------------------------------------------------------------------------

    def failed_counts(self) -> dict[str, int]:
        """Dead letters per source (a store read: call it from a worker thread)."""
        with self.store.engine.connect() as connection:
            return count_dead_letters(connection)

    def failed_items(self, name: str, *, limit: int = 100, after_id: int = 0) -> tuple[int, list[DeadLetter]]:
        """(total, one page oldest first) of the dead letters of ``name`` (a store read)."""
        with self.store.engine.connect() as connection:
            total = count_dead_letters(connection, name).get(name, 0)
            return total, list_dead_letters(connection, name, limit=limit, after_id=after_id)

    def sources(self) -> list[ManagedSource]:
        return list(self._sources.values())

    async def _watch(self) -> None:
        """Log alerts when they start and end, and each new connector error (the hub's log is
        where an operator without the UI sees that a source is down)."""
        while True:
            await asyncio.sleep(self.watch_interval_s)
            self.check_alerts()

    def check_alerts(self, now: float | None = None) -> None:
        now = self.clock.time() if now is None else now
        for managed in self._sources.values():
            health = managed.connector.health
            error = health.last_error
            if error and (
                managed.logged_error is None
                or managed.logged_error[0] != error
                or now - managed.logged_error[1] >= _REPEAT_LOG_S
            ):
                managed.logged_error = (error, now)
                retry = ""
                if health.next_retry_at is not None:
                    retry = f" (retrying in {max(0.0, health.next_retry_at - now):.0f} s)"
                log.warning("source %s (%s): %s%s", managed.name, managed.type, error, retry)
            current = {alert["kind"]: alert["message"] for alert in self.alerts_for(managed, now)}
            for kind, message in current.items():
                if kind not in managed.logged_alerts:
                    log.warning("ALERT source %s: %s: %s", managed.name, kind, message)
            for kind in set(managed.logged_alerts) - set(current):
                log.warning("alert over: source %s is no longer %s", managed.name, kind)
            managed.logged_alerts = current


def _builtin_type(name: str) -> str:
    """``simulator``, ``push``, ``file`` (a replayed JSONL file is named ``file:<path>``)..."""
    return name.split(":", 1)[0] or name


def _never(_view: PostView) -> bool:
    return False


def _mark_stopped(managed: ManagedSource) -> None:
    health = managed.connector.health
    if health.state != "failed":
        health.state = "stopped"
    health.connected = False


def _is_unfiltered_firehose(connector: Connector) -> bool:
    """A stream of a whole network with no filter of its own: it needs the hub's topics."""
    config = connector.config
    if connector.meta.type == "bluesky":
        return not (config.get("keywords") or config.get("hashtags") or config.get("wanted_dids"))
    if connector.meta.type == "mastodon":
        return str(config.get("timeline", "")).startswith("public")
    return False
