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
