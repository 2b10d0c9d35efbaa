"""Lexer, parser, AST and printer of the Veille Query Language (``shared/spec/query-language.md``).

The AST is made of frozen dataclasses that compare by meaning only (columns are carried for error
messages and the linter but ignored by ``==``), so that ``parse_query(to_query(ast)).root == ast``.
Word-like terms are stored already tokenised and folded (or NFC-normalised for ``{…}`` forms): the
matcher never re-reads query text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

from veille.errors import Invalid
from veille.text import fold

__all__ = [
    "COUNTRY_CODES",
    "FIELD_NAMES",
    "LANGUAGE_CODES",
    "MAX_NEAR_DISTANCE",
    "MAX_QUERY_CHARS",
    "MAX_TERMS",
    "MAX_TOPIC_DEPTH",
    "SOURCE_NAMES",
    "And",
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
    "Tag",
    "UnknownTopicError",
    "Words",
    "count_terms",
    "is_positive",
    "iter_nodes",
    "parse_query",
    "to_query",
    "topic_names",
]

MAX_QUERY_CHARS = 4096
MAX_TERMS = 500
MAX_NEAR_DISTANCE = 50
MAX_TOPIC_DEPTH = 5

LANGUAGE_CODES = frozenset(
    """aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de
    dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie
    ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg
    mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro
    ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty
    ug uk ur uz ve vi vo wa wo xh yi yo za zh zu und""".split()  # noqa: SIM905 - a table reads best as text
)
# ISO 3166-1 alpha-2, plus XK (Kosovo), which platforms and geocoders use.
COUNTRY_CODES = frozenset(
    """AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT
    BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER
    ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID
    IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV
    LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR
    NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL
    SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC
    VE VG VI VN VU WF WS YE YT ZA ZM ZW XK""".split()  # noqa: SIM905 - a table reads best as text
)
SOURCE_NAMES = frozenset(
    ["mastodon", "bluesky", "x", "reddit", "rss", "hackernews", "youtube", "push", "file", "simulator"]
)
FLAG_NAMES = frozenset(["reply", "repost", "quote", "verified"])
SENTIMENT_NAMES = frozenset(["positive", "neutral", "negative"])
FIELD_NAMES = (
    "author",
    "lang",
    "country",
    "source",
    "site",
    "url",
    "followers",
    "is",
    "sentiment",
    "topic",
)


# ---------------------------------------------------------------------------------------------- errors


class QueryError(Invalid):
    """Any refused query (field ``query``). ``column`` is 1-based (None when the error concerns the
    query as a whole); ``message`` is the sentence without the column."""

    def __init__(self, message: str, column: int | None = None) -> None:
        super().__init__(
            f"column {column}: {message}" if column is not None else message, field="query", column=column
        )
        self.message = message


class QuerySyntaxError(QueryError):
    """The query does not parse (or is purely negative); names the column and what was expected."""

    column: int

    def __init__(self, message: str, column: int) -> None:
        super().__init__(message, column)


class QueryLimitError(QueryError):
    """A limit of §5 is exceeded (length, terms, NEAR distance, depth of ``topic:`` references)."""


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


# ------------------------------------------------------------------------------------------------- AST


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
        return any(_has_wildcard(token) for token in self.tokens)


@dataclass(frozen=True, slots=True)
class Tag:
    """``#hashtag`` or ``@mention`` (folded, wildcards allowed)."""

    kind: Literal["hashtag", "mention"]
    value: str
    column: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Field:
    """``name:value`` for every field but ``followers``; ``value`` is normalised."""

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
    left: Node
    right: Node
    distance: int
    ordered: bool = False
    column: int = field(default=0, compare=False, repr=False)


Node = Words | Tag | Field | Followers | Not | And | Or | Near
TextLeaf = Words | Tag


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: its AST and the text it came from."""

    root: Node
    text: str = field(default="", compare=False)

    @property
    def topics(self) -> frozenset[str]:
        return topic_names(self.root)

    def __str__(self) -> str:
        return to_query(self.root)


def iter_nodes(node: Node) -> list[Node]:
    """Every node of the tree, parents before children."""
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
    """Terms for the 500 limit: a phrase, hashtag, mention or ``{…}`` counts once, fields not at all."""
    return sum(1 for n in iter_nodes(node) if isinstance(n, Words | Tag))


def is_positive(node: Node) -> bool:
    """§6: terms, fields and NEAR are positive; AND if any child is; OR if all are; NOT never."""
    if isinstance(node, Not):
        return False
    if isinstance(node, And):
        return any(is_positive(child) for child in node.children)
    if isinstance(node, Or):
        return all(is_positive(child) for child in node.children)
    return True


# ----------------------------------------------------------------------------------------------- lexer


def _has_wildcard(token: str) -> bool:
    return "*" in token or "?" in token


def _is_word_char(ch: str) -> bool:
    category = unicodedata.category(ch)
    return category[0] == "L" or category == "Nd"


def _is_query_token_char(ch: str, after_token_char: bool) -> bool:
    if ch in "*?":
        return True
    category = unicodedata.category(ch)
    if category[0] == "L" or category == "Nd":
        return True
    # A mark continues a token (it follows a letter or digit) but never starts one, as in post text.
    return category[0] == "M" and after_token_char


def split_query_words(text: str) -> list[str]:
    """Tokens of a query word, as post text is read (§6), keeping ``*`` and ``?`` inside tokens."""
    if text.isascii():
        return _ASCII_QUERY_WORD_RE.findall(text)
    return _split_query_words_by_character(text)


def _split_query_words_by_character(text: str) -> list[str]:
    tokens: list[str] = []
    current: list[str] = []
    for ch in text:
        if _is_query_token_char(ch, bool(current)):
            current.append(ch)
        elif current:
            tokens.append("".join(current))
            current = []
    if current:
        tokens.append("".join(current))
    return tokens


# An operand (word, field, tag) runs up to whitespace, a parenthesis, a quote or a brace.
_OPERAND_RUN_RE = re.compile(r'[^ \t\r\n\f\v()"{}]*')
_ASCII_QUERY_WORD_RE = re.compile(r"[A-Za-z0-9*?]+")
_FIELD_RE = re.compile(r"([A-Za-z]+):")
_NEAR_RE = re.compile(r"NEAR/(\d+)(f?)")
_FOLLOWERS_RE = re.compile(r"(>=|<=|>|<)?(\d+)(?:\.\.(\d+))?")
_SITE_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*")
_TAG_VALUE_RE = re.compile(r"[\w*?]+")
_MENTION_VALUE_RE = re.compile(r"[\w*?]+(?:[.-][\w*?]+)*")

TokenKind = Literal[
    "LPAREN", "RPAREN", "AND", "OR", "NOT", "MINUS", "NEAR", "WORD", "PHRASE", "EXACT", "TAG", "FIELD", "EOF"
]


@dataclass(slots=True)
class _Token:
    kind: TokenKind
    column: int
    text: str = ""
    value: str = ""
    distance: int = 0
    ordered: bool = False
    value_column: int = 0


_OPERAND_START: frozenset[str] = frozenset(
    ["LPAREN", "NOT", "MINUS", "WORD", "PHRASE", "EXACT", "TAG", "FIELD"]
)


def _describe(token: _Token) -> str:
    if token.kind == "EOF":
        return "the end of the query"
    if token.kind in ("AND", "OR", "NOT"):
        return token.kind
    return repr(token.text)


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.length = len(text)

    def tokens(self) -> list[_Token]:
        found: list[_Token] = []
        i = 0
        text = self.text
        while i < self.length:
            ch = text[i]
            if ch.isspace():
                i += 1
            elif ch == "(":
                found.append(_Token("LPAREN", i + 1, "("))
                i += 1
            elif ch == ")":
                found.append(_Token("RPAREN", i + 1, ")"))
                i += 1
            elif ch == "}":
                raise QuerySyntaxError("unexpected '}' (no matching '{')", i + 1)
            elif ch == '"':
                content, i = self._quoted(i)
                found.append(_Token("PHRASE", i - len(content) - 1, f'"{content}"', content))
            elif ch == "{":
                token, i = self._exact(i)
                found.append(token)
            elif ch == "-":
                found.append(self._minus(i))
                i += 1
            elif ch in "#@":
                token, i = self._tag(i)
                found.append(token)
            else:
                token, i = self._bare(i)
                found.append(token)
        found.append(_Token("EOF", self.length + 1))
        return found

    def _quoted(self, start: int) -> tuple[str, int]:
        end = self.text.find('"', start + 1)
        if end < 0:
            message = f"expected a closing '\"' for the '\"' at column {start + 1}"
            raise QuerySyntaxError(message, self.length + 1)
        return self.text[start + 1 : end], end + 1

    def _exact(self, start: int) -> tuple[_Token, int]:
        end = self.text.find("}", start + 1)
        if end < 0:
            message = f"expected a closing '}}' for the '{{' at column {start + 1}"
            raise QuerySyntaxError(message, self.length + 1)
        inner = self.text[start + 1 : end]
        stripped = inner.strip()
        if stripped.startswith('"'):
            if len(stripped) < 2 or not stripped.endswith('"'):
                raise QuerySyntaxError('expected a word or a "phrase" inside {…}', start + 2)
            stripped = stripped[1:-1]
        elif '"' in stripped:
            raise QuerySyntaxError('expected a word or a "phrase" inside {…}', start + 2)
        return _Token("EXACT", start + 1, self.text[start : end + 1], stripped), end + 1

    def _minus(self, i: int) -> _Token:
        text = self.text
        before = text[i - 1] if i > 0 else " "
        after = text[i + 1] if i + 1 < self.length else ""
        if not (before.isspace() or before == "("):
            message = "'-' negates only at the start of an operand (after a space or '(')"
            raise QuerySyntaxError(message, i + 1)
        if after == "" or after.isspace() or after == ")":
            raise QuerySyntaxError("expected a term or '(' right after '-' (write -word, or NOT word)", i + 2)
        return _Token("MINUS", i + 1, "-")

    def _run_end(self, start: int) -> int:
        """End of the operand starting at ``start``."""
        found = _OPERAND_RUN_RE.match(self.text, start)
        return found.end() if found is not None else start

    def _tag(self, start: int) -> tuple[_Token, int]:
        end = self._run_end(start)
        raw = self.text[start:end]
        kind = "hashtag" if raw[0] == "#" else "mention"
        pattern = _TAG_VALUE_RE if kind == "hashtag" else _MENTION_VALUE_RE
        value = raw[1:]
        if not value or not pattern.fullmatch(value):
            what = "a hashtag after '#'" if kind == "hashtag" else "a handle after '@'"
            raise QuerySyntaxError(f"expected {what} (letters, digits, '_'), found {raw!r}", start + 2)
        return _Token("TAG", start + 1, raw, value), end

    def _bare(self, start: int) -> tuple[_Token, int]:
        end = self._run_end(start)
        raw = self.text[start:end]
        column = start + 1
        if raw in ("AND", "OR", "NOT"):
            return _Token(raw, column, raw), end  # type: ignore[arg-type]
        if raw == "NEAR" or raw.startswith("NEAR/"):
            near = _NEAR_RE.fullmatch(raw)
            if near is None:
                raise QuerySyntaxError("expected a distance after NEAR, as in NEAR/3 or NEAR/3f", column + 4)
            distance = int(near.group(1))
            if distance < 1:
                raise QuerySyntaxError("expected a NEAR distance of at least 1", column + 5)
            if distance > MAX_NEAR_DISTANCE:
                raise QueryLimitError(
                    f"NEAR/{distance}: the distance must be at most {MAX_NEAR_DISTANCE}", column
                )
            return _Token("NEAR", column, raw, distance=distance, ordered=bool(near.group(2))), end
        field_match = _FIELD_RE.match(raw)
        if field_match is not None:
            name = field_match.group(1).lower()
            if name not in FIELD_NAMES:
                raise QuerySyntaxError(
                    f"unknown field {field_match.group(1)!r}; fields are " + ", ".join(FIELD_NAMES), column
                )
            value = raw[field_match.end() :]
            value_column = column + field_match.end()
            if not value and end < self.length and self.text[end] == '"':
                value, end = self._quoted(end)
                value_column += 1
            if not value:
                raise QuerySyntaxError(f"expected a value after '{name}:'", value_column)
            return _Token("FIELD", column, raw, value, value_column=value_column), end
        return _Token("WORD", column, raw, raw), end


# ---------------------------------------------------------------------------------------------- parser


def _check_wildcards(token: str, column: int) -> None:
    star = token.find("*")
    if star < 0:
        return
    if star == 0:
        raise QuerySyntaxError(f"{token!r}: a term cannot start with '*'", column)
    if sum(1 for ch in token[:star] if _is_word_char(ch)) < 2:
        raise QuerySyntaxError(
            f"{token!r}: a term with '*' needs at least 2 letters or digits before the first '*'", column
        )


def _fold_token(token: str) -> str:
    return fold(token)


def _words(text: str, column: int, *, exact: bool) -> Words:
    tokens = split_query_words(text)
    if not tokens:
        raise QuerySyntaxError(f"expected a term with a letter or digit, found {text!r}", column)
    for token in tokens:
        _check_wildcards(token, column)
    if exact:
        normalised = tuple(unicodedata.normalize("NFC", token) for token in tokens)
    else:
        normalised = tuple(_fold_token(token) for token in tokens)
    return Words(normalised, exact, column)


def _field(name: str, value: str, column: int, value_column: int) -> Field | Followers:
    if name == "followers":
        return _followers(value, column, value_column)
    if name == "topic":
        return Field("topic", value, column)
    if name == "author":
        handle = fold(value.removeprefix("@"))
        if not handle:
            raise QuerySyntaxError("expected a handle after 'author:'", value_column)
        return Field("author", handle, column)
    if name == "url":
        return Field("url", value.lower(), column)
    if name == "site":
        domain = value.lower().rstrip(".")
        if not _SITE_RE.fullmatch(domain):
            message = f"site: expected a domain such as lemonde.fr, found {value!r}"
            raise QuerySyntaxError(message, value_column)
        return Field("site", domain, column)
    allowed = {
        "lang": LANGUAGE_CODES,
        "country": COUNTRY_CODES,
        "source": SOURCE_NAMES,
        "is": FLAG_NAMES,
        "sentiment": SENTIMENT_NAMES,
    }[name]
    normalised = value.upper() if name == "country" else value.lower()
    if normalised not in allowed:
        if name == "lang":
            hint = "an ISO 639-1 code such as fr"
        elif name == "country":
            hint = "an ISO 3166-1 alpha-2 code such as FR"
        else:
            hint = "one of " + ", ".join(sorted(allowed))
        raise QuerySyntaxError(f"{name}: unknown value {value!r}; expected {hint}", value_column)
    return Field(name, normalised, column)


def _followers(value: str, column: int, value_column: int) -> Followers:
    found = _FOLLOWERS_RE.fullmatch(value)
    if found is None or (found.group(1) and found.group(3)):
        raise QuerySyntaxError(
            f"followers: expected >N, >=N, <N, <=N, N..M or N, found {value!r}", value_column
        )
    operator, first, second = found.group(1), int(found.group(2)), found.group(3)
    low: int | None
    high: int | None
    if second is not None:
        low, high = first, int(second)
        if low > high:
            raise QuerySyntaxError(f"followers: empty range {value!r} (N..M needs N <= M)", value_column)
    elif operator == ">":
        low, high = first + 1, None
    elif operator == ">=":
        low, high = first, None
    elif operator == "<":
        low, high = None, first - 1
        if first == 0:
            raise QuerySyntaxError("followers: '<0' matches no count", value_column)
    elif operator == "<=":
        low, high = None, first
    else:
        low = high = first
    return Followers(low, high, column)


def _near_operand_problem(node: Node) -> str | None:
    if isinstance(node, Words | Tag):
        return None
    if isinstance(node, Or):
        for child in node.children:
            problem = _near_operand_problem(child)
            if problem is not None:
                return problem
        return None
    if isinstance(node, Field | Followers):
        return "a field"
    if isinstance(node, Not):
        return "NOT"
    if isinstance(node, And):
        return "AND"
    return "NEAR"


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _Lexer(text).tokens()
        self.index = 0

    @property
    def current(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def parse(self) -> Node:
        if self.current.kind == "EOF":
            raise QuerySyntaxError("expected a term or '(' (the query is empty)", self.current.column)
        node = self.parse_or(None)
        token = self.current
        if token.kind == "RPAREN":
            raise QuerySyntaxError("unexpected ')' (no matching '(')", token.column)
        if token.kind != "EOF":  # pragma: no cover - every other token starts or continues an operand
            raise QuerySyntaxError(f"unexpected {_describe(token)}", token.column)
        return node

    def parse_or(self, after: str | None) -> Node:
        first = self.parse_and(after)
        children = [first]
        while self.current.kind == "OR":
            self.advance()
            children.append(self.parse_and("OR"))
        return first if len(children) == 1 else Or(tuple(children), _column_of(first))

    def parse_and(self, after: str | None) -> Node:
        first = self.parse_unary(after)
        children = [first]
        while True:
            kind = self.current.kind
            if kind == "AND":
                self.advance()
                children.append(self.parse_unary("AND"))
            elif kind in _OPERAND_START:
                children.append(self.parse_unary(None))
            else:
                break
        return first if len(children) == 1 else And(tuple(children), _column_of(first))

    def parse_unary(self, after: str | None) -> Node:
        token = self.current
        if token.kind in ("NOT", "MINUS"):
            self.advance()
            child = self.parse_unary("NOT" if token.kind == "NOT" else "'-'")
            return Not(child, token.column)
        return self.parse_near(after)

    def parse_near(self, after: str | None) -> Node:
        left = self.parse_primary(after)
        if self.current.kind != "NEAR":
            return left
        near = self.advance()
        self._check_near_operand(left, near)
        right = self.parse_primary(near.text, near_operand=True)
        self._check_near_operand(right, near)
        if self.current.kind == "NEAR":
            raise QuerySyntaxError(
                "NEAR cannot be chained (a NEAR/n b NEAR/n c); join two NEAR expressions with AND",
                self.current.column,
            )
        return Near(left, right, near.distance, near.ordered, _column_of(left))

    def _check_near_operand(self, node: Node, near: _Token) -> None:
        problem = _near_operand_problem(node)
        if problem is not None:
            raise QuerySyntaxError(
                f"{near.text} operands must be terms, phrases, hashtags, mentions, {{…}} forms or a "
                f"parenthesised OR of those, not {problem}",
                _column_of(node),
            )

    def parse_primary(self, after: str | None, *, near_operand: bool = False) -> Node:
        token = self.current
        kind = token.kind
        if kind == "LPAREN":
            self.advance()
            inner = self.parse_or("'('")
            if self.current.kind != "RPAREN":
                raise QuerySyntaxError(
                    f"expected ')' to close the '(' at column {token.column}, "
                    f"found {_describe(self.current)}",
                    self.current.column,
                )
            self.advance()
            return inner
        if kind == "WORD":
            self.advance()
            return _words(token.value, token.column, exact=False)
        if kind == "PHRASE":
            self.advance()
            return _words(token.value, token.column, exact=False)
        if kind == "EXACT":
            self.advance()
            return _words(token.value, token.column, exact=True)
        if kind == "TAG":
            self.advance()
            tag_kind: Literal["hashtag", "mention"] = "hashtag" if token.text[0] == "#" else "mention"
            _check_wildcards(token.value, token.column + 1)
            return Tag(tag_kind, fold(token.value), token.column)
        if kind == "FIELD":
            self.advance()
            name = token.text.split(":", 1)[0].lower()
            return _field(name, token.value, token.column, token.value_column)
        expected = "a term, phrase or '('" if near_operand else "a term or '('"
        where = f" after {after}" if after else ""
        found = "" if kind == "EOF" else f", found {_describe(token)}"
        if kind == "RPAREN" and after is None:
            raise QuerySyntaxError("unexpected ')' (no matching '(')", token.column)
        raise QuerySyntaxError(f"expected {expected}{where}{found}", token.column)


def _column_of(node: Node) -> int:
    return node.column


def parse_query(text: str) -> Query:
    """Parse ``text`` into a :class:`Query`; raises :class:`QuerySyntaxError` or :class:`QueryLimitError`."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryLimitError(f"the query is {len(text):,} characters long; the limit is {MAX_QUERY_CHARS:,}")
    root = _Parser(text).parse()
    terms = count_terms(root)
    if terms > MAX_TERMS:
        raise QueryLimitError(f"the query has {terms} terms; the limit is {MAX_TERMS}")
    if not is_positive(root):
        raise QuerySyntaxError(
            "the query has only negative terms (NOT/-), so it would match nearly every post; "
            "add a term it must contain, as in: orange NOT spam",
            root.column or 1,
        )
    return Query(root, text)


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
    if any(ch in _QUOTE_NEEDED for ch in value):
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


def to_query(node: Node | Query) -> str:
    """Query text for an AST, such that ``parse_query(to_query(ast)).root == ast``."""
    if isinstance(node, Query):
        node = node.root
    if isinstance(node, Words):
        return _print_words(node)
    if isinstance(node, Tag):
        return ("#" if node.kind == "hashtag" else "@") + node.value
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
    return f"{_print_child(node.left)} NEAR/{node.distance}{suffix} {_print_child(node.right)}"
