"""Evaluation of a parsed query against one post, with the spans of text that made the match.

A post is read once into a :class:`PostView` (tokens, folded forms, hashtags, mentions, links and
metadata) with the rules of :mod:`veille.text`; every query is then evaluated against that view.
Evaluators share the leaf rules: :func:`match` walks the AST and collects highlight spans,
:func:`compile_tester` turns an AST into nested closures answering only yes/no (for one-off
queries), and the monitor compiles its saved queries to generated code (:mod:`veille.query.compiled`).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from veille.model import Post
from veille.query.syntax import (
    MAX_TOPIC_DEPTH,
    And,
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
    parse_query,
)
from veille.text import extract_hashtags, extract_mentions, fold, host_of, token_columns, url_spans

__all__ = [
    "MatchResult",
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

Span = tuple[int, int]
# (first token index, last token index, span in characters); token indexes are -1 when a hashtag or
# mention holds no token (``#__``), which then cannot take part in a NEAR.
Occurrence = tuple[int, int, Span]
Tester = Callable[["PostView"], bool]
TopicResolver = Callable[[str], "Query | str | None"]


@dataclass(slots=True)
class PostView:
    """What a query can see of a post; built once per post and shared by all queries."""

    text: str
    folded: list[str]
    starts: list[int]
    ends: list[int]
    positions: dict[str, list[int]]
    hashtags: dict[str, list[Occurrence]]
    mentions: dict[str, list[Occurrence]]
    # (lower-case url, host, span in the text or None for the post url and stored links)
    links: list[tuple[str, str | None, Span | None]]
    author: str | None = None
    lang: str | None = None
    country: str | None = None
    source: str | None = None
    followers: int | None = None
    flags: frozenset[str] = frozenset()
    sentiment: str | None = None
    raw_tokens: list[str] = field(default_factory=list)
    _raw: list[str] | None = None
    _raw_positions: dict[str, list[int]] | None = None
    _vocabulary: list[str] | None = None

    @property
    def raw(self) -> list[str]:
        """The tokens as written, NFC-normalised, for ``{…}`` forms (built on first use)."""
        if self._raw is None:
            # ASCII text is NFC already.
            self._raw = self.raw_tokens if self.text.isascii() else [_nfc(token) for token in self.raw_tokens]
        return self._raw

    @property
    def raw_positions(self) -> dict[str, list[int]]:
        if self._raw_positions is None:
            table: dict[str, list[int]] = {}
            for index, token in enumerate(self.raw):
                table.setdefault(token, []).append(index)
            self._raw_positions = table
        return self._raw_positions

    @property
    def vocabulary(self) -> list[str]:
        """The distinct folded tokens, sorted (prefix look-ups by bisection; built on first use)."""
        if self._vocabulary is None:
            self._vocabulary = sorted(self.positions)
        return self._vocabulary

    @property
    def hosts(self) -> list[str]:
        return [host for _, host, _ in self.links if host]


def _nfc(text: str) -> str:
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def _tag_occurrences(
    found: list[tuple[str, Span]], starts: list[int], ends: list[int]
) -> dict[str, list[Occurrence]]:
    table: dict[str, list[Occurrence]] = {}
    for value, (start, end) in found:
        first = bisect_left(starts, start)
        last = first
        while last < len(starts) and ends[last] <= end:
            last += 1
        occurrence = (first, last - 1, (start, end)) if last > first else (-1, -1, (start, end))
        table.setdefault(value, []).append(occurrence)
    return table


def view_text(
    text: str,
    *,
    url: str | None = None,
    links: list[str] | tuple[str, ...] = (),
    author: str | None = None,
    lang: str | None = None,
    country: str | None = None,
    source: str | None = None,
    followers: int | None = None,
    flags: frozenset[str] = frozenset(),
    sentiment: str | None = None,
) -> PostView:
    """A view from plain values (tests, the CLI); :func:`view_post` is the usual entry point."""
    raw_tokens, folded, starts, ends = token_columns(text)
    positions: dict[str, list[int]] = {}
    for index, token in enumerate(folded):
        if token in positions:
            positions[token].append(index)
        else:
            positions[token] = [index]
    has_tag_chars = "#" in text
    has_mention_chars = "@" in text
    hashtags = _tag_occurrences(extract_hashtags(text), starts, ends) if has_tag_chars else {}
    mentions = _tag_occurrences(extract_mentions(text), starts, ends) if has_mention_chars else {}
    link_rows: list[tuple[str, str | None, Span | None]] = []
    if "http" in text or "www" in text or "HTTP" in text or "WWW" in text:
        for start, end in url_spans(text):
            found = text[start:end]
            link_rows.append((found.lower(), host_of(found), (start, end)))
    for extra in [url, *links] if url else links:
        link_rows.append((extra.lower(), host_of(extra), None))
    return PostView(
        text=text,
        folded=folded,
        starts=starts,
        ends=ends,
        positions=positions,
        hashtags=hashtags,
        mentions=mentions,
        links=link_rows,
        # The handle is folded like a mention so that ``author:`` ignores case and accents.
        author=fold(author.removeprefix("@")) if author else None,
        lang=lang.lower() if lang else None,
        country=country.upper() if country else None,
        source=source.lower() if source else None,
        followers=followers,
        flags=flags,
        sentiment=sentiment,
        raw_tokens=raw_tokens,
    )


def view_post(post: Post) -> PostView:
    """Read ``post`` once for matching (text, entities, links, author and enrichment)."""
    flags = set()
    if post.reply_to:
        flags.add("reply")
    if post.repost_of:
        flags.add("repost")
    if post.quote_of:
        flags.add("quote")
    if post.author.verified:
        flags.add("verified")
    return view_text(
        post.text,
        url=post.url,
        links=post.links,
        author=post.author.handle,
        lang=post.lang,
        country=post.country,
        source=post.source,
        followers=post.author.followers,
        flags=frozenset(flags),
        sentiment=post.sentiment.label if post.sentiment else None,
    )


# ------------------------------------------------------------------------------------------ leaf rules


@lru_cache(maxsize=65536)
def _wildcard_regex(pattern: str) -> re.Pattern[str]:
    """``*`` any run (possibly empty), ``?`` exactly one character, of a token."""
    parts = []
    for ch in pattern:
        if ch == "*":
            parts.append(".*")
        elif ch == "?":
            parts.append(".")
        else:
            parts.append(re.escape(ch))
    return re.compile("".join(parts), re.DOTALL)


@lru_cache(maxsize=65536)
def _author_regex(pattern: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")), re.DOTALL)


@lru_cache(maxsize=65536)
def _wildcard_plan(pattern: str) -> tuple[str, Callable[[str], object] | None]:
    """The literal prefix of a wildcard pattern, and the test of the rest (None: any token with it)."""
    cut = len(pattern)
    for mark in ("*", "?"):
        found = pattern.find(mark)
        if 0 <= found < cut:
            cut = found
    if cut == len(pattern) - 1 and pattern[-1] == "*":
        return pattern[:cut], None
    return pattern[:cut], _wildcard_regex(pattern).fullmatch


def _token_positions(
    pattern: str, positions: dict[str, list[int]], vocabulary: list[str] | None
) -> list[int]:
    """Sorted positions of the tokens matching ``pattern``; ``vocabulary`` is ``sorted(positions)``."""
    if "*" not in pattern and "?" not in pattern:
        return positions.get(pattern, [])
    if vocabulary is None:
        vocabulary = sorted(positions)
    # Only the tokens sharing the pattern's literal prefix can match: a range of the sorted vocabulary.
    prefix, fullmatch = _wildcard_plan(pattern)
    found: list[int] = []
    for index in range(bisect_left(vocabulary, prefix), len(vocabulary)):
        token = vocabulary[index]
        if not token.startswith(prefix):
            break
        if fullmatch is None or fullmatch(token):
            found.extend(positions[token])
    found.sort()
    return found


def _token_matches(pattern: str, token: str) -> bool:
    if "*" not in pattern and "?" not in pattern:
        return pattern == token
    return _wildcard_regex(pattern).fullmatch(token) is not None


def words_occurrences(node: Words, view: PostView) -> list[Occurrence]:
    """Every place the term or phrase occurs, as token ranges with their character span."""
    if node.exact:
        positions, tokens = view.raw_positions, view.raw
    else:
        positions, tokens = view.positions, view.folded
    patterns = node.tokens
    if len(patterns) == 1 and "*" not in patterns[0] and "?" not in patterns[0]:
        starts, ends = view.starts, view.ends
        return [(i, i, (starts[i], ends[i])) for i in positions.get(patterns[0], ())]
    firsts = _token_positions(patterns[0], positions, None if node.exact else view.vocabulary)
    if not firsts:
        return []
    width = len(patterns)
    rest = list(patterns[1:])
    plain_rest = not any("*" in pattern or "?" in pattern for pattern in rest)
    found: list[Occurrence] = []
    for first in firsts:
        last = first + width - 1
        if last >= len(tokens):
            break
        if (
            tokens[first + 1 : last + 1] == rest
            if plain_rest
            else all(_token_matches(patterns[k], tokens[first + k]) for k in range(1, width))
        ):
            found.append((first, last, (view.starts[first], view.ends[last])))
    return found


def tag_occurrences(node: Tag, view: PostView) -> list[Occurrence]:
    table = view.hashtags if node.kind == "hashtag" else view.mentions
    if not table:
        return []
    if "*" not in node.value and "?" not in node.value:
        return table.get(node.value, [])
    fullmatch = _wildcard_regex(node.value).fullmatch
    found = [occurrence for value, items in table.items() if fullmatch(value) for occurrence in items]
    found.sort()
    return found


def leaf_occurrences(node: Node, view: PostView) -> list[Occurrence]:
    if isinstance(node, Words):
        return words_occurrences(node, view)
    if isinstance(node, Tag):
        return tag_occurrences(node, view)
    assert isinstance(node, Or)  # the parser allows only terms and OR groups of them in NEAR
    found = [occurrence for child in node.children for occurrence in leaf_occurrences(child, view)]
    found.sort()
    return found


def near_pairs(node: Near, view: PostView) -> list[tuple[Occurrence, Occurrence]]:
    """Pairs (left match, right match) that are close enough and do not overlap."""
    lefts = [o for o in leaf_occurrences(node.left, view) if o[0] >= 0]
    if not lefts:
        return []
    rights = [o for o in leaf_occurrences(node.right, view) if o[0] >= 0]
    distance = node.distance
    pairs = []
    for left in lefts:
        for right in rights:
            if left[1] < right[0]:
                gap = right[0] - left[1]
            elif right[1] < left[0] and not node.ordered:
                gap = left[0] - right[1]
            else:
                continue
            if gap <= distance:
                pairs.append((left, right))
    return pairs


def _field_spans(node: Field | Followers, view: PostView) -> list[Span] | None:
    """Spans for a field that matched (links found in the text), None when it does not match."""
    if isinstance(node, Followers):
        count = view.followers
        if count is None:
            return None
        if node.low is not None and count < node.low:
            return None
        if node.high is not None and count > node.high:
            return None
        return []
    name, value = node.name, node.value
    if name == "site":
        suffix = "." + value
        hits = [span for _, host, span in view.links if host and (host == value or host.endswith(suffix))]
        if not hits:
            return None
        return [span for span in hits if span is not None]
    if name == "url":
        hits = [span for url, _, span in view.links if value in url]
        if not hits:
            return None
        return [span for span in hits if span is not None]
    if name == "author":
        if view.author is None:
            return None
        if "*" in value:
            return [] if _author_regex(value).fullmatch(view.author) else None
        return [] if view.author == value else None
    if name == "is":
        return [] if value in view.flags else None
    actual = {"lang": view.lang, "country": view.country, "source": view.source, "sentiment": view.sentiment}[
        name
    ]
    return [] if actual == value else None


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
            pairs = near_pairs(node, view)
            if not pairs:
                return None
            return [span for left, right in pairs for span in (left[2], right[2])]
        if isinstance(node, Field) and node.name == "topic":
            return self.topic(node.value)
        return _field_spans(node, view)

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
        if "*" not in token and "?" not in token:
            return lambda view: token in view.positions
        if token.endswith("*") and token.count("*") == 1 and "?" not in token:
            prefix = token[:-1]
            return lambda view: any(t.startswith(prefix) for t in view.positions)
        fullmatch = _wildcard_regex(token).fullmatch
        return lambda view: any(fullmatch(t) for t in view.positions)
    plain = [t for t in node.tokens if "*" not in t and "?" not in t]
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
    if name == "author" and "*" not in value:
        return lambda view: view.author == value
    return lambda view: _field_spans(node, view) is not None


def _cost(node: Node) -> int:
    """Rough cost of a tester, to run cheap children of AND/OR first (the result is the same)."""
    if isinstance(node, Field | Followers):
        return 0 if not (isinstance(node, Field) and node.name in ("topic", "url", "site")) else 3
    if isinstance(node, Words):
        return 1 if len(node.tokens) == 1 and not node.has_wildcard and not node.exact else 2
    if isinstance(node, Tag):
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
    """Closures answering "does it match?" (no spans), the fast path of the monitor.

    ``topic_tester(name)`` gives the tester of a saved topic; it is called at match time, so a
    topic changed later is seen by every query that references it.
    """
    if isinstance(node, Words):
        return _words_tester(node)
    if isinstance(node, Tag):
        return lambda view: bool(tag_occurrences(node, view))
    if isinstance(node, Not):
        child = compile_tester(node.child, topic_tester)
        return lambda view: not child(view)
    if isinstance(node, And | Or):
        ordered = sorted(node.children, key=_cost)
        return _chain([compile_tester(child, topic_tester) for child in ordered], isinstance(node, And))
    if isinstance(node, Near):
        # Both operands must be present before pairs are worth computing.
        left = compile_tester(node.left, topic_tester)
        right = compile_tester(node.right, topic_tester)
        return lambda view: left(view) and right(view) and bool(near_pairs(node, view))
    if isinstance(node, Field) and node.name == "topic":
        if topic_tester is None:
            raise UnknownTopicError(node.value, node.column)
        name = node.value
        lookup = topic_tester
        return lambda view: lookup(name)(view)
    return _field_tester(node)
