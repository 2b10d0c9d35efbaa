"""Fields of the query language: their names, the other tools' spellings, and how values are read.

Spec §4 lists the fields and §9 the spellings accepted from other tools (``from:`` = ``author:``,
``language:`` = ``lang:``…). A field the post record cannot answer (``city:``, ``has:media``) is
refused with a message saying so and what the record does hold, never read as a word.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal
from urllib.parse import urlsplit

from veille.query.ast import Field, Followers, Node, QuerySyntaxError, Tag, Words
from veille.query.confusables import skeleton
from veille.query.countries import country_code
from veille.text import fold

__all__ = [
    "FIELD_ALIASES",
    "FIELD_NAMES",
    "FLAG_NAMES",
    "HAS_NAMES",
    "LANGUAGE_CODES",
    "SENTIMENT_NAMES",
    "SOURCE_NAMES",
    "canonical_field",
    "field_node",
    "fold_query_token",
    "query_words",
    "split_query_words",
]

LANGUAGE_CODES = frozenset(
    """aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de
    dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie
    ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg
    mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro
    ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty
    ug uk ur uz ve vi vo wa wo xh yi yo za zh zu und""".split()  # noqa: SIM905 - a table reads best as text
)
# Withdrawn ISO 639-1 codes some platforms still send (X's "iw", "in"): the same languages.
_WITHDRAWN_LANGUAGES = {"iw": "he", "in": "id", "ji": "yi", "jw": "jv"}
SOURCE_NAMES = frozenset(
    ["mastodon", "bluesky", "x", "reddit", "rss", "hackernews", "youtube", "push", "file", "simulator"]
)
_SOURCE_ALIASES = {"twitter": "x"}
FLAG_NAMES = frozenset(["reply", "repost", "quote", "verified"])
_FLAG_ALIASES = {"retweet": "repost"}
SENTIMENT_NAMES = frozenset(["positive", "neutral", "negative"])
HAS_NAMES = frozenset(["links", "hashtags", "mentions", "cashtags", "geo"])
# The fields of this language, in the order the help lists them.
FIELD_NAMES = (
    "author",
    "name",
    "lang",
    "country",
    "source",
    "site",
    "url",
    "title",
    "followers",
    "is",
    "has",
    "sentiment",
    "topic",
)
# Other tools' spellings (spec §9): "#"/"@" make a hashtag/mention, "" the plain term.
FIELD_ALIASES = {
    "from": "author",
    "language": "lang",
    "links": "url",
    "hashtags": "#",
    "hashtag": "#",
    "at_mentions": "@",
    "to": "@",
    "text": "",
    "message": "",
}
_NO_LOCATION = (
    "the post record holds no {name}, only a country (given by the platform or read from the author's "
    "location): use country:, or the place's name as a word"
)
# Fields of other tools this language has no equivalent for, with what to write instead.
_FOREIGN_FIELDS = {
    "city": _NO_LOCATION,
    "region": _NO_LOCATION,
    "state": _NO_LOCATION,
    "county": _NO_LOCATION,
    "continent": _NO_LOCATION,
    "place": _NO_LOCATION,
    "place_country": "write country: (country:US)",
    "raw": "Brandwatch's old case-sensitive form is written {…} here, as in {Google}",
    "followers_count": "write followers: (followers:>=1000)",
    "authorfollowers": "write followers: (followers:1000..5000)",
    "bio": "the post record holds no author biography that queries can read",
    "userbio": "the post record holds no author biography that queries can read",
    "bio_name": 'the author\'s display name is matched with name:"…"',
    "authorcontaining": "author: takes '*' anywhere: author:*justin*",
    "exactmessage": 'case- and accent-sensitive text is written {…} here, as in {"Spider-Man"}',
    "exacttitle": "the title is matched with title: (case and accents ignored)",
    "retweets_of": "reposts of an account cannot be told apart here: is:repost matches every repost",
    "contains": "substrings of words are not matched; use a wildcard: word*",
    "url_contains": "url: already matches a substring of a link: url:text",
    "sourcecountry": "use country: (the country of the post)",
}
_MISSING_HAS = {
    "media": "the post record holds no media (attachments are not kept)",
    "media_link": "the post record holds no media (attachments are not kept)",
    "images": "the post record holds no media (attachments are not kept)",
    "videos": "the post record holds no media (attachments are not kept)",
    "video_link": "the post record holds no media (attachments are not kept)",
}
_SITE_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*")
_FOLLOWERS_RE = re.compile(r"(>=|<=|>|<)?(\d+)(?:\.\.(\d+))?")
_ASCII_QUERY_WORD_RE = re.compile(r"[A-Za-z0-9*?]+")


# ------------------------------------------------------------------------------------- query words


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


def fold_query_token(token: str, *, exact: bool = False) -> str:
    """A query token as the matcher compares it: folded (or NFC for ``{…}``), look-alikes replaced."""
    token = skeleton(token)
    return unicodedata.normalize("NFC", token) if exact else fold(token)


def _is_word_char(ch: str) -> bool:
    category = unicodedata.category(ch)
    return category[0] == "L" or category == "Nd"


def check_wildcards(token: str, column: int) -> None:
    star = token.find("*")
    if star < 0:
        return
    if star == 0:
        raise QuerySyntaxError(f"{token!r}: a term cannot start with '*'", column)
    if sum(1 for ch in token[:star] if _is_word_char(ch)) < 2:
        raise QuerySyntaxError(
            f"{token!r}: a term with '*' needs at least 2 letters or digits before the first '*'", column
        )


def query_words(text: str, column: int, *, exact: bool) -> Words:
    """The term or phrase a query word or quoted phrase stands for."""
    tokens = split_query_words(text)
    if not tokens:
        raise QuerySyntaxError(f"expected a term with a letter or digit, found {text!r}", column)
    for token in tokens:
        check_wildcards(token, column)
    return Words(tuple(fold_query_token(token, exact=exact) for token in tokens), exact, column)


# ------------------------------------------------------------------------------------------- fields


def canonical_field(name: str, column: int) -> str:
    """The field a ``name:`` prefix stands for (an alias resolved); refuses unknown names with a hint."""
    lowered = name.lower()
    if lowered in FIELD_NAMES:
        return lowered
    if lowered in FIELD_ALIASES:
        return FIELD_ALIASES[lowered]
    hint = _FOREIGN_FIELDS.get(lowered)
    if hint is not None:
        raise QuerySyntaxError(f"{name}: is not a field here; {hint.replace('{name}', lowered)}", column)
    raise QuerySyntaxError(f"unknown field {name!r}; fields are " + ", ".join(FIELD_NAMES), column)


def field_node(name: str, value: str, column: int, value_column: int, *, quoted: bool = False) -> Node:
    """The node of ``name:value`` (``name`` canonical, as from :func:`canonical_field`)."""
    if name == "":
        return query_words(value, value_column, exact=False)
    if name in ("#", "@"):
        return _tag_field(name, value, value_column)
    if name == "followers":
        return _followers(value, column, value_column)
    if name == "topic":
        return Field("topic", value, column)
    if name == "author":
        return _author(value, column, value_column, quoted)
    if name in ("title", "name"):
        words = query_words(value, value_column, exact=False)
        return Field(name, " ".join(words.tokens), column)
    if name == "url":
        return Field("url", value.lower(), column)
    if name == "site":
        return Field("site", _site(value, value_column), column)
    if name == "lang":
        return Field("lang", _language(value, value_column), column)
    if name == "country":
        code = country_code(value)
        if code is None:
            raise QuerySyntaxError(
                f"country: unknown value {value!r}; expected an ISO 3166-1 code such as FR or FRA, "
                "or an English country name such as France",
                value_column,
            )
        return Field("country", code, column)
    if name == "has":
        return Field("has", _has(value, value_column), column)
    allowed, aliases = {
        "source": (SOURCE_NAMES, _SOURCE_ALIASES),
        "is": (FLAG_NAMES, _FLAG_ALIASES),
        "sentiment": (SENTIMENT_NAMES, {}),
    }[name]
    normalised = value.lower()
    normalised = aliases.get(normalised, normalised)
    if normalised not in allowed:
        hint = "one of " + ", ".join(sorted(allowed))
        if name == "is" and normalised == "nullcast":
            hint = "one of " + ", ".join(sorted(allowed)) + " (promoted-only posts are never collected)"
        raise QuerySyntaxError(f"{name}: unknown value {value!r}; expected {hint}", value_column)
    return Field(name, normalised, column)


def _tag_field(sign: str, value: str, value_column: int) -> Tag:
    value = value.removeprefix(sign)
    kind: Literal["hashtag", "mention"] = "hashtag" if sign == "#" else "mention"
    if not value or not re.fullmatch(r"[\w*?]+(?:[.-][\w*?]+)*", value):
        what = "a hashtag" if kind == "hashtag" else "a handle"
        raise QuerySyntaxError(f"expected {what} (letters, digits, '_'), found {value!r}", value_column)
    check_wildcards(value, value_column)
    return Tag(kind, fold_query_token(value), value_column)


def _author(value: str, column: int, value_column: int, quoted: bool) -> Field:
    stripped = value.strip()
    if any(ch.isspace() for ch in stripped):
        raise QuerySyntaxError(
            f"author: takes a handle, and {value!r} holds a space: a display name is matched with "
            f'name:"{stripped}"',
            value_column,
        )
    handle = fold_query_token(stripped.removeprefix("@"))
    if not handle:
        raise QuerySyntaxError("expected a handle after 'author:'", value_column)
    return Field("author", handle, column)


def _site(value: str, value_column: int) -> str:
    domain = value.strip().lower()
    if "://" in domain:
        # Talkwalker and Meltwater write sites as addresses: the host is what site: compares.
        domain = urlsplit(domain).hostname or ""
    domain = domain.rstrip(".")
    if not _SITE_RE.fullmatch(domain):
        raise QuerySyntaxError(f"site: expected a domain such as lemonde.fr, found {value!r}", value_column)
    return domain


def _language(value: str, value_column: int) -> str:
    code = value.strip().lower()
    code = _WITHDRAWN_LANGUAGES.get(code, code)
    if code in LANGUAGE_CODES:
        return code
    base, _, region = code.partition("-")
    if region and _WITHDRAWN_LANGUAGES.get(base, base) in LANGUAGE_CODES:
        raise QuerySyntaxError(
            f"lang: {value!r} names a regional variant; posts carry only the language "
            f"(ISO 639-1): lang:{_WITHDRAWN_LANGUAGES.get(base, base)} matches every variant",
            value_column,
        )
    raise QuerySyntaxError(
        f"lang: unknown value {value!r}; expected an ISO 639-1 code such as fr", value_column
    )


def _has(value: str, value_column: int) -> str:
    normalised = value.strip().lower()
    if normalised in HAS_NAMES:
        return normalised
    missing = _MISSING_HAS.get(normalised)
    if missing is not None:
        raise QuerySyntaxError(
            f"has:{normalised}: {missing}; has:links matches posts with a link", value_column
        )
    raise QuerySyntaxError(
        f"has: unknown value {value!r}; expected one of " + ", ".join(sorted(HAS_NAMES)), value_column
    )


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
