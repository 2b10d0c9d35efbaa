"""Per-source health in ``/metrics``: gauges and counters read from the manager at each scrape.

A collector (rather than labelled gauges updated by hand) means a removed source disappears from
the exposition at once and nothing has to be kept in sync.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from veille.sources.manager import SourceManager

__all__ = ["SourceHealthCollector"]

_LABELS = ["source", "type"]


class SourceHealthCollector(Collector):
    """``veille_source_*`` metrics of every source of a :class:`SourceManager`."""

    def __init__(self, manager: SourceManager) -> None:
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
        for managed in self.manager.sources():
            health = managed.connector.health
            labels = [managed.name, managed.type]
            kinds = {alert["kind"] for alert in self.manager.alerts_for(managed, now)}
            connected.add_metric(
                labels, 1.0 if health.connected and self.manager.is_running(managed) else 0.0
            )
            running.add_metric(labels, 1.0 if self.manager.is_running(managed) else 0.0)
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
