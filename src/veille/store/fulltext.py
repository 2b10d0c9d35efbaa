"""Full-text search on both engines: what is indexed for a post, and how a search box is read.

**Indexed** (:func:`searchable_text`, the ``posts.search_text`` column that SQLite's FTS5 table and
PostgreSQL's ``search_tsv`` are built from): the folded tokens of the text *outside* its URLs, then
the folded tokens of its links (the URLs in the text and the post's ``links``), each written with
the prefix :data:`LINK_MARK`. So ``panne`` finds "la fibre est en panne" but not a post whose only
"panne" is the slug of ``https://example.org/panne-fibre``, and ``link:panne`` finds that one.

**Search syntax** (:func:`parse_full_text`, the ``q`` of ``GET /api/v1/posts``):

- words are all required: ``panne fibre``; ``"quoted words"`` must be adjacent and in order;
  ``word*`` matches a prefix; case and accents never matter;
- ``OR`` (upper case) between two terms matches either; it binds looser than the implicit AND, as in
  the query language: ``panne OR coupure fibre`` is ``panne OR (coupure AND fibre)``; parentheses
  group: ``(panne OR coupure) fibre``. A lower-case ``or`` is a word;
- ``link:word``, ``link:"words"`` and ``link:word*`` search the post's links instead of its text
  (``link:example`` finds ``https://example.org/x``).

The prefix is a plain lower-case ASCII run so that both engines' tokenizers keep it in one token
with the word it marks; a word of a post's text that happens to start with it (none does in the
hub's languages) would be read as a link word.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from veille.errors import Invalid
from veille.model import Post
from veille.text import folded_words, token_columns, url_spans

__all__ = [
    "LINK_MARK",
    "FullTextAll",
    "FullTextAny",
    "FullTextNode",
    "FullTextTerm",
    "indexed_text",
    "parse_full_text",
    "searchable_text",
]

LINK_MARK = "zzlink"


def searchable_text(post: Post) -> str:
    """What the full-text index holds for ``post``: its words outside URLs, then its link words, marked."""
    return indexed_text(post.text, post.links)


def indexed_text(text: str, links: Sequence[str] = ()) -> str:
    """:func:`searchable_text` of a text and a list of links (a stored document, a migration)."""
    spans = url_spans(text)
    words = token_columns(text)[1] if spans else folded_words(text)
    urls = [text[start:end] for start, end in spans]
    urls += [link for link in links if link not in urls]
    if urls:
        words = words + [LINK_MARK + word for url in dict.fromkeys(urls) for word in folded_words(url)]
    return " ".join(words)


@dataclass(frozen=True, slots=True)
class FullTextTerm:
    """A word, a ``word*`` prefix or a quoted phrase (adjacent tokens), in the text or the links."""

    tokens: tuple[str, ...]
    prefix: bool = False
    link: bool = False

    @property
    def indexed(self) -> tuple[str, ...]:
        """The tokens as the index holds them (link words carry :data:`LINK_MARK`)."""
        return tuple(LINK_MARK + token for token in self.tokens) if self.link else self.tokens


@dataclass(frozen=True, slots=True)
class FullTextAll:
    """Every part must match."""

    parts: tuple[FullTextNode, ...]


@dataclass(frozen=True, slots=True)
class FullTextAny:
    """One part at least must match (``OR``)."""

    parts: tuple[FullTextNode, ...]


FullTextNode = FullTextTerm | FullTextAll | FullTextAny

_OR, _OPEN, _CLOSE = "OR", "(", ")"
_END = "end of the query"  # what the parser sees after the last item
_LINK_FIELD = "link:"


def _term(raw: str, *, quoted: bool, link: bool) -> FullTextTerm | None:
    prefix = not quoted and raw.endswith("*")
    tokens = tuple(folded_words(raw))
    return FullTextTerm(tokens=tokens, prefix=prefix, link=link) if tokens else None


def _lex(query: str) -> list[str | FullTextTerm | None]:
    """Operators (``OR``, parentheses) and terms; ``None`` is a term without a letter or digit."""
    items: list[str | FullTextTerm | None] = []
    position, length = 0, len(query)
    while position < length:
        ch = query[position]
        if ch.isspace():
            position += 1
            continue
        if ch in "()":
            items.append(ch)
            position += 1
            continue
        link = query[position : position + len(_LINK_FIELD)].lower() == _LINK_FIELD
        if link:
            position += len(_LINK_FIELD)
            if position >= length or query[position].isspace() or query[position] in "()":
                raise Invalid('q: link: needs a word or a "phrase" right after it (link:example)', field="q")
        if query[position] == '"':
            closing = query.find('"', position + 1)
            end = length if closing < 0 else closing
            items.append(_term(query[position + 1 : end], quoted=True, link=link))
            position = end + 1
            continue
        end = position
        while end < length and not query[end].isspace() and query[end] not in '()"':
            end += 1
        word = query[position:end]
        items.append(_OR if word == _OR and not link else _term(word, quoted=False, link=link))
        position = end
    return items


class _Parser:
    def __init__(self, items: list[str | FullTextTerm | None]) -> None:
        self.items = items
        self.position = 0

    def peek(self) -> str | FullTextTerm | None:
        return self.items[self.position] if self.position < len(self.items) else _END

    def any_of(self) -> FullTextNode | None:
        parts = [self.all_of()]
        while self.peek() == _OR:
            self.position += 1
            parts.append(self.all_of())
        if len(parts) > 1 and any(part is None for part in parts):
            raise Invalid("q: OR needs a word on each side (panne OR coupure)", field="q")
        found = [part for part in parts if part is not None]
        if not found:
            return None
        return found[0] if len(found) == 1 else FullTextAny(tuple(found))

    def all_of(self) -> FullTextNode | None:
        parts: list[FullTextNode] = []
        while (item := self.peek()) not in (_OR, _CLOSE, _END):
            self.position += 1
            if item == _OPEN:
                inner = self.any_of()
                if self.peek() != _CLOSE:
                    raise Invalid("q: a '(' is not closed", field="q")
                self.position += 1
                if inner is None:
                    raise Invalid("q: '( )' holds no word to search for", field="q")
                parts.append(inner)
            elif isinstance(item, FullTextTerm):
                parts.append(item)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else FullTextAll(tuple(parts))


def parse_full_text(query: str) -> FullTextNode:
    """The search tree of a search box (see the module's documentation); :class:`Invalid` names ``q``."""
    parser = _Parser(_lex(query))
    tree = parser.any_of()
    if parser.peek() == _CLOSE:
        raise Invalid("q: a ')' has no '(' before it", field="q")
    if tree is None:
        raise Invalid("q: no word to search for (words are letters and digits)", field="q")
    return tree
