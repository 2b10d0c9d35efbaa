"""Prometheus metrics of one hub, in a registry of its own (no global state, no import-time work)."""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest

__all__ = ["HubMetrics"]


class HubMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.posts_stored = Counter(
            "veille_posts_stored", "Posts written to the store", ["source"], registry=self.registry
        )
        self.posts_rejected = Counter(
            "veille_posts_rejected", "Items refused by validation", ["source"], registry=self.registry
        )
        self.stream_clients = Gauge(
            "veille_stream_clients", "Open live-stream (SSE) connections", registry=self.registry
        )
        self.queue_depth = Gauge(
            "veille_pipeline_queue_batches", "Batches waiting for the writer", registry=self.registry
        )

        # Per-stage throughput: posts handled and seconds spent (rate(posts) / rate(seconds) = posts/s
        # of that stage); "prepare" and "write" are the store's two halves.
        self.stage_posts = Counter(
            "veille_stage_posts", "Posts handled by each pipeline stage", ["stage"], registry=self.registry
        )
        self.stage_seconds = Counter(
            "veille_stage_seconds", "Seconds spent by each pipeline stage", ["stage"], registry=self.registry
        )
        # The JetStream work consumer (VEILLE_BUS=nats), read every few seconds.
        self.work_pending = Gauge(
            "veille_work_pending",
            "Posts in the work stream not yet handed to a worker",
            registry=self.registry,
        )
        self.work_unacknowledged = Gauge(
            "veille_work_unacknowledged",
            "Posts handed to a worker and not yet stored (acknowledged)",
            registry=self.registry,
        )

        # Store maintenance: minute rollup rows past [hub] minute_rollup_days deleted by this process.
        self.rollup_minute_pruned = Counter(
            "veille_rollup_minute_pruned",
            "Minute rollup rows deleted past their retention",
            registry=self.registry,
        )

    def observe_stage(self, stage: str, posts: int, seconds: float) -> None:
        self.stage_posts.labels(stage=stage).inc(posts)
        self.stage_seconds.labels(stage=stage).inc(seconds)

    def watch_queue(self, depth: Callable[[], int]) -> None:
        self.queue_depth.set_function(lambda: float(depth()))

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
