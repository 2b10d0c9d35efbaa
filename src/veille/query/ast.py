"""The query language's tree, its errors and warnings, and the printer (``shared/spec/query-language.md``).

Nodes are frozen dataclasses that compare by meaning only (columns are carried for error messages
and the linter but ignored by ``==``), so that ``parse_query(to_query(ast)).root == ast``. Word-like
terms are stored already tokenised and folded (or NFC-normalised for ``{…}`` forms): the matcher
never re-reads query text. The parser is :mod:`veille.query.syntax`; evaluators import nodes from here
without the parser.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from veille.errors import Invalid

__all__ = [
    "And",
    "Emoji",
    "Field",
    "Followers",
    "Near",
    "Node",
    "Not",
    "Or",
    "Query",
    "QueryCycleError",
    "QueryError",
    "QueryLimitError",
    "QuerySyntaxError",
    "QueryWarning",
    "Tag",
    "TextLeaf",
    "UnknownTopicError",
    "Words",
    "count_terms",
    "has_wildcard",
    "is_positive",
    "iter_nodes",
    "to_query",
    "topic_names",
]


# ---------------------------------------------------------------------------------------------- errors


class QueryError(Invalid):
    """Any refused query. ``column`` is 1-based (None when the error concerns the query as a whole).

    An :class:`~veille.errors.Invalid` (HTTP 422, and a ``ValueError``) whose field is ``query``.
    """

    def __init__(self, message: str, column: int | None = None) -> None:
        super().__init__(
            f"column {column}: {message}" if column is not None else message, field="query", column=column
        )
        self.message = message  # without its "column N: " prefix


class QuerySyntaxError(QueryError):
    """The query does not parse (or is purely negative); names the column and what was expected."""

    column: int

    def __init__(self, message: str, column: int) -> None:
        super().__init__(message, column)


class QueryLimitError(QueryError):
    """A limit is exceeded (length, terms, NEAR distance, nesting, cost, depth of ``topic:`` references)."""


class UnknownTopicError(QueryError):
    """A ``topic:`` reference names no saved topic."""

    def __init__(self, name: str, column: int | None = None) -> None:
        self.name = name
        super().__init__(f"unknown topic {name!r}", column)


class QueryCycleError(QueryError):
    """``topic:`` references loop; ``cycle`` lists the names, first repeated at the end."""

    def __init__(self, cycle: list[str]) -> None:
        self.cycle = cycle
        super().__init__("cycle of topic: references: " + " -> ".join(cycle))


@dataclass(frozen=True, slots=True)
class QueryWarning:
    """A query that parses but probably does not say what was meant: the 1-based column, a stable
    code and a message saying what it means here and what to write instead."""

    column: int
    code: str
    message: str

    def __str__(self) -> str:
        return f"column {self.column}: {self.message} [{self.code}]"


# ------------------------------------------------------------------------------------------------- AST


def has_wildcard(token: str) -> bool:
    return "*" in token or "?" in token


@dataclass(frozen=True, slots=True)
class Words:
    """A term (one token) or a phrase (several adjacent tokens); ``*``/``?`` are wildcards.

    ``exact`` is the ``{…}`` form: tokens are kept NFC-normalised, not folded.
    """

    tokens: tuple[str, ...]
    exact: bool = False
    column: int = field(default=0, compare=False, repr=False)

    @property
    def has_wildcard(self) -> bool:
        return any(has_wildcard(token) for token in self.tokens)


@dataclass(frozen=True, slots=True)
class Tag:
    """``#hashtag``, ``@mention`` or ``$cashtag`` (folded; wildcards allowed in the first two)."""

    kind: Literal["hashtag", "mention", "cashtag"]
    value: str
    column: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Emoji:
    """An emoji, matched as an emoji of the text (variation selectors ignored; without a skin tone
    it matches every skin tone)."""

    value: str
    column: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Field:
    """``name:value`` for every field but ``followers``; ``value`` is normalised.

    ``title`` and ``name`` hold folded tokens joined by one space (a phrase of the title or of the
    author's display name).
    """

    name: str
    value: str
    column: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Followers:
    """``followers:`` as an inclusive range; a missing bound is open."""

    low: int | None
    high: int | None
    column: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Not:
    child: Node
    column: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]
    column: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]
    column: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Near:
    """``left NEAR/distance right``: at most ``distance`` tokens *between* the two matches (``NEAR/0``:
    adjacent); ``ordered`` (``NEAR/nf``): ``left`` first. An operand may itself be a ``Near``."""

    left: Node
    right: Node
    distance: int
    ordered: bool = False
    column: int = field(default=0, compare=False, repr=False)


Node = Words | Tag | Emoji | Field | Followers | Not | And | Or | Near
TextLeaf = Words | Tag


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: its AST, the text it came from and the warnings about how it was read."""

    root: Node
    text: str = field(default="", compare=False)
    warnings: tuple[QueryWarning, ...] = field(default=(), compare=False)

    @property
    def topics(self) -> frozenset[str]:
        return topic_names(self.root)

    def __str__(self) -> str:
        return to_query(self.root)


def iter_nodes(node: Node) -> list[Node]:
    """Every node of the tree, parents before children (iterative: no recursion on deep trees)."""
    found: list[Node] = []
    stack: list[Node] = [node]
    while stack:
        current = stack.pop()
        found.append(current)
        if isinstance(current, And | Or):
            stack.extend(reversed(current.children))
        elif isinstance(current, Not):
            stack.append(current.child)
        elif isinstance(current, Near):
            stack.extend([current.right, current.left])
    return found


_NO_TOPICS: frozenset[str] = frozenset()


def topic_names(node: Node) -> frozenset[str]:
    names = [n.value for n in iter_nodes(node) if isinstance(n, Field) and n.name == "topic"]
    return frozenset(names) if names else _NO_TOPICS  # one shared empty set for the many without


def count_terms(node: Node) -> int:
    """Terms for the 500 limit: a phrase, hashtag, mention, emoji or ``{…}`` counts once, fields not at all."""
    return sum(1 for n in iter_nodes(node) if isinstance(n, Words | Tag | Emoji))


def is_positive(node: Node) -> bool:
    """§6: terms, fields and NEAR are positive; AND if any child is; OR if all are; NOT never."""
    if isinstance(node, Not):
        return False
    if isinstance(node, And):
        return any(is_positive(child) for child in node.children)
    if isinstance(node, Or):
        return all(is_positive(child) for child in node.children)
    return True


# --------------------------------------------------------------------------------------------- printer

_QUOTE_NEEDED = frozenset(' \t\r\n\f\v()"{}')


def _print_words(node: Words) -> str:
    if len(node.tokens) == 1 and not node.exact:
        return node.tokens[0]
    inner = " ".join(node.tokens)
    if node.exact:
        return "{" + inner + "}" if len(node.tokens) == 1 else '{"' + inner + '"}'
    return f'"{inner}"'


def _print_value(value: str) -> str:
    if not value or any(ch in _QUOTE_NEEDED for ch in value):
        return f'"{value}"'
    return value


def _print_followers(node: Followers) -> str:
    if node.low is not None and node.high is not None:
        return f"{node.low}" if node.low == node.high else f"{node.low}..{node.high}"
    if node.low is not None:
        return f">={node.low}"
    return f"<={node.high}"


def _print_child(node: Node) -> str:
    text = to_query(node)
    return f"({text})" if isinstance(node, And | Or) else text


def _print_near_operand(node: Node) -> str:
    text = to_query(node)
    return f"({text})" if isinstance(node, And | Or | Near) else text


_TAG_SIGN = {"hashtag": "#", "mention": "@", "cashtag": "$"}


def to_query(node: Node | Query) -> str:
    """Query text for an AST, such that ``parse_query(to_query(ast)).root == ast``."""
    if isinstance(node, Query):
        node = node.root
    if isinstance(node, Words):
        return _print_words(node)
    if isinstance(node, Tag):
        return _TAG_SIGN[node.kind] + node.value
    if isinstance(node, Emoji):
        return node.value
    if isinstance(node, Followers):
        return "followers:" + _print_followers(node)
    if isinstance(node, Field):
        return f"{node.name}:{_print_value(node.value)}"
    if isinstance(node, Not):
        return "NOT " + _print_child(node.child)
    if isinstance(node, And):
        return " AND ".join(_print_child(child) for child in node.children)
    if isinstance(node, Or):
        return " OR ".join(_print_child(child) for child in node.children)
    suffix = "f" if node.ordered else ""
    return f"{_print_near_operand(node.left)} NEAR/{node.distance}{suffix} {_print_near_operand(node.right)}"
