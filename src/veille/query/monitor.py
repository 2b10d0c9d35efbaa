"""The index of saved queries that finds, for each post, the few queries worth evaluating.

This is the Lucene Monitor (percolator) method. From each query we extract a set of *required
keys* (:mod:`veille.query.keys`): index entries (a folded token, a token prefix, a hashtag, a field
value…) such that any post the query matches holds at least one of them, choosing the rarest ones by
measured or estimated frequency. A query with no set goes to the always-check list. For a post, we
look up its own keys and verify only the queries found, so the answer is exactly that of evaluating
every query on the post, at the cost of a few dictionary look-ups.
"""

from __future__ import annotations

import gc
from bisect import insort
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from veille.model import Post, TopicMatch
from veille.query.compiled import Program, compile_program
from veille.query.keys import (
    PREFIX_KINDS,
    Key,
    KeyFrequency,
    TermStatistics,
    heuristic_frequency,
    required_keys,
)
from veille.query.match import PostView, Span, merge_spans, view_post
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


@dataclass(slots=True, eq=False)
class _Program:
    """One distinct query (saved queries with the same AST share it): its keys and compiled form."""

    pid: int
    root: Node
    compiled: Program
    qids: list[int]
    keys: tuple[Key, ...] | None = None  # a tuple: far smaller than a frozenset of one key


@dataclass(slots=True)
class _Entry:
    qid: int
    name: str
    query: Query
    topics: frozenset[str]
    program: _Program


@dataclass(frozen=True, slots=True)
class MonitorStats:
    queries: int
    always_checked: int
    index_keys: int
    distinct_queries: int = 0


class _PostMatch:
    """One post being matched: remembers each distinct query's answer and spans (``topic:`` reuse)."""

    __slots__ = ("entries", "spans_of", "tests", "view")

    def __init__(self, entries: dict[str, _Entry], view: PostView) -> None:
        self.entries = entries
        self.view = view
        self.tests: dict[int, bool] = {}
        self.spans_of: dict[int, list[Span] | None] = {}

    def test(self, program: _Program) -> bool:
        found = self.tests.get(program.pid)
        if found is None:
            found = self.tests[program.pid] = program.compiled.test(self.view, self)
        return found

    def spans(self, program: _Program) -> list[Span] | None:
        if program.pid in self.spans_of:
            return self.spans_of[program.pid]
        found = self.spans_of[program.pid] = program.compiled.spans(self.view, self)
        return found

    def topic_test(self, name: str) -> bool:
        return self.test(self.entries[name].program)

    def topic_spans(self, name: str) -> list[Span] | None:
        return self.spans(self.entries[name].program)


_PREFIX_KINDS = frozenset(PREFIX_KINDS.values())


class _PrefixLengths:
    """For one prefix kind: which prefix lengths are indexed, by the first two characters."""

    __slots__ = ("by_start", "counts", "short")

    def __init__(self) -> None:
        self.counts: Counter[tuple[str, int]] = Counter()
        self.by_start: dict[str, list[int]] = {}
        self.short = 0  # prefixes of one character

    def change(self, prefix: str, delta: int) -> None:
        start = prefix[:2]
        self.counts[start, len(prefix)] += delta
        if self.counts[start, len(prefix)] <= 0:
            del self.counts[start, len(prefix)]
        if len(prefix) < 2:
            self.short += delta
        lengths = sorted(length for (other, length) in self.counts if other == start)
        if lengths:
            self.by_start[start] = lengths
        else:
            self.by_start.pop(start, None)


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
        self._programs: dict[Node, _Program] = {}
        self._by_pid: dict[int, _Program] = {}
        self._next_pid = 0
        self._referenced_by: dict[str, set[str]] = {}
        self._index: dict[str, dict[str, set[int]]] = {}
        self._prefixes: dict[str, _PrefixLengths] = {}
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
        for target in entry.topics:
            self._referenced_by.get(target, set()).discard(name)
        self._release(entry)
        del self._entries[name]
        self._by_qid[entry.qid] = None

    def add_many(self, queries: Mapping[str, str | Query]) -> None:
        """Add several queries in any order (references among them are resolved first)."""
        # Shared services hold many identical queries: parse each distinct text once.
        by_text: dict[str, Query] = {}
        parsed: dict[str, Query] = {}
        for name, text in queries.items():
            if isinstance(text, str):
                query = by_text.get(text)
                if query is None:
                    query = by_text[text] = parse_query(text)
                parsed[name] = query
            else:
                parsed[name] = text
        topics = {name: query.topics for name, query in parsed.items()}
        pending = dict(parsed)
        # Building creates many small long-lived objects; the cyclic collector would walk the whole
        # growing index again and again. Reference counting still frees everything meanwhile.
        collecting = gc.isenabled()
        gc.disable()
        try:
            while pending:
                ready = [
                    name
                    for name in pending
                    if all(target in self._entries or target not in pending for target in topics[name])
                ]
                if not ready:
                    cycle = _find_cycle(lambda n: topics[n] if n in pending else (), pending)
                    raise QueryCycleError(cycle)
                for name in ready:
                    if name in self._entries:
                        raise QueryError(f"topic {name!r} already exists; update it instead")
                    self._put(name, pending.pop(name), qid=None, topics=topics[name])
        finally:
            if collecting:
                gc.enable()

    def _put(
        self, name: str, query_text: str | Query, qid: int | None, topics: frozenset[str] | None = None
    ) -> None:
        if not name or '"' in name:
            raise QueryError(f"invalid topic name {name!r}: it must be non-empty and hold no '\"'")
        query = parse_query(query_text) if isinstance(query_text, str) else query_text
        if topics is None:
            topics = query.topics
        self._check_references(name, topics)
        old = self._entries.get(name)
        if old is not None:
            for target in old.topics:
                self._referenced_by.get(target, set()).discard(name)
            self._release(old)
        if qid is None:
            qid = len(self._by_qid)
            self._by_qid.append(None)
        program = self._programs.get(query.root)
        if program is None:
            program = _Program(self._next_pid, query.root, compile_program(query.root), [])
            self._next_pid += 1
            self._programs[query.root] = program
            self._by_pid[program.pid] = program
            self._index_program(program)
        insort(program.qids, qid)
        entry = _Entry(qid, name, query, topics, program)
        self._entries[name] = entry
        self._by_qid[qid] = entry
        for target in topics:
            self._referenced_by.setdefault(target, set()).add(name)
        # Queries that reference this one (directly or not) require what it requires: re-index them.
        for dependent in self._dependents(name):
            dependent_program = self._entries[dependent].program
            self._unindex(dependent_program)
            self._index_program(dependent_program)

    def _release(self, entry: _Entry) -> None:
        """Detach ``entry`` from its program, forgetting the program when no query uses it."""
        program = entry.program
        program.qids.remove(entry.qid)
        if not program.qids:
            self._unindex(program)
            del self._programs[program.root]
            del self._by_pid[program.pid]

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

    def _check_references(self, name: str, topics: frozenset[str]) -> None:
        for target in sorted(topics):
            if target != name and target not in self._entries:
                raise UnknownTopicError(target)
        dependents = self._dependents(name)
        if not topics and not dependents:
            return

        def graph(other: str) -> frozenset[str]:
            if other == name:
                return topics
            entry = self._entries.get(other)
            return entry.topics if entry is not None else frozenset()

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

    def _index_program(self, program: _Program) -> None:
        found = required_keys(program.root, self._resolve_root, self._frequency)
        if found is None or not found[0]:
            program.keys = None
            self._always.add(program.pid)
            return
        program.keys = tuple(found[0])
        for kind, value in program.keys:
            self._index.setdefault(kind, {}).setdefault(value, set()).add(program.pid)
            if kind in _PREFIX_KINDS:
                self._prefixes.setdefault(kind, _PrefixLengths()).change(value, 1)

    def _unindex(self, program: _Program) -> None:
        if program.keys is None:
            self._always.discard(program.pid)
            return
        for kind, value in program.keys:
            table = self._index[kind]
            holders = table[value]
            holders.discard(program.pid)
            if not holders:
                del table[value]
            if kind in _PREFIX_KINDS:
                self._prefixes[kind].change(value, -1)
        program.keys = None

    @property
    def frequency(self) -> KeyFrequency:
        """How the monitor estimates how often posts hold a key (see :meth:`tune`)."""
        return self._frequency

    def tune(self, frequency: KeyFrequency) -> None:
        """Choose every query's keys again with new frequency estimates (e.g. a fresh TermStatistics)."""
        self._frequency = frequency
        for program in self._by_pid.values():
            self._unindex(program)
        for program in self._by_pid.values():
            self._index_program(program)

    def stats(self) -> MonitorStats:
        keys = sum(len(table) for table in self._index.values())
        return MonitorStats(len(self._entries), len(self._always), keys, len(self._by_pid))

    # -------------------------------------------------------------------------------------- match

    def candidates(self, view: PostView) -> set[int]:
        """Ids of the distinct queries whose required keys the post holds, plus the always-check list."""
        found = set(self._always)
        index = self._index
        tokens = view.positions
        table = index.get("t")
        if table:
            for token in table.keys() & tokens.keys():
                found.update(table[token])
        self._lookup_prefixes(found, "tp", tokens)
        if view.hashtags:
            self._lookup(found, index.get("h"), view.hashtags)
            self._lookup_prefixes(found, "hp", view.hashtags)
        if view.mentions:
            self._lookup(found, index.get("m"), view.mentions)
            self._lookup_prefixes(found, "mp", view.mentions)
        if view.cashtags:
            self._lookup(found, index.get("c"), view.cashtags)
            self._lookup_prefixes(found, "cp", view.cashtags)
        if view.title:
            self._lookup(found, index.get("ti"), view.title)
        emoji_table = index.get("e")
        if emoji_table and not view.text.isascii():
            self._lookup(found, emoji_table, view.emoji)
        has_table = index.get("has")
        if has_table and view.has:
            self._lookup(found, has_table, view.has)
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
            if sites:
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
        prefixes = self._prefixes.get(kind)
        if prefixes is None or not prefixes.by_start:
            return
        get = self._index[kind].get
        by_start = prefixes.by_start.get
        for value in values:
            size = len(value)
            lengths = by_start(value[:2])
            if prefixes.short and size > 1:
                short = by_start(value[:1])
                lengths = short if lengths is None else (short + lengths if short else lengths)
            if not lengths:
                continue
            for length in lengths:
                if length > size:
                    break
                holders = get(value[:length])
                if holders:
                    found.update(holders)

    def _resolve_root(self, name: str) -> Node | None:
        entry = self._entries.get(name)
        return entry.query.root if entry is not None else None

    def match_view(self, view: PostView) -> list[tuple[str, list[Span]]]:
        post = _PostMatch(self._entries, view)
        by_pid = self._by_pid
        tests = post.tests
        matched: list[int] = []
        for pid in self.candidates(view):
            program = by_pid[pid]
            # A candidate may already have been answered, as a topic: referenced by another.
            passed = tests.get(pid)
            if passed is None:
                passed = tests[pid] = program.compiled.test(view, post)
            if passed:
                matched += program.qids
        if not matched:
            return []
        matched.sort()
        by_qid = self._by_qid
        found = []
        for qid in matched:
            entry = by_qid[qid]
            assert entry is not None
            found.append((entry.name, self._merged_spans(post, entry)))
        return found

    @staticmethod
    def _merged_spans(post: _PostMatch, entry: _Entry) -> list[Span]:
        spans = post.spans(entry.program)
        assert spans is not None, f"test and spans disagree on {entry.name!r}"
        return merge_spans(spans)

    def match_view_exhaustive(self, view: PostView) -> list[tuple[str, list[Span]]]:
        """The baseline: every saved query evaluated on the post (spans too), no pre-filter."""
        post = _PostMatch(self._entries, view)
        found = []
        for entry in self._by_qid:
            if entry is not None:
                compiled = entry.program.compiled
                if compiled.test(view, post):
                    spans = compiled.spans(view, post)
                    assert spans is not None, f"test and spans disagree on {entry.name!r}"
                    found.append((entry.name, merge_spans(spans)))
        return found

    def names_exhaustive(self, view: PostView) -> list[str]:
        """Names of the saved queries the post matches, every query tested (a check of the index)."""
        post = _PostMatch(self._entries, view)
        return [
            entry.name
            for entry in self._by_qid
            if entry is not None and entry.program.compiled.test(view, post)
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
    """Pipeline stage: sets ``post.topics`` to the saved queries each post matches, with spans.

    It also learns how often posts hold each key: one post in ``learn_every`` is counted, and when
    the count reaches each of ``tune_at`` the monitor re-chooses its queries' keys with the measured
    frequencies (:meth:`Monitor.tune`); queries added later use them too. Counting stops at the last
    of ``tune_at``, so memory stays bounded. Results never change, only which queries are verified.
    """

    name = "topics"

    def __init__(
        self,
        monitor: Monitor | None = None,
        *,
        statistics: TermStatistics | None = None,
        learn_every: int = 8,
        tune_at: tuple[int, ...] = (2_000, 20_000),
    ) -> None:
        self.monitor = monitor if monitor is not None else Monitor()
        self.statistics = statistics if statistics is not None else TermStatistics()
        self.learn_every = learn_every
        self.tune_at = tune_at
        self._seen = 0

    def process(self, posts: list[Post]) -> list[Post]:
        for post in posts:
            view = view_post(post)
            self._learn(view)
            post.topics = [
                TopicMatch(name=name, spans=spans) for name, spans in self.monitor.match_view(view)
            ]
        return posts

    def _learn(self, view: PostView) -> None:
        statistics = self.statistics
        if self.tune_at and statistics.posts < self.tune_at[-1]:
            self._seen += 1
            if self._seen % self.learn_every == 0:
                statistics.observe(view)
                if statistics.posts in self.tune_at:
                    self.monitor.tune(statistics)
                    return
        # A monitor replaced since (topics reloaded) gets the frequencies learned so far.
        if self.monitor.frequency is not statistics and statistics.posts >= min(self.tune_at, default=0) > 0:
            self.monitor.tune(statistics)
