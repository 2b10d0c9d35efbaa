"""Filter values the hub knows, so that a misspelt one is refused instead of answering zeros.

A filter on a topic nobody defined, a country that is no ISO 3166-1 alpha-2 code, a language that
is no ISO 639-1 code or a source that does not exist matches no post, and an analysis would answer
``200`` with zeros (share of voice with a misspelt competitor would give the brand 100 %). Every
analytics route, ``veille export`` and the posts search check the request's values here first and
refuse an unknown one with :class:`~veille.errors.Invalid` naming the parameter and the value
(``topic: no topic named 'helx' (did you mean 'helix'?)``).

Known values:

- **topic**: a topic of the ``topics`` table, or a name with stored matches (``post_topics``: posts
  written by another tool, or matches kept from history);
- **country**: an ISO 3166-1 alpha-2 code in use (GeoNames' list, as the query language's
  ``country:``);
- **lang**: an ISO 639-1 code, or ``und`` (undetermined), as the post record holds them;
- **source**: a platform the hub has a connector for, one of its own sources (``push``, ``file``,
  ``simulator``; the query language's ``source:`` names), or any source of a stored post (the
  simulator's ``facebook``, a platform pushed through the API).

The caller's scope is not checked as a request, but a topic outside it is unknown to that caller
(a 422 like a topic nobody defined): otherwise a team could learn another team's topic names from a
``200`` answering zeros.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from sqlalchemy import exists, select

from veille.analytics.filters import AnalyticsFilter
from veille.analytics.scope import Scope
from veille.errors import Invalid
from veille.query.countries import country_code, is_country_code
from veille.query.fields import LANGUAGE_CODES, SOURCE_NAMES
from veille.store.schema import post_topics, posts, topics
from veille.store.sql import SqlStore

__all__ = [
    "check_countries",
    "check_filter_values",
    "check_languages",
    "check_sources",
    "check_topics",
]

# Withdrawn ISO 639-1 codes (still sent by some platforms) and what posts carry instead.
_WITHDRAWN_LANGUAGES = {"iw": "he", "in": "id", "ji": "yi", "jw": "jv", "mo": "ro", "sh": "sr"}
_SOURCE_ALIASES = {"twitter": "x"}
_SHOWN = 5  # unknown values named in one message


def _quoted(values: Iterable[str]) -> str:
    listed = sorted(values)
    shown = ", ".join(repr(value) for value in listed[:_SHOWN])
    return shown + (f" and {len(listed) - _SHOWN} more" if len(listed) > _SHOWN else "")


def _refuse(field: str, what: str, unknown: list[str], hint: str = "") -> Invalid:
    return Invalid(f"{field}: {what} {_quoted(unknown)}{hint}", field=field)


def check_topics(
    store: SqlStore,
    values: Iterable[str] | None,
    *,
    field: str = "topic",
    allowed: frozenset[str] | None = None,
) -> None:
    """Refuse topic names that are neither a topic nor the name of stored matches.

    ``allowed`` (the caller's scope) makes a topic outside it unknown too: a team never learns from
    a 200 that another team's topic exists.
    """
    wanted = sorted(set(values or ()))
    if not wanted:
        return
    outside = [name for name in wanted if allowed is not None and name not in allowed]
    if outside:
        raise _refuse(field, "no topic named" if len(outside) == 1 else "no topics named", outside)
    with store.engine.connect() as connection:
        defined = set(connection.execute(select(topics.c.name).where(topics.c.name.in_(wanted))).scalars())
        unknown = []
        for name in wanted:
            if name in defined:
                continue
            matched = connection.execute(select(exists().where(post_topics.c.topic == name))).scalar()
            if not matched:
                unknown.append(name)
        if not unknown:
            return
        every = [
            name
            for name in connection.execute(select(topics.c.name)).scalars()
            if allowed is None or name in allowed
        ]
    close = difflib.get_close_matches(unknown[0], every, n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise _refuse(field, "no topic named" if len(unknown) == 1 else "no topics named", unknown, hint)


def check_countries(values: Iterable[str] | None, *, field: str = "country") -> None:
    """Refuse values that are not ISO 3166-1 alpha-2 codes (a name or alpha-3 code gets a hint)."""
    unknown = sorted({value for value in values or () if not is_country_code(value.strip().upper())})
    if not unknown:
        return
    named = country_code(unknown[0])
    hint = f" (did you mean {named}?)" if named else " (codes such as FR, ES, US)"
    raise _refuse(field, "not an ISO 3166-1 alpha-2 country code:", unknown, hint)


def check_languages(values: Iterable[str] | None, *, field: str = "lang") -> None:
    """Refuse values that are not ISO 639-1 codes (or ``und``); a regional tag gets a hint."""
    unknown = sorted({value for value in values or () if value.strip().lower() not in LANGUAGE_CODES})
    if not unknown:
        return
    first = unknown[0].strip().lower().replace("_", "-")
    base = first.partition("-")[0]
    if first in _WITHDRAWN_LANGUAGES:
        hint = f" ({first!r} was withdrawn from ISO 639-1: posts carry {_WITHDRAWN_LANGUAGES[first]!r})"
    elif base != first and base in LANGUAGE_CODES:
        hint = f" (posts carry only the language: {base!r} matches every variant)"
    else:
        hint = " (codes such as fr, en, es)"
    raise _refuse(field, "not an ISO 639-1 language code:", unknown, hint)


def check_sources(store: SqlStore, values: Iterable[str] | None, *, field: str = "source") -> None:
    """Refuse source names that no connector, no source of the hub and no stored post has."""
    wanted = sorted({value.strip().lower() for value in values or ()} - SOURCE_NAMES)
    if not wanted:
        return
    unknown = []
    with store.engine.connect() as connection:
        for name in wanted:
            # One index probe per name (ix_posts_source_created), never a DISTINCT over every post.
            if not connection.execute(select(exists().where(posts.c.source == name))).scalar():
                unknown.append(name)
    if not unknown:
        return
    alias = _SOURCE_ALIASES.get(unknown[0])
    hint = f" (did you mean {alias!r}?)" if alias else f" (such as {', '.join(sorted(SOURCE_NAMES))})"
    raise _refuse(field, "no source named" if len(unknown) == 1 else "no sources named", unknown, hint)


def check_filter_values(store: SqlStore, filters: AnalyticsFilter, scope: Scope | None = None) -> None:
    """Refuse a request whose topic, country, language or source filter names an unknown value
    (a topic outside the caller's ``scope`` is unknown to that caller)."""
    check_topics(store, filters.topics, allowed=None if scope is None else scope.topics)
    check_countries(filters.countries)
    check_languages(filters.languages)
    check_sources(store, filters.sources)
