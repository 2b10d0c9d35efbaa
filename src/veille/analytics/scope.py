"""The caller's scope: which topics, countries and sources an analytics result may draw on.

Every analytics function takes ``scope`` keyword-only and never mixes in a post outside it, so that
per-team scopes only have to build a :class:`Scope`. ``None`` means "all"; an empty set means
"nothing" (a team scoped to no country sees no post), never "all".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from veille.store.schema import post_topics, posts

__all__ = ["Scope", "meet"]


def _normalised(values: Iterable[str] | None, case: str) -> frozenset[str] | None:
    if values is None:
        return None
    cleaned = (value.strip() for value in values)
    return frozenset(value.upper() if case == "upper" else value.lower() for value in cleaned if value)


def meet(left: frozenset[str] | None, right: frozenset[str] | None) -> frozenset[str] | None:
    """What both restrictions allow; ``None`` is "no restriction"."""
    if left is None:
        return right
    if right is None:
        return left
    return left & right


@dataclass(frozen=True, slots=True)
class Scope:
    """Allowed topics (names), countries (ISO 3166 upper case) and sources (platforms, lower case)."""

    topics: frozenset[str] | None = None
    countries: frozenset[str] | None = None
    sources: frozenset[str] | None = None

    @classmethod
    def of(
        cls,
        *,
        topics: Iterable[str] | None = None,
        countries: Iterable[str] | None = None,
        sources: Iterable[str] | None = None,
    ) -> Scope:
        """A scope from any iterables, normalised (topic names kept as given, countries upper, sources lower)."""
        return cls(
            topics=None if topics is None else frozenset(t.strip() for t in topics if t.strip()),
            countries=_normalised(countries, "upper"),
            sources=_normalised(sources, "lower"),
        )

    @classmethod
    def union(cls, parts: Iterable[Scope]) -> Scope:
        """What a member of several teams sees: every post in at least one of ``parts``.

        Exact when the parts differ in at most one dimension (teams split by country, by topic or
        by source: the common case), since the union is then that dimension's union. When they
        differ in two or more, the scope is what they have in common on each dimension — never a
        post outside every part (no leak), at the cost of posts only one team sees; ``docs/teams.md``
        says to give such a person a team of their own. No part at all: nothing.
        """
        listed = list(parts)
        if not listed:
            return cls(topics=frozenset(), countries=frozenset(), sources=frozenset())
        dimensions = ("topics", "countries", "sources")
        differing = [d for d in dimensions if len({getattr(p, d) for p in listed}) > 1]
        combined: dict[str, frozenset[str] | None] = {}
        for dimension in dimensions:
            values = [getattr(part, dimension) for part in listed]
            if dimension not in differing:
                combined[dimension] = values[0]
            elif len(differing) == 1:
                combined[dimension] = None if None in values else frozenset().union(*values)
            else:
                met = values[0]
                for value in values[1:]:
                    met = meet(met, value)
                combined[dimension] = met
        return cls(**combined)

    @property
    def is_everything(self) -> bool:
        return self.topics is None and self.countries is None and self.sources is None

    def narrowed(self, other: Scope) -> Scope:
        """What both scopes allow (a request's filters inside the caller's scope)."""
        return Scope(
            topics=meet(self.topics, other.topics),
            countries=meet(self.countries, other.countries),
            sources=meet(self.sources, other.sources),
        )

    def allows_source(self, source: str) -> bool:
        return self.sources is None or source.lower() in self.sources

    def allows_country(self, country: str | None) -> bool:
        """A post of unknown country is outside any country-restricted scope."""
        return self.countries is None or (country is not None and country.upper() in self.countries)

    def allows_post(self, *, source: str, country: str | None, topics: Iterable[str]) -> bool:
        """Whether one post (its source, country and matched topic names) is in scope."""
        if not self.allows_source(source) or not self.allows_country(country):
            return False
        return self.topics is None or not self.topics.isdisjoint(topics)

    def post_conditions(self, table: Any = posts, *, countries: bool = True) -> list[Any]:
        """SQL conditions on a ``posts`` table (or an alias of it) that keep only posts in scope.

        ``countries=False`` leaves the country test to the caller (care metrics, for example, use the
        addressed account's country when the post's own is unknown).
        """
        conditions: list[Any] = []
        if self.sources is not None:
            conditions.append(table.c.source.in_(sorted(self.sources)))
        if countries and self.countries is not None:
            conditions.append(table.c.country.in_(sorted(self.countries)))
        if self.topics is not None:
            matched = select(post_topics.c.post_id).where(post_topics.c.topic.in_(sorted(self.topics)))
            conditions.append(table.c.id.in_(matched))
        return conditions

    def to_json_dict(self) -> dict[str, list[str] | None]:
        return {
            "topics": None if self.topics is None else sorted(self.topics),
            "countries": None if self.countries is None else sorted(self.countries),
            "sources": None if self.sources is None else sorted(self.sources),
        }
