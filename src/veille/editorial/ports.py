"""What the editorial domain reads from the analytics layer, as protocols the caller plugs in.

``editorial`` sits in the same row as ``analytics`` in the layer contract (DESIGN §4), so it does not
import it: the web layer (and the benchmarks) give it an :class:`Analytics` built on
:mod:`veille.analytics` (:class:`veille.analytics.editorial_figures.AnalyticsFigures`). The caller's scope is
any object with :class:`ScopeLike`'s members (``veille.analytics.scope.Scope`` has them).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

__all__ = ["Analytics", "ScopeLike"]


class ScopeLike(Protocol):
    """Which topics, countries and sources the caller may read (``None``: all)."""

    @property
    def topics(self) -> frozenset[str] | None: ...

    @property
    def countries(self) -> frozenset[str] | None: ...

    def allows_source(self, source: str) -> bool: ...

    def allows_country(self, country: str | None) -> bool: ...

    def post_conditions(self, table: Any = ..., *, countries: bool = True) -> list[Any]: ...


class Analytics(Protocol):
    """The analytics figures the radar and briefs need, inside the caller's scope."""

    @property
    def scope(self) -> ScopeLike: ...

    def terms(self, text: str, lang: str | None) -> set[str]:
        """The trend terms of a text (folded words, stop-words left out)."""
        ...

    def influencers(self, *, topic: str, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """The topic's influencers over the range, best first (``source``, ``handle``, ``score``…)."""
        ...

    def performance(
        self, *, topic: str, start: datetime, end: datetime, tz: str, group_by: str
    ) -> list[dict[str, Any]]:
        """Our content's performance on the topic per ``format`` or ``hour``."""
        ...

    def our_posts(self, *, topic: str, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """Our posts on the topic in the range (``id``, ``format``, ``engagement``, ``engagement_rate``)."""
        ...

    def post_format(self, doc: Mapping[str, Any]) -> str:
        """``text``, ``link``, ``image`` or ``video`` for a stored post document."""
        ...

    def engagement_rate(self, engagement: int, views: int | None, followers: int | None) -> float | None: ...
