"""Query parameters several routers share: repeated/comma-separated lists, the analytics filters,
the caller's scope and the export format (JSON, CSV or Parquet answers)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Path, Query
from fastapi.responses import Response

from veille.access import Principal
from veille.analytics.exports import FORMATS, export_bytes, media_type
from veille.analytics.filters import INTERVALS, AnalyticsFilter
from veille.analytics.results import AnalyticsResult
from veille.analytics.scope import Scope
from veille.clock import parse_moment, zone_named
from veille.web.deps import CurrentPrincipal
from veille.web.schemas import ErrorRead

__all__ = [
    "EXPORT_RESPONSES",
    "MAX_ROW_ID",
    "CallerScope",
    "Filters",
    "Format",
    "RowId",
    "Values",
    "export_response",
    "listed",
    "scope_of",
]

# Ids are signed 64-bit in both stores: a larger one is a 422 naming the parameter, not a 500 from
# the database driver (issue 18, fault 10).
MAX_ROW_ID = 2**63 - 1
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="the row's id")]

Values = Annotated[list[str] | None, Query(description="repeat the parameter or separate with commas")]

EXPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "JSON by default; CSV or Parquet with format=csv|parquet",
        "content": {"text/csv": {}, "application/vnd.apache.parquet": {}},
    },
    422: {"model": ErrorRead, "description": "a parameter is wrong (the message names it)"},
}


def listed(raw: list[str] | None) -> list[str] | None:
    """Repeated parameters and comma-separated lists both work; absent means "no restriction"."""
    if raw is None:
        return None
    return [part.strip() for item in raw for part in item.split(",") if part.strip()]


def analytics_filter(
    from_: Annotated[str, Query(alias="from", description="ISO date or date-time, inclusive")],
    to: Annotated[str, Query(description="ISO date or date-time, exclusive")],
    interval: Annotated[str, Query(description=f"one of {', '.join(INTERVALS)}")] = "day",
    tz: Annotated[
        str, Query(description="IANA time zone of the buckets (and of from/to without offset)")
    ] = "UTC",
    topic: Values = None,
    country: Values = None,
    lang: Values = None,
    source: Values = None,
    sentiment: Values = None,
    include_duplicates: Annotated[bool, Query(description="count near-duplicates too")] = True,
) -> AnalyticsFilter:
    """The filters every analytics route takes (a refusal names the parameter)."""
    zone = zone_named(tz)
    return AnalyticsFilter.of(
        start=parse_moment("from", from_, zone),
        end=parse_moment("to", to, zone),
        interval=interval,
        tz=tz,
        topics=listed(topic),
        countries=listed(country),
        languages=listed(lang),
        sources=listed(source),
        sentiments=listed(sentiment),
        include_duplicates=include_duplicates,
    )


def export_format(
    format: Annotated[str, Query(description=f"one of {', '.join(FORMATS)}")] = "json",
) -> str:
    """The ``format=`` asked, checked before any work is done."""
    media_type(format)  # refuses an unknown format, naming the parameter
    return format


def scope_of(principal: Principal) -> Scope:
    """What ``principal`` may see: everything for an admin, else the union of their teams' scopes
    (no team: nothing)."""
    if principal.admin:
        return Scope()
    return Scope.union(
        Scope.of(topics=team.topics, countries=team.countries, sources=team.sources)
        for team in principal.scopes
    )


def caller_scope(principal: CurrentPrincipal) -> Scope:
    """The caller's scope (:func:`scope_of`)."""
    return scope_of(principal)


Filters = Annotated[AnalyticsFilter, Depends(analytics_filter)]
CallerScope = Annotated[Scope, Depends(caller_scope)]
Format = Annotated[str, Depends(export_format)]


def export_response(result: AnalyticsResult, export_format: str, as_json: Any = None) -> Any:
    """The result's JSON (``as_json`` when given), or its CSV/Parquet file as an attachment."""
    if export_format == "json":
        return result.to_json_dict() if as_json is None else as_json
    return Response(
        export_bytes(result, export_format),
        media_type=media_type(export_format),
        headers={"Content-Disposition": f'attachment; filename="{result.kind}.{export_format}"'},
    )
