"""A query compiled against the hub's live topics: a fast yes/no test and the spans to highlight.

``topic:`` references read the live monitor (the enabled topics), copied under its lock once
(queries are immutable), so evaluating many posts never holds the pipeline up. The explorer's
search, its exports, the topic editor's preview and ``/query/test`` all evaluate queries this way,
so a post is found by the same rules that put it under a topic.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from veille.model import Post
from veille.query import Query, QueryError, UnknownTopicError, parse_query
from veille.query.match import PostView, Tester, compile_tester, match, view_post
from veille.topics.live import LiveTopics
from veille.topics.service import TopicError

__all__ = ["CompiledQuery", "compile_query"]


@dataclass(slots=True)
class CompiledQuery:
    """A parsed query, the saved queries it references, and its compiled tester."""

    query: Query
    saved: dict[str, Query]
    tester: Tester = field(repr=False)

    def test(self, post: Post) -> PostView | None:
        """The post's view when the query matches it, else None."""
        view = view_post(post)
        return view if self.tester(view) else None

    def spans(self, view: PostView) -> list[list[int]]:
        """The character spans of the post's text that made the match (sorted, merged)."""
        result = match(self.query, view, resolve_topic=self.saved.get)
        return [list(span) for span in result.spans] if result is not None else []


def _refused(error: QueryError, field_name: str) -> TopicError:
    return TopicError(f"{field_name}: {error}", field=field_name, column=error.column)


def compile_query(*, live: LiveTopics, text: str, field_name: str = "query") -> CompiledQuery:
    """Parse ``text`` and resolve its ``topic:`` references among the live topics.

    Raises :class:`~veille.topics.service.TopicError` (an ``Invalid``: HTTP 422) naming
    ``field_name`` and the column when the query does not parse or names an unknown topic.
    """
    try:
        parsed = parse_query(text)
    except QueryError as error:
        raise _refused(error, field_name) from None
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
        raise _refused(UnknownTopicError(missing[0]), field_name)
    testers: dict[str, Tester] = {}

    def topic_tester(name: str) -> Tester:
        if name not in testers:
            testers[name] = compile_tester(saved[name].root, topic_tester)
        return testers[name]

    try:
        tester = compile_tester(parsed.root, topic_tester)
    except QueryError as error:  # a cycle or too deep a chain of topic: references
        raise _refused(error, field_name) from None
    return CompiledQuery(query=parsed, saved=saved, tester=tester)
