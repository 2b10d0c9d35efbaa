"""Dashboard queries over the rollups against the same figures computed by scanning the posts.

Loads synthetic posts spread over 30 days (10,000,000, or ``VEILLE_BENCH_POSTS``; ``quick``:
100,000), generated inside the database (:mod:`veille.benchmarks.analytics_load`: posts, topic
matches, brand accounts with inbound mentions and replies, whom each post addresses; indexes built
after the rows, then :func:`veille.store.rollups.rebuild`), then times each dashboard query on a
30-day range with odd-second edges (so every piece is read: days, hours, minutes and posts at the
edges) both ways; the rows must be equal. The posts scans run twice from 5,000,000 posts on (a
10-million-post scan takes minutes), 5 times below. The customer-care report (7-day and 30-day
windows, each with its previous period) is timed too; its inbound and answered totals are checked
against counts over the posts. Also measures what keeping the rollups and the addressee index costs
the writer: ``upsert_posts`` throughput with and without :func:`~veille.store.rollups.apply_prepared`.

SQLite always; PostgreSQL too (``VEILLE_BENCH_POSTGRES_URL``, default the local ``test`` database;
the quick run only when that variable is set; ``VEILLE_BENCH_POSTGRES_POSTS`` loads another number
of posts there). A fresh schema is used and dropped. The headline is the worst p95 of the rollup
queries on SQLite (goal: under 100 ms).
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from unittest import mock

from sqlalchemy import text

from veille.analytics.care import care_report
from veille.analytics.filters import AnalyticsFilter
from veille.analytics.scope import Scope
from veille.analytics.sentiment import sentiment
from veille.analytics.voice import share_of_voice
from veille.analytics.volume import volume
from veille.benchmarks import analytics_load
from veille.benchmarks.analytics_load import COUNTRIES, END, LANGS, START, TOPICS
from veille.clock import to_us
from veille.model import Post
from veille.store import rollups
from veille.store.schema import posts
from veille.store.sql import SqlStore, open_store

__all__ = ["DESCRIPTION", "run"]

DESCRIPTION = "dashboard queries (30 days) over rollups vs scanning the posts table, SQLite (+PostgreSQL)"


def _load(store: SqlStore, count: int) -> dict[str, Any]:
    def log(line: str) -> None:
        print(f"  {store.dialect} load: {line}", file=sys.stderr)

    return analytics_load.load(store, count, log=log)


def _queries() -> dict[str, Callable[[SqlStore, str], Any]]:
    start, end = START + timedelta(minutes=13, seconds=7), END - timedelta(minutes=7, seconds=29)
    scope = Scope()

    def daily(**extra: Any) -> AnalyticsFilter:
        return AnalyticsFilter.of(start=start, end=end, tz="Europe/Paris", **extra)

    return {
        "volume_daily_paris": lambda store, source: volume(
            store, filters=daily(), scope=scope, source=source
        ),
        "volume_hourly_fr": lambda store, source: volume(
            store, filters=daily(interval="hour", countries=["FR"]), scope=scope, source=source
        ),
        "volume_by_topic": lambda store, source: volume(
            store, filters=daily(), scope=scope, group_by="topic", source=source
        ),
        "sentiment_daily_outage": lambda store, source: sentiment(
            store, filters=daily(topics=["outage"], include_duplicates=False), scope=scope, source=source
        ),
        "share_of_voice_per_country": lambda store, source: share_of_voice(
            store,
            filters=daily(topics=["nova", "helix", "orbis"]),
            scope=scope,
            per_country=True,
            source=source,
        ),
    }


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def at(fraction: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000, 2)

    return {"p50": round(statistics.median(ordered) * 1000, 2), "p95": at(0.95), "p99": at(0.99)}


def _time(call: Callable[[], Any], repeats: int, *, warm: bool = True) -> tuple[dict[str, float], Any]:
    """Percentiles of ``repeats`` calls; ``warm``: one call first, untimed, as an open dashboard would."""
    result = call() if warm else None
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        outcome = call()
        samples.append(time.perf_counter() - started)
        result = outcome if result is None else result
    return _percentiles(samples), result


_LABELS = ("positive", "neutral", "negative", None)
# From this many posts on, each posts scan runs twice (not warmed): one takes minutes at 10 million.
_LONG_SCANS = 5_000_000


def _care_windows() -> dict[str, tuple[datetime, datetime]]:
    return {"care_report_7_days": (END - timedelta(days=7), END), "care_report_30_days": (START, END)}


def _care_expected(store: SqlStore, start: datetime, end: datetime) -> tuple[int, int]:
    """Inbound posts (each mentions one brand account) and those answered, counted over the posts."""
    rows = store.execute_text(
        "SELECT count(*) AS inbound, count(r.id) AS answered FROM posts AS p"
        " LEFT JOIN posts AS r ON r.reply_to = p.id AND r.is_brand_account"
        " WHERE p.text LIKE '@brand%' AND p.created_us >= :start AND p.created_us < :end",
        start=to_us(start),
        end=to_us(end),
    )
    return int(rows[0]["inbound"]), int(rows[0]["answered"])


def _measure_care(store: SqlStore, quick: bool) -> dict[str, Any]:
    report: dict[str, Any] = {}
    for name, (start, end) in _care_windows().items():
        timing, result = _time(
            partial(care_report, store=store, scope=Scope(), start=start, end=end), 5 if quick else 20
        )
        inbound = sum(row.current.inbound for row in result.rows)
        answered = sum(row.current.responded for row in result.rows)
        if (inbound, answered) != _care_expected(store, start, end):
            raise RuntimeError(f"{name}: the care report disagrees with the posts on {store.dialect}")
        report[name] = {"ms": timing, "inbound": inbound, "answered": answered}
        print(
            f"  {store.dialect} {name}: p50 {timing['p50']} ms p95 {timing['p95']} ms"
            f" ({inbound} inbound posts, {answered} answered)",
            file=sys.stderr,
        )
    return report


def _measure_store(store: SqlStore, count: int, quick: bool) -> dict[str, Any]:
    started = time.perf_counter()
    load = _load(store, count)
    load_s = time.perf_counter() - started
    print(f"  {store.dialect}: {load['posts']} posts loaded and rolled up in {load_s:.1f} s", file=sys.stderr)
    report: dict[str, Any] = {
        "posts": load.pop("posts"),
        "load_s": round(load_s, 1),
        "load_phases_s": load,
        "queries": {},
    }
    long_scans = count >= _LONG_SCANS
    for name, query in _queries().items():
        fast, fast_result = _time(partial(query, store, "rollups"), 10 if quick else 30)
        slow, slow_result = _time(
            partial(query, store, "posts"), 2 if quick or long_scans else 5, warm=not long_scans
        )
        if fast_result.rows != slow_result.rows:
            raise RuntimeError(f"{name}: rollups and posts disagree on {store.dialect}")
        report["queries"][name] = {"rollups_ms": fast, "posts_scan_ms": slow}
        print(
            f"  {store.dialect} {name}: rollups p50 {fast['p50']} ms p95 {fast['p95']} ms;"
            f" posts scan p50 {slow['p50']} ms p95 {slow['p95']} ms",
            file=sys.stderr,
        )
    report["care"] = _measure_care(store, quick)
    return report


def _synthetic_posts(count: int) -> list[Post]:
    rng = random.Random(3)
    return [
        Post.model_validate(
            {
                "id": f"x:w{index}",
                "source": "x",
                "created_at": START + timedelta(seconds=rng.randrange(30 * 86_400)),
                "text": f"post {index}",
                "author": {"handle": f"a{index % 997}", "followers": index},
                "country": rng.choice(COUNTRIES),
                "lang": rng.choice(LANGS),
                "sentiment": {"label": rng.choice(_LABELS[:3]), "score": 0.0},
                "topics": [{"name": name} for name in rng.sample(TOPICS, rng.choice((0, 1, 2)))],
                "metrics": {"likes": index % 50},
            }
        )
        for index in range(count)
    ]


def _write_cost(url: str, count: int) -> dict[str, float]:
    """Posts per second through ``upsert_posts`` (batches of 500) with and without rollup upkeep."""
    batch = _synthetic_posts(count)
    rates: dict[str, float] = {}
    for label in ("without_rollups", "with_rollups", "redelivered_with_rollups"):
        store = open_store(url)
        try:
            with store.engine.begin() as connection:
                connection.execute(posts.delete())
            upkeep = (
                mock.patch.object(rollups, "apply_prepared") if label == "without_rollups" else _nothing()
            )
            with upkeep:
                if label == "redelivered_with_rollups":
                    for start in range(0, count, 500):
                        store.upsert_posts(batch[start : start + 500])
                started = time.perf_counter()
                for start in range(0, count, 500):
                    store.upsert_posts(batch[start : start + 500])
                rates[label] = round(count / (time.perf_counter() - started))
        finally:
            store.close()
    return rates


@contextmanager
def _nothing() -> Iterator[None]:
    yield


@contextmanager
def _postgres_store(url: str) -> Iterator[tuple[SqlStore, str]]:
    admin = open_store(url, migrate=False)
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with admin.engine.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    scoped = f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    store = open_store(scoped)
    try:
        yield store, scoped
    finally:
        store.close()
        with admin.engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.close()


DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def run(*, quick: bool) -> dict[str, Any]:
    # The scale: 10 million posts on each store (minutes of loading each, generated in the
    # database); VEILLE_BENCH_POSTS sets another size, and the result says which was measured.
    count = 100_000 if quick else int(os.environ.get("VEILLE_BENCH_POSTS", "10000000"))
    write_count = 5_000 if quick else 20_000
    result: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        store = open_store(url)
        try:
            result["sqlite"] = _measure_store(store, count, quick)
        finally:
            store.close()
        write_url = f"sqlite:///{Path(folder) / 'write.db'}"
        open_store(write_url).close()
        result["sqlite"]["write_posts_per_s"] = _write_cost(write_url, write_count)
        print(f"  sqlite upsert_posts: {result['sqlite']['write_posts_per_s']}", file=sys.stderr)
    postgres_url = os.environ.get("VEILLE_BENCH_POSTGRES_URL", "" if quick else DEFAULT_POSTGRES_URL)
    postgres_count = count if quick else int(os.environ.get("VEILLE_BENCH_POSTGRES_POSTS", str(count)))
    if postgres_url:
        with _postgres_store(postgres_url) as (store, _scoped):
            result["postgresql"] = _measure_store(store, postgres_count, quick)
        with _postgres_store(postgres_url) as (_store, scoped):  # an empty schema to write to
            result["postgresql"]["write_posts_per_s"] = _write_cost(scoped, write_count)
            print(f"  postgresql upsert_posts: {result['postgresql']['write_posts_per_s']}", file=sys.stderr)
    queries = result["sqlite"]["queries"].values()
    worst = max(entry["rollups_ms"]["p95"] for entry in queries)
    worst_scan = max(entry["posts_scan_ms"]["p95"] for entry in queries)
    worst_p50 = max(entry["rollups_ms"]["p50"] for entry in queries)
    worst_p99 = max(entry["rollups_ms"]["p99"] for entry in queries)
    return {
        "bench": "analytics",
        "metric": "dashboard_query_p95_ms",
        "value": worst,
        "unit": "ms (worst p95 of the dashboard queries over rollups, SQLite)",
        "baseline": worst_scan,
        "ratio": round(worst_scan / worst, 1) if worst else None,
        "goal": 100,
        "p50": worst_p50,
        "p95": worst,
        "p99": worst_p99,
        "posts": result["sqlite"]["posts"],
        "stores": result,
    }
