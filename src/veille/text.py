"""How the hub reads post text: tokens, folding, hashtags, mentions and URLs.

One module so that the query matcher, the entity stage and analytics agree to the character
(``shared/spec/query-language.md`` §1 and §6).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import urlsplit

__all__ = [
    "Span",
    "Token",
    "extract_hashtags",
    "extract_mentions",
    "extract_urls",
    "fold",
    "folded_words",
    "handle_key",
    "host_of",
    "inside_spans",
    "token_columns",
    "tokenize",
    "url_spans",
]

_URL_RE = re.compile(r"(?:https?://|www\.)[^\s]+", re.IGNORECASE)
_URL_TRAILING = ".,;:!?)]}'\"»”’…"
# The look-behind (no word character or combining mark before) is written after the "#" or "@" it
# concerns, so that the regular expression engine jumps from one "#" or "@" to the next.
_HASHTAG_RE = re.compile(r"#(?<![\w\u0300-\u036f]#)([^\W_][\w]*|_[\w]+)")
_MENTION_RE = re.compile(r"@(?<![\w\u0300-\u036f]@)(\w+(?:[.-]\w+)*)")

Span = tuple[int, int]


class Token(NamedTuple):
    """A token of the text: its raw form, folded form and character span in the original text."""

    raw: str
    folded: str
    start: int
    end: int


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """Case- and accent-insensitive form: NFKD, combining marks removed, ``casefold()``."""
    decomposed = unicodedata.normalize("NFKD", word)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.casefold()


def handle_key(handle: str) -> str:
    """The folded handle without ``@``: what ``posts.author_handle`` and mentions hold, and what the
    brand-account and curated-influencer registries match authors on."""
    return fold(handle.strip().removeprefix("@"))


def _is_token_char(ch: str) -> bool:
    category = unicodedata.category(ch)
    return category[0] == "L" or category == "Nd" or category[0] == "M"


def _iter_raw_tokens_slow(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The rule, character by character: a letter or digit, then letters, digits and marks."""
    spans: list[tuple[int, int]] = []
    i = start
    while i < end:
        cat = unicodedata.category(text[i])
        if cat[0] == "L" or cat == "Nd":
            j = i + 1
            while j < end and _is_token_char(text[j]):
                j += 1
            spans.append((i, j))
            i = j
        else:
            i += 1
    return spans


# Fast path: runs of alphanumerics and the common combining marks. Python's alphanumerics also hold
# numerics that are not decimal digits (², ½) and miss rarer marks, so a non-ASCII run is checked
# and the segment falls back to the character rule when anything is unusual.
_RUN_RE = re.compile(
    r"[^\W_](?:[^\W_]|[\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u064b-\u065f\u0900-\u0903"
    r"\u093a-\u094f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f])*"
)


def _plain_run(run: str) -> bool:
    first = unicodedata.category(run[0])
    if not (first[0] == "L" or first == "Nd"):
        return False
    return all(_is_token_char(ch) for ch in run[1:])


_ASCII_RUN_RE = re.compile(r"[A-Za-z0-9]+")
# Letters of Latin-1 and Latin Extended-A (all of category L; × and ÷ are left out) and ASCII digits.
_LATIN_RUN_RE = re.compile(r"[A-Za-z0-9\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u017f]+")
_NOT_SIMPLE_LATIN_RE = re.compile(r"[^\x00-\x7f\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u017f]")


def _iter_raw_tokens(text: str, start: int, end: int) -> list[tuple[int, int]]:
    if text.isascii():
        return [match.span() for match in _ASCII_RUN_RE.finditer(text, start, end)]
    spans: list[tuple[int, int]] = []
    for match in _RUN_RE.finditer(text, start, end):
        run_start, run_end = match.span()
        following = text[run_end] if run_end < end else " "
        unusual = not following.isascii() and unicodedata.category(following)[0] == "M"
        if unusual or not (match.group().isascii() or _plain_run(match.group())):
            return spans + _iter_raw_tokens_slow(text, run_start, end)
        spans.append((run_start, run_end))
    return spans


def url_spans(text: str) -> list[Span]:
    """Spans of ``http://``, ``https://`` and ``www.`` runs, trailing punctuation trimmed."""
    lowered = text.lower()
    if "http" not in lowered and "www." not in lowered:
        return []
    spans: list[Span] = []
    for match in _URL_RE.finditer(text):
        start, end = match.span()
        while end > start and text[end - 1] in _URL_TRAILING:
            end -= 1
        if end - start > len("www."):
            spans.append((start, end))
    return spans


def extract_urls(text: str) -> list[str]:
    return [text[start:end] for start, end in url_spans(text)]


def tokenize(text: str, *, skip_urls: bool = True) -> list[Token]:
    """Tokens of ``text`` in order; URLs are taken out first (they match only ``url:``/``site:``)."""
    holes = url_spans(text) if skip_urls else []
    tokens: list[Token] = []
    append = tokens.append
    position = 0
    for hole_start, hole_end in [*holes, (len(text), len(text))]:
        for start, end in _iter_raw_tokens(text, position, hole_start):
            raw = text[start:end]
            append(Token(raw, fold(raw), start, end))
        position = hole_end
    return tokens


TokenColumns = tuple[list[str], list[str], list[int], list[int]]


def token_columns(text: str) -> TokenColumns:
    """:func:`tokenize` as four parallel lists (raw, folded, start, end), without a Token per token.

    The matcher reads every post this way. Text made only of ASCII and precomposed Latin-1 and
    Latin Extended-A letters (most posts in the hub's languages) takes a path of a few regular
    expression passes: every run of those letters and digits is a token, and folding ASCII is
    lower-casing. Any other character (a combining mark, ², another script) takes :func:`tokenize`.
    """
    if text.isascii():
        run_re = _ASCII_RUN_RE
    elif _NOT_SIMPLE_LATIN_RE.search(text) is None:
        run_re = _LATIN_RUN_RE
    else:
        tokens = tokenize(text)
        return (
            [token.raw for token in tokens],
            [token.folded for token in tokens],
            [token.start for token in tokens],
            [token.end for token in tokens],
        )
    holes = url_spans(text)
    if holes:
        spans: list[Span] = []
        position = 0
        for hole_start, hole_end in [*holes, (len(text), len(text))]:
            spans.extend(match.span() for match in run_re.finditer(text, position, hole_start))
            position = hole_end
        raw = [text[start:end] for start, end in spans]
    else:
        spans = [match.span() for match in run_re.finditer(text)]
        raw = run_re.findall(text)
    if run_re is _ASCII_RUN_RE:
        folded = _ASCII_RUN_RE.findall(text.lower()) if not holes else [token.lower() for token in raw]
    else:
        folded = [fold(token) for token in raw]
    return raw, folded, [start for start, _ in spans], [end for _, end in spans]


def folded_words(text: str) -> list[str]:
    """Folded tokens of the whole text, URLs included (full-text search reads a URL's words with
    it): the same as ``[t.folded for t in tokenize(text, skip_urls=False)]``, by the fast paths of
    ``token_columns``."""
    if text.isascii():
        return _ASCII_RUN_RE.findall(text.lower())
    if _NOT_SIMPLE_LATIN_RE.search(text) is None:
        return [fold(word) for word in _LATIN_RUN_RE.findall(text)]
    return [token.folded for token in tokenize(text, skip_urls=False)]


def inside_spans(position: int, spans: list[Span]) -> bool:
    return any(start <= position < end for start, end in spans)


def _tags(pattern: re.Pattern[str], text: str, holes: list[Span] | None) -> list[tuple[str, Span]]:
    if holes is None:
        holes = url_spans(text)
    found: list[tuple[str, Span]] = []
    for match in pattern.finditer(text):
        if holes and inside_spans(match.start(), holes):
            continue
        found.append((fold(match.group(1)), match.span()))
    return found


def extract_hashtags(text: str, holes: list[Span] | None = None) -> list[tuple[str, Span]]:
    """``(folded tag, span of '#tag')`` for each hashtag outside URLs.

    ``holes`` are the text's :func:`url_spans`, when the caller has them already.
    """
    return _tags(_HASHTAG_RE, text, holes) if "#" in text else []


def extract_mentions(text: str, holes: list[Span] | None = None) -> list[tuple[str, Span]]:
    """``(folded handle, span of '@handle')``; an ``@`` after a letter, digit or ``_`` is no mention.

    ``holes`` are the text's :func:`url_spans`, when the caller has them already.
    """
    return _tags(_MENTION_RE, text, holes) if "@" in text else []


def host_of(url: str) -> str | None:
    """Lower-case host of a URL (``www.`` URLs without a scheme are read as http)."""
    candidate = url if "://" in url else f"http://{url}"
    try:
        host = urlsplit(candidate).hostname
    except ValueError:
        return None
    return host.lower().rstrip(".") if host else None
