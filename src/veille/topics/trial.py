"""Trying a query before saving it: what would it catch among the latest stored posts?

The matches come with their highlight spans (character offsets into the post text) and the
linter's warnings. ``topic:`` references read the hub's live topics, copied under the lock first
(queries are immutable), so the pipeline is not held up while the posts are matched.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from veille.query.lint import lint_node
from veille.store.sql import SqlStore
from veille.topics import repository
from veille.topics.evaluate import compile_query
from veille.topics.live import LiveTopics

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


def try_query(*, store: SqlStore, live: LiveTopics, text: str, last: int) -> QueryTrial:
    """The matches of ``text`` among the ``last`` stored posts, newest first.

    Raises :class:`~veille.topics.service.TopicError` (field ``query``, with the column) when the
    query does not parse or names an unknown topic.
    """
    compiled = compile_query(live=live, text=text)
    posts = repository.latest_posts(store, last)
    items: list[dict[str, Any]] = []
    for post in posts:
        view = compiled.test(post)
        if view is not None:
            items.append({"post": post.to_json_dict(), "spans": compiled.spans(view)})
    warnings = [
        {"column": warning.column, "code": warning.code, "message": warning.message}
        for warning in lint_node(compiled.query.root)
    ]
    return QueryTrial(scanned=len(posts), items=items, warnings=warnings)
