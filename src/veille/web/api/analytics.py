"""Every ``/api/v1/analytics/*`` route: the analyses of :data:`veille.analytics.registry.ANALYSES`
(volume, sentiment, share of voice, top lists, trends, influencers, content performance), the author
page and the customer-care report.

Each analysis takes the same filters: ``from``/``to`` (ISO date or date-time; without an offset read
in ``tz``), ``interval``, ``tz`` (IANA), ``topic``, ``country``, ``lang``, ``source``, ``sentiment``
(repeated or comma-separated) and ``include_duplicates``, plus its own parameters, and answers JSON,
CSV or Parquet (``format=``). The caller's scope is met with the filters at the service layer. A bad
parameter answers 422 naming it, and so does a filter value that names nothing (an undefined topic,
a country or language that is no ISO code, an unknown source: :mod:`veille.analytics.known`).
"""

from __future__ import annotations

import inspect
from typing import Annotated, Any, cast

from fastapi import Query

from veille.analytics.care import DEFAULT_SLA_S, GROUPS, GroupBy, care_report
from veille.analytics.influence import author_page
from veille.analytics.known import check_countries, check_filter_values, check_sources, check_topics
from veille.analytics.registry import ANALYSES, Analysis, Param
from veille.analytics.scope import Scope
from veille.clock import parse_moment, zone_named
from veille.errors import Invalid
from veille.web.api._params import (
    EXPORT_RESPONSES,
    CallerScope,
    Filters,
    Format,
    Values,
    export_response,
    listed,
)
from veille.web.api._routing import api_router
from veille.web.deps import Store
from veille.web.schemas import AnalyticsResultRead, AuthorPageRead, CareReportRead, ErrorRead

__all__ = ["router"]

router = api_router(prefix="/analytics", tags=["analytics"])


# -- the registry's analyses ---------------------------------------------------------------------


def _query_parameter(param: Param) -> inspect.Parameter:
    kind: Any = param.type | None if param.optional else param.type
    return inspect.Parameter(
        param.name,
        inspect.Parameter.KEYWORD_ONLY,
        annotation=Annotated[kind, Query(description=param.description, ge=param.ge, le=param.le)],
        default=param.default,
    )


def _add_analysis_route(analysis: Analysis) -> None:
    """``GET /analytics/{name}`` with the analysis's own parameters as query parameters."""

    def view(store: Store, filters: Filters, scope: CallerScope, format: str, **options: Any) -> Any:
        return export_response(analysis.compute(store, filters=filters, scope=scope, options=options), format)

    fixed = [
        inspect.Parameter("store", inspect.Parameter.KEYWORD_ONLY, annotation=Store),
        inspect.Parameter("filters", inspect.Parameter.KEYWORD_ONLY, annotation=Filters),
        inspect.Parameter("scope", inspect.Parameter.KEYWORD_ONLY, annotation=CallerScope),
        inspect.Parameter("format", inspect.Parameter.KEYWORD_ONLY, annotation=Format),
    ]
    view.__signature__ = inspect.Signature(  # type: ignore[attr-defined]  # FastAPI reads it
        [*fixed, *(_query_parameter(param) for param in analysis.params)]
    )
    view.__doc__ = analysis.title
    router.add_api_route(
        f"/{analysis.name}",
        view,
        methods=["GET"],
        response_model=AnalyticsResultRead,
        responses=EXPORT_RESPONSES,
        name=f"analytics-{analysis.name}",
        summary=analysis.title.split(";")[0].rstrip("."),
    )


for _analysis in ANALYSES.values():
    _add_analysis_route(_analysis)


# -- one author ----------------------------------------------------------------------------------


@router.get(
    "/authors/{handle}",
    response_model=AuthorPageRead,
    responses={**EXPORT_RESPONSES, 404: {"model": ErrorRead, "description": "no such author"}},
)
def author_view(
    handle: str,
    store: Store,
    filters: Filters,
    scope: CallerScope,
    format: Format,
    platform: Annotated[str | None, Query(description="the author's platform (x, bluesky…)")] = None,
    posts_limit: Annotated[int, Query(ge=1, le=1000)] = 20,
    part: Annotated[str, Query(description="for csv/parquet: posts, topics or series")] = "posts",
) -> Any:
    """An author's profile, category, totals, topics, activity series and latest posts."""
    check_filter_values(store, filters, scope)
    check_sources(store, [platform] if platform else None, field="platform")
    page = author_page(
        store, handle=handle, source=platform, filters=filters, scope=scope, posts_limit=posts_limit
    )
    return export_response(page.part(part), format, as_json=page.to_json_dict())


# -- customer care -------------------------------------------------------------------------------


@router.get("/care", response_model=CareReportRead, responses=EXPORT_RESPONSES)
def care(
    store: Store,
    scope: CallerScope,
    format: Format,
    from_: Annotated[str, Query(alias="from", description="ISO date or date-time, inclusive")],
    to: Annotated[str, Query(description="ISO date or date-time, exclusive")],
    tz: Annotated[str, Query(description="time zone of from/to without an offset")] = "UTC",
    business_hours: Annotated[bool, Query(description="count only seconds inside business hours")] = False,
    sla_s: Annotated[float, Query(ge=0, description="SLA in seconds (within_sla)")] = DEFAULT_SLA_S,
    group_by: Annotated[str, Query(description=f"one of {', '.join(GROUPS)}")] = "account",
    topic: Values = None,
    country: Values = None,
    source: Values = None,
) -> Any:
    """Response metrics of brand accounts for inbound posts created in ``[from, to)`` (responses count
    whenever they come), with the previous period of equal length under ``previous`` and ``trend``.

    Rates are fractions in [0, 1], times seconds, nothing rounded (``shared/spec/care-metrics.md``).
    ``topic`` keeps only inbound posts of these topics; ``country`` and ``source`` likewise.
    ``format=csv|parquet``: a row per group, the previous period's figures as ``previous_<figure>``
    and the arrows as ``trend_<figure>``.
    """
    zone = zone_named(tz)
    if group_by not in GROUPS:
        raise Invalid(f"group_by: must be one of {', '.join(GROUPS)}", field="group_by")
    asked = Scope.of(topics=listed(topic), countries=listed(country), sources=listed(source))
    check_topics(store, asked.topics, allowed=scope.topics)
    check_countries(asked.countries)
    check_sources(store, asked.sources)
    narrowed = scope.narrowed(asked)
    report = care_report(
        store=store,
        scope=narrowed,
        start=parse_moment("from", from_, zone),
        end=parse_moment("to", to, zone),
        business_hours=business_hours,
        sla_s=sla_s,
        group_by=cast(GroupBy, group_by),
    )
    return export_response(report.result(), format, as_json=report.to_json_dict())
