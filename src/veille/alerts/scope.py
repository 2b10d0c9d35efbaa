"""Which alerts a caller sees: those whose rule watches posts inside the caller's team scope.

An alert is **in scope** when the scope lists no topics (every topic), or when its rule's topic is one
of the scope's topics, or when its rule's query names topics (``topic:outage``) and every one of
them is in the scope's topics. A rule on a query that names no topic, or a ``care_sla`` rule on no
topic, watches every post: only a scope without topic restriction sees it. Countries and sources
restrict the posts an alert *shows*: the post cards of its figures (top posts, influencer posts)
outside the caller's countries or sources are left out, and its summary figures are the topic's.

Out of scope is invisible: absent from ``GET /api/v1/alerts``, 404 for the alert, its actions,
its report and its crisis room.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from veille.alerts.models import Alert
from veille.analytics.scope import Scope
from veille.query import parse_query
from veille.query.ast import topic_names
from veille.store.schema import alerts, post_topics, posts
from veille.store.sql import SqlStore

__all__ = ["about_topic", "alert_queries", "in_scope", "visible_figures"]

_CARD_LISTS = ("top_posts", "influencer_posts")


def _query_topics(query: str) -> frozenset[str]:
    try:
        return topic_names(parse_query(query).root)
    except Exception:  # a stored query that no longer parses watches nothing we can place
        return frozenset()


def in_scope(*, topic: str | None, query: str | None, scope: Scope) -> bool:
    """Whether an alert of a rule on ``topic`` or ``query`` is visible in ``scope``."""
    if scope.topics is None:
        return True
    if topic:
        return topic in scope.topics
    if query:
        named = _query_topics(query)
        return bool(named) and named <= scope.topics
    return False


def alert_queries(store: SqlStore, alert_ids: Iterable[int]) -> dict[int, str | None]:
    """The rule query each alert was raised for (kept with the alert: the rule may have changed)."""
    wanted = sorted(set(alert_ids))
    found: dict[int, str | None] = {}
    with store.engine.connect() as connection:
        for start in range(0, len(wanted), 500):
            query = select(alerts.c.id, alerts.c.query).where(alerts.c.id.in_(wanted[start : start + 500]))
            for row in connection.execute(query):
                found[int(row.id)] = row.query
    return found


def visible_figures(store: SqlStore, alert: Alert, scope: Scope) -> Alert:
    """The alert with the post cards outside ``scope`` (country, source, topics) left out."""
    if scope.is_everything:
        return alert
    cards: list[dict[str, Any]] = [
        card for key in _CARD_LISTS for card in alert.figures.get(key) or [] if isinstance(card, dict)
    ]
    ids = sorted({str(card.get("id")) for card in cards if card.get("id")})
    allowed: set[str] = set()
    if ids:
        with store.engine.connect() as connection:
            rows = connection.execute(
                select(posts.c.id, posts.c.source, posts.c.country).where(posts.c.id.in_(ids))
            ).all()
            topics: dict[str, list[str]] = {}
            for row in connection.execute(
                select(post_topics.c.post_id, post_topics.c.topic).where(post_topics.c.post_id.in_(ids))
            ):
                topics.setdefault(row.post_id, []).append(row.topic)
        allowed = {
            row.id
            for row in rows
            if scope.allows_post(source=row.source, country=row.country, topics=topics.get(row.id, []))
        }
    figures = dict(alert.figures)
    for key in _CARD_LISTS:
        if isinstance(figures.get(key), list):
            figures[key] = [
                card for card in figures[key] if isinstance(card, dict) and str(card.get("id")) in allowed
            ]
    return alert.model_copy(update={"figures": figures})


def about_topic(*, topic: str | None, query: str | None, name: str) -> bool:
    """Whether an alert watches the topic ``name`` (its rule's topic, or a query naming it)."""
    if topic:
        return topic == name
    return bool(query) and name in _query_topics(query or "")
