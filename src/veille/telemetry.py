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

    def watch_queue(self, depth: Callable[[], int]) -> None:
        self.queue_depth.set_function(lambda: float(depth()))

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
