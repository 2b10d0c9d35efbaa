"""Run a topic over stored history so its charts are full from day one.

Posts are read in write order, in batches; each batch's matches for the topic replace the old ones
(``post_topics`` rows and the posts' own ``topics``) in one transaction, so a backfill can be
stopped and run again at any time. Only posts stored before it started are scanned: later ones go
through the live pipeline, which already knows the topic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from veille.clock import to_us
from veille.errors import Invalid
from veille.query import Monitor, parse_query
from veille.store.sql import SqlStore
from veille.topics import repository
from veille.topics.models import Topic
from veille.topics.service import TopicError, TopicNotFound

__all__ = ["BackfillProgress", "BackfillStopped", "backfill_topic", "topic_monitor"]


@dataclass(slots=True)
class BackfillProgress:
    topic: str
    total: int
    scanned: int = 0
    matched: int = 0
    gained: int = 0
    lost: int = 0


class BackfillStopped(Exception):
    """The backfill was asked to stop; what was written so far stays (it is consistent)."""


def topic_monitor(name: str, topics: dict[str, Topic]) -> Monitor:
    """A monitor of ``name`` and the topics it references (directly or not), nothing else."""
    needed: dict[str, str] = {}
    stack = [name]
    while stack:
        current = stack.pop()
        if current in needed:
            continue
        topic = topics.get(current)
        if topic is None:
            raise TopicError(f"topic:{current}: no topic named {current!r}", field="query")
        needed[current] = topic.query
        stack.extend(parse_query(topic.query).topics)
    monitor = Monitor()
    monitor.add_many(needed)
    return monitor


def backfill_topic(
    *,
    store: SqlStore,
    name: str,
    since: datetime | None = None,
    batch_size: int = 500,
    progress: Callable[[BackfillProgress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> BackfillProgress:
    """Match topic ``name`` against the stored posts (created at or after ``since``) and store the result."""
    if not 1 <= batch_size <= 10_000:
        raise Invalid("batch_size: must be between 1 and 10000", field="batch_size")
    topics = {topic.name: topic for topic in repository.list_topics(store)}
    topic = topics.get(name)
    if topic is None:
        raise TopicNotFound(name)
    if not topic.enabled:
        raise TopicError(f"topic {name!r} is disabled: enable it before a backfill", field="name")
    monitor = topic_monitor(name, topics)
    since_us = to_us(since) if since is not None else None
    last_seq = store.last_seq()
    state = BackfillProgress(topic=name, total=repository.posts_in_range_count(store, since_us=since_us))
    if progress is not None:
        progress(state)
    seq = 0
    while True:
        if should_stop is not None and should_stop():
            raise BackfillStopped(name)
        batch = repository.post_batch_after(store, seq, limit=batch_size, since_us=since_us)
        batch = [(post_seq, post) for post_seq, post in batch if post_seq <= last_seq]
        if not batch:
            break
        seq = batch[-1][0]
        scanned = [post for _, post in batch]
        matches: dict[str, list[tuple[int, int]]] = {}
        for post in scanned:
            for matched_name, spans in monitor.match_post(post):
                if matched_name == name:
                    matches[post.id] = spans
        gained, lost = repository.replace_topic_matches(store, name, scanned, matches)
        state.scanned += len(scanned)
        state.matched += len(matches)
        state.gained += gained
        state.lost += lost
        state.total = max(state.total, state.scanned)
        if progress is not None:
            progress(state)
    return state
