"""Sentiment: the breakdown of posts by label and the net sentiment series, from the rollups.

Net sentiment is ``(positive - negative) / (positive + neutral + negative)``, in [-1, 1]; posts
without a sentiment (not scored yet) are counted as ``unknown`` and left out of it. It is ``null``
for a bucket without any scored post.
"""

from __future__ import annotations

from typing import Any, Literal

from veille.analytics.buckets import Bucketer
from veille.analytics.filters import SENTIMENTS, AnalyticsFilter
from veille.analytics.reader import GROUPS, read_measures
from veille.analytics.results import AnalyticsResult
from veille.analytics.scope import Scope
from veille.analytics.volume import group_order
from veille.errors import Invalid
from veille.store.sql import SqlStore

__all__ = ["net_sentiment", "sentiment"]

LABELS: tuple[str, ...] = (*SENTIMENTS, "unknown")


def net_sentiment(counts: dict[str, int]) -> float | None:
    scored = counts["positive"] + counts["neutral"] + counts["negative"]
    return None if scored == 0 else (counts["positive"] - counts["negative"]) / scored


def _row(counts: dict[str, int]) -> dict[str, Any]:
    total = sum(counts[label] for label in LABELS)
    return {
        **{label: counts[label] for label in LABELS},
        "posts": total,
        "net_sentiment": net_sentiment(counts),
    }


def sentiment(
    store: SqlStore,
    *,
    filters: AnalyticsFilter,
    scope: Scope,
    group_by: str | None = None,
    totals: bool = False,
    source: Literal["rollups", "posts"] = "rollups",
) -> AnalyticsResult:
    """Per bucket (and per ``group_by`` value): posts per label, their total and the net sentiment.

    ``meta.breakdown`` holds the whole range's posts per label with their share of all posts.
    ``totals``: one row per ``group_by`` value over the whole range, no buckets (the map): whole UTC
    days are then read from the day rollups whatever the time zone, the fastest read there is.
    """
    if group_by is not None and (group_by not in GROUPS or group_by == "sentiment"):
        raise Invalid(f"group_by: {group_by!r} is not one of topic, country, lang, source", field="group_by")
    criteria = filters.within(scope)
    groups = ("sentiment", group_by) if group_by else ("sentiment",)
    measured = read_measures(store, criteria, group_by=groups, bucketed=not totals, source=source)
    counts: dict[tuple[int | None, tuple[str | None, ...]], dict[str, int]] = {}
    overall = dict.fromkeys(LABELS, 0)
    for (bucket, (label, *rest)), measures in measured.items():
        name = label or "unknown"
        counts.setdefault((bucket, tuple(rest)), dict.fromkeys(LABELS, 0))[name] += measures[0]
        overall[name] += measures[0]
    bucketer = Bucketer(criteria.interval, criteria.zone)
    seen = group_order({(None, group): [] for _, group in counts}) if group_by else [()]
    rows: list[dict[str, Any]] = []
    for bucket in [None] if totals else bucketer.buckets(criteria.start_us, criteria.end_us):
        for group in seen:
            row: dict[str, Any] = {} if bucket is None else {"bucket": bucketer.label(bucket)}
            if group_by:
                row[group_by] = group[0]
            row.update(_row(counts.get((bucket, group), dict.fromkeys(LABELS, 0))))
            rows.append(row)
    grand_total = sum(overall.values())
    breakdown = [
        {
            "sentiment": label,
            "posts": overall[label],
            "share": overall[label] / grand_total if grand_total else None,
        }
        for label in LABELS
    ]
    meta: dict[str, Any] = {
        "filters": filters.to_json_dict(),
        "scope": scope.to_json_dict(),
        "group_by": group_by,
        "breakdown": breakdown,
        "net_sentiment": net_sentiment(overall),
    }
    columns = [
        *([] if totals else ["bucket"]),
        *([group_by] if group_by else []),
        *LABELS,
        "posts",
        "net_sentiment",
    ]
    return AnalyticsResult(kind="sentiment", columns=columns, rows=rows, meta=meta)
