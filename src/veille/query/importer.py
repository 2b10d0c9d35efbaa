"""Queries written for other listening tools, converted to this language (spec §9, issue 19).

``import_query(text, dialect)`` reads a query as Brandwatch, Talkwalker, Meltwater, Sprinklr, X or
Lucene reads it and writes the query that means the same here. Each rule comes from that tool's public
documentation (cited in ``docs/query-language.md``); where a tool's documentation leaves the meaning
open, or where this language cannot say the same, the result carries a warning and ``exact`` is False.
A construct with no equivalent at all (``city:``, ``has:media``, a proximity search over three words)
refuses the whole query with a :class:`~veille.query.ast.QueryError` naming its column: dropping a
clause would change what the query matches.

What differs between the tools, and how each is converted:

- **NEAR.** Brandwatch and Meltwater count the words *between* (as here): ``NEAR/n`` is kept.
  Meltwater's bare ``NEAR`` allows 4 words between (``NEAR/4``); its ``ONEAR/n`` is ``NEAR/nf``.
  Sprinklr and Talkwalker do not say what ``n`` counts: read as here, with a warning.
- **Proximity in quotes** ``"a b"~n`` (X, Lucene, Brandwatch, Sprinklr, Talkwalker). X and Lucene
  define it as Lucene's *slop*: in order with at most n words between, or reversed with at most
  n - 2, so it is exactly ``a NEAR/nf b OR b NEAR/(n-2)f a``. Over three words or more there is no
  equivalent (refused).
- **Words side by side.** X and Talkwalker: AND. Sprinklr: a phrase. Lucene: OR (its default
  operator), with ``+`` (required) and ``-`` (excluded) marks read as Lucene's query parser reads them.
  Brandwatch and Meltwater document explicit operators only: read as AND, with a warning.
- **AND and OR mixed without parentheses.** X documents AND first (as here); Lucene's parser has its
  own clause rules (reproduced); the others do not document it: read as here, with a warning.
- **Talkwalker** ORs consecutive ``site:`` fields. **Meltwater's** ``^n`` only changes which sentence is
  shown, so it is dropped; Lucene's ``^n`` boost only ranks, so it is dropped too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from veille.query.ast import (
    And,
    Emoji,
    Field,
    Near,
    Node,
    Not,
    Or,
    QueryError,
    QueryLimitError,
    QuerySyntaxError,
    Tag,
    Words,
    to_query,
)
from veille.query.emoji import EMOJI_RE, split_emoji_run
from veille.query.fields import (
    canonical_field,
    check_wildcards,
    field_node,
    fold_query_token,
    query_words,
    split_query_words,
)
from veille.query.syntax import MAX_NEAR_DISTANCE, MAX_NESTING, parse_query

__all__ = ["DIALECTS", "MAX_IMPORT_CHARS", "ImportResult", "import_query"]

# A query written for another tool may be longer than one here (comments, spellings), not unboundedly.
MAX_IMPORT_CHARS = 16_384

DialectName = Literal["brandwatch", "talkwalker", "meltwater", "sprinklr", "x", "lucene"]
DIALECTS: tuple[DialectName, ...] = ("brandwatch", "talkwalker", "meltwater", "sprinklr", "x", "lucene")


@dataclass(frozen=True, slots=True)
class ImportResult:
    """The converted query, the warnings for what could not be kept exactly, and whether all was kept."""

    query: str
    warnings: tuple[str, ...]
    exact: bool


@dataclass(frozen=True, slots=True)
class _Dialect:
    title: str
    juxtaposition: Literal["and", "and-undocumented", "phrase", "lucene"]
    near: Literal["between", "undocumented", "none"]
    bare_near: int | None = None  # Meltwater's NEAR without a number
    onear: bool = False
    slop: Literal["lucene", "undocumented", "none"] = "none"
    boost: Literal["drop", "none"] = "none"
    braces: bool = False  # {…}: case-sensitive (Brandwatch)
    precedence_documented: bool = False
    site_or: bool = False
    # Field names the tool documents (lower case) -> the field here ("" plain text, "#"/"@" tags,
    # and special conversions named with a leading "=").
    fields: dict[str, str] = field(default_factory=dict)


_DIALECTS: dict[str, _Dialect] = {
    "brandwatch": _Dialect(
        "Brandwatch",
        juxtaposition="and-undocumented",
        near="between",
        slop="lucene",
        braces=True,
        fields={
            "author": "author",
            "site": "site",
            "url": "url",
            "links": "url",
            "country": "country",
            "language": "lang",
            "lang": "lang",
            "title": "title",
            "at_mentions": "@",
            "hashtags": "#",
            "raw": "=raw",
            "authorfollowers": "=followers-range",
        },
    ),
    "talkwalker": _Dialect(
        "Talkwalker",
        juxtaposition="and",
        near="undocumented",
        onear=True,
        slop="undocumented",
        site_or=True,
        fields={"site": "site", "title": "title", "lang": "lang"},
    ),
    "meltwater": _Dialect(
        "Meltwater",
        juxtaposition="and-undocumented",
        near="between",
        bare_near=4,
        onear=True,
        boost="drop",
        fields={"title": "title"},
    ),
    "sprinklr": _Dialect(
        "Sprinklr",
        juxtaposition="phrase",
        near="undocumented",
        onear=True,
        slop="undocumented",
        fields={
            "author": "=display-name",
            "message": "",
            "title": "title",
            "language": "lang",
            "country": "country",
            "url": "url",
            "site": "site",
            "authorcontaining": "=author-containing",
        },
    ),
    "x": _Dialect(
        "X",
        juxtaposition="and",
        near="none",
        slop="lucene",
        precedence_documented=True,
        fields={
            "from": "author",
            "to": "=reply-to",
            "url": "=x-url",
            "lang": "lang",
            "place_country": "=place-country",
            "has": "has",
            "is": "=x-is",
        },
    ),
    "lucene": _Dialect(
        "Lucene",
        juxtaposition="lucene",
        near="none",
        slop="lucene",
        boost="drop",
        precedence_documented=True,
    ),
}

_QUOTES = '"“”„‟«»'
_CLOSING = {"«": "»", "»": "«"}
_DEFAULT_CLOSING = '"“”„‟'
_RUN_RE = re.compile(r'[^\s()"“”„‟«»{}\[\]]+')
_FIELD_RE = re.compile(r"([A-Za-z][A-Za-z0-9_]*):(.*)", re.DOTALL)
_NEAR_RE = re.compile(r"(O?NEAR)(?:/(\d+)([fF]?))?")
_SUFFIX_RE = re.compile(r"(~(\d*(?:\.\d+)?))?(\^(\d+(?:\.\d+)?))?")
_RANGE_RE = re.compile(r"\[\s*(\d+|\*)\s+TO\s+(\d+|\*)\s*\]")


class _Refused(QueryError):
    pass


@dataclass(slots=True)
class _Notes:
    warnings: list[str] = field(default_factory=list)
    exact: bool = True

    def loss(self, column: int, message: str) -> None:
        self.warnings.append(f"column {column}: {message}")
        self.exact = False

    def note(self, column: int, message: str) -> None:
        self.warnings.append(f"column {column}: {message}")


@dataclass(slots=True)
class _Clause:
    """A Lucene clause: its node and how it occurs (MUST, SHOULD, MUST_NOT)."""

    node: Node
    occur: Literal["must", "should", "must_not"]


class _Importer:
    def __init__(self, text: str, dialect: _Dialect) -> None:
        self.text = text
        self.dialect = dialect
        self.position = 0
        self.notes = _Notes()
        self.context: str | None = None  # the foreign field a group of values belongs to
        # ANDs made by operator precedence, not by parentheses (to spot AND and OR mixed bare).
        self.bare_ands: set[int] = set()
        self.depth = 0

    def deeper(self, column: int) -> None:
        """Parentheses and NOT nested as deep as this language allows, and no deeper (no RecursionError)."""
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise QueryLimitError(
                f"the query nests parentheses and NOT more than {MAX_NESTING} levels deep", column
            )

    # ------------------------------------------------------------------------------------ scanning

    def skip(self) -> None:
        text = self.text
        while self.position < len(text):
            if text[self.position].isspace():
                self.position += 1
            elif text.startswith("<<<", self.position):  # Brandwatch comments
                end = text.find(">>>", self.position + 3)
                if end < 0:
                    raise QuerySyntaxError("expected '>>>' to close the comment '<<<'", self.position + 1)
                self.position = end + 3
            else:
                break

    def peek(self) -> str:
        self.skip()
        return self.text[self.position] if self.position < len(self.text) else ""

    def column(self) -> int:
        return self.position + 1

    def word_at(self) -> str:
        """The bare run at the position (without consuming it)."""
        self.skip()
        found = _RUN_RE.match(self.text, self.position)
        return found.group() if found else ""

    def at_operator(self, *names: str) -> str | None:
        word = self.word_at()
        return word if word in names else None

    def take(self, count: int) -> None:
        self.position += count

    # -------------------------------------------------------------------------------------- parsing

    def parse(self) -> Node:
        node = self.parse_or()
        if self.peek() == ")":
            raise QuerySyntaxError("unexpected ')' (no matching '(')", self.column())
        if self.peek():
            raise QuerySyntaxError(f"unexpected {self.word_at() or self.peek()!r}", self.column())
        return node

    def parse_or(self) -> Node:
        if self.dialect.juxtaposition == "lucene":
            return self.parse_lucene_clauses()
        children = [self.parse_and()]
        column = self.column()
        while self.at_operator("OR", "||"):
            column = self.column()
            self.take(len(self.word_at()))
            children.append(self.parse_and())
        mixed = len(children) > 1 and any(id(child) in self.bare_ands for child in children)
        if mixed and not self.dialect.precedence_documented:
            self.notes.loss(
                column,
                f"AND and OR mixed without parentheses: {self.dialect.title} does not document which "
                "comes first; read as here, AND before OR (a OR b AND c = a OR (b AND c))",
            )
        return children[0] if len(children) == 1 else Or(tuple(children))

    def parse_and(self) -> Node:
        first_column = self.column()
        children = [self.parse_unary()]
        while True:
            following = self.peek()
            if not following or following == ")":
                break
            operator = self.at_operator("AND", "&&")
            if operator:
                self.take(len(operator))
                children.append(self.parse_unary())
                continue
            if self.at_operator("OR", "||"):
                break
            column = self.column()
            negated = self.at_operator("NOT") is not None or following == "-"
            operand = self.parse_unary()
            if negated:  # "a NOT b" and "a -b" are "a AND NOT b" in every tool
                children.append(operand)
            else:
                self.juxtaposed(children, operand, column)
        if len(children) == 1:
            return children[0]
        node = And(tuple(children), first_column)
        self.bare_ands.add(id(node))
        return node

    def juxtaposed(self, children: list[Node], operand: Node, column: int) -> None:
        """Two operands side by side, with no operator: each tool reads them its own way."""
        previous = children[-1]
        if self.dialect.site_or and _is_site(previous) and _is_site(operand):
            # Talkwalker: consecutive site: fields mean "found on either site".
            sites = previous.children if isinstance(previous, Or) else (previous,)
            children[-1] = Or((*sites, operand))
            return
        if self.dialect.juxtaposition == "and-undocumented":
            self.notes.loss(
                column,
                f"two operands side by side without an operator: {self.dialect.title} documents explicit "
                "operators only; read as AND",
            )
        elif self.dialect.juxtaposition == "phrase" and not isinstance(operand, Words):
            self.notes.loss(column, "two operands side by side without an operator: read as AND")
        children.append(operand)

    def parse_unary(self) -> Node:
        self.skip()
        column = self.column()
        negation = self.at_operator("NOT") is not None or (
            self.peek() == "-"
            and self.position + 1 < len(self.text)
            and not self.text[self.position + 1].isspace()
        )
        if negation:
            self.take(3 if self.text.startswith("NOT", self.position) else 1)
            self.deeper(column)
            child = self.parse_unary()
            self.depth -= 1
            return Not(child, column)
        if self.peek() == "+" and self.dialect.juxtaposition != "lucene":
            self.take(1)  # X's +word keeps the word as it is: a required word, as any word here
            return self.parse_unary()
        return self.parse_near()

    def parse_near(self) -> Node:
        left = self.parse_primary()
        operator = self.word_at()
        near = _NEAR_RE.fullmatch(operator) if operator else None
        if near is None:
            return left
        column = self.column()
        self.take(len(operator))
        distance, ordered = self.near_distance(near, column)
        right = self.parse_primary()
        for operand in (left, right):
            problem = _near_problem(operand)
            if problem is not None:
                raise _Refused(
                    f"a NEAR operand here must be a term, a phrase or an OR of those, not {problem}", column
                )
        return Near(left, right, distance, ordered, column)

    def near_distance(self, near: re.Match[str], column: int) -> tuple[int, bool]:
        word, digits, suffix = near.group(1), near.group(2), near.group(3)
        dialect = self.dialect
        if dialect.near == "none":
            raise _Refused(
                f'{near.group()} is not {dialect.title} syntax; a proximity search there is written "a b"~n',
                column,
            )
        if word == "ONEAR" and not dialect.onear:
            raise _Refused(f"ONEAR is not {dialect.title} syntax (its ordered NEAR is NEAR/nf)", column)
        if digits is None:
            if dialect.bare_near is None:
                raise _Refused(
                    f"{word} without a distance has no documented meaning in {dialect.title}", column
                )
            distance = dialect.bare_near
        else:
            distance = int(digits)
        if distance > MAX_NEAR_DISTANCE:
            raise _Refused(
                f"{word}/{distance}: the distance must be at most {MAX_NEAR_DISTANCE} here", column
            )
        if dialect.near == "undocumented":
            self.notes.loss(
                column,
                f"{near.group()}: {dialect.title} does not document whether the number counts the words "
                f"between or the distance; read as the words between (NEAR/{distance}); if it counted the "
                f"distance, write NEAR/{max(distance - 1, 0)}",
            )
        return distance, word == "ONEAR" or bool(suffix)

    def parse_primary(self) -> Node:
        ch = self.peek()
        column = self.column()
        if not ch:
            raise QuerySyntaxError("expected a term or '(' (the query ends here)", column)
        if ch == "(":
            self.take(1)
            self.deeper(column)
            inner = self.parse_or()
            if self.peek() != ")":
                raise QuerySyntaxError(f"expected ')' to close the '(' at column {column}", self.column())
            self.take(1)
            self.depth -= 1
            self.bare_ands.discard(id(inner))
            return self.suffixes(inner, column, None)
        if ch == ")":
            raise QuerySyntaxError("expected a term or '(', found ')'", column)
        if ch in _QUOTES:
            content = self.quoted()
            if self.context is not None:
                return self.suffixes(
                    self.field_value(self.context, content, column, quoted=True), column, None
                )
            return self.suffixes(self.phrase(content, column), column, content)
        if ch == "{":
            return self.braces(column)
        if ch == "[":
            raise _Refused("a range [a TO b] is only understood as a follower count here", column)
        return self.bare(column)

    def quoted(self) -> str:
        start = self.position
        closing = _CLOSING.get(self.text[start], _DEFAULT_CLOSING)
        end = start + 1
        while end < len(self.text) and self.text[end] not in closing:
            end += 1
        if end >= len(self.text):
            raise QuerySyntaxError(
                f"expected a closing quote for the one at column {start + 1}", len(self.text) + 1
            )
        self.position = end + 1
        return self.text[start + 1 : end]

    def braces(self, column: int) -> Node:
        end = self.text.find("}", self.position)
        if end < 0:
            raise QuerySyntaxError("expected a closing '}'", len(self.text) + 1)
        inner = self.text[self.position + 1 : end].strip().strip(_QUOTES)
        self.position = end + 1
        if not self.dialect.braces:
            raise _Refused(f"{{…}} is not {self.dialect.title} syntax", column)
        return query_words(inner, column, exact=True)

    def suffixes(self, node: Node, column: int, phrase: str | None) -> Node:
        """``~n`` (proximity, fuzzy) and ``^n`` (boost) written right after an operand."""
        if self.position >= len(self.text) or self.text[self.position] not in "~^":
            return node
        found = _SUFFIX_RE.match(self.text, self.position)
        assert found is not None  # both parts are optional
        self.position = found.end()
        if found.group(1):
            node = self.proximity(node, phrase, found.group(2), column)
        if found.group(3):
            if self.dialect.boost != "drop":
                raise _Refused(f"^{found.group(4)} has no documented meaning in {self.dialect.title}", column)
            self.notes.note(column, f"^{found.group(4)} only changes ranking or the sentence shown: dropped")
        return node

    def proximity(self, node: Node, phrase: str | None, number: str, column: int) -> Node:
        dialect = self.dialect
        if phrase is None:
            what = (
                "a fuzzy search (a word spelt nearly so)"
                if isinstance(node, Words)
                else "a proximity over a group"
            )
            raise _Refused(f"~{number} after this operand is {what}: no equivalent here", column)
        if dialect.slop == "none":
            raise _Refused(f'"…"~{number} is not {dialect.title} syntax', column)
        words = split_query_words(phrase)
        if not number.isdigit():
            raise _Refused(f"~{number}: expected a whole number of words", column)
        slop = int(number)
        if len(words) == 1 and isinstance(node, Words):
            self.notes.note(column, f'"{phrase}"~{slop}: a proximity over one word is the word itself')
            return node
        if len(words) != 2 or not isinstance(node, Words):
            raise _Refused(
                f'"{phrase}"~{slop}: a proximity search over {len(words)} words has no equivalent here '
                "(NEAR joins two operands); write it with NEAR between pairs of words",
                column,
            )
        if slop > MAX_NEAR_DISTANCE:
            raise _Refused(f"~{slop}: at most {MAX_NEAR_DISTANCE} words between here", column)
        first, second = (Words((token,), node.exact, column) for token in node.tokens)
        forward = Near(first, second, slop, True, column)
        if dialect.slop == "undocumented":
            self.notes.loss(
                column,
                f'"{phrase}"~{slop}: {dialect.title} does not document how the number is counted; read as '
                f"Lucene's slop (in order with at most {slop} words between, reversed with at most "
                f"{max(slop - 2, 0)})",
            )
        if slop < 2:
            return forward
        return Or((forward, Near(second, first, slop - 2, True, column)))

    def phrase(self, content: str, column: int) -> Node:
        emoji = [hit.group() for hit in EMOJI_RE.finditer(content)]
        if emoji:
            self.notes.loss(
                column, f'"{content}": the emoji of a phrase are matched anywhere in the post, not in place'
            )
            leaves: list[Node] = [Emoji(split_emoji_run(value)[0], column) for value in emoji]  # type: ignore[index]
            if split_query_words(content):
                leaves.insert(0, query_words(content, column, exact=False))
            return leaves[0] if len(leaves) == 1 else And(tuple(leaves), column)
        return query_words(content, column, exact=False)

    def bare(self, column: int) -> Node:
        run = self.word_at()
        if not run:
            raise QuerySyntaxError(f"unexpected {self.peek()!r}", column)
        if run in ("AND", "OR", "NOT", "&&", "||"):
            raise QuerySyntaxError(f"expected a term or '(' before {run}", column)
        if run.startswith("!") and self.dialect.juxtaposition == "lucene":
            self.take(1)
            return Not(self.parse_unary(), column)
        if run.startswith("!"):
            raise _Refused(f"{run!r}: '!' has no documented meaning in {self.dialect.title}", column)
        field_match = _FIELD_RE.fullmatch(run)
        if field_match is not None and self.context is None:
            return self.field(field_match, run, column)
        body = _without_suffix(run)
        self.take(len(body))
        if self.context is not None:
            return self.suffixes(self.field_value(self.context, body, column, quoted=False), column, None)
        if body[0] in "#@$" and len(body) > 1:
            return self.suffixes(self.tag(body, column), column, None)
        emoji = split_emoji_run(body) if not body.isascii() else None
        if emoji is not None:
            nodes: list[Node] = [Emoji(value, column) for value in emoji]
            return nodes[0] if len(nodes) == 1 else And(tuple(nodes), column)
        if self.dialect.juxtaposition == "phrase":
            body = self.sprinklr_phrase(body)
        node = query_words(body, column, exact=False)
        return self.suffixes(node, column, None)

    def sprinklr_phrase(self, body: str) -> str:
        """Sprinklr reads unquoted words side by side as one phrase (``internet of things OR iot``)."""
        words = [body]
        while True:
            saved = self.position
            following = self.word_at()
            if (
                not following
                or following in ("AND", "OR", "NOT")
                or _NEAR_RE.fullmatch(following)
                or _FIELD_RE.fullmatch(following)
                or following[0] in "#@$-+!"
                or self.peek() in _QUOTES
            ):
                self.position = saved
                break
            self.take(len(following))
            words.append(following)
        return " ".join(words)

    def tag(self, body: str, column: int) -> Node:
        sign, value = body[0], body[1:]
        if sign == "$":
            if not re.fullmatch(r"[A-Za-z]{1,6}(?:\.[A-Za-z]{1,2})?", value):
                raise _Refused(f"{body!r}: a cashtag here is 1 to 6 letters ($TSLA)", column)
            return Tag("cashtag", value.lower(), column)
        if not re.fullmatch(r"[\w*?]+(?:[.-][\w*?]+)*", value):
            raise QuerySyntaxError(f"expected a hashtag or handle, found {body!r}", column)
        check_wildcards(value, column + 1)
        return Tag("hashtag" if sign == "#" else "mention", fold_query_token(value), column)

    # ---------------------------------------------------------------------------------------- fields

    def field(self, field_match: re.Match[str], run: str, column: int) -> Node:
        name, value = field_match.group(1), field_match.group(2)
        self.take(len(run))
        quoted = False
        if not value:
            following = self.peek()
            if following == "(":
                self.deeper(self.column())
                self.take(1)
                self.context = name
                try:
                    inner = self.parse_or()
                finally:
                    self.context = None
                if self.peek() != ")":
                    raise QuerySyntaxError("expected ')' to close the field's group", self.column())
                self.take(1)
                self.depth -= 1
                self.bare_ands.discard(id(inner))
                return inner
            if following in _QUOTES and following:
                value, quoted = self.quoted(), True
            elif following == "[":
                end = self.text.find("]", self.position)
                if end < 0:
                    raise QuerySyntaxError("expected ']' to close the range", len(self.text) + 1)
                value = self.text[self.position : end + 1]
                self.position = end + 1
            else:
                value = self.word_at()
                if not value or value in ("AND", "OR", "NOT"):
                    raise QuerySyntaxError(f"expected a value after {name}:", self.column())
                self.take(len(value))
        return self.suffixes(self.field_value(name, value, column, quoted=quoted), column, None)

    def field_value(self, name: str, value: str, column: int, *, quoted: bool) -> Node:
        lowered = name.lower()
        mapped = self.dialect.fields.get(lowered)
        if mapped is None:
            # Not a field this tool documents: read as this language's field of that name, if any.
            canonical = canonical_field(name, column)
            node = field_node(canonical, value, column, column, quoted=quoted)
            self.notes.loss(
                column,
                f"{name}: is not among the fields {self.dialect.title}'s documentation lists; read as "
                f"{to_query(node)} here",
            )
            return node
        if not mapped.startswith("="):
            return field_node(mapped, value, column, column, quoted=quoted)
        return self.special_field(mapped[1:], name, value, column)

    def special_field(self, kind: str, name: str, value: str, column: int) -> Node:
        notes = self.notes
        if kind == "raw":
            words = split_query_words(value)
            if "".join(words) != value:
                notes.loss(
                    column, f"raw:{value}: only letters and digits are matched here; {{{' '.join(words)}}}"
                )
            return query_words(value, column, exact=True)
        if kind == "followers-range":
            found = _RANGE_RE.fullmatch(value.strip())
            if found is None:
                raise _Refused(f"{name}: expected a range such as [1000 TO 5000]", column)
            low, high = found.group(1), found.group(2)
            text = f">={low}" if high == "*" else f"<={high}" if low == "*" else f"{low}..{high}"
            return field_node("followers", text, column, column)
        if kind == "display-name":
            notes.loss(
                column,
                f"{name}: Sprinklr's author is a display name, matched with its case; here name: ignores case",
            )
            return Field("name", " ".join(query_words(value, column, exact=False).tokens), column)
        if kind == "author-containing":
            notes.loss(
                column, f"{name}: matched against the handle here (author:*{value}*), not the display name"
            )
            return field_node("author", f"*{value.strip('*')}*", column, column)
        if kind == "reply-to":
            notes.loss(
                column,
                f"to:{value}: X matches replies to that account; here the post must be a reply mentioning it "
                "(the record keeps the replied-to post, not its author)",
            )
            return And((field_node("@", value, column, column), Field("is", "reply", column)))
        if kind == "x-url":
            notes.loss(column, f"url:{value}: X matches URL tokens; here url: is a substring of the link")
            return field_node("url", value, column, column)
        if kind == "place-country":
            notes.loss(
                column,
                f"place_country:{value}: X matches the tagged place; here country: is the post's country, "
                "also read from the author's location",
            )
            return field_node("country", value, column, column)
        if kind == "x-is" and value.lower() == "nullcast":
            notes.loss(
                column, "is:nullcast: promoted-only posts cannot be told apart here; the clause is dropped"
            )
            return _NULLCAST
        return field_node("is", value, column, column)

    # --------------------------------------------------------------------------------------- Lucene

    def parse_lucene_clauses(self) -> Node:
        """A sequence of Lucene clauses read as Lucene's classic query parser reads them (default OR)."""
        clauses: list[_Clause] = []
        conjunction: str | None = None
        while True:
            following = self.peek()
            if not following or following == ")":
                break
            operator = self.at_operator("AND", "&&", "OR", "||")
            if operator:
                if not clauses:
                    raise QuerySyntaxError(f"expected a term before {operator}", self.column())
                self.take(len(operator))
                conjunction = "and" if operator in ("AND", "&&") else "or"
                continue
            modifier = None
            if self.at_operator("NOT"):
                self.take(3)
                modifier = "not"
            elif following in "-!" and not self.text[self.position + 1 : self.position + 2].isspace():
                self.take(1)
                modifier = "not"
            elif following == "+":
                self.take(1)
                modifier = "required"
            node = self.parse_near()
            if conjunction == "and" and clauses and clauses[-1].occur != "must_not":
                clauses[-1].occur = "must"
            prohibited = modifier == "not"
            required = modifier == "required" or (conjunction == "and" and not prohibited)
            clauses.append(_Clause(node, "must_not" if prohibited else "must" if required else "should"))
            conjunction = None
        if not clauses:
            raise QuerySyntaxError("expected a term or '('", self.column())
        must = [clause.node for clause in clauses if clause.occur == "must"]
        should = [clause.node for clause in clauses if clause.occur == "should"]
        excluded = [Not(clause.node) for clause in clauses if clause.occur == "must_not"]
        parts = list(must)
        if must and should:
            self.notes.note(1, "Lucene: optional clauses beside required ones only rank results; dropped")
        elif should:
            parts.append(should[0] if len(should) == 1 else Or(tuple(should)))
        parts.extend(excluded)
        return parts[0] if len(parts) == 1 else And(tuple(parts))


_NULLCAST = Field("is", "__nullcast__")


def _without_suffix(run: str) -> str:
    """A bare word without its trailing ``~n``/``^n`` (read by :meth:`_Importer.suffixes`)."""
    for index, ch in enumerate(run):
        if ch in "~^" and index > 0:
            return run[:index]
    return run


def _is_site(node: Node) -> bool:
    if isinstance(node, Or):
        return all(_is_site(child) for child in node.children)
    return isinstance(node, Field) and node.name in ("site", "url")


def _near_problem(node: Node) -> str | None:
    if isinstance(node, Words | Tag | Near):
        return None
    if isinstance(node, Or):
        for child in node.children:
            problem = _near_problem(child)
            if problem is not None:
                return problem
        return None
    if isinstance(node, Emoji):
        return "an emoji"
    if isinstance(node, Not):
        return "NOT"
    if isinstance(node, And):
        return "AND"
    return "a field"


def _drop_nullcast(node: Node) -> Node | None:
    """``-is:nullcast`` has no equivalent and only removes posts the hub never collects: drop it."""
    if node == _NULLCAST or node == Not(_NULLCAST):
        return None
    if isinstance(node, And | Or):
        kept = [child for child in (_drop_nullcast(child) for child in node.children) if child is not None]
        if not kept:
            return None
        return kept[0] if len(kept) == 1 else type(node)(tuple(kept), node.column)
    if isinstance(node, Not):
        child = _drop_nullcast(node.child)
        return None if child is None else Not(child, node.column)
    return node


def import_query(text: str, dialect: str) -> ImportResult:
    """``text`` read as ``dialect`` reads it, written in this language.

    Raises :class:`QueryError` (with the column in ``text``) when the query does not parse as that
    tool's syntax or holds something with no equivalent here.
    """
    if dialect not in _DIALECTS:
        raise QueryError(f"unknown dialect {dialect!r}; expected one of " + ", ".join(DIALECTS))
    if not text.strip():
        raise QuerySyntaxError("expected a query (it is empty)", 1)
    if len(text) > MAX_IMPORT_CHARS:
        raise QueryLimitError(
            f"the query is {len(text):,} characters long; the limit is {MAX_IMPORT_CHARS:,}"
        )
    importer = _Importer(text, _DIALECTS[dialect])
    root = _drop_nullcast(importer.parse())
    if root is None:
        raise _Refused("nothing is left of the query once is:nullcast is dropped", 1)
    converted = to_query(root)
    try:
        query = parse_query(converted)  # the limits and rules of this language, on the result
    except QueryError as error:
        raise QueryError(f"the converted query {converted!r} is refused: {error}") from None
    warnings = [
        *importer.notes.warnings,
        *(
            f"{warning} (in the converted query)"
            for warning in query.warnings
            if warning.code != "juxtaposed-words"
        ),
    ]
    return ImportResult(str(query), tuple(warnings), importer.notes.exact)
