"""The hub's running set of topics: one :class:`Monitor` shared by the pipeline and the API.

The pipeline matches batches in a worker thread while the API (or a backfill) changes topics in
another, so every use of the monitor holds one lock: a change waits at most one batch, and a
batch never sees a half-applied change.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from veille.model import Post
from veille.query import Monitor, Query, TopicStage
from veille.topics.models import Topic, TopicSpec

__all__ = ["LiveTopicStage", "LiveTopics", "monitor_for"]


def monitor_for(topics: Iterable[Topic | TopicSpec]) -> Monitor:
    """A monitor of the enabled topics (references among them resolved in any order)."""
    monitor = Monitor()
    monitor.add_many({topic.name: topic.query for topic in topics if topic.enabled})
    return monitor


class LiveTopics:
    """The monitor of the enabled topics and the lock that guards it."""

    def __init__(self, monitor: Monitor | None = None) -> None:
        self.monitor = monitor if monitor is not None else Monitor()
        self.lock = threading.RLock()

    @classmethod
    def of(cls, topics: Iterable[Topic]) -> LiveTopics:
        return cls(monitor_for(topics))

    def stage(self) -> LiveTopicStage:
        return LiveTopicStage(self)

    def replace(self, monitor: Monitor) -> None:
        with self.lock:
            self.monitor = monitor

    def names(self) -> list[str]:
        with self.lock:
            return self.monitor.names()

    def resolve(self, name: str) -> Query | None:
        """The saved query of ``name`` (for ``topic:`` references), or None."""
        with self.lock:
            return self.monitor.query(name) if name in self.monitor else None


class LiveTopicStage(TopicStage):
    """The topic stage on the hub's live monitor: topics changed through the API apply to the next batch."""

    def __init__(self, live: LiveTopics) -> None:
        super().__init__(live.monitor)
        self.live = live

    def process(self, posts: list[Post]) -> list[Post]:
        with self.live.lock:
            self.monitor = self.live.monitor
            return super().process(posts)
