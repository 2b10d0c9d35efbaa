"""The topic editor's live preview: what a query would have caught over the recent days.

The newest posts created in the last ``days`` (at most ``scan`` of them, newest first) are matched
with the query (``topic:`` references read the live topics); the answer holds the first matches with
their highlight spans, the daily volume the query would have had (per local day in ``tz``), and
its overlap with every existing topic among the posts scanned: how many of the query's matches the
topic also holds, as a share of the query's matches and of the topic's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from veille.clock import from_us, now_us, zone_named
from veille.model import Post
from veille.query.lint import lint_query
from veille.store.schema import posts
from veille.store.sql import SqlStore
from veille.topics.evaluate import compile_query
from veille.topics.live import LiveTopics
from veille.topics.repository import _post_from_doc

__all__ = ["QueryPreview", "preview_query"]

_DAY_US = 86_400_000_000
_CHUNK = 1000


@dataclass(frozen=True, slots=True)
class QueryPreview:
    scanned: int
    matched: int
    items: list[dict[str, Any]]
    daily: list[dict[str, Any]]
    overlaps: list[dict[str, Any]]
    warnings: list[dict[str, Any]]
    complete: bool

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "scanned": self.scanned,
            "matched": self.matched,
            "complete": self.complete,
            "items": self.items,
            "daily": self.daily,
            "overlaps": self.overlaps,
            "warnings": self.warnings,
        }


def _local_day(created_us: int, zone: Any) -> str:
    return from_us(created_us).astimezone(zone).date().isoformat()


def preview_query(
    *,
    store: SqlStore,
    live: LiveTopics,
    text: str,
    days: int = 30,
    scan: int = 20_000,
    shown: int = 20,
    tz: str = "UTC",
    now: int | None = None,
    admits: Callable[[Post], bool] | None = None,
) -> QueryPreview:
    """Match ``text`` over the posts of the last ``days`` (newest ``scan`` at most); ``admits``: the
    posts the writer may see (their teams' scope), the others are read past and never counted."""
    compiled = compile_query(live=live, text=text)
    zone = zone_named(tz)
    end_us = now if now is not None else now_us()
    start_us = end_us - days * _DAY_US
    daily: Counter[str] = Counter()
    topic_totals: Counter[str] = Counter()
    common: Counter[str] = Counter()
    items: list[dict[str, Any]] = []
    scanned = matched = 0
    after: tuple[int, str] | None = None
    complete = True
    while True:
        query = select(posts.c.id, posts.c.created_us, posts.c.doc).where(
            posts.c.created_us >= start_us, posts.c.created_us < end_us
        )
        if after is not None:
            query = query.where(
                (posts.c.created_us < after[0]) | ((posts.c.created_us == after[0]) & (posts.c.id < after[1]))
            )
        chunk = min(_CHUNK, scan - scanned)
        query = query.order_by(posts.c.created_us.desc(), posts.c.id.desc()).limit(chunk)
        with store.engine.connect() as connection:
            rows = connection.execute(query).all()
        for row in rows:
            scanned += 1
            after = (int(row.created_us), str(row.id))
            post = _post_from_doc(row.doc)
            if admits is not None and not admits(post):
                continue
            names = {match.name for match in post.topics}
            topic_totals.update(names)
            view = compiled.test(post)
            if view is None:
                continue
            matched += 1
            daily[_local_day(int(row.created_us), zone)] += 1
            common.update(names)
            if len(items) < shown:
                items.append({"post": post.to_json_dict(), "spans": compiled.spans(view)})
        if len(rows) < chunk:
            break
        if scanned >= scan:
            complete = False
            break
    first_day = datetime.fromisoformat(_local_day(start_us, zone)).date()
    last_day = datetime.fromisoformat(_local_day(end_us - 1, zone)).date()
    series = []
    day = first_day
    while day <= last_day:
        series.append({"day": day.isoformat(), "posts": daily.get(day.isoformat(), 0)})
        day += timedelta(days=1)
    overlaps = [
        {
            "topic": name,
            "common": count,
            "share_of_query": count / matched,
            "share_of_topic": count / topic_totals[name],
        }
        for name, count in common.most_common()
    ]
    warnings = [
        {"column": warning.column, "code": warning.code, "message": warning.message}
        for warning in lint_query(compiled.query)
    ]
    return QueryPreview(
        scanned=scanned,
        matched=matched,
        items=items,
        daily=series,
        overlaps=overlaps,
        warnings=warnings,
        complete=complete,
    )
