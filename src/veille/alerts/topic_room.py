"""The crisis room of a topic (``/crisis/topic/{topic}``) and its report: the topic's alerts the
caller may see (those still open or acknowledged, and those opened in the period), and the topic's
headline figures over the period, inside the caller's scope.

The period is the last 24 hours, from an hour before the oldest alert still open on the topic
when that is earlier (at most seven days).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from veille.alerts import service
from veille.alerts.models import Alert
from veille.alerts.scope import about_topic, alert_queries, in_scope, visible_figures
from veille.analytics.filters import AnalyticsFilter
from veille.analytics.reader import read_measures
from veille.analytics.scope import Scope
from veille.store.sql import SqlStore

__all__ = ["TopicRoom", "topic_room"]

ACTIVE = ("open", "acknowledged")
MAX_ALERTS = 20


@dataclass(slots=True)
class TopicRoom:
    topic: str
    start: datetime
    end: datetime
    alerts: list[Alert] = field(default_factory=list)
    posts: int = 0
    negative: int = 0
    positive: int = 0
    last_hour: int = 0

    @property
    def negative_share(self) -> float | None:
        return self.negative / self.posts if self.posts else None


def _sentiments(store: SqlStore, topic: str, scope: Scope, start: datetime, end: datetime) -> dict[str, int]:
    filters = AnalyticsFilter.of(start=start, end=end, topics=[topic])
    totals = read_measures(store, filters.within(scope), group_by=("sentiment",), bucketed=False)
    found: dict[str, int] = {}
    for (_bucket, (sentiment,)), measures in totals.items():
        found[str(sentiment)] = found.get(str(sentiment), 0) + int(measures[0])
    return found


def topic_room(
    *,
    store: SqlStore,
    topic: str,
    scope: Scope,
    now: datetime | None = None,
    hidden_rules: frozenset[int] = frozenset(),
) -> TopicRoom:
    """The topic's alerts visible in ``scope`` (but those of ``hidden_rules``, the rules the reader
    may not see) and its figures over the period."""
    end = now or datetime.now(UTC)
    candidates = service.list_alerts(store=store, statuses=None, limit=1000)
    queries = alert_queries(store, [alert.id for alert in candidates])
    start = end - timedelta(hours=24)
    chosen: list[Alert] = []
    for alert in candidates:
        if alert.rule_id is not None and alert.rule_id in hidden_rules:
            continue
        query = queries.get(alert.id)
        if not about_topic(topic=alert.topic, query=query, name=topic):
            continue
        if not in_scope(topic=alert.topic, query=query, scope=scope):
            continue
        if alert.status in ACTIVE or alert.opened_at >= start:
            chosen.append(alert)
    active = [alert.opened_at for alert in chosen if alert.status in ACTIVE]
    if active:
        start = max(min(start, min(active) - timedelta(hours=1)), end - timedelta(days=7))
    chosen.sort(key=lambda alert: (alert.status not in ACTIVE, -alert.opened_at.timestamp()))
    room = TopicRoom(topic=topic, start=start, end=end)
    room.alerts = [
        visible_figures(store, service.get_alert(store=store, alert_id=alert.id), scope)
        for alert in chosen[:MAX_ALERTS]
    ]
    sentiments = _sentiments(store, topic, scope, start, end)
    room.posts = sum(sentiments.values())
    room.negative = sentiments.get("negative", 0)
    room.positive = sentiments.get("positive", 0)
    room.last_hour = sum(_sentiments(store, topic, scope, end - timedelta(hours=1), end).values())
    return room
