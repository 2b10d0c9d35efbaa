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
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, desc, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from veille.analytics.filters import AnalyticsFilter
from veille.analytics.influence import DEFAULT_WEIGHTS, MAX_GRAPH_POSTS, Weights, influencers
from veille.analytics.results import AnalyticsResult
from veille.analytics.scope import Scope
from veille.clock import format_rfc3339, from_us, now_us
from veille.store.rankings import influencer_rankings, watermark
from veille.store.sql import SqlStore

__all__ = [
    "DEFAULT_MAX_AGE_S",
    "DEFAULT_RECOMPUTE_BELOW_MS",
    "RankingInputs",
    "RefreshReport",
    "ranked_influencers",
    "refresh_rankings",
]

log = logging.getLogger(__name__)

DEFAULT_MAX_AGE_S = 600.0
DEFAULT_RECOMPUTE_BELOW_MS = 1000
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
        given = data["filters"]
        scope = data["scope"]
        reach, engagement, authority = data["weights"]
        return cls(
            filters=AnalyticsFilter.of(
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
            ),
            scope=Scope.of(topics=scope["topics"], countries=scope["countries"], sources=scope["sources"]),
            limit=int(data["limit"]),
            category=data["category"],
            min_posts=int(data["min_posts"]),
            include_brands=bool(data["include_brands"]),
            weights=Weights(reach=reach, engagement=engagement, authority=authority),
            max_posts=int(data["max_posts"]),
        )

    def keys(self) -> tuple[str, str, str]:
        """(key of these inputs, key of their family — the same but the range's end —, inputs as JSON)."""
        data = self.to_json_dict()
        text = json.dumps(data, sort_keys=True, separators=(",", ":"))
        family = {**data, "filters": {**data["filters"], "to": None}}
        family_text = json.dumps(family, sort_keys=True, separators=(",", ":"))
        return _digest(text), _digest(family_text), text

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


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _result_json(result: AnalyticsResult) -> str:
    return json.dumps(
        {"kind": result.kind, "columns": result.columns, "rows": result.rows, "meta": result.meta},
        separators=(",", ":"),
    )


def _result_from(text: str, row: Any, *, stale: bool) -> AnalyticsResult:
    data = json.loads(text)
    inputs = json.loads(row.inputs)
    meta = dict(data["meta"])
    meta["ranking"] = _ranking_meta(row.computed_us, row.compute_ms, inputs["filters"], stale=stale)
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


def _store(store: SqlStore, inputs: RankingInputs, *, used: bool) -> tuple[AnalyticsResult, int, int]:
    """Compute ``inputs`` now and keep the ranking; returns it, when it was computed and its cost."""
    key, family, text = inputs.keys()
    with store.engine.connect() as connection:
        mark = watermark(connection)
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
    table = influencer_rankings
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
    key, family, text = inputs.keys()
    now = now_us()
    table = influencer_rankings
    with store.engine.connect() as connection:
        current = watermark(connection)
        exact = connection.execute(select(table).where(table.c.key == key)).first()
        recent = None
        if exact is None or exact.result is None or exact.watermark != current:
            # The family's latest ranking whose range does not end after the one asked for.
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
        return _result_from(exact.result, exact, stale=False)
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
        return _result_from(recent.result, recent, stale=True)
    result, computed, compute_ms = _store(store, inputs, used=True)
    result.meta["ranking"] = _ranking_meta(computed, compute_ms, inputs.filters.to_json_dict(), stale=False)
    return result


@dataclass(frozen=True, slots=True)
class RefreshReport:
    computed: int
    dropped: int


def refresh_rankings(store: SqlStore, *, budget_s: float = 60.0) -> RefreshReport:
    """Compute the queued rankings (newest wish first), then recompute those read within the hour
    whose store state moved on; stop starting new ones after ``budget_s``. Drops rows unused for a day."""
    table = influencer_rankings
    now = now_us()
    started = time.monotonic()
    with store.engine.begin() as connection:
        dropped = connection.execute(delete(table).where(table.c.used_us < now - _DROP_UNUSED_US)).rowcount
    with store.engine.connect() as connection:
        current = watermark(connection)
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
    for row in rows:
        if time.monotonic() - started > budget_s:
            break
        try:
            inputs = RankingInputs.from_json_dict(json.loads(row.inputs))
            _store(store, inputs, used=False)
            computed += 1
        except Exception as error:  # a topic deleted since, a bad row: dropped, asked again if needed
            log.warning("influencer ranking not refreshed: %s", error)
            with store.engine.begin() as connection:
                connection.execute(delete(table).where(table.c.key == row.key))
    return RefreshReport(computed=computed, dropped=int(dropped or 0))
