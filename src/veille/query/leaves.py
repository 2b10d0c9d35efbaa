"""The leaf rules every evaluator shares: where a term, phrase, tag or emoji occurs, whether a field holds.

:func:`veille.query.match.match` (spans), :func:`veille.query.match.compile_tester` (closures) and the
monitor's generated code (:mod:`veille.query.compiled`) all call these, so they agree rule for rule.
Wildcards go through :mod:`veille.query.glob` (no backtracking).
"""

from __future__ import annotations

from bisect import bisect_left

from veille.query.ast import Emoji, Field, Followers, Or, Tag, Words, has_wildcard
from veille.query.glob import glob
from veille.query.view import Occurrence, PostView, Span

__all__ = [
    "emoji_spans",
    "field_spans",
    "leaf_occurrences",
    "sequence_starts",
    "tag_occurrences",
    "token_matches",
    "token_positions",
    "words_occurrences",
]


def token_positions(pattern: str, positions: dict[str, list[int]], vocabulary: list[str] | None) -> list[int]:
    """Sorted positions of the tokens matching ``pattern``; ``vocabulary`` is ``sorted(positions)``."""
    if not has_wildcard(pattern):
        return positions.get(pattern, [])
    if vocabulary is None:
        vocabulary = sorted(positions)
    # Only the tokens sharing the pattern's literal prefix can match: a range of the sorted vocabulary.
    prefix = _literal_prefix(pattern)
    matcher = None if pattern == prefix + "*" else glob(pattern)
    found: list[int] = []
    for index in range(bisect_left(vocabulary, prefix), len(vocabulary)):
        token = vocabulary[index]
        if not token.startswith(prefix):
            break
        if matcher is None or matcher.fullmatch(token):
            found.extend(positions[token])
    found.sort()
    return found


def _literal_prefix(pattern: str) -> str:
    cut = len(pattern)
    for mark in ("*", "?"):
        found = pattern.find(mark)
        if 0 <= found < cut:
            cut = found
    return pattern[:cut]


def token_matches(pattern: str, token: str) -> bool:
    if not has_wildcard(pattern):
        return pattern == token
    return glob(pattern).fullmatch(token)


def words_occurrences(node: Words, view: PostView) -> list[Occurrence]:
    """Every place the term or phrase occurs, as token ranges with their character span."""
    if node.exact:
        positions, tokens = view.raw_positions, view.raw
    else:
        positions, tokens = view.positions, view.folded
    patterns = node.tokens
    if len(patterns) == 1 and not has_wildcard(patterns[0]):
        starts, ends = view.starts, view.ends
        return [(i, i, (starts[i], ends[i])) for i in positions.get(patterns[0], ())]
    firsts = token_positions(patterns[0], positions, None if node.exact else view.vocabulary)
    if not firsts:
        return []
    width = len(patterns)
    rest = list(patterns[1:])
    plain_rest = not any(has_wildcard(pattern) for pattern in rest)
    found: list[Occurrence] = []
    for first in firsts:
        last = first + width - 1
        if last >= len(tokens):
            break
        if (
            tokens[first + 1 : last + 1] == rest
            if plain_rest
            else all(token_matches(patterns[k], tokens[first + k]) for k in range(1, width))
        ):
            found.append((first, last, (view.starts[first], view.ends[last])))
    return found


def tag_occurrences(node: Tag, view: PostView) -> list[Occurrence]:
    table = (
        view.hashtags
        if node.kind == "hashtag"
        else view.mentions
        if node.kind == "mention"
        else view.cashtags
    )
    if not table:
        return []
    if not has_wildcard(node.value):
        return table.get(node.value, [])
    matcher = glob(node.value)
    found = [occurrence for value, items in table.items() if matcher.fullmatch(value) for occurrence in items]
    found.sort()
    return found


def emoji_spans(node: Emoji, view: PostView) -> list[Span]:
    if view.text.isascii():
        return []
    return view.emoji.get(node.value, [])


def leaf_occurrences(node: Words | Tag | Or, view: PostView) -> list[Occurrence]:
    """Occurrences of a NEAR operand that is a term, tag or OR of those."""
    if isinstance(node, Words):
        return words_occurrences(node, view)
    if isinstance(node, Tag):
        return tag_occurrences(node, view)
    found = [
        occurrence
        for child in node.children
        for occurrence in leaf_occurrences(child, view)  # type: ignore[arg-type]
    ]
    found.sort()
    return found


def sequence_starts(patterns: list[str], tokens: list[str]) -> list[int]:
    """Where ``patterns`` occur as adjacent tokens of ``tokens`` (a phrase in a title or a name)."""
    width = len(patterns)
    return [
        start
        for start in range(len(tokens) - width + 1)
        if all(token_matches(pattern, tokens[start + k]) for k, pattern in enumerate(patterns))
    ]


def field_spans(node: Field | Followers, view: PostView) -> list[Span] | None:
    """Spans for a field that matched (links found in the text, title words), None when it does not match."""
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
            return [] if glob(value, question=False).fullmatch(view.author) else None
        return [] if view.author == value else None
    if name == "is":
        return [] if value in view.flags else None
    if name == "has":
        return [] if value in view.has else None
    if name in ("title", "name"):
        patterns = value.split(" ")
        tokens = view.title if name == "title" else view.name
        starts = sequence_starts(patterns, tokens)
        if not starts:
            return None
        spans = view.title_spans if name == "title" else None
        if spans is None:
            return []
        return [(spans[start][0], spans[start + len(patterns) - 1][1]) for start in starts]
    actual = {"lang": view.lang, "country": view.country, "source": view.source, "sentiment": view.sentiment}[
        name
    ]
    return [] if actual == value else None
