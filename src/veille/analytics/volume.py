"""Volume series: posts (and engagement, reach) per bucket, optionally per dimension, from the rollups."""

from __future__ import annotations

from typing import Any, Literal

from veille.analytics.buckets import Bucketer
from veille.analytics.filters import AnalyticsFilter
from veille.analytics.reader import GROUPS, Totals, read_measures
from veille.analytics.results import MEASURE_COLUMNS, AnalyticsResult, measure_columns
from veille.analytics.scope import Scope
from veille.errors import Invalid
from veille.store.rollups import MEASURES
from veille.store.sql import SqlStore

__all__ = ["group_order", "volume"]


def group_order(totals: Totals) -> list[tuple[str | None, ...]]:
    """The groups seen, in a stable order (unknown values last)."""
    return sorted(
        {group for _, group in totals}, key=lambda group: [(value is None, value or "") for value in group]
    )


def volume(
    store: SqlStore,
    *,
    filters: AnalyticsFilter,
    scope: Scope,
    group_by: str | None = None,
    source: Literal["rollups", "posts"] = "rollups",
) -> AnalyticsResult:
    """Posts per bucket in ``filters.tz`` (every bucket of the range, zero when empty).

    With ``group_by`` (topic, country, lang, sentiment or source) there is one row per bucket and
    group value seen in the range. A post in two topics counts once per topic when grouped by topic,
    once otherwise.
    """
    if group_by is not None and group_by not in GROUPS:
        raise Invalid(f"group_by: {group_by!r} is not one of {', '.join(GROUPS)}", field="group_by")
    criteria = filters.within(scope)
    groups = (group_by,) if group_by else ()
    totals = read_measures(store, criteria, group_by=groups, source=source)
    bucketer = Bucketer(criteria.interval, criteria.zone)
    seen = group_order(totals) if group_by else [()]
    rows: list[dict[str, Any]] = []
    overall = [0] * len(MEASURES)
    for bucket in bucketer.buckets(criteria.start_us, criteria.end_us):
        for group in seen:
            measures = totals.get((bucket, group), [0] * len(MEASURES))
            row: dict[str, Any] = {"bucket": bucketer.label(bucket)}
            if group_by:
                row[group_by] = group[0]
            row.update(measure_columns(measures))
            rows.append(row)
            overall = [a + b for a, b in zip(overall, measures, strict=True)]
    meta: dict[str, Any] = {
        "filters": filters.to_json_dict(),
        "scope": scope.to_json_dict(),
        "group_by": group_by,
    }
    if group_by != "topic":  # per-topic sums would count a post once per topic
        meta["totals"] = measure_columns(overall)
    columns = ["bucket", *([group_by] if group_by else []), *MEASURE_COLUMNS]
    return AnalyticsResult(kind="volume", columns=columns, rows=rows, meta=meta)
