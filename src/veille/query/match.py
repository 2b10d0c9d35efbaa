"""Evaluation of a parsed query against one post, with the spans of text that made the match.

A post is read once into a :class:`~veille.query.view.PostView`; every query is then evaluated
against that view. Evaluators share the leaf rules (:mod:`veille.query.leaves`, :mod:`veille.query.near`):
:func:`match` walks the AST and collects highlight spans, :func:`compile_tester` turns an AST into
nested closures answering only yes/no (for one-off queries), and the monitor compiles its saved
queries to generated code (:mod:`veille.query.compiled`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from veille.model import Post
from veille.query.ast import (
    And,
    Emoji,
    Field,
    Followers,
    Near,
    Node,
    Not,
    Or,
    Query,
    QueryCycleError,
    QueryLimitError,
    Tag,
    UnknownTopicError,
    Words,
    has_wildcard,
)
from veille.query.glob import glob
from veille.query.leaves import emoji_spans, field_spans, tag_occurrences, words_occurrences
from veille.query.near import near_spans, near_test
from veille.query.syntax import MAX_TOPIC_DEPTH, parse_query
from veille.query.view import Occurrence, PostView, Span, view_post, view_text

__all__ = [
    "MatchResult",
    "Occurrence",
    "PostView",
    "Span",
    "Tester",
    "TopicResolver",
    "compile_tester",
    "match",
    "merge_spans",
    "view_post",
    "view_text",
]

Tester = Callable[[PostView], bool]
TopicResolver = Callable[[str], "Query | str | None"]


# ---------------------------------------------------------------------------------- span evaluation


@dataclass(frozen=True, slots=True)
class MatchResult:
    """A match: the character spans of the original text that made it, sorted and merged."""

    spans: tuple[Span, ...] = ()

    def __bool__(self) -> bool:
        return True


def merge_spans(spans: list[Span]) -> list[Span]:
    """Sorted spans with overlapping or touching ones merged."""
    if len(spans) < 2:
        return list(spans)
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


class _Evaluation:
    def __init__(self, view: PostView, resolve_topic: TopicResolver | None) -> None:
        self.view = view
        self.resolve_topic = resolve_topic
        self.stack: list[str] = []
        self.topic_spans: dict[str, list[Span] | None] = {}

    def spans(self, node: Node) -> list[Span] | None:
        view = self.view
        if isinstance(node, Words):
            found = words_occurrences(node, view)
            return [o[2] for o in found] if found else None
        if isinstance(node, Tag):
            tags = tag_occurrences(node, view)
            return [o[2] for o in tags] if tags else None
        if isinstance(node, Emoji):
            return list(emoji_spans(node, view)) or None
        if isinstance(node, And):
            collected: list[Span] = []
            for child in node.children:
                child_spans = self.spans(child)
                if child_spans is None:
                    return None
                collected.extend(child_spans)
            return collected
        if isinstance(node, Or):
            matched = False
            collected = []
            for child in node.children:
                child_spans = self.spans(child)
                if child_spans is not None:
                    matched = True
                    collected.extend(child_spans)
            return collected if matched else None
        if isinstance(node, Not):
            # A negated operand contributes no highlight; only whether it matched counts.
            return [] if self.spans(node.child) is None else None
        if isinstance(node, Near):
            return near_spans(node, view)
        if isinstance(node, Field) and node.name == "topic":
            return self.topic(node.value)
        return field_spans(node, view)

    def topic(self, name: str) -> list[Span] | None:
        if name in self.topic_spans:
            return self.topic_spans[name]
        if name in self.stack:
            raise QueryCycleError([*self.stack[self.stack.index(name) :], name])
        if len(self.stack) >= MAX_TOPIC_DEPTH:
            raise QueryLimitError(
                f"more than {MAX_TOPIC_DEPTH} levels of topic: references: "
                + " -> ".join([*self.stack, name])
            )
        resolved = self.resolve_topic(name) if self.resolve_topic is not None else None
        if resolved is None:
            raise UnknownTopicError(name)
        query = parse_query(resolved) if isinstance(resolved, str) else resolved
        self.stack.append(name)
        try:
            found = self.spans(query.root)
        finally:
            self.stack.pop()
        self.topic_spans[name] = found
        return found


def match(
    query: Query | Node | str, view: PostView | Post, resolve_topic: TopicResolver | None = None
) -> MatchResult | None:
    """Evaluate ``query`` on one post; the :class:`MatchResult` holds the spans to highlight.

    ``resolve_topic(name)`` returns the saved query (text or :class:`Query`) of a ``topic:``
    reference, or None when there is none (an :class:`UnknownTopicError`). Cycles raise
    :class:`QueryCycleError`, more than 5 levels :class:`QueryLimitError`.
    """
    if isinstance(query, str):
        query = parse_query(query)
    root = query.root if isinstance(query, Query) else query
    if isinstance(view, Post):
        view = view_post(view)
    found = _Evaluation(view, resolve_topic).spans(root)
    if found is None:
        return None
    return MatchResult(tuple(merge_spans(found)))


# ---------------------------------------------------------------------------------- yes/no testers


def _words_tester(node: Words) -> Tester:
    if node.exact:
        return lambda view: bool(words_occurrences(node, view))
    if len(node.tokens) == 1:
        token = node.tokens[0]
        if not has_wildcard(token):
            return lambda view: token in view.positions
        if token.endswith("*") and token.count("*") == 1 and "?" not in token:
            prefix = token[:-1]
            return lambda view: any(t.startswith(prefix) for t in view.positions)
        fullmatch = glob(token).fullmatch
        return lambda view: any(fullmatch(t) for t in view.positions)
    plain = [t for t in node.tokens if not has_wildcard(t)]
    if plain:
        # Cheap pre-check: every plain word of the phrase must be present somewhere.
        def phrase_tester(view: PostView) -> bool:
            positions = view.positions
            for word in plain:
                if word not in positions:
                    return False
            return bool(words_occurrences(node, view))

        return phrase_tester
    return lambda view: bool(words_occurrences(node, view))


def _field_tester(node: Field | Followers) -> Tester:
    if isinstance(node, Followers):
        low = -1 if node.low is None else node.low
        high = node.high

        def followers_tester(view: PostView) -> bool:
            count = view.followers
            return count is not None and count >= low and (high is None or count <= high)

        return followers_tester
    value = node.value
    name = node.name
    if name == "lang":
        return lambda view: view.lang == value
    if name == "country":
        return lambda view: view.country == value
    if name == "source":
        return lambda view: view.source == value
    if name == "sentiment":
        return lambda view: view.sentiment == value
    if name == "is":
        return lambda view: value in view.flags
    if name == "has":
        return lambda view: value in view.has
    if name == "author" and "*" not in value:
        return lambda view: view.author == value
    return lambda view: field_spans(node, view) is not None


def _cost(node: Node) -> int:
    """Rough cost of a tester, to run cheap children of AND/OR first (the result is the same)."""
    if isinstance(node, Field | Followers):
        return (
            0
            if not (isinstance(node, Field) and node.name in ("topic", "url", "site", "title", "name"))
            else 3
        )
    if isinstance(node, Words):
        return 1 if len(node.tokens) == 1 and not node.has_wildcard and not node.exact else 2
    if isinstance(node, Tag | Emoji):
        return 1
    if isinstance(node, Not):
        return _cost(node.child)
    if isinstance(node, Near):
        return 4
    return max(_cost(child) for child in node.children) + 1


def _chain(testers: list[Tester], conjunction: bool) -> Tester:
    """Nested two-way closures: cheaper than ``all()``/``any()`` over a generator."""
    if len(testers) == 1:
        return testers[0]
    first, rest = testers[0], _chain(testers[1:], conjunction)
    if conjunction:
        return lambda view: first(view) and rest(view)
    return lambda view: first(view) or rest(view)


def compile_tester(node: Node, topic_tester: Callable[[str], Tester] | None = None) -> Tester:
    """Closures answering "does it match?" (no spans), the fast path of one-off queries.

    ``topic_tester(name)`` gives the tester of a saved topic; it is called at match time, so a
    topic changed later is seen by every query that references it.
    """
    if isinstance(node, Words):
        return _words_tester(node)
    if isinstance(node, Tag):
        return lambda view: bool(tag_occurrences(node, view))
    if isinstance(node, Emoji):
        return lambda view: bool(emoji_spans(node, view))
    if isinstance(node, Not):
        child = compile_tester(node.child, topic_tester)
        return lambda view: not child(view)
    if isinstance(node, And | Or):
        ordered = sorted(node.children, key=_cost)
        return _chain([compile_tester(child, topic_tester) for child in ordered], isinstance(node, And))
    if isinstance(node, Near):
        return lambda view: near_test(node, view)
    if isinstance(node, Field) and node.name == "topic":
        if topic_tester is None:
            raise UnknownTopicError(node.value, node.column)
        name = node.value
        lookup = topic_tester
        return lambda view: lookup(name)(view)
    return _field_tester(node)
