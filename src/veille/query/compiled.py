"""Queries compiled to Python functions: the monitor's fast path.

Each distinct query becomes two generated functions of ``(view, context)``: ``test`` answers yes/no
with one flat boolean expression (``K0 in P and (K1 in P or K2 in P)``, ``P`` the post's token
table, ``K…`` the query's values bound as default arguments), without the call per AST node of a
tree walk, and ``spans`` gives the highlight spans of a query known to match. The code of a query
shape is compiled once and shared by every query of that shape.
Both follow :mod:`veille.query.match` rule for rule (the leaf rules are its own functions), and the
tests compare them with it and with an independent evaluator.

``topic:`` references go through the :class:`Context` of the post, which looks the saved topic up
at match time (so a changed topic is seen at once) and remembers, for the post, each topic's answer
and spans: a topic referenced by many others is evaluated once per post.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from types import CodeType, FunctionType
from typing import Any, Protocol

from veille.query.ast import And, Emoji, Field, Followers, Near, Node, Not, Or, Tag, Words, has_wildcard
from veille.query.glob import glob
from veille.query.leaves import emoji_spans, field_spans, tag_occurrences, words_occurrences
from veille.query.near import near_spans, near_test
from veille.query.view import PostView, Span

__all__ = ["Context", "Program", "compile_program"]

SpanList = list[Span] | None


class Context(Protocol):
    """What generated code needs of the post being matched, besides its view."""

    def topic_test(self, name: str) -> bool: ...

    def topic_spans(self, name: str) -> SpanList: ...


TestFunction = Callable[[PostView, Context], bool]
SpansFunction = Callable[[PostView, Context], SpanList]


# ------------------------------------------------------------------------ helpers of generated code


def _has_prefix(view: PostView, prefix: str) -> bool:
    vocabulary = view.vocabulary
    index = bisect_left(vocabulary, prefix)
    return index < len(vocabulary) and vocabulary[index].startswith(prefix)


def _any_token(view: PostView, fullmatch: Callable[[str], Any]) -> bool:
    for token in view.positions:  # noqa: SIM110 - a loop is faster than any() over a generator
        if fullmatch(token):
            return True
    return False


def _token_spans(view: PostView, token: str) -> SpanList:
    found = view.positions.get(token)
    if not found:
        return None
    starts, ends = view.starts, view.ends
    return [(starts[i], ends[i]) for i in found]


def _tokens_spans(view: PostView, tokens: frozenset[str]) -> SpanList:
    positions = view.positions
    found = tokens.intersection(positions)
    if not found:
        return None
    starts, ends = view.starts, view.ends
    return [(starts[i], ends[i]) for token in found for i in positions[token]]


def _words_spans(node: Words, view: PostView) -> SpanList:
    found = words_occurrences(node, view)
    return [occurrence[2] for occurrence in found] if found else None


def _tag_spans(node: Tag, view: PostView) -> SpanList:
    found = tag_occurrences(node, view)
    return [occurrence[2] for occurrence in found] if found else None


def _emoji_spans(node: Emoji, view: PostView) -> SpanList:
    return list(emoji_spans(node, view)) or None


def _all(*parts: SpanList) -> SpanList:
    collected: list[Span] = []
    for part in parts:
        if part is None:
            return None
        collected.extend(part)
    return collected


def _any(*parts: SpanList) -> SpanList:
    collected: list[Span] = []
    matched = False
    for part in parts:
        if part is not None:
            matched = True
            collected.extend(part)
    return collected if matched else None


_HELPERS: dict[str, Any] = {
    "_has_prefix": _has_prefix,
    "_any_token": _any_token,
    "_token_spans": _token_spans,
    "_tokens_spans": _tokens_spans,
    "_words_spans": _words_spans,
    "_tag_spans": _tag_spans,
    "_near_spans": near_spans,
    "_emoji_spans": _emoji_spans,
    "_all": _all,
    "_any": _any,
    "_words": words_occurrences,
    "_tags": tag_occurrences,
    "_emoji": emoji_spans,
    "_near": near_test,
    "_field": field_spans,
}


# ---------------------------------------------------------------------------------- code generation


def _plain(token: str) -> bool:
    return not has_wildcard(token)


def _plain_word(node: Node) -> bool:
    """A single folded token without wildcard: a dictionary look-up."""
    return isinstance(node, Words) and len(node.tokens) == 1 and not node.exact and _plain(node.tokens[0])


# From this many plain words on, an OR is tested as one set operation rather than word by word.
_WORD_SET = 4


def _cost(node: Node) -> int:
    """Rough cost of a test, to put cheap operands of AND/OR first (the answer is the same)."""
    if isinstance(node, Followers):
        return 0
    if isinstance(node, Field):
        return 3 if node.name in ("topic", "url", "site", "title", "name") or "*" in node.value else 0
    if isinstance(node, Words):
        return 1 if len(node.tokens) == 1 and _plain(node.tokens[0]) else 2
    if isinstance(node, Tag | Emoji):
        return 1
    if isinstance(node, Not):
        return _cost(node.child)
    if isinstance(node, Near):
        return 4
    return max(_cost(child) for child in node.children) + 1


class _Writer:
    """Writes the expressions of one query; its values go in ``constants`` (bound as defaults)."""

    def __init__(self) -> None:
        self.constants: list[Any] = []

    def constant(self, value: Any) -> str:
        self.constants.append(value)
        return f"K{len(self.constants) - 1}"

    # ------------------------------------------------------------------------------------- yes/no

    def test(self, node: Node) -> str:
        if isinstance(node, Words):
            return self._words_test(node)
        if isinstance(node, Tag):
            table = {"hashtag": "v.hashtags", "mention": "v.mentions", "cashtag": "v.cashtags"}[node.kind]
            if _plain(node.value):
                return f"({self.constant(node.value)} in {table})"
            return f"bool(_tags({self.constant(node)}, v))"
        if isinstance(node, Emoji):
            return f"bool(_emoji({self.constant(node)}, v))"
        if isinstance(node, Not):
            return f"(not {self.test(node.child)})"
        if isinstance(node, Or):
            words = [child.tokens[0] for child in node.children if _plain_word(child)]  # type: ignore[union-attr]
            if len(words) >= _WORD_SET:
                others = sorted((child for child in node.children if not _plain_word(child)), key=_cost)
                tests = [f"(not {self.constant(frozenset(words))}.isdisjoint(P))"]
                return "(" + " or ".join(tests + [self.test(child) for child in others]) + ")"
        if isinstance(node, And | Or):
            joiner = " and " if isinstance(node, And) else " or "
            ordered = sorted(node.children, key=_cost)
            return "(" + joiner.join(self.test(child) for child in ordered) + ")"
        if isinstance(node, Near):
            return f"_near({self.constant(node)}, v)"
        if isinstance(node, Followers):
            low = self.constant(-1 if node.low is None else node.low)
            high = "" if node.high is None else f" and v.followers <= {self.constant(node.high)}"
            return f"(v.followers is not None and v.followers >= {low}{high})"
        return self._field_test(node)

    def _words_test(self, node: Words) -> str:
        tokens = node.tokens
        table = "v.raw_positions" if node.exact else "P"
        if len(tokens) == 1:
            token = tokens[0]
            if _plain(token):
                return f"({self.constant(token)} in {table})"
            if not node.exact and token.endswith("*") and token.count("*") == 1 and "?" not in token:
                return f"_has_prefix(v, {self.constant(token[:-1])})"
            if not node.exact:
                return f"_any_token(v, {self.constant(glob(token).fullmatch)})"
        # A phrase: its plain words must all be present before its order is worth checking.
        present = [f"{self.constant(token)} in {table}" for token in dict.fromkeys(tokens) if _plain(token)]
        return "(" + " and ".join([*present, f"bool(_words({self.constant(node)}, v))"]) + ")"

    def _field_test(self, node: Field) -> str:
        name, value = node.name, node.value
        if name in ("lang", "country", "source", "sentiment"):
            return f"(v.{name} == {self.constant(value)})"
        if name == "is":
            return f"({self.constant(value)} in v.flags)"
        if name == "has":
            return f"({self.constant(value)} in v.has)"
        if name == "author":
            if "*" not in value:
                return f"(v.author == {self.constant(value)})"
            fullmatch = self.constant(glob(value, question=False).fullmatch)
            return f"(v.author is not None and {fullmatch}(v.author))"
        if name == "topic":
            return f"c.topic_test({self.constant(value)})"
        return f"(_field({self.constant(node)}, v) is not None)"

    # -------------------------------------------------------------------------------------- spans

    def spans(self, node: Node) -> str:
        if isinstance(node, Words):
            if len(node.tokens) == 1 and _plain(node.tokens[0]) and not node.exact:
                return f"_token_spans(v, {self.constant(node.tokens[0])})"
            return f"_words_spans({self.constant(node)}, v)"
        if isinstance(node, Tag):
            return f"_tag_spans({self.constant(node)}, v)"
        if isinstance(node, Emoji):
            return f"_emoji_spans({self.constant(node)}, v)"
        if isinstance(node, Not):
            # A negated operand contributes no highlight; only whether it matched counts.
            return f"(None if {self.test(node.child)} else [])"
        if isinstance(node, And):
            # The query matched, so every AND reached here matched (an OR tests its branches first).
            return "_all(" + ", ".join(self.spans(child) for child in node.children) + ")"
        if isinstance(node, Or):
            words = [child.tokens[0] for child in node.children if _plain_word(child)]  # type: ignore[union-attr]
            parts = [f"_tokens_spans(v, {self.constant(frozenset(words))})"] if len(words) > 1 else []
            for child in node.children:
                if len(words) > 1 and _plain_word(child):
                    continue
                if _plain_word(child) or isinstance(child, Not):
                    parts.append(self.spans(child))
                else:
                    # Spans only for the branches that match: a cheap test first.
                    parts.append(f"({self.spans(child)} if {self.test(child)} else None)")
            return "_any(" + ", ".join(parts) + ")"
        if isinstance(node, Near):
            return f"_near_spans({self.constant(node)}, v)"
        if isinstance(node, Field) and node.name == "topic":
            return f"c.topic_spans({self.constant(node.value)})"
        return f"_field({self.constant(node)}, v)"


class Program:
    """A compiled query: ``test(view, context)`` and ``spans(view, context)``.

    The spans function is made on first use: most queries never match, and a function object per
    query is a good share of a large index's memory.
    """

    __slots__ = ("_spans", "_spans_code", "defaults", "test")

    def __init__(self, test: TestFunction, spans_code: CodeType, defaults: tuple[Any, ...]) -> None:
        self.test = test
        self._spans_code = spans_code
        self.defaults = defaults
        self._spans: SpansFunction | None = None

    @property
    def spans(self) -> SpansFunction:
        if self._spans is None:
            self._spans = FunctionType(self._spans_code, _HELPERS, "spans", self.defaults)
        return self._spans


# Generated code depends only on the shape of a query (every value is a constant passed as a default
# argument), so the code of each shape is compiled once and shared by all queries of that shape.
_CODE_BY_SHAPE: dict[str, tuple[CodeType, CodeType]] = {}
_MAX_SHAPES = 4096


def _code_of(test: str, spans: str, constants: int) -> tuple[CodeType, CodeType]:
    key = f"{test}\n{spans}\n{constants}"
    code = _CODE_BY_SHAPE.get(key)
    if code is None:
        arguments = "v, c" + "".join(f", K{index}=None" for index in range(constants))
        source = (
            f"def test({arguments}):\n    P = v.positions\n    return {test}\n"
            f"def spans({arguments}):\n    P = v.positions\n    return {spans}\n"
        )
        namespace: dict[str, Any] = {}
        # Our own generated code: no value of the query is in it, only operators and helper names.
        exec(compile(source, "<query>", "exec"), _HELPERS, namespace)
        code = (namespace["test"].__code__, namespace["spans"].__code__)
        if len(_CODE_BY_SHAPE) < _MAX_SHAPES:
            _CODE_BY_SHAPE[key] = code
    return code


def compile_program(root: Node) -> Program:
    """The two functions of ``root``: generated code of its shape, its values bound as defaults."""
    writer = _Writer()
    test = writer.test(root)
    spans = writer.spans(root)
    test_code, spans_code = _code_of(test, spans, len(writer.constants))
    defaults = tuple(writer.constants)
    return Program(FunctionType(test_code, _HELPERS, "test", defaults), spans_code, defaults)
