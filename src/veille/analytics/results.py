"""One shape for every analytics result: named columns, rows, and what was asked (``meta``).

The same object is what the API returns as JSON and what :mod:`veille.analytics.exports` writes as
CSV, JSON or Parquet, so an export always holds exactly the figures of the screen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = ["MEASURE_COLUMNS", "AnalyticsResult", "json_value", "measure_columns"]

# Measures as results show them: ``engagement`` is likes + reposts + replies; ``reach`` is the sum of
# the authors' followers (potential audience).
MEASURE_COLUMNS: tuple[str, ...] = ("posts", "engagement", "likes", "reposts", "replies", "views", "reach")


def measure_columns(measures: list[int]) -> dict[str, int]:
    """Result columns from rollup measures (``posts, likes, reposts, replies, views, reach``)."""
    posts, likes, reposts, replies, views, reach = measures
    return {
        "posts": posts,
        "engagement": likes + reposts + replies,
        "likes": likes,
        "reposts": reposts,
        "replies": replies,
        "views": views,
        "reach": reach,
    }


def json_value(value: Any) -> Any:
    """Datetimes as RFC 3339 (local offset kept, ``Z`` for UTC); everything else as is."""
    if isinstance(value, datetime):
        text = value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    return value


@dataclass(slots=True)
class AnalyticsResult:
    kind: str
    columns: list[str]
    rows: list[dict[str, Any]]
    meta: dict[str, Any] = field(default_factory=dict)

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            **self.meta,
            "columns": list(self.columns),
            "rows": [{name: json_value(row.get(name)) for name in self.columns} for row in self.rows],
        }
