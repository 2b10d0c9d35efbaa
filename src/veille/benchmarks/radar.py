"""The editorial radar's latency on a busy topic (``veille bench radar``).

A SQLite store holds four days of a topic (:func:`veille.editorial.planted.plant`, scaled up:
statements and steady questions by the thousand, a rising sub-topic on the last day). The radar
over the last day reads at most 10,000 posts per period (the current day and three baseline days),
so its time should not grow with the topic's volume. The baseline, measured in the same run, is the
hub's term trends (``analytics.trends``, kind ``terms``) over the same topic and day: the other
analysis that reads post text.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from veille.accounts import create_account
from veille.analytics.editorial_figures import AnalyticsFigures
from veille.analytics.filters import AnalyticsFilter
from veille.analytics.scope import Scope
from veille.analytics.trends import trends
from veille.editorial.planted import OUR_ACCOUNT, TOPIC, plant
from veille.editorial.radar import radar
from veille.store.sql import open_store

__all__ = ["DESCRIPTION", "run"]

DESCRIPTION = "editorial radar latency over a busy topic (posts read bounded per period), against term trends"
GOAL_P95_S = 3.0
END = datetime(2026, 6, 1, tzinfo=UTC)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(*, quick: bool) -> dict[str, Any]:
    per_day = 4_000 if quick else 25_000
    trials = 3 if quick else 7
    planting = plant(
        lang="en",
        seed=1,
        end=END,
        steady_per_day=per_day // 40,
        rising_now=per_day // 15,
        statements_per_day=per_day,
    )
    with tempfile.TemporaryDirectory(prefix="veille-bench-radar-") as scratch:
        store = open_store(f"sqlite:///{Path(scratch) / 'radar.db'}")
        try:
            for start in range(0, len(planting.posts), 2000):
                store.upsert_posts(planting.posts[start : start + 2000])
            create_account(store=store, spec=OUR_ACCOUNT)
            figures = AnalyticsFigures(store, Scope())
            timings: list[float] = []
            baseline: list[float] = []
            top = ""
            for _ in range(trials):
                began = time.perf_counter()
                answer = radar(store, topic=TOPIC, start=planting.start, end=planting.end, figures=figures)
                timings.append(time.perf_counter() - began)
                top = answer["items"][0]["subtopic"] if answer["items"] else ""
                began = time.perf_counter()
                trends(
                    store,
                    filters=AnalyticsFilter.of(
                        start=planting.start - timedelta(days=3), end=planting.end, topics=[TOPIC]
                    ),
                    scope=Scope(),
                    kind="terms",
                    window=timedelta(days=1),
                )
                baseline.append(time.perf_counter() - began)
            posts_read = answer["meta"]["posts_read"]
        finally:
            store.close()
    p95, base = _pct(timings, 0.95), _pct(baseline, 0.95)
    print(
        f"radar: p50 {_pct(timings, 0.5):.2f} s, p95 {p95:.2f} s over {len(planting.posts)} posts "
        f"({posts_read} read; top {top!r}); term trends p95 {base:.2f} s",
        file=sys.stderr,
    )
    return {
        "bench": "radar",
        "metric": "radar_latency_p95_s",
        "value": round(p95, 3),
        "unit": "s",
        "baseline": round(base, 3),
        "ratio": round(p95 / base, 3) if base else None,
        "goal": GOAL_P95_S,
        "p50": round(_pct(timings, 0.5), 3),
        "p95": round(p95, 3),
        "p99": round(_pct(timings, 0.99), 3),
        "mean": round(statistics.fmean(timings), 3),
        "posts": len(planting.posts),
        "posts_read": posts_read,
        "top_subtopic": top,
    }
