"""Brand accounts: CRUD and CSV import (the customer-care report is ``/analytics/care``).

Refused changes answer 422 with ``detail`` (the message) and ``field``; an unknown id answers 404
and an account already registered (same platform and handle) 409.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import Request, Response

from veille.accounts import AccountSpec, service
from veille.accounts.models import AccountRead
from veille.errors import Invalid, TooLarge
from veille.web.api._params import RowId
from veille.web.api._routing import api_router
from veille.web.deps import CurrentPrincipal, Store
from veille.web.schemas import ErrorRead, ImportResultRead, Items

__all__ = ["router"]

router = api_router(tags=["accounts"])

MAX_IMPORT_BYTES = 1_000_000
_REFUSED: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorRead, "description": "no such account"},
    409: {"model": ErrorRead, "description": "already registered (same platform and handle)"},
    422: {"model": ErrorRead, "description": "refused; names the field"},
}
_CSV_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "platform,handle,brand,country,ours (+ optional timezone,days,start,end)",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}


@router.get("/accounts", response_model=Items[AccountRead])
def list_accounts(store: Store, principal: CurrentPrincipal) -> Any:
    """Every registered brand account the caller may see, by brand, platform and handle."""
    found = service.list_accounts(store=store, viewer=principal)
    return {"items": [account.to_json_dict() for account in found]}


@router.post("/accounts", status_code=201, response_model=AccountRead, responses=_REFUSED)
def create_account(spec: AccountSpec, store: Store, principal: CurrentPrincipal) -> Any:
    """Register ``{"platform", "handle", "brand", "country", "ours", "business_hours": {"timezone",
    "days", "start", "end"}}`` (``country`` null: a global account; ``business_hours`` null: always open)."""
    return service.create_account(store=store, spec=spec, by=principal).to_json_dict()


@router.post(
    "/accounts/import",
    response_model=ImportResultRead,
    openapi_extra=_CSV_BODY,
    responses={
        413: {"model": ErrorRead, "description": "body too large"},
        422: {"model": ErrorRead, "description": "names the line and column"},
    },
)
async def import_accounts(request: Request, store: Store) -> Any:
    """CSV body (``text/csv``): ``platform,handle,brand,country,ours`` plus optional ``timezone,days,start,end``.

    All or nothing; an account already registered is updated. Answers ``{"created", "updated"}``.
    """
    raw = await request.body()
    if len(raw) > MAX_IMPORT_BYTES:
        raise TooLarge(f"body: more than {MAX_IMPORT_BYTES} bytes", field="body")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid("body: not UTF-8 text", field="body") from None
    specs = service.parse_accounts_csv(text)
    # async to read the raw body; the store is synchronous, so the import runs in a worker thread.
    result = await asyncio.to_thread(service.import_accounts, store=store, specs=specs)
    return result.to_json_dict()


@router.get("/accounts/{account_id}", response_model=AccountRead, responses=_REFUSED)
def get_account(account_id: RowId, store: Store, principal: CurrentPrincipal) -> Any:
    return service.get_account(store=store, account_id=account_id, viewer=principal).to_json_dict()


@router.put("/accounts/{account_id}", response_model=AccountRead, responses=_REFUSED)
def replace_account(account_id: RowId, spec: AccountSpec, store: Store, principal: CurrentPrincipal) -> Any:
    """Replace every field of an account (same body as creation; absent sharing fields stay)."""
    return service.update_account(store=store, account_id=account_id, spec=spec, by=principal).to_json_dict()


@router.delete("/accounts/{account_id}", status_code=204, response_class=Response, responses=_REFUSED)
def delete_account(account_id: RowId, store: Store, principal: CurrentPrincipal) -> Response:
    service.delete_account(store=store, account_id=account_id, by=principal)
    return Response(status_code=204)
