"""Influencer rankings computed in the background, not per request.

Ranking the authors of a range (:func:`veille.analytics.influence.influencers`: every post of the
range read, a mention/reply/repost graph built, PageRank over it) takes seconds at a million posts
(about 90 s for the 200,000 posts it reads at most, on the loaded benchmark machine), far from a
dashboard's 100 ms. The per-author counts could be summed from a per-author-and-day summary, but
the graph's PageRank cannot be summed, and at the densities measured (0.7 to 7 posts per author and
day) such a summary holds nearly a row per post. So the *ranking* itself is kept:
``influencer_rankings`` (:mod:`veille.store.rankings`) holds, per set of inputs (filters, scope,
options), the ranking computed from the posts, when, and on what state of the store.

:func:`ranked_influencers` answers a request:

1. a ranking of these exact inputs computed on the store as it is now (same ``watermark``: no post
   written since, same curated and brand registries) → that ranking, which *is* the computation
   from the posts for these inputs (``meta.ranking.stale`` false);
2. else, a ranking of these inputs, or of the same inputs with another end of range (the
   ``family``: a live "last 30 days" whose end moves every minute), computed less than ``max_age_s``
   ago (10 minutes by default) and that took more than a second to compute → that ranking, marked ``stale`` with the range and instant it was
   computed for (``meta.ranking``), and these inputs are queued for the background;
3. else the ranking is computed now, stored and returned.

:func:`refresh_rankings` (the hub runs it every few seconds, in a thread) computes the queued
inputs and recomputes the rankings read in the last hour whose store state moved on; rows unused
for a day are dropped. ``veille influencers refresh`` runs it once from the command line.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Connection, Table, and_, delete, desc, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from veille.analytics.filters import AnalyticsFilter
from veille.analytics.influence import DEFAULT_WEIGHTS, MAX_GRAPH_POSTS, Weights, influencers
from veille.analytics.results import AnalyticsResult
from veille.analytics.scope import Scope
from veille.analytics.trends import DEFAULT_MAX_POSTS, trends
from veille.clock import format_rfc3339, from_us, now_us
from veille.store.rankings import influencer_rankings, trend_results, trends_watermark, watermark
from veille.store.sql import SqlStore

__all__ = [
    "DEFAULT_MAX_AGE_S",
    "DEFAULT_RECOMPUTE_BELOW_MS",
    "TRENDS_RECOMPUTE_BELOW_MS",
    "RankingInputs",
    "RefreshReport",
    "TrendInputs",
    "kept_trends",
    "ranked_influencers",
    "refresh_rankings",
]

log = logging.getLogger(__name__)

DEFAULT_MAX_AGE_S = 600.0
DEFAULT_RECOMPUTE_BELOW_MS = 1000
# Trends: a stale result is served while recomputed only when computing it cost more than half a
# second (a store of a few hundred thousand posts and up); cheaper ones are computed per request,
# so a small or test store always answers current trends, even on a loaded machine.
TRENDS_RECOMPUTE_BELOW_MS = 500
# Rankings read within this long are kept current by the background; unused ones are dropped after a day.
_KEEP_CURRENT_US = 3600 * 1_000_000
_DROP_UNUSED_US = 86_400 * 1_000_000


@dataclass(frozen=True, slots=True)
class RankingInputs:
    """Everything a ranking depends on besides the store: what :func:`influencers` is called with."""

    filters: AnalyticsFilter
    scope: Scope
    limit: int = 50
    category: str | None = None
    min_posts: int = 1
    include_brands: bool = False
    weights: Weights = DEFAULT_WEIGHTS
    max_posts: int = MAX_GRAPH_POSTS

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "filters": self.filters.to_json_dict(),
            "scope": self.scope.to_json_dict(),
            "limit": self.limit,
            "category": self.category,
            "min_posts": self.min_posts,
            "include_brands": self.include_brands,
            "weights": [self.weights.reach, self.weights.engagement, self.weights.authority],
            "max_posts": self.max_posts,
        }

    @classmethod
    def from_json_dict(cls, data: dict[str, Any]) -> RankingInputs:
        reach, engagement, authority = data["weights"]
        return cls(
            filters=_filters_from(data["filters"]),
            scope=_scope_from(data["scope"]),
            limit=int(data["limit"]),
            category=data["category"],
            min_posts=int(data["min_posts"]),
            include_brands=bool(data["include_brands"]),
            weights=Weights(reach=reach, engagement=engagement, authority=authority),
            max_posts=int(data["max_posts"]),
        )

    def keys(self) -> tuple[str, str, str]:
        """(key of these inputs, key of their family — the same but the range's end —, inputs as JSON)."""
        return _keys(self.to_json_dict())

    def compute(self, store: SqlStore) -> AnalyticsResult:
        """The ranking from the posts (the reference every stored ranking is)."""
        return influencers(
            store,
            filters=self.filters,
            scope=self.scope,
            limit=self.limit,
            category=self.category,
            min_posts=self.min_posts,
            include_brands=self.include_brands,
            weights=self.weights,
            max_posts=self.max_posts,
        )


def _keys(data: dict[str, Any]) -> tuple[str, str, str]:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    family = {**data, "filters": {**data["filters"], "to": None}}
    family_text = json.dumps(family, sort_keys=True, separators=(",", ":"))
    return _digest(text), _digest(family_text), text


def _filters_from(given: dict[str, Any]) -> AnalyticsFilter:
    return AnalyticsFilter.of(
        start=_moment(given["from"]),
        end=_moment(given["to"]),
        interval=given["interval"],
        tz=given["tz"],
        topics=given["topics"],
        countries=given["countries"],
        languages=given["languages"],
        sources=given["sources"],
        sentiments=given["sentiments"],
        include_duplicates=given["include_duplicates"],
    )


def _scope_from(scope: dict[str, Any]) -> Scope:
    return Scope.of(topics=scope["topics"], countries=scope["countries"], sources=scope["sources"])


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _result_json(result: AnalyticsResult) -> str:
    return json.dumps(
        {"kind": result.kind, "columns": result.columns, "rows": result.rows, "meta": result.meta},
        separators=(",", ":"),
    )


def _result_from(text: str, row: Any, meta_key: str, *, stale: bool) -> AnalyticsResult:
    data = json.loads(text)
    inputs = json.loads(row.inputs)
    meta = dict(data["meta"])
    meta[meta_key] = _ranking_meta(row.computed_us, row.compute_ms, inputs["filters"], stale=stale)
    return AnalyticsResult(kind=data["kind"], columns=data["columns"], rows=data["rows"], meta=meta)


def _ranking_meta(
    computed_us: int, compute_ms: int | None, filters: dict[str, Any], *, stale: bool
) -> dict[str, Any]:
    return {
        "computed_at": format_rfc3339(from_us(int(computed_us))),
        "compute_ms": compute_ms,
        "from": filters["from"],
        "to": filters["to"],
        "stale": stale,
    }


@dataclass(frozen=True, slots=True)
class TrendInputs:
    """Everything a trends result depends on besides the store: what :func:`trends` is called with."""

    filters: AnalyticsFilter
    scope: Scope
    kind: str = "hashtags"
    window_s: int = 3600
    baseline: Literal["auto", "seasonal", "trailing"] = "auto"
    limit: int = 20
    min_count: int = 5
    min_growth: float = 2.0
    min_score: float = 3.0
    examples: int = 3
    max_posts: int = DEFAULT_MAX_POSTS

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "filters": self.filters.to_json_dict(),
            "scope": self.scope.to_json_dict(),
            "kind": self.kind,
            "window_s": self.window_s,
            "baseline": self.baseline,
            "limit": self.limit,
            "min_count": self.min_count,
            "min_growth": self.min_growth,
            "min_score": self.min_score,
            "examples": self.examples,
            "max_posts": self.max_posts,
        }

    @classmethod
    def from_json_dict(cls, data: dict[str, Any]) -> TrendInputs:
        return cls(
            filters=_filters_from(data["filters"]),
            scope=_scope_from(data["scope"]),
            kind=str(data["kind"]),
            window_s=int(data["window_s"]),
            baseline=data["baseline"],
            limit=int(data["limit"]),
            min_count=int(data["min_count"]),
            min_growth=float(data["min_growth"]),
            min_score=float(data["min_score"]),
            examples=int(data["examples"]),
            max_posts=int(data["max_posts"]),
        )

    def keys(self) -> tuple[str, str, str]:
        """(key of these inputs, key of their family — the same but the range's end —, inputs as JSON)."""
        return _keys(self.to_json_dict())

    def compute(self, store: SqlStore) -> AnalyticsResult:
        """The trends from the posts (the reference every kept result is)."""
        return trends(
            store,
            filters=self.filters,
            scope=self.scope,
            kind=self.kind,
            window=timedelta(seconds=self.window_s),
            baseline=self.baseline,
            limit=self.limit,
            min_count=self.min_count,
            min_growth=self.min_growth,
            min_score=self.min_score,
            examples=self.examples,
            max_posts=self.max_posts,
        )


Inputs = RankingInputs | TrendInputs


@dataclass(frozen=True, slots=True)
class _Kept:
    """One kind of kept result: its table, how its inputs are read back, what state it depends on,
    and the name of its freshness entry in ``meta``."""

    table: Table
    read_inputs: Callable[[dict[str, Any]], Inputs]
    state: Callable[[Connection], str]
    meta_key: str
    recompute_below_ms: int


_RANKINGS = _Kept(
    influencer_rankings, RankingInputs.from_json_dict, watermark, "ranking", DEFAULT_RECOMPUTE_BELOW_MS
)
_TRENDS = _Kept(
    trend_results, TrendInputs.from_json_dict, trends_watermark, "kept", TRENDS_RECOMPUTE_BELOW_MS
)


def _store(store: SqlStore, inputs: Inputs, kept: _Kept, *, used: bool) -> tuple[AnalyticsResult, int, int]:
    """Compute ``inputs`` now and keep the result; returns it, when it was computed and its cost."""
    key, family, text = inputs.keys()
    with store.engine.connect() as connection:
        mark = kept.state(connection)
    started = time.perf_counter()
    result = inputs.compute(store)
    compute_ms = round((time.perf_counter() - started) * 1000)
    computed = now_us()
    values = {
        "family": family,
        "inputs": text,
        "result": _result_json(result),
        "watermark": mark,
        "computed_us": computed,
        "compute_ms": compute_ms,
        "wanted_us": None,
    }
    table = kept.table
    statement: Any = postgres_insert(table) if store.dialect == "postgresql" else sqlite_insert(table)
    # Two computations of the same inputs at once (a request and the background): the last one stays.
    updates = {name: statement.excluded[name] for name in values}
    if used:
        updates["used_us"] = statement.excluded.used_us
    with store.engine.begin() as connection:
        connection.execute(
            statement.values(key=key, used_us=computed, **values).on_conflict_do_update(
                index_elements=["key"], set_=updates
            )
        )
    return result, computed, compute_ms


def _served(
    store: SqlStore, inputs: Inputs, kept: _Kept, *, max_age_s: float, recompute_below_ms: int
) -> AnalyticsResult:
    key, family, text = inputs.keys()
    now = now_us()
    table = kept.table
    with store.engine.connect() as connection:
        current = kept.state(connection)
        exact = connection.execute(select(table).where(table.c.key == key)).first()
        recent = None
        if exact is None or exact.result is None or exact.watermark != current:
            # The family's latest result whose range does not end after the one asked for.
            candidates = connection.execute(
                select(table)
                .where(table.c.family == family, table.c.result.is_not(None))
                .order_by(desc(table.c.computed_us))
                .limit(20)
            ).all()
            asked_end = inputs.filters.end
            for row in candidates:
                end = _moment(json.loads(row.inputs)["filters"]["to"])
                if end <= asked_end:
                    recent = row
                    break
            if exact is not None and exact.result is not None:
                recent = exact if recent is None or exact.computed_us >= recent.computed_us else recent
    if exact is not None and exact.result is not None and exact.watermark == current:
        with store.engine.begin() as connection:
            connection.execute(update(table).where(table.c.key == key).values(used_us=now))
        return _result_from(exact.result, exact, kept.meta_key, stale=False)
    if (
        recent is not None
        and now - int(recent.computed_us) <= max_age_s * 1_000_000
        and int(recent.compute_ms or 0) >= recompute_below_ms
    ):
        with store.engine.begin() as connection:
            if exact is None:
                connection.execute(
                    table.insert().values(key=key, family=family, inputs=text, wanted_us=now, used_us=now)
                )
            else:
                connection.execute(update(table).where(table.c.key == key).values(used_us=now, wanted_us=now))
        return _result_from(recent.result, recent, kept.meta_key, stale=True)
    result, computed, compute_ms = _store(store, inputs, kept, used=True)
    result.meta[kept.meta_key] = _ranking_meta(
        computed, compute_ms, inputs.filters.to_json_dict(), stale=False
    )
    return result


def ranked_influencers(
    store: SqlStore,
    inputs: RankingInputs,
    *,
    max_age_s: float = DEFAULT_MAX_AGE_S,
    recompute_below_ms: int = DEFAULT_RECOMPUTE_BELOW_MS,
) -> AnalyticsResult:
    """The ranking for ``inputs``: kept and current, else kept and recent (stale, queued), else computed now.

    A stale ranking that took less than ``recompute_below_ms`` to compute is computed again rather
    than served: on a small store every answer is current.
    """
    return _served(store, inputs, _RANKINGS, max_age_s=max_age_s, recompute_below_ms=recompute_below_ms)


def kept_trends(
    store: SqlStore,
    inputs: TrendInputs,
    *,
    max_age_s: float = DEFAULT_MAX_AGE_S,
    recompute_below_ms: int = TRENDS_RECOMPUTE_BELOW_MS,
) -> AnalyticsResult:
    """The trends for ``inputs``, as :func:`ranked_influencers` serves rankings (``meta.kept`` says
    when and for which range they were computed, and whether they are ``stale``). Topics trends read
    the rollups (fast at any size) and are computed per request, never kept."""
    if inputs.kind == "topics":
        return inputs.compute(store)
    return _served(store, inputs, _TRENDS, max_age_s=max_age_s, recompute_below_ms=recompute_below_ms)


@dataclass(frozen=True, slots=True)
class RefreshReport:
    computed: int
    dropped: int


def refresh_rankings(store: SqlStore, *, budget_s: float = 60.0) -> RefreshReport:
    """Compute the queued rankings and trends (newest wish first), then recompute those read within
    the hour whose store state moved on; stop starting new ones after ``budget_s``. Drops rows unused
    for a day."""
    started = time.monotonic()
    computed = dropped = 0
    for kept in (_RANKINGS, _TRENDS):
        left = budget_s - (time.monotonic() - started)
        report = _refresh(store, kept, started=started, budget_s=budget_s if left > 0 else 0.0)
        computed += report.computed
        dropped += report.dropped
    return RefreshReport(computed=computed, dropped=dropped)


def _refresh(store: SqlStore, kept: _Kept, *, started: float, budget_s: float) -> RefreshReport:
    table = kept.table
    now = now_us()
    with store.engine.begin() as connection:
        dropped = connection.execute(delete(table).where(table.c.used_us < now - _DROP_UNUSED_US)).rowcount
    with store.engine.connect() as connection:
        current = kept.state(connection)
        rows = connection.execute(
            select(table.c.key, table.c.inputs, table.c.wanted_us)
            .where(
                or_(
                    table.c.result.is_(None),
                    table.c.wanted_us.is_not(None),
                    and_(table.c.used_us >= now - _KEEP_CURRENT_US, table.c.watermark != current),
                )
            )
            .order_by(desc(table.c.wanted_us), desc(table.c.used_us))
        ).all()
    computed = 0
    # One recomputation per series (the same inputs but the range): a dashboard over "the last 24
    # hours" asks for a new range at each refresh, and only the newest of them will be asked again
    # (older ranges are served from it or computed on demand). Without this, every range read within
    # the hour was recomputed at each pass while posts arrive: the refresher never rested.
    series_seen: set[str] = set()
    superseded: list[str] = []
    for row in rows:
        if time.monotonic() - started > budget_s:
            break
        series = _series(row.inputs)
        if series in series_seen:
            if row.wanted_us is not None:
                superseded.append(row.key)
            continue
        series_seen.add(series)
        try:
            inputs = kept.read_inputs(json.loads(row.inputs))
            _store(store, inputs, kept, used=False)
            computed += 1
        except Exception as error:  # a topic deleted since, a bad row: dropped, asked again if needed
            log.warning("kept %s not refreshed: %s", table.name, error)
            with store.engine.begin() as connection:
                connection.execute(delete(table).where(table.c.key == row.key))
    if superseded:
        with store.engine.begin() as connection:
            # Asked for, served stale, and now replaced by a newer range of the same series.
            connection.execute(delete(table).where(table.c.key.in_(superseded)))
    return RefreshReport(computed=computed, dropped=int(dropped or 0))


def _series(inputs_text: str) -> str:
    """The inputs without their range: the results a newer range replaces."""
    data = json.loads(inputs_text)
    filters = {name: value for name, value in data["filters"].items() if name not in ("from", "to")}
    return json.dumps({**data, "filters": filters}, sort_keys=True, separators=(",", ":"))
