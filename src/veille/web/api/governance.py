"""Official-account governance (``/api/v1/governance``): requests to open an official account,
their review by the admins (approve, reject, request changes, with comments) and the register of
every official account.

A request is seen by its requester, the members of its team and the admins (others: 404). An
invalid step (approving a rejected request, changing one nobody asked to change) answers 409
naming the status.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel, Field

from veille.errors import Invalid
from veille.governance import STATUSES, AccountRequest, RequestSpec, ReviewBody, service
from veille.governance.models import CommentBody
from veille.web.api._params import RowId
from veille.web.api._routing import api_router
from veille.web.deps import CurrentPrincipal, Store
from veille.web.schemas import ErrorRead, Items

__all__ = ["router"]

router = api_router(tags=["governance"])

_REFUSED: dict[int | str, dict[str, Any]] = {
    403: {"model": ErrorRead, "description": "a reviewer is an admin; a change is its requester's"},
    404: {"model": ErrorRead, "description": "no such request, or not yours to see"},
    409: {
        "model": ErrorRead,
        "description": "the request's status does not allow this step, or the handle is taken",
    },
    422: {"model": ErrorRead, "description": "refused; names the field"},
}


@router.post("/governance/requests", status_code=201, response_model=AccountRequest, responses=_REFUSED)
def file_request(body: RequestSpec, store: Store, principal: CurrentPrincipal) -> Any:
    """File ``{"platform", "handle", "country", "target_audience", "why_not_addressed",
    "editorial_line", "resources": {"people", "hours_per_week"}, "goal", "kpis": [...], "brand",
    "owner_team"}``; it is ``submitted``."""
    return service.file_request(store=store, body=body, by=principal).to_json_dict()


@router.get("/governance/requests", response_model=Items[AccountRequest], responses=_REFUSED)
def list_requests(
    store: Store,
    principal: CurrentPrincipal,
    status: Annotated[str | None, Query(description=f"one of {', '.join(STATUSES)}")] = None,
) -> Any:
    """The requests the caller may see, newest first."""
    if status is not None and status not in STATUSES:
        raise Invalid(f"status: must be one of {', '.join(STATUSES)}", field="status")
    found = service.list_requests(store=store, viewer=principal, status=status)
    return {"items": [request.to_json_dict() for request in found]}


@router.get("/governance/requests/{request_id}", response_model=AccountRequest, responses=_REFUSED)
def get_request(request_id: RowId, store: Store, principal: CurrentPrincipal) -> Any:
    """One request with its comment thread."""
    return service.get_request(store=store, request_id=request_id, viewer=principal).to_json_dict()


@router.put("/governance/requests/{request_id}", response_model=AccountRequest, responses=_REFUSED)
def update_request(request_id: RowId, body: RequestSpec, store: Store, principal: CurrentPrincipal) -> Any:
    """The requester's changed request (same body as filing), when changes were asked: submitted again."""
    return service.update_request(store=store, request_id=request_id, body=body, by=principal).to_json_dict()


def _review(action: str, request_id: int, body: ReviewBody | None, store: Any, principal: Any) -> Any:
    comment = body.comment if body is not None else ""
    reviewed = service.review_request(
        store=store, request_id=request_id, action=action, comment=comment, by=principal
    )
    return reviewed.to_json_dict()


@router.post("/governance/requests/{request_id}/approve", response_model=AccountRequest, responses=_REFUSED)
def approve(
    request_id: RowId, store: Store, principal: CurrentPrincipal, body: ReviewBody | None = None
) -> Any:
    """Approve (``{"comment"}`` optional): the account enters the brand-account registry."""
    return _review("approve", request_id, body, store, principal)


@router.post("/governance/requests/{request_id}/reject", response_model=AccountRequest, responses=_REFUSED)
def reject(
    request_id: RowId, store: Store, principal: CurrentPrincipal, body: ReviewBody | None = None
) -> Any:
    """Reject (``{"comment"}``: why)."""
    return _review("reject", request_id, body, store, principal)


@router.post(
    "/governance/requests/{request_id}/request-changes", response_model=AccountRequest, responses=_REFUSED
)
def request_changes(
    request_id: RowId, store: Store, principal: CurrentPrincipal, body: ReviewBody | None = None
) -> Any:
    """Ask for changes (``{"comment"}``, required: which); the requester updates and submits again."""
    return _review("request-changes", request_id, body, store, principal)


@router.post(
    "/governance/requests/{request_id}/comments",
    status_code=201,
    response_model=AccountRequest,
    responses=_REFUSED,
)
def add_comment(request_id: RowId, body: CommentBody, store: Store, principal: CurrentPrincipal) -> Any:
    """Add ``{"text"}`` to the request's thread; answers the request with its thread."""
    return service.add_comment(
        store=store, request_id=request_id, text=body.text, by=principal
    ).to_json_dict()


class RegisterEntry(BaseModel):
    """One official account of the register (or a request still under review)."""

    platform: str
    handle: str
    account: str = Field(description="platform:@handle")
    brand: str
    country: str | None
    owner_team: str | None
    status: str = Field(description="approved, registered, submitted or changes_requested")
    account_id: int | None
    request_id: int | None
    last_activity: str | None = Field(description="RFC 3339: the newest post by the handle; null: none seen")


@router.get("/governance/register", response_model=Items[RegisterEntry])
def read_register(store: Store, principal: CurrentPrincipal) -> Any:
    """Every official account the caller may see with its owner team, status and last activity
    (the newest post by its handle), and the requests under review."""
    return {"items": service.register(store=store, viewer=principal)}
