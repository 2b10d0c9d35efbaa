"""Required keys of a query, and how often posts hold a key (to choose the most selective ones).

A *key* is an index entry (a folded token, a token prefix, a hashtag, a field value…). The
required keys of a query are a set such that every post the query matches holds at least one of
them: for ``AND`` (and ``NEAR``) one child's set suffices, so we keep the rarest one; ``OR`` needs
the union of its branches; ``NOT`` and ``followers:`` give none.

"Rarest" is an estimate of the fraction of posts holding a key. Without data it comes from the
shape of the key (long words are rarer than short ones, common function words and broad fields such
as ``lang:`` are frequent). With :class:`TermStatistics`, gathered from a sample of posts (the
hub's recent history), it is measured: a generic word such as *mobile* or *service* is then seen to
be far more frequent than a brand name of the same length, and the brand is chosen.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from itertools import accumulate

from veille.query.ast import And, Emoji, Field, Followers, Node, Not, Or, Tag, Words
from veille.query.view import PostView
from veille.text import fold

__all__ = [
    "Key",
    "KeyFrequency",
    "Required",
    "TermStatistics",
    "heuristic_frequency",
    "required_keys",
    "view_keys",
]

Key = tuple[str, str]  # (index kind, value)
Required = tuple[frozenset[Key], float]  # keys and an estimate of how often a post holds one of them
KeyFrequency = Callable[[Key], float]

# Very common words of the hub's main languages: a poor choice of required key (they would make a
# query a candidate for most posts), so another key of the same query is preferred.
_COMMON_WORDS = frozenset(
    """a à an and are as at au aux avec be but by ce ces c d dans de des du en est et for from has have i
    il in is it j je l la le les leur mais me mon my n ne nous of on ou par pas plus pour qu que qui s sa
    se son sur ta te that the this to tu un une vous was we with y you""".split()  # noqa: SIM905
)
PREFIX_KINDS = {"t": "tp", "h": "hp", "m": "mp", "c": "cp", "author": "ap"}
_TAG_KINDS = {"hashtag": "h", "mention": "m", "cashtag": "c"}
_BASE_OF_PREFIX = {prefix: base for base, prefix in PREFIX_KINDS.items()}
_FIELD_FREQUENCY = {
    "lang": 0.3,
    "country": 0.1,
    "source": 0.2,
    "is": 0.3,
    "sentiment": 0.3,
    "site": 0.01,
    "author": 0.0005,
    "has": 0.3,
}


def _token_frequency(word: str) -> float:
    if word in _COMMON_WORDS:
        return 0.3
    if len(word) <= 3:
        return 0.03
    return 0.01 if len(word) <= 5 else 0.003


def _prefix_frequency(prefix: str) -> float:
    return {0: 1.0, 1: 0.3, 2: 0.1, 3: 0.03}.get(len(prefix), 0.01 if len(prefix) <= 5 else 0.005)


def heuristic_frequency(key: Key) -> float:
    """The estimate without data: from the kind and length of the key."""
    kind, value = key
    if kind == "t":
        return _token_frequency(value)
    if kind in _BASE_OF_PREFIX:
        return _prefix_frequency(value)
    if kind in ("h", "m", "c"):
        return 0.002
    if kind == "e":
        return 0.01
    if kind == "ti":
        return _token_frequency(value) / 3  # a title is a small part of a post
    if kind.startswith("url"):
        return 0.01
    return _FIELD_FREQUENCY[kind]


def view_keys(view: PostView) -> Iterator[Key]:
    """The exact keys a post holds (prefix and ``url:`` pieces aside), each once."""
    for token in view.positions:
        yield "t", token
    for tag in view.hashtags:
        yield "h", tag
    for mention in view.mentions:
        yield "m", mention
    for cashtag in view.cashtags:
        yield "c", cashtag
    for token in dict.fromkeys(view.title):
        yield "ti", token
    for present in view.has:
        yield "has", present
    for kind, value in (
        ("lang", view.lang),
        ("country", view.country),
        ("source", view.source),
        ("sentiment", view.sentiment),
        ("author", view.author),
    ):
        if value is not None:
            yield kind, value
    for flag in view.flags:
        yield "is", flag
    domains: set[str] = set()
    for host in view.hosts:
        labels = host.split(".")
        domains.update(".".join(labels[i:]) for i in range(len(labels)))
    for domain in domains:
        yield "site", domain


class TermStatistics:
    """How many posts of a sample hold each key: measured frequencies for choosing required keys.

    Feed it posts with :meth:`observe` (or build it with :meth:`from_views`) and pass it to the
    monitor. Until ``minimum_posts`` have been seen it answers with :func:`heuristic_frequency`.
    A key never seen counts as half a post, so that it stays rarer than any key seen.
    """

    def __init__(self, *, minimum_posts: int = 200) -> None:
        self.posts = 0
        self.minimum_posts = minimum_posts
        self.counts: Counter[Key] = Counter()
        self._vocabulary: dict[str, tuple[list[str], list[int]]] = {}

    @classmethod
    def from_views(cls, views: Iterable[PostView], *, minimum_posts: int = 200) -> TermStatistics:
        statistics = cls(minimum_posts=minimum_posts)
        for view in views:
            statistics.observe(view)
        return statistics

    def observe(self, view: PostView) -> None:
        self.posts += 1
        self.counts.update(view_keys(view))
        self._vocabulary.clear()

    def frequency(self, key: Key) -> float:
        if self.posts < self.minimum_posts:
            return heuristic_frequency(key)
        kind, value = key
        base = _BASE_OF_PREFIX.get(kind)
        if base is not None:
            count = self._prefix_count(base, value)
        elif kind.startswith("url"):
            return heuristic_frequency(key)
        else:
            count = self.counts.get(key, 0)
        return (count + 0.5) / (self.posts + 1)

    __call__ = frequency

    def _prefix_count(self, kind: str, prefix: str) -> int:
        """Posts holding a value of ``kind`` that starts with ``prefix`` (an upper bound: summed)."""
        table = self._vocabulary.get(kind)
        if table is None:
            values = sorted(value for key_kind, value in self.counts if key_kind == kind)
            cumulative = list(accumulate((self.counts[kind, value] for value in values), initial=0))
            table = self._vocabulary[kind] = (values, cumulative)
        values, cumulative = table
        first = bisect_left(values, prefix)
        last = bisect_left(values, prefix + "\U0010ffff")
        return cumulative[last] - cumulative[first]


def _wildcard_prefix(pattern: str) -> str:
    cut = len(pattern)
    for mark in ("*", "?"):
        found = pattern.find(mark)
        if found >= 0:
            cut = min(cut, found)
    return pattern[:cut]


def _pattern_key(kind: str, pattern: str, frequency: KeyFrequency) -> Required | None:
    """The key of one token/tag pattern: itself, or its prefix when it holds wildcards."""
    prefix = _wildcard_prefix(pattern)
    if prefix == pattern:
        key = (kind, pattern)
    elif not prefix:
        return None
    else:
        key = (PREFIX_KINDS[kind], prefix)
    return frozenset([key]), frequency(key)


def _words_required(node: Words, frequency: KeyFrequency) -> Required | None:
    best: Required | None = None
    for token in node.tokens:
        # ``{…}`` forms are kept unfolded; folding a raw prefix gives a prefix of the folded token.
        pattern = fold(token) if node.exact else token
        candidate = _pattern_key("t", pattern, frequency)
        if candidate is not None and (best is None or candidate[1] < best[1]):
            best = candidate
    return best


def required_keys(
    node: Node,
    resolve_topic: Callable[[str], Node | None] | None = None,
    frequency: KeyFrequency = heuristic_frequency,
) -> Required | None:
    """Keys any matching post must hold (one of them at least), or None if none can be named."""
    if isinstance(node, Words):
        return _words_required(node, frequency)
    if isinstance(node, Tag):
        return _pattern_key(_TAG_KINDS[node.kind], node.value, frequency)
    if isinstance(node, Emoji):
        key = ("e", node.value)
        return frozenset([key]), frequency(key)
    if isinstance(node, Not | Followers):
        return None
    if isinstance(node, Field):
        if node.name == "topic":
            target = resolve_topic(node.value) if resolve_topic is not None else None
            return None if target is None else required_keys(target, resolve_topic, frequency)
        if node.name == "url":
            # Any match holds every piece of the value: index a middle 5-character piece (3 for short
            # values), as URL starts such as "https" or "www." are common.
            if len(node.value) < 3:
                return None
            size = 5 if len(node.value) >= 5 else 3
            middle = (len(node.value) - size) // 2
            key = (f"url{size}", node.value[middle : middle + size])
            return frozenset([key]), frequency(key)
        if node.name == "author":
            return _pattern_key("author", node.value, frequency)
        if node.name in ("title", "name"):
            # A title phrase holds each of its plain words; a display name is not indexed.
            plain = [token for token in node.value.split(" ") if "*" not in token and "?" not in token]
            if node.name == "name" or not plain:
                return None
            title_key = min((("ti", token) for token in plain), key=frequency)
            return frozenset([title_key]), frequency(title_key)
        key = (node.name, node.value)
        return frozenset([key]), frequency(key)
    if isinstance(node, Or):
        keys: set[Key] = set()
        total = 0.0
        for child in node.children:
            found = required_keys(child, resolve_topic, frequency)
            if found is None:
                return None
            keys |= found[0]
            total += found[1]
        return frozenset(keys), total
    children = list(node.children) if isinstance(node, And) else [node.left, node.right]
    best: Required | None = None
    for child in children:
        found = required_keys(child, resolve_topic, frequency)
        if found is not None and (best is None or found[1] < best[1]):
            best = found
    return best
