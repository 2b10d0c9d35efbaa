"""The index of saved queries that finds, for each post, the few queries worth evaluating.

This is the Lucene Monitor (percolator) method. From each query we extract a set of *required
keys* (:mod:`veille.query.keys`): index entries (a folded token, a token prefix, a hashtag, a field
value…) such that any post the query matches holds at least one of them, choosing the rarest ones by
measured or estimated frequency. A query with no set goes to the always-check list. For a post, we
look up its own keys and verify only the queries found, so the answer is exactly that of evaluating
every query on the post, at the cost of a few dictionary look-ups.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from veille.model import Post, TopicMatch
from veille.query.keys import Key, KeyFrequency, TermStatistics, heuristic_frequency, required_keys
from veille.query.match import PostView, Span, Tester, compile_tester, match, view_post
from veille.query.syntax import (
    MAX_TOPIC_DEPTH,
    Node,
    Query,
    QueryCycleError,
    QueryError,
    QueryLimitError,
    UnknownTopicError,
    parse_query,
)

__all__ = ["Monitor", "MonitorStats", "TermStatistics", "TopicStage", "required_keys"]


@dataclass(slots=True)
class _Entry:
    qid: int
    name: str
    query: Query
    keys: frozenset[Key] | None


@dataclass(frozen=True, slots=True)
class MonitorStats:
    queries: int
    always_checked: int
    index_keys: int


class Monitor:
    """Saved queries (topics) indexed by required keys; matches posts against all of them.

    Names are the topic names that ``topic:`` references use. Results are in the order the
    queries were added (an update keeps a query's place).
    """

    def __init__(self, frequency: KeyFrequency | None = None) -> None:
        # How often posts hold a key (a TermStatistics gathered from recent posts, or the heuristic):
        # decides which keys of each query are indexed; results never depend on it, only speed.
        self._frequency: KeyFrequency = frequency if frequency is not None else heuristic_frequency
        self._entries: dict[str, _Entry] = {}
        self._by_qid: list[_Entry | None] = []
        self._testers: list[Tester | None] = []
        self._tester_by_name: dict[str, Tester] = {}
        self._referenced_by: dict[str, set[str]] = {}
        self._index: dict[str, dict[str, set[int]]] = {}
        self._prefix_lengths: dict[str, Counter[int]] = {}
        self._sorted_lengths: dict[str, list[int]] = {}
        self._always: set[int] = set()

    # ------------------------------------------------------------------------------ saved queries

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def names(self) -> list[str]:
        return [entry.name for entry in self._by_qid if entry is not None]

    def query(self, name: str) -> Query:
        return self._entries[name].query

    def add(self, name: str, query_text: str | Query) -> None:
        """Save a new query; raises :class:`QueryError` (syntax, unknown topic, cycle, depth)."""
        if name in self._entries:
            raise QueryError(f"topic {name!r} already exists; update it instead")
        self._put(name, query_text, qid=None)

    def update(self, name: str, query_text: str | Query) -> None:
        """Replace the query of ``name``; queries referencing it see the change at once."""
        if name not in self._entries:
            raise UnknownTopicError(name)
        self._put(name, query_text, qid=self._entries[name].qid)

    def remove(self, name: str) -> None:
        """Forget ``name``; refused while another saved query references it."""
        entry = self._entries.get(name)
        if entry is None:
            raise UnknownTopicError(name)
        users = sorted(self._referenced_by.get(name, ()))
        if users:
            raise QueryError(f"topic {name!r} is referenced by: {', '.join(users)}")
        self._unindex(entry)
        for target in entry.query.topics:
            self._referenced_by.get(target, set()).discard(name)
        del self._entries[name]
        del self._tester_by_name[name]
        self._by_qid[entry.qid] = None
        self._testers[entry.qid] = None

    def add_many(self, queries: Mapping[str, str]) -> None:
        """Add several queries in any order (references among them are resolved first)."""
        parsed = {name: parse_query(text) for name, text in queries.items()}
        pending = dict(parsed)
        while pending:
            ready = [
                name
                for name, query in pending.items()
                if all(target in self._entries or target not in pending for target in query.topics)
            ]
            if not ready:
                cycle = _find_cycle(lambda n: pending[n].topics if n in pending else (), pending)
                raise QueryCycleError(cycle)
            for name in ready:
                self.add(name, pending.pop(name))

    def _put(self, name: str, query_text: str | Query, qid: int | None) -> None:
        if not name or '"' in name:
            raise QueryError(f"invalid topic name {name!r}: it must be non-empty and hold no '\"'")
        query = parse_query(query_text) if isinstance(query_text, str) else query_text
        self._check_references(name, query)
        old = self._entries.get(name)
        if old is not None:
            self._unindex(old)
            for target in old.query.topics:
                self._referenced_by.get(target, set()).discard(name)
        if qid is None:
            qid = len(self._by_qid)
            self._by_qid.append(None)
            self._testers.append(None)
        entry = _Entry(qid, name, query, None)
        self._entries[name] = entry
        self._by_qid[qid] = entry
        tester = compile_tester(query.root, self._tester_by_name.__getitem__)
        self._testers[qid] = tester
        self._tester_by_name[name] = tester
        for target in query.topics:
            self._referenced_by.setdefault(target, set()).add(name)
        self._index_entry(entry)
        # Queries that reference this one (directly or not) require what it requires: re-index them.
        for dependent in self._dependents(name):
            dependent_entry = self._entries[dependent]
            self._unindex(dependent_entry)
            self._index_entry(dependent_entry)

    def _dependents(self, name: str) -> list[str]:
        found: list[str] = []
        stack = list(self._referenced_by.get(name, ()))
        seen: set[str] = set()
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            found.append(current)
            stack.extend(self._referenced_by.get(current, ()))
        return found

    def _check_references(self, name: str, query: Query) -> None:
        for target in sorted(query.topics):
            if target != name and target not in self._entries:
                raise UnknownTopicError(target)
        dependents = self._dependents(name)
        if not query.topics and not dependents:
            return

        def graph(other: str) -> frozenset[str]:
            if other == name:
                return query.topics
            entry = self._entries.get(other)
            return entry.query.topics if entry is not None else frozenset()

        cycle = _find_cycle(graph, [name])
        if cycle:
            raise QueryCycleError(cycle)
        depths: dict[str, int] = {}
        for checked in [name, *dependents]:
            depth = _depth(checked, graph, depths)
            if depth > MAX_TOPIC_DEPTH:
                raise QueryLimitError(
                    f"topic {checked!r} would nest {depth} levels of topic: references; "
                    f"the limit is {MAX_TOPIC_DEPTH}"
                )

    # ----------------------------------------------------------------------------------- the index

    def _index_entry(self, entry: _Entry) -> None:
        found = required_keys(entry.query.root, self._resolve_root, self._frequency)
        if found is None or not found[0]:
            entry.keys = None
            self._always.add(entry.qid)
            return
        entry.keys = found[0]
        for kind, value in entry.keys:
            self._index.setdefault(kind, {}).setdefault(value, set()).add(entry.qid)
            if kind in ("tp", "hp", "mp", "ap"):
                lengths = self._prefix_lengths.setdefault(kind, Counter())
                lengths[len(value)] += 1
                self._sorted_lengths[kind] = sorted(lengths)

    def _unindex(self, entry: _Entry) -> None:
        if entry.keys is None:
            self._always.discard(entry.qid)
            return
        for kind, value in entry.keys:
            table = self._index[kind]
            holders = table[value]
            holders.discard(entry.qid)
            if not holders:
                del table[value]
            if kind in self._prefix_lengths:
                lengths = self._prefix_lengths[kind]
                lengths[len(value)] -= 1
                if lengths[len(value)] <= 0:
                    del lengths[len(value)]
                self._sorted_lengths[kind] = sorted(lengths)
        entry.keys = None

    def tune(self, frequency: KeyFrequency) -> None:
        """Choose every query's keys again with new frequency estimates (e.g. a fresh TermStatistics)."""
        self._frequency = frequency
        for entry in self._entries.values():
            self._unindex(entry)
        for entry in self._entries.values():
            self._index_entry(entry)

    def stats(self) -> MonitorStats:
        keys = sum(len(table) for table in self._index.values())
        return MonitorStats(len(self._entries), len(self._always), keys)

    # -------------------------------------------------------------------------------------- match

    def candidates(self, view: PostView) -> set[int]:
        """Ids of the queries whose required keys the post holds, plus the always-check list."""
        found = set(self._always)
        index = self._index
        tokens = view.positions
        self._lookup(found, index.get("t"), tokens)
        self._lookup_prefixes(found, "tp", tokens)
        if view.hashtags:
            self._lookup(found, index.get("h"), view.hashtags)
            self._lookup_prefixes(found, "hp", view.hashtags)
        if view.mentions:
            self._lookup(found, index.get("m"), view.mentions)
            self._lookup_prefixes(found, "mp", view.mentions)
        for kind, value in (
            ("lang", view.lang),
            ("country", view.country),
            ("source", view.source),
            ("sentiment", view.sentiment),
            ("author", view.author),
        ):
            table = index.get(kind)
            if table and value is not None:
                holders = table.get(value)
                if holders:
                    found.update(holders)
        if view.author is not None:
            self._lookup_prefixes(found, "ap", [view.author])
        flags = index.get("is")
        if flags:
            self._lookup(found, flags, view.flags)
        if view.links:
            for size in (3, 5):
                pieces = index.get(f"url{size}")
                if pieces:
                    for url, _, _ in view.links:
                        self._lookup(found, pieces, [url[i : i + size] for i in range(len(url) - size + 1)])
        sites = index.get("site")
        if sites and view.links:
            for host in view.hosts:
                labels = host.split(".")
                self._lookup(found, sites, [".".join(labels[i:]) for i in range(len(labels))])
        return found

    @staticmethod
    def _lookup(found: set[int], table: dict[str, set[int]] | None, values: Iterable[str]) -> None:
        if not table:
            return
        get = table.get
        for value in values:
            holders = get(value)
            if holders:
                found.update(holders)

    def _lookup_prefixes(self, found: set[int], kind: str, values: Iterable[str]) -> None:
        lengths = self._sorted_lengths.get(kind)
        if not lengths:
            return
        get = self._index[kind].get
        for value in values:
            size = len(value)
            for length in lengths:
                if length > size:
                    break
                holders = get(value[:length])
                if holders:
                    found.update(holders)

    def _resolve_root(self, name: str) -> Node | None:
        entry = self._entries.get(name)
        return entry.query.root if entry is not None else None

    def _resolve(self, name: str) -> Query | None:
        entry = self._entries.get(name)
        return entry.query if entry is not None else None

    def _spans(self, qid: int, view: PostView) -> tuple[str, list[Span]]:
        entry = self._by_qid[qid]
        assert entry is not None
        result = match(entry.query, view, resolve_topic=self._resolve)
        assert result is not None, f"tester and matcher disagree on {entry.name!r}"
        return entry.name, list(result.spans)

    def match_view(self, view: PostView) -> list[tuple[str, list[Span]]]:
        testers = self._testers
        matched = [qid for qid in sorted(self.candidates(view)) if testers[qid](view)]  # type: ignore[misc]
        return [self._spans(qid, view) for qid in matched]

    def match_view_exhaustive(self, view: PostView) -> list[tuple[str, list[Span]]]:
        """The baseline: every saved query evaluated on the post, no pre-filter."""
        matched = [qid for qid, tester in enumerate(self._testers) if tester is not None and tester(view)]
        return [self._spans(qid, view) for qid in matched]

    def names_exhaustive(self, view: PostView) -> list[str]:
        """Names of the saved queries the post matches, every query tested (a check of the index)."""
        entries = self._by_qid
        return [
            entries[qid].name  # type: ignore[union-attr]
            for qid, tester in enumerate(self._testers)
            if tester is not None and tester(view)
        ]

    def match_post(self, post: Post | PostView) -> list[tuple[str, list[Span]]]:
        """``(topic name, highlight spans)`` for every saved query the post matches."""
        return self.match_view(post if isinstance(post, PostView) else view_post(post))

    def match_batch(self, posts: Iterable[Post | PostView]) -> list[list[tuple[str, list[Span]]]]:
        return [self.match_post(post) for post in posts]


def _find_cycle(graph: Callable[[str], Iterable[str]], starts: Iterable[str]) -> list[str]:
    """A cycle of references reachable from ``starts``, as ``[a, b, a]``, or [] when there is none."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(name: str) -> list[str]:
        state[name] = 1
        path.append(name)
        for target in sorted(graph(name)):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if state.get(target) is None:
                found = visit(target)
                if found:
                    return found
        path.pop()
        state[name] = 2
        return []

    for name in sorted(starts):
        if state.get(name) is None:
            found = visit(name)
            if found:
                return found
    return []


def _depth(name: str, graph: Callable[[str], Iterable[str]], memo: dict[str, int]) -> int:
    if name not in memo:
        targets = list(graph(name))
        memo[name] = 1 + max(_depth(target, graph, memo) for target in targets) if targets else 0
    return memo[name]


class TopicStage:
    """Pipeline stage: sets ``post.topics`` to the saved queries each post matches, with spans."""

    name = "topics"

    def __init__(self, monitor: Monitor | None = None) -> None:
        self.monitor = monitor if monitor is not None else Monitor()

    def process(self, posts: list[Post]) -> list[Post]:
        for post in posts:
            post.topics = [
                TopicMatch(name=name, spans=spans) for name, spans in self.monitor.match_post(post)
            ]
        return posts
