"""What a live client wants to see: a :class:`LiveFilter`, compiled once per distinct filter.

Every value kind is a set (a post matches when it has *any* of them); kinds combine with AND. An
empty filter matches every post. ``moderation`` is a hook for the screens: any object with a
``key`` (its identity in the filter's key, e.g. ``"wall:12@v3"``) and an ``allows(item)``
predicate, evaluated after the other conditions, once per distinct filter per batch like them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import ValidationError

from veille.model import Post
from veille.query import PostView, Query, UnknownTopicError, compile_tester, parse_query, view_post
from veille.query.match import Tester

__all__ = ["CompiledFilter", "LiveFilter", "LiveItem", "Moderation", "TopicResolver", "compile_filter"]

TopicResolver = Callable[[str], Query | None]


class LiveItem:
    """One stored post on its way to the screens: its write sequence, its JSON and its SSE bytes
    (built once). The :class:`Post` and its matching view are built only if a query asks."""

    __slots__ = ("_post", "_view", "data", "encoded", "seq")

    def __init__(self, seq: int, data: dict[str, Any], encoded: bytes) -> None:
        self.seq = seq
        self.data = data
        self.encoded = encoded
        self._post: Post | bool | None = False
        self._view: PostView | None = None

    @property
    def post(self) -> Post | None:
        """The post as a model (None if the JSON is not a valid post: it then matches no query)."""
        if self._post is False:
            try:
                self._post = Post.model_validate(self.data)
            except ValidationError:
                self._post = None
        assert not isinstance(self._post, bool)
        return self._post

    @property
    def view(self) -> PostView | None:
        if self._view is None and self.post is not None:
            self._view = view_post(self.post)
        return self._view


class Moderation(Protocol):
    """A screen's extra condition (a wall's moderation state), supplied by the walls."""

    @property
    def key(self) -> str: ...

    def allows(self, item: LiveItem) -> bool: ...


def _frozen(values: Iterable[str] | None, fold: Callable[[str], str]) -> frozenset[str]:
    return frozenset(fold(value.strip()) for value in values or () if value.strip())


@dataclass(frozen=True)
class LiveFilter:
    """Topics, a query (query language), languages, countries, sources and a moderation hook."""

    topics: frozenset[str] = frozenset()
    query: str | None = None
    languages: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()
    sources: frozenset[str] = frozenset()
    moderation: Moderation | None = field(default=None, compare=False, hash=False)

    @classmethod
    def of(
        cls,
        *,
        topics: Iterable[str] | None = None,
        query: str | None = None,
        languages: Iterable[str] | None = None,
        countries: Iterable[str] | None = None,
        sources: Iterable[str] | None = None,
        moderation: Moderation | None = None,
    ) -> LiveFilter:
        """A filter from raw values (stripped; languages and sources lower-case, countries upper)."""
        return cls(
            topics=_frozen(topics, str),
            query=query.strip() if query and query.strip() else None,
            languages=_frozen(languages, str.lower),
            countries=_frozen(countries, str.upper),
            sources=_frozen(sources, str.lower),
            moderation=moderation,
        )

    @property
    def key(self) -> tuple[Any, ...]:
        """Equal for filters that select the same posts: clients with equal keys share one evaluation."""
        return (
            tuple(sorted(self.topics)),
            self.query,
            tuple(sorted(self.languages)),
            tuple(sorted(self.countries)),
            tuple(sorted(self.sources)),
            None if self.moderation is None else self.moderation.key,
        )

    @property
    def everything(self) -> bool:
        return self.key == ((), None, (), (), (), None)


@dataclass(frozen=True)
class CompiledFilter:
    filter: LiveFilter
    accepts: Callable[[LiveItem], bool]

    def select(self, items: list[LiveItem]) -> list[LiveItem]:
        if self.filter.everything:
            return items
        accepts = self.accepts
        return [item for item in items if accepts(item)]


def _query_tester(text: str, resolve_topic: TopicResolver | None) -> Tester:
    parsed = parse_query(text)
    for name in parsed.topics:  # a reference to no topic is refused now, as in the topics' trial
        if resolve_topic is None or resolve_topic(name) is None:
            raise UnknownTopicError(name)
    testers: dict[str, Tester] = {}

    def topic_tester(name: str) -> Tester:
        if name not in testers:
            saved = resolve_topic(name) if resolve_topic is not None else None
            testers[name] = (
                (lambda _view: False) if saved is None else compile_tester(saved.root, topic_tester)
            )
        return testers[name]

    return compile_tester(parsed.root, topic_tester)


def compile_filter(live_filter: LiveFilter, *, resolve_topic: TopicResolver | None = None) -> CompiledFilter:
    """Compile once (the query is parsed here: a bad one raises a ``QueryError``, HTTP 422)."""
    checks: list[Callable[[LiveItem], bool]] = []
    if live_filter.sources:
        sources = live_filter.sources
        checks.append(lambda item: str(item.data.get("source") or "").lower() in sources)
    if live_filter.languages:
        languages = live_filter.languages
        checks.append(lambda item: str(item.data.get("lang") or "und").lower() in languages)
    if live_filter.countries:
        countries = live_filter.countries
        checks.append(lambda item: str(item.data.get("country") or "").upper() in countries)
    if live_filter.topics:
        wanted = live_filter.topics

        def in_topics(item: LiveItem) -> bool:
            return any(
                isinstance(match, dict) and match.get("name") in wanted
                for match in item.data.get("topics") or ()
            )

        checks.append(in_topics)
    if live_filter.query is not None:
        tester = _query_tester(live_filter.query, resolve_topic)

        def in_query(item: LiveItem) -> bool:
            view = item.view
            return view is not None and bool(tester(view))

        checks.append(in_query)  # last: the costliest, reached only by posts the others let through
    moderation = live_filter.moderation
    if moderation is not None:
        checks.append(moderation.allows)

    def accepts(item: LiveItem) -> bool:
        return all(check(item) for check in checks)

    return CompiledFilter(live_filter, accepts)
