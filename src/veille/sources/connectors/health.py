"""Health of the platform sources, in one place: what a connector measures, what it means, what is exported.

- :class:`ConnectorHealth` — kept up to date by each connector: state, lag, last error, posts per
  minute, counters;
- :class:`SourceStatus` — one source as the hub sees it (its health, running or not, since when,
  its silence delay, how it is filtered); the source manager builds them;
- :func:`source_alerts` — the alerts of a source: ``failed``, ``silent`` (no post kept for
  ``silent_after_s``) and ``no_filter`` (a firehose that keeps nothing because the hub has no topics);
- :func:`health_view` — the health shown by ``GET /api/v1/sources`` (a source that does not run
  reads ``stopped`` or ``idle``);
- :class:`SourceHealthCollector` — the ``veille_source_*`` Prometheus metrics, read from the
  manager at each scrape, so a removed source disappears from ``/metrics`` at once and nothing has
  to be kept in sync by hand.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from veille.clock import Clock
from veille.model import Post
from veille.security import mask_urls_in

__all__ = [
    "ConnectorHealth",
    "HealthReporter",
    "SourceHealthCollector",
    "SourceStatus",
    "health_view",
    "source_alerts",
]

FilterMode = Literal["query", "topics", "source"]
_LABELS = ["source", "type"]


@dataclass(slots=True)
class ConnectorHealth:
    """Health of one connector, for the API, ``/metrics``, the UI and the silence/failure alert."""

    name: str
    type: str
    state: str = "idle"  # idle, connecting, connected, backing_off, failed, stopped
    connected: bool = False
    last_error: str | None = None
    last_error_at: float | None = None
    last_connected_at: float | None = None
    last_post_at: float | None = None  # wall clock when the last post was emitted
    lag_s: float | None = None  # now - created_at of the newest post emitted
    next_retry_at: float | None = None
    posts_total: int = 0
    malformed_total: int = 0
    duplicates_total: int = 0
    filtered_total: int = 0
    reconnects_total: int = 0
    rate_limited_total: int = 0
    _recent: deque[tuple[float, int]] = field(default_factory=deque, repr=False)

    def record_posts(self, posts: list[Post], now: float) -> None:
        if not posts:
            return
        self.posts_total += len(posts)
        self.last_post_at = now
        newest = max(post.created_at.timestamp() for post in posts)
        self.lag_s = max(0.0, now - newest)
        self._recent.append((now, len(posts)))
        self._trim(now)

    def _trim(self, now: float) -> None:
        while self._recent and self._recent[0][0] < now - 60.0:
            self._recent.popleft()

    def posts_per_min(self, now: float) -> float:
        self._trim(now)
        return float(sum(count for _, count in self._recent))

    def record_error(self, message: str, now: float) -> None:
        # Shown in the API, the UI and the log: a credential written in an address is masked.
        self.last_error = mask_urls_in(message)
        self.last_error_at = now

    def snapshot(self, now: float | None = None) -> dict[str, Any]:
        """JSON-able view."""
        now = time.time() if now is None else now
        return {
            "name": self.name,
            "type": self.type,
            "state": self.state,
            "connected": self.connected,
            "last_error": self.last_error,
            "last_error_at": self.last_error_at,
            "last_connected_at": self.last_connected_at,
            "last_post_at": self.last_post_at,
            "silent_for_s": None if self.last_post_at is None else max(0.0, now - self.last_post_at),
            "lag_s": self.lag_s,
            "next_retry_at": self.next_retry_at,
            "posts_per_min": self.posts_per_min(now),
            "posts_total": self.posts_total,
            "malformed_total": self.malformed_total,
            "duplicates_total": self.duplicates_total,
            "filtered_total": self.filtered_total,
            "reconnects_total": self.reconnects_total,
            "rate_limited_total": self.rate_limited_total,
        }


@dataclass(frozen=True, slots=True)
class SourceStatus:
    """One source as the health checks see it: its connector's health and what the hub knows of it."""

    name: str
    type: str
    health: ConnectorHealth
    running: bool  # its task runs in the pipeline
    enabled: bool
    started_at: float | None  # when the hub last started it (None: never started)
    stopped_by_user: bool
    silent_after_s: float
    # "query" (its own query), "topics" (a firehose kept to the hub's topics) or "source" (its own filters)
    filter_mode: FilterMode
    hub_topics: int  # how many topics the hub has: a "topics" source keeps nothing without one


def source_alerts(status: SourceStatus, now: float) -> list[dict[str, Any]]:
    """The alerts of one source (``kind``: ``failed``, ``silent``, ``no_filter``), oldest cause first."""
    health = status.health
    found: list[tuple[str, str, float | None]] = []
    if status.enabled and status.started_at is not None and not status.stopped_by_user:
        if health.state == "failed" or not status.running:
            message = health.last_error or "the source stopped"
            found.append(("failed", message, health.last_error_at or status.started_at))
        else:
            since = max(health.last_post_at or 0.0, status.started_at)
            if now - since > status.silent_after_s:
                found.append(
                    (
                        "silent",
                        f"no post for {now - since:.0f} s (alert after {status.silent_after_s:g} s)"
                        + (f"; last error: {health.last_error}" if health.last_error else ""),
                        since,
                    )
                )
    if status.filter_mode == "topics" and status.hub_topics == 0:
        found.append(
            (
                "no_filter",
                "keeps nothing: the source has no query nor keywords of its own and the hub has "
                "no topics; add a query or topics",
                status.started_at,
            )
        )
    return [
        {"source": status.name, "type": status.type, "kind": kind, "message": message, "since": since}
        for kind, message, since in found
    ]


def health_view(status: SourceStatus, now: float) -> dict[str, Any]:
    """The health snapshot the API shows: a source that does not run is ``stopped`` (or ``idle``)."""
    view = status.health.snapshot(now)
    if not status.running and view["state"] not in ("failed",):
        view["state"] = "stopped" if status.started_at is not None or not status.enabled else "idle"
        view["connected"] = False
    return view


class HealthReporter(Protocol):
    """What the collector reads at each scrape (the source manager)."""

    clock: Clock

    def statuses(self) -> list[SourceStatus]: ...


class SourceHealthCollector(Collector):
    """``veille_source_*`` metrics of every source of a manager (:class:`HealthReporter`)."""

    def __init__(self, manager: HealthReporter) -> None:
        self.manager = manager

    def collect(self) -> Iterator[Metric]:
        now = self.manager.clock.time()
        connected = GaugeMetricFamily(
            "veille_source_connected", "1 when the source is connected", labels=_LABELS
        )
        running = GaugeMetricFamily(
            "veille_source_running", "1 when the source runs in the pipeline", labels=_LABELS
        )
        lag = GaugeMetricFamily(
            "veille_source_lag_seconds", "Now minus the creation time of the newest post read", labels=_LABELS
        )
        rate = GaugeMetricFamily(
            "veille_source_posts_per_minute", "Posts kept over the last minute", labels=_LABELS
        )
        silent = GaugeMetricFamily(
            "veille_source_silent", "1 when no post arrived for longer than silent_after_s", labels=_LABELS
        )
        failed = GaugeMetricFamily(
            "veille_source_failed",
            "1 when the source stopped on an error (credentials, config...)",
            labels=_LABELS,
        )
        posts = CounterMetricFamily("veille_source_posts", "Posts kept by the source", labels=_LABELS)
        errors = CounterMetricFamily(
            "veille_source_errors",
            "Errors by kind: malformed items, reconnects, rate limits",
            labels=[*_LABELS, "kind"],
        )
        for status in self.manager.statuses():
            health = status.health
            labels = [status.name, status.type]
            kinds = {alert["kind"] for alert in source_alerts(status, now)}
            connected.add_metric(labels, 1.0 if health.connected and status.running else 0.0)
            running.add_metric(labels, 1.0 if status.running else 0.0)
            if health.lag_s is not None:
                lag.add_metric(labels, health.lag_s)
            rate.add_metric(labels, health.posts_per_min(now))
            silent.add_metric(labels, 1.0 if "silent" in kinds else 0.0)
            failed.add_metric(labels, 1.0 if "failed" in kinds else 0.0)
            posts.add_metric(labels, float(health.posts_total))
            errors.add_metric([*labels, "malformed"], float(health.malformed_total))
            errors.add_metric([*labels, "reconnect"], float(health.reconnects_total))
            errors.add_metric([*labels, "rate_limited"], float(health.rate_limited_total))
        yield from (connected, running, lag, rate, silent, failed, posts, errors)
