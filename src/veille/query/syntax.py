"""Lexer and parser of the Veille Query Language (``shared/spec/query-language.md``).

``parse_query(text)`` gives a :class:`~veille.query.ast.Query`: the tree, and the warnings about
forms that parse but that other tools read differently (spec §9). Forms of other tools that have no
meaning here (``~5``, ``^9``, ``|``, ``!word``, ``ONEAR``…) are refused with a message saying what
they probably meant and how to write it here: none is ever swallowed as a word the post must contain.

Every refusal names the 1-based column. The parser is recursive but refuses nesting deeper than
:data:`MAX_NESTING` levels before Python's own limit is near, and :func:`estimate_cost` bounds the work
one query may ask of the matcher on each post.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

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
    QueryError,
    QueryLimitError,
    QuerySyntaxError,
    QueryWarning,
    Tag,
    TextLeaf,
    UnknownTopicError,
    Words,
    count_terms,
    has_wildcard,
    is_positive,
    iter_nodes,
    to_query,
    topic_names,
)
from veille.query.emoji import EMOJI_RE, split_emoji_run
from veille.query.fields import (  # noqa: F401 - the character rule is re-exported for its tests
    FIELD_NAMES,
    LANGUAGE_CODES,
    SOURCE_NAMES,
    _split_query_words_by_character,
    canonical_field,
    check_wildcards,
    field_node,
    fold_query_token,
    query_words,
    split_query_words,
)

__all__ = [
    "FIELD_NAMES",
    "LANGUAGE_CODES",
    "MAX_NEAR_DISTANCE",
    "MAX_NESTING",
    "MAX_QUERY_CHARS",
    "MAX_QUERY_COST",
    "MAX_TERMS",
    "MAX_TOPIC_DEPTH",
    "SOURCE_NAMES",
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
    "estimate_cost",
    "is_positive",
    "iter_nodes",
    "parse_query",
    "split_query_words",
    "to_query",
    "topic_names",
]

MAX_QUERY_CHARS = 4096
MAX_TERMS = 500
MAX_NEAR_DISTANCE = 50
MAX_TOPIC_DEPTH = 5
# Parentheses and NOT nested deeper than this are refused: real queries stay far below, and the
# parser, the printer and the generated code of the monitor stay far from Python's recursion limits.
MAX_NESTING = 32
# The most work (estimate_cost) one query may ask for each post.
MAX_QUERY_COST = 20_000

# Quotes other tools' help pages publish (users copy them): “…”, „…“, ”…”, «…», »…«.
_QUOTES = '"“”„‟«»'
_CLOSING = {"«": "»", "»": "«"}
_DEFAULT_CLOSING = '"“”„‟'
# An operand (word, field, tag) runs up to whitespace, a parenthesis, a quote or a brace.
_OPERAND_RUN_RE = re.compile(r'[^\s()"“”„‟«»{}]*')
_FIELD_RE = re.compile(r"([A-Za-z][A-Za-z0-9_]*):")
_NEAR_RE = re.compile(r"(?i)(o?near)(?:/(\d*)([a-z]?))?")
_SLASH_NUMBER_RE = re.compile(r"[A-Za-z]{0,4}/\d+[A-Za-z]?")
_CASHTAG_RE = re.compile(r"[A-Za-z]{1,6}(?:\.[A-Za-z]{1,2})?")
_TAG_VALUE_RE = re.compile(r"[\w*?]+")
_MENTION_VALUE_RE = re.compile(r"[\w*?]+(?:[.-][\w*?]+)*")
_LOWERCASE_OPERATORS = frozenset(["and", "or", "not"])

TokenKind = Literal[
    "LPAREN",
    "RPAREN",
    "AND",
    "OR",
    "NOT",
    "MINUS",
    "NEAR",
    "WORD",
    "PHRASE",
    "EXACT",
    "TAG",
    "EMOJI",
    "FIELD",
    "EOF",
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
    field: str = ""  # FIELD: the canonical field ("#", "@" or "" for aliases of tags and plain terms)
    group: bool = False  # FIELD: the value is the parenthesised group that follows
    quoted: bool = False


_OPERAND_START: frozenset[str] = frozenset(
    ["LPAREN", "NOT", "MINUS", "WORD", "PHRASE", "EXACT", "TAG", "EMOJI", "FIELD"]
)
_OPERAND_END: frozenset[str] = frozenset(["RPAREN", "WORD", "PHRASE", "EXACT", "TAG", "EMOJI", "FIELD"])


def _describe(token: _Token) -> str:
    if token.kind == "EOF":
        return "the end of the query"
    if token.kind in ("AND", "OR", "NOT"):
        return token.kind
    return repr(token.text)


def _proximity_hint(phrase: str | None, suffix: str, column: int) -> QuerySyntaxError:
    """The refusal of ``~n``: a proximity search (after a phrase or group) or a fuzzy search (after a word)."""
    number = suffix[1:]
    if phrase is not None:
        words = split_query_words(phrase)
        if len(words) == 2 and number.isdigit():
            a, b = words
            return QuerySyntaxError(
                f'"{phrase}"{suffix} is a proximity search in Lucene, X, Brandwatch and Sprinklr (the words '
                f"within {number} of each other); here write {a} NEAR/{number} {b} (at most {number} words "
                "between, either order), or convert it exactly with: veille query import",
                column,
            )
        return QuerySyntaxError(
            f"{suffix!r} after a phrase or a group is a proximity search in other tools; here proximity "
            "is written between two operands: a NEAR/n b (at most n words between)",
            column,
        )
    return QuerySyntaxError(
        f"{suffix!r}: '~' is not an operator here (a fuzzy search in Lucene); list the spellings with OR, "
        "or use a wildcard (word*)",
        column,
    )


def _boost_hint(text: str, column: int) -> QuerySyntaxError:
    return QuerySyntaxError(
        f"{text!r}: '^' gives a boost or a preference (Lucene, Meltwater) that changes only ranking; "
        "it has no meaning for matching here: remove it",
        column,
    )


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
            elif ch in _QUOTES:
                content, end = self._quoted(i)
                found.append(_Token("PHRASE", i + 1, text[i:end], content))
                i = end
                if i < self.length and text[i] in "~^":
                    suffix = self._run(i)
                    if text[i] == "~":
                        raise _proximity_hint(content, suffix, i + 1)
                    raise _boost_hint(suffix, i + 1)
            elif ch == "{":
                token, i = self._exact(i)
                found.append(token)
            elif text.startswith("<<<", i):
                # Brandwatch comments: <<<a note>>> is ignored.
                end = text.find(">>>", i + 3)
                if end < 0:
                    raise QuerySyntaxError(
                        f"expected '>>>' to close the comment '<<<' at column {i + 1}", self.length + 1
                    )
                i = end + 3
            elif ch == "-":
                found.append(self._minus(i))
                i += 1
            elif ch in "#@":
                token, i = self._tag(i)
                found.append(token)
            elif ch == "$" and i + 1 < self.length and text[i + 1].isascii() and text[i + 1].isalpha():
                token, i = self._cashtag(i)
                found.append(token)
            else:
                i = self._bare(i, found)
        found.append(_Token("EOF", self.length + 1))
        return found

    def _run(self, start: int) -> str:
        return self.text[start : self._run_end(start)]

    def _run_end(self, start: int) -> int:
        """End of the operand starting at ``start``."""
        found = _OPERAND_RUN_RE.match(self.text, start)
        return found.end() if found is not None else start

    def _quoted(self, start: int) -> tuple[str, int]:
        closing = _CLOSING.get(self.text[start], _DEFAULT_CLOSING)
        end = start + 1
        while end < self.length and self.text[end] not in closing:
            end += 1
        if end >= self.length:
            opening = self.text[start]
            what = "'\"'" if opening == '"' else f"quote ({' or '.join(closing)})"
            message = f"expected a closing {what} for the '{opening}' at column {start + 1}"
            raise QuerySyntaxError(message, self.length + 1)
        return self.text[start + 1 : end], end + 1

    def _exact(self, start: int) -> tuple[_Token, int]:
        end = self.text.find("}", start + 1)
        if end < 0:
            message = f"expected a closing '}}' for the '{{' at column {start + 1}"
            raise QuerySyntaxError(message, self.length + 1)
        inner = self.text[start + 1 : end]
        stripped = inner.strip()
        if stripped and stripped[0] in _QUOTES:
            if len(stripped) < 2 or stripped[-1] not in _QUOTES:
                raise QuerySyntaxError('expected a word or a "phrase" inside {…}', start + 2)
            stripped = stripped[1:-1]
        elif any(quote in stripped for quote in _QUOTES):
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

    def _tag(self, start: int) -> tuple[_Token, int]:
        end = self._run_end(start)
        raw = self.text[start:end]
        kind = "hashtag" if raw[0] == "#" else "mention"
        pattern = _TAG_VALUE_RE if kind == "hashtag" else _MENTION_VALUE_RE
        value = raw[1:]
        self._refuse_foreign_marks(value, start + 2)
        if not value or not pattern.fullmatch(value):
            what = "a hashtag after '#'" if kind == "hashtag" else "a handle after '@'"
            raise QuerySyntaxError(f"expected {what} (letters, digits, '_'), found {raw!r}", start + 2)
        return _Token("TAG", start + 1, raw, value), end

    def _cashtag(self, start: int) -> tuple[_Token, int]:
        end = self._run_end(start)
        raw = self.text[start:end]
        self._refuse_foreign_marks(raw, start + 1)
        if not _CASHTAG_RE.fullmatch(raw[1:]):
            raise QuerySyntaxError(
                f"expected a cashtag such as $TSLA or $BRK.B (1 to 6 letters), found {raw!r}", start + 2
            )
        return _Token("TAG", start + 1, raw, raw[1:]), end

    def _refuse_foreign_marks(self, run: str, column: int) -> None:
        """``~`` and ``^`` inside a word are other tools' operators (fuzzy search, boost)."""
        tilde, caret = run.find("~"), run.find("^")
        if tilde >= 0 and (caret < 0 or tilde < caret):
            raise _proximity_hint(None, run, column + tilde)
        if caret >= 0:
            raise _boost_hint(run, column + caret)

    def _bare(self, start: int, found: list[_Token]) -> int:
        end = self._run_end(start)
        raw = self.text[start:end]
        column = start + 1
        if raw in ("AND", "OR", "NOT"):
            found.append(_Token(raw, column, raw))  # type: ignore[arg-type]
            return end
        if raw[0] == "~":
            previous = found[-1].kind if found else None
            raise _proximity_hint("" if previous == "RPAREN" else None, raw, column)
        if raw[0] == "^":
            raise _boost_hint(raw, column)
        if raw in ("&&", "&"):
            raise QuerySyntaxError(f"{raw!r} is not an operator here: write AND", column)
        if "|" in raw:
            raise QuerySyntaxError(
                "'|' is not an operator here: write OR between two terms (a OR b)", column + raw.find("|")
            )
        if raw[0] == "!":
            raise QuerySyntaxError(
                f"{raw!r}: '!' is not an operator here; to exclude a term write NOT {raw[1:] or 'term'} or "
                f"-{raw[1:] or 'term'}; for a case-sensitive term (Pulsar's !WORD) write {{{raw[1:] or 'WORD'}}}",
                column,
            )
        self._refuse_foreign_marks(raw, column)
        near = _NEAR_RE.fullmatch(raw)
        if near is not None:
            token = self._near(raw, near, column)
            if token is not None:
                found.append(token)
                return end
        elif _SLASH_NUMBER_RE.fullmatch(raw):
            raise QuerySyntaxError(
                f"{raw!r}: a number after '/' is not an operator here; proximity is written "
                "a NEAR/n b (at most n words between the two)",
                column,
            )
        field_match = _FIELD_RE.match(raw)
        if field_match is not None:
            return self._field(field_match, raw, start, end, found)
        return self._words_and_emoji(raw, column, end, found)

    def _near(self, raw: str, near: re.Match[str], column: int) -> _Token | None:
        """A NEAR operator, or None for the words ``near``/``onear``; refuses the other tools' forms."""
        word, digits, suffix = near.group(1), near.group(2), near.group(3)
        has_slash = "/" in raw
        if word == "NEAR" and has_slash and digits and suffix in ("", "f", "F"):
            distance = int(digits)
            if distance > MAX_NEAR_DISTANCE:
                raise QueryLimitError(
                    f"NEAR/{distance}: the distance must be at most {MAX_NEAR_DISTANCE}", column
                )
            return _Token("NEAR", column, raw, distance=distance, ordered=bool(suffix))
        if word == "NEAR" and not has_slash:
            raise QuerySyntaxError(
                "expected a distance after NEAR: NEAR/n allows at most n words between the two "
                "(NEAR/0: adjacent); Meltwater's NEAR without a number allows 4: NEAR/4",
                column + 4,
            )
        if word == "NEAR":
            raise QuerySyntaxError("expected a distance after NEAR, as in NEAR/3 or NEAR/3f", column + 5)
        if word == "ONEAR":
            between = digits if has_slash and digits else "4"
            raise QuerySyntaxError(
                f"{raw}: ONEAR (ordered NEAR of Meltwater, Sprinklr and Talkwalker) is written "
                f"NEAR/{between}f here (at most {between} words between, the left one first)",
                column,
            )
        if has_slash:
            raise QuerySyntaxError(
                f"{raw!r}: operators are upper case: write {word.upper()}/{digits or 'n'}"
                f"{'f' if suffix.lower() == 'f' and word.lower() == 'near' else ''}",
                column,
            )
        return None  # lower-case near/onear: ordinary words (a warning says so between two terms)

    def _field(self, field_match: re.Match[str], raw: str, start: int, end: int, found: list[_Token]) -> int:
        column = start + 1
        name = canonical_field(field_match.group(1), column)
        value = raw[field_match.end() :]
        value_column = column + field_match.end()
        group = quoted = False
        if not value:
            position = end
            while position < self.length and self.text[position] in " \t":
                position += 1  # Sprinklr writes "language: en"
            following = self.text[position] if position < self.length else ""
            if following in _QUOTES and following:
                value, end = self._quoted(position)
                quoted = True
                value_column = position + 2
            elif following == "(":
                group, end = True, position
            elif following and not following.isspace() and following not in ")}":
                next_end = self._run_end(position)
                candidate = self.text[position:next_end]
                if candidate and candidate not in ("AND", "OR", "NOT"):
                    value, end, value_column = candidate, next_end, position + 1
        if not value and not group:
            raise QuerySyntaxError(f"expected a value after '{field_match.group(0)}'", value_column)
        if value and not quoted and name != "url":  # a link may hold '~'
            self._refuse_foreign_marks(value, value_column)
        token = _Token("FIELD", column, raw, value, value_column=value_column, field=name)
        token.group, token.quoted = group, quoted
        found.append(token)
        return end

    def _words_and_emoji(self, raw: str, column: int, end: int, found: list[_Token]) -> int:
        if raw.isascii() or EMOJI_RE.search(raw) is None:
            found.append(_Token("WORD", column, raw, raw))
            return end
        emoji = split_emoji_run(raw)
        if emoji is not None:
            offset = 0
            for value in emoji:
                found.append(_Token("EMOJI", column + raw.find(value[0], offset), value, value))
                offset = raw.find(value[0], offset) + 1
            return end
        # Words and emoji written together ("I❤NY"): each is a term of its own, as the post is read.
        position = 0
        for hit in EMOJI_RE.finditer(raw):
            piece = raw[position : hit.start()]
            if split_query_words(piece):
                found.append(_Token("WORD", column + position, piece, piece))
            value = hit.group()
            found.append(_Token("EMOJI", column + hit.start(), value, value))
            position = hit.end()
        piece = raw[position:]
        if split_query_words(piece):
            found.append(_Token("WORD", column + position, piece, piece))
        return end


_TERM_END = frozenset(["RPAREN", "WORD", "PHRASE", "EXACT", "TAG", "EMOJI"])
_TERM_START = frozenset(["LPAREN", "WORD", "PHRASE", "EXACT", "TAG", "EMOJI"])


def _juxtaposed(run: list[_Token]) -> QueryWarning:
    if all(token.kind == "WORD" for token in run):
        words = " ".join(token.text for token in run)
        return QueryWarning(
            run[0].column,
            "juxtaposed-words",
            f"{words!r}: words side by side must all appear, anywhere, in any order (AND); write "
            f'"{words}" for the phrase (Sprinklr reads unquoted words as a phrase, Lucene as OR)',
        )
    return QueryWarning(
        run[0].column,
        "juxtaposed-words",
        "operands side by side must all match (AND, as in X); Lucene reads them as OR: write AND or OR "
        "between them to say which",
    )


def _warnings_of(tokens: list[_Token]) -> list[QueryWarning]:
    """Forms that parse but that other tools read differently (spec §9), from the token sequence."""
    warnings: list[QueryWarning] = []
    run: list[_Token] = []
    operator_word = -1  # the index of the last lower-case operator (warned for on its own)

    def close_run() -> None:
        if len(run) >= 2:
            warnings.append(_juxtaposed(run))
        run.clear()

    for index, token in enumerate(tokens):
        previous = tokens[index - 1] if index else None
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        lowered = token.text.lower()
        if (
            token.kind == "WORD"
            and lowered in (*_LOWERCASE_OPERATORS, "near")
            and token.text != token.text.upper()
            and previous is not None
            and previous.kind in _OPERAND_END
            and following is not None
            and following.kind in _OPERAND_START
        ):
            close_run()
            operator_word = index
            meant = lowered.upper() if lowered != "near" else "NEAR/n"
            warnings.append(
                QueryWarning(
                    token.column,
                    "lowercase-operator",
                    f"{token.text!r} is read as a word the post must contain; operators are upper case: "
                    f"did you mean {meant}?",
                )
            )
            continue
        if (
            previous is not None
            and previous.kind in _TERM_END
            and token.kind in _TERM_START
            and index - 1 != operator_word
        ):
            if not run:
                run.append(previous)
            run.append(token)
        elif token.kind != "RPAREN":
            close_run()
        if token.kind == "FIELD" and token.text.lower().startswith("to:"):
            warnings.append(
                QueryWarning(
                    token.column,
                    "to-mentions",
                    "to: matches posts that mention the account (a reply's leading @handle included); "
                    "X's to: matches only replies to it: add is:reply for replies only",
                )
            )
        if (
            token.kind == "FIELD"
            and token.field in ("site", "url")
            and previous is not None
            and previous.kind == "FIELD"
            and previous.field in ("site", "url")
        ):
            warnings.append(
                QueryWarning(
                    token.column,
                    "site-and-site",
                    f"{previous.field}:{previous.value} and {token.field}:{token.value} side by side must both "
                    "match (AND); Talkwalker reads them as OR: write "
                    f"{previous.field}:{previous.value} OR {token.field}:{token.value}",
                )
            )
    close_run()
    return warnings


# ---------------------------------------------------------------------------------------------- parser


def _near_operand_problem(node: Node) -> str | None:
    if isinstance(node, Words | Tag | Near):
        return None  # a Near operand can only come from parentheses (chaining is refused)
    if isinstance(node, Or):
        for child in node.children:
            if not isinstance(child, Words | Tag | Or):
                return _near_operand_problem(child) or "NEAR inside OR"
            problem = _near_operand_problem(child)
            if problem is not None:
                return problem
        return None
    if isinstance(node, Emoji):
        return "an emoji"
    if isinstance(node, Field | Followers):
        return "a field"
    if isinstance(node, Not):
        return "NOT"
    return "AND"


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _Lexer(text).tokens()
        self.index = 0
        self.depth = 0
        self.context: str | None = None  # the field a parenthesised group of values belongs to
        self.warnings = _warnings_of(self.tokens)

    @property
    def current(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def deeper(self, column: int) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise QueryLimitError(
                f"the query nests parentheses and NOT more than {MAX_NESTING} levels deep", column
            )

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
        return first if len(children) == 1 else Or(tuple(children), first.column)

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
        return first if len(children) == 1 else And(tuple(children), first.column)

    def parse_unary(self, after: str | None) -> Node:
        token = self.current
        if token.kind in ("NOT", "MINUS"):
            self.advance()
            self.deeper(token.column)
            child = self.parse_unary("NOT" if token.kind == "NOT" else "'-'")
            self.depth -= 1
            return Not(child, token.column)
        return self.parse_near(after)

    def parse_near(self, after: str | None) -> Node:
        left = self.parse_primary(after)
        if self.current.kind != "NEAR":
            return left
        if self.context is not None:
            raise QuerySyntaxError(
                f"NEAR cannot stand inside the values of a field ({self.context}:(…))", self.current.column
            )
        near = self.advance()
        self._check_near_operand(left, near)
        right = self.parse_primary(near.text, near_operand=True)
        self._check_near_operand(right, near)
        if self.current.kind == "NEAR":
            raise QuerySyntaxError(
                "NEAR cannot be chained (a NEAR/n b NEAR/n c); put one in parentheses, "
                "(a NEAR/n b) NEAR/n c, or join two NEAR expressions with AND",
                self.current.column,
            )
        return Near(left, right, near.distance, near.ordered, left.column)

    def _check_near_operand(self, node: Node, near: _Token) -> None:
        problem = _near_operand_problem(node)
        if problem is not None:
            raise QuerySyntaxError(
                f"{near.text} operands must be terms, phrases, hashtags, mentions, {{…}} forms, a "
                f"parenthesised OR of those or a parenthesised NEAR, not {problem}",
                node.column,
            )

    def parse_primary(self, after: str | None, *, near_operand: bool = False) -> Node:
        token = self.current
        kind = token.kind
        if kind == "LPAREN":
            return self._parenthesised(token)
        if kind in ("WORD", "PHRASE", "EXACT", "TAG", "EMOJI"):
            self.advance()
            if self.context is not None:
                return self._field_value(token)
            return self._text_leaf(token)
        if kind == "FIELD":
            self.advance()
            if self.context is not None:
                raise QuerySyntaxError(
                    f"a field cannot stand inside the values of another ({self.context}:(…))", token.column
                )
            if token.group:
                return self._field_group(token)
            return field_node(token.field, token.value, token.column, token.value_column, quoted=token.quoted)
        expected = "a term, phrase or '('" if near_operand else "a term or '('"
        where = f" after {after}" if after else ""
        found = "" if kind == "EOF" else f", found {_describe(token)}"
        if kind == "RPAREN" and after is None:
            raise QuerySyntaxError("unexpected ')' (no matching '(')", token.column)
        raise QuerySyntaxError(f"expected {expected}{where}{found}", token.column)

    def _parenthesised(self, token: _Token) -> Node:
        self.advance()
        self.deeper(token.column)
        inner = self.parse_or("'('")
        if self.current.kind != "RPAREN":
            raise QuerySyntaxError(
                f"expected ')' to close the '(' at column {token.column}, found {_describe(self.current)}",
                self.current.column,
            )
        self.advance()
        self.depth -= 1
        return inner

    def _field_group(self, token: _Token) -> Node:
        """``author:(a OR b)`` ≡ ``(author:a OR author:b)``; ``text:(…)`` is the group itself."""
        if token.field == "":
            return self._parenthesised(self.current)
        self.context = token.field
        try:
            return self._parenthesised(self.current)
        finally:
            self.context = None

    def _field_value(self, token: _Token) -> Node:
        name = self.context
        assert name is not None
        if token.kind in ("EXACT", "EMOJI"):
            raise QuerySyntaxError(f"{name}: expected a value, found {token.text!r}", token.column)
        if token.kind == "TAG" and name not in ("author", "#", "@"):
            raise QuerySyntaxError(f"{name}: expected a value, found {token.text!r}", token.column)
        value = token.text if token.kind == "TAG" else token.value
        return field_node(name, value, token.column, token.column, quoted=token.kind == "PHRASE")

    def _text_leaf(self, token: _Token) -> Node:
        if token.kind == "WORD":
            return query_words(token.value, token.column, exact=False)
        if token.kind == "EXACT":
            return query_words(token.value, token.column, exact=True)
        if token.kind == "EMOJI":
            return Emoji(token.value, token.column)
        if token.kind == "TAG":
            sign = token.text[0]
            tag_kind: Literal["hashtag", "mention", "cashtag"] = (
                "hashtag" if sign == "#" else "mention" if sign == "@" else "cashtag"
            )
            check_wildcards(token.value, token.column + 1)
            return Tag(tag_kind, fold_query_token(token.value), token.column)
        return self._phrase(token)

    def _phrase(self, token: _Token) -> Node:
        emoji = [hit.group() for hit in EMOJI_RE.finditer(token.value)] if not token.value.isascii() else []
        if not emoji:
            return query_words(token.value, token.column, exact=False)
        self.warnings.append(
            QueryWarning(
                token.column,
                "emoji-in-phrase",
                f"{token.text}: the emoji of a phrase are not matched in their place; the phrase matches "
                "its words and the emoji must appear anywhere in the post",
            )
        )
        leaves: list[Node] = [Emoji(split_emoji_run(value)[0], token.column) for value in emoji]  # type: ignore[index]
        if split_query_words(token.value):
            leaves.insert(0, query_words(token.value, token.column, exact=False))
        return leaves[0] if len(leaves) == 1 else And(tuple(leaves), token.column)


# ------------------------------------------------------------------------------------------------ cost

# A hashtag or mention in a NEAR occupies the tokens of its text: assumed at most this many.
_TAG_TOKENS = 8


def _lengths(node: Node) -> tuple[int, int]:
    """Fewest and most tokens an occurrence of a NEAR operand can span."""
    if isinstance(node, Words):
        return len(node.tokens), len(node.tokens)
    if isinstance(node, Tag):
        return 1, _TAG_TOKENS
    if isinstance(node, Or):
        spans = [_lengths(child) for child in node.children]
        return min(low for low, _ in spans), max(high for _, high in spans)
    if isinstance(node, Near):
        left, right = _lengths(node.left), _lengths(node.right)
        return left[0] + right[0], left[1] + node.distance + right[1]
    return 1, 1


def _pattern_cost(pattern: str) -> int:
    if not has_wildcard(pattern):
        return 1
    if pattern.endswith("*") and pattern.count("*") == 1 and "?" not in pattern:
        return 4  # a prefix: a range of the post's sorted words
    return 40 + 4 * len(pattern)  # a scan of the post's words, each in O(len(word) x len(pattern))


def estimate_cost(root: Node) -> int:
    """The work a query asks of the matcher per post, in elementary steps per word of the post.

    A plain term is 1; a wildcard that is not a mere prefix scans the post's distinct words; a
    ``NEAR`` compares every length its left operand can span with every length of its right one at
    every allowed gap (:mod:`veille.query.near` does one bit operation over the post for each).
    """
    cost = 0
    for node in iter_nodes(root):
        if isinstance(node, Words):
            cost += sum(_pattern_cost(token) for token in node.tokens)
        elif isinstance(node, Tag):
            cost += _pattern_cost(node.value)
        elif isinstance(node, Emoji):
            cost += 1
        elif isinstance(node, Field) and node.name in ("author", "title", "name"):
            cost += sum(_pattern_cost(token) for token in node.value.split(" "))
        elif isinstance(node, Near):
            left, right = _lengths(node.left), _lengths(node.right)
            cost += (left[1] - left[0] + 1) * (right[1] - right[0] + 1) * (node.distance + 1)
    return cost


def parse_query(text: str) -> Query:
    """Parse ``text`` into a :class:`Query`; raises :class:`QuerySyntaxError` or :class:`QueryLimitError`."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryLimitError(f"the query is {len(text):,} characters long; the limit is {MAX_QUERY_CHARS:,}")
    parser = _Parser(text)
    root = parser.parse()
    terms = count_terms(root)
    if terms > MAX_TERMS:
        raise QueryLimitError(f"the query has {terms} terms; the limit is {MAX_TERMS}")
    if not is_positive(root):
        raise QuerySyntaxError(
            "the query has only negative terms (NOT/-), so it would match nearly every post; "
            "add a term it must contain, as in: orange NOT spam",
            root.column or 1,
        )
    cost = estimate_cost(root)
    if cost > MAX_QUERY_COST:
        raise QueryLimitError(
            f"the query would cost about {cost:,} steps per word of every post; the limit is "
            f"{MAX_QUERY_COST:,}: use fewer wildcards inside words, smaller NEAR distances or less "
            "nesting of NEAR"
        )
    warnings = tuple(sorted(parser.warnings, key=lambda warning: (warning.column, warning.code)))
    return Query(root, text, warnings)
