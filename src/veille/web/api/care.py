"""Brand accounts (CRUD and CSV import) and the customer-care indicators (``/analytics/care``).

Refused changes answer 422 with ``detail`` (the message) and ``field``; an unknown id answers 404
and an account already registered (same platform and handle) 409.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import JSONResponse, Response

from veille.accounts import AccountError, AccountNotFound, service
from veille.accounts.service import AccountConflict, spec_from_json
from veille.analytics.care import DEFAULT_SLA_S, GROUPS, GroupBy, care_report, parse_moment
from veille.analytics.scope import Scope
from veille.web.deps import CurrentHub, CurrentPrincipal

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["care"])

MAX_IMPORT_BYTES = 1_000_000


def _refused(error: AccountError) -> JSONResponse:
    code = 404 if isinstance(error, AccountNotFound) else 409 if isinstance(error, AccountConflict) else 422
    return JSONResponse({"detail": str(error), "field": error.field}, status_code=code)


async def _json_body(request: Request) -> Any:
    try:
        return await request.json()
    except ValueError:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "body: not JSON") from None


# -- accounts ------------------------------------------------------------------------------------


@router.get("/accounts")
async def list_accounts(hub: CurrentHub, _principal: CurrentPrincipal) -> dict[str, Any]:
    """Every registered brand account, by brand, platform and handle."""
    found = await asyncio.to_thread(service.list_accounts, store=hub.store)
    return {"items": [account.to_json_dict() for account in found]}


@router.post(
    "/accounts",
    status_code=201,
    responses={409: {"description": "already registered"}, 422: {"description": "refused; names the field"}},
)
async def create_account(request: Request, hub: CurrentHub, _principal: CurrentPrincipal) -> Response:
    """Register ``{"platform", "handle", "brand", "country", "ours", "business_hours": {"timezone",
    "days", "start", "end"}}`` (``country`` null: a global account; ``business_hours`` null: always open)."""
    body = await _json_body(request)
    try:
        spec = spec_from_json(body)
        account = await asyncio.to_thread(service.create_account, store=hub.store, spec=spec)
    except AccountError as error:
        return _refused(error)
    return JSONResponse(account.to_json_dict(), status_code=201)


@router.post("/accounts/import", responses={422: {"description": "names the line and column"}})
async def import_accounts(request: Request, hub: CurrentHub, _principal: CurrentPrincipal) -> Response:
    """CSV body (``text/csv``): ``platform,handle,brand,country,ours`` plus optional ``timezone,days,start,end``.

    All or nothing; an account already registered is updated. Answers ``{"created", "updated"}``.
    """
    raw = await request.body()
    if len(raw) > MAX_IMPORT_BYTES:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, f"body: more than {MAX_IMPORT_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return JSONResponse({"detail": "body: not UTF-8 text", "field": None}, status_code=422)
    try:
        specs = service.parse_accounts_csv(text)
        result = await asyncio.to_thread(service.import_accounts, store=hub.store, specs=specs)
    except AccountError as error:
        return _refused(error)
    return JSONResponse(result.to_json_dict())


@router.get("/accounts/{account_id}")
async def get_account(account_id: int, hub: CurrentHub, _principal: CurrentPrincipal) -> Response:
    try:
        account = await asyncio.to_thread(service.get_account, store=hub.store, account_id=account_id)
    except AccountError as error:
        return _refused(error)
    return JSONResponse(account.to_json_dict())


@router.put("/accounts/{account_id}")
async def replace_account(
    account_id: int, request: Request, hub: CurrentHub, _principal: CurrentPrincipal
) -> Response:
    """Replace every field of an account (same body as creation)."""
    body = await _json_body(request)
    try:
        spec = spec_from_json(body)
        account = await asyncio.to_thread(
            service.update_account, store=hub.store, account_id=account_id, spec=spec
        )
    except AccountError as error:
        return _refused(error)
    return JSONResponse(account.to_json_dict())


@router.delete("/accounts/{account_id}", status_code=204)
async def delete_account(account_id: int, hub: CurrentHub, _principal: CurrentPrincipal) -> Response:
    try:
        await asyncio.to_thread(service.delete_account, store=hub.store, account_id=account_id)
    except AccountError as error:
        return _refused(error)
    return Response(status_code=204)


# -- indicators ----------------------------------------------------------------------------------


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            f"tz: {tz!r} is not an IANA time zone such as 'Europe/Paris'",
        ) from None


def _values(raw: list[str] | None) -> list[str] | None:
    """Repeated parameters and comma-separated lists both work; absent means no filter."""
    if not raw:
        return None
    return [part.strip() for item in raw for part in item.split(",") if part.strip()]


@router.get("/analytics/care")
async def care(
    hub: CurrentHub,
    _principal: CurrentPrincipal,
    from_: Annotated[str, Query(alias="from", description="ISO date or date-time, inclusive")],
    to: Annotated[str, Query(description="ISO date or date-time, exclusive")],
    tz: Annotated[str, Query(description="time zone of from/to without an offset")] = "UTC",
    business_hours: Annotated[bool, Query(description="count only seconds inside business hours")] = False,
    sla_s: Annotated[float, Query(ge=0, description="SLA in seconds (within_sla)")] = DEFAULT_SLA_S,
    group_by: Annotated[str, Query(description=f"one of {', '.join(GROUPS)}")] = "account",
    topic: Annotated[list[str] | None, Query(description="only inbound posts of these topics")] = None,
    country: Annotated[list[str] | None, Query(description="only these countries")] = None,
    source: Annotated[list[str] | None, Query(description="only these platforms")] = None,
) -> dict[str, Any]:
    """Response metrics of brand accounts for inbound posts created in ``[from, to)`` (responses count
    whenever they come), with the previous period of equal length under ``previous`` and ``trend``.

    Rates are fractions in [0, 1], times seconds, nothing rounded (``shared/spec/care-metrics.md``).
    """
    zone = _zone(tz)
    if group_by not in GROUPS:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, f"group_by: must be one of {', '.join(GROUPS)}"
        )
    # The caller's own scope comes with per-team scopes; today every caller sees everything.
    caller_scope = Scope()
    scope = caller_scope.narrowed(
        Scope.of(topics=_values(topic), countries=_values(country), sources=_values(source))
    )
    try:
        start = parse_moment("from", from_, zone)
        end = parse_moment("to", to, zone)
        report = await asyncio.to_thread(
            care_report,
            store=hub.store,
            scope=scope,
            start=start,
            end=end,
            business_hours=business_hours,
            sla_s=sla_s,
            group_by=cast(GroupBy, group_by),
        )
    except ValueError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from None
    return report.to_json_dict()
