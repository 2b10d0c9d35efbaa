"""Trying a query before saving it: what would it catch among the latest stored posts?

The matches come with their highlight spans (character offsets into the post text) and the
linter's warnings. ``topic:`` references read the hub's live topics, copied under the lock first
(queries are immutable), so the pipeline is not held up while the posts are matched.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from veille.model import Post
from veille.query import Query, QueryError, UnknownTopicError, parse_query
from veille.query.lint import lint_node
from veille.query.match import Tester, compile_tester, match, view_post
from veille.store.sql import SqlStore
from veille.topics import repository
from veille.topics.live import LiveTopics
from veille.topics.service import TopicError

__all__ = ["QueryTrial", "try_query"]


@dataclass(frozen=True, slots=True)
class QueryTrial:
    scanned: int
    items: list[dict[str, Any]]
    warnings: list[dict[str, Any]]

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "scanned": self.scanned,
            "matched": len(self.items),
            "items": self.items,
            "warnings": self.warnings,
        }


def _refused(error: QueryError) -> TopicError:
    return TopicError(f"query: {error}", field="query", column=error.column)


def try_query(*, store: SqlStore, live: LiveTopics, text: str, last: int) -> QueryTrial:
    """The matches of ``text`` among the ``last`` stored posts, newest first.

    Raises :class:`~veille.topics.service.TopicError` (field ``query``, with the column) when the
    query does not parse or names an unknown topic.
    """
    try:
        parsed = parse_query(text)
    except QueryError as error:
        raise _refused(error) from None
    posts = repository.latest_posts(store, last)
    try:
        items = _matches(live, parsed, posts)
    except UnknownTopicError as error:
        raise _refused(error) from None
    warnings = [
        {"column": warning.column, "code": warning.code, "message": warning.message}
        for warning in lint_node(parsed.root)
    ]
    return QueryTrial(scanned=len(posts), items=items, warnings=warnings)


def _matches(live: LiveTopics, parsed: Query, posts: list[Post]) -> list[dict[str, Any]]:
    saved: dict[str, Query] = {}
    with live.lock:
        pending = list(parsed.topics)
        while pending:
            name = pending.pop()
            if name not in saved and name in live.monitor:
                saved[name] = live.monitor.query(name)
                pending.extend(saved[name].topics)
    missing = sorted(parsed.topics - saved.keys())
    if missing:
        raise UnknownTopicError(missing[0])
    testers: dict[str, Tester] = {}

    def topic_tester(name: str) -> Tester:
        if name not in testers:
            testers[name] = compile_tester(saved[name].root, topic_tester)
        return testers[name]

    tester = compile_tester(parsed.root, topic_tester)
    found: list[dict[str, Any]] = []
    for post in posts:
        view = view_post(post)
        if not tester(view):
            continue
        result = match(parsed, view, resolve_topic=saved.get)
        spans = [list(span) for span in result.spans] if result is not None else []
        found.append({"post": post.to_json_dict(), "spans": spans})
    return found
