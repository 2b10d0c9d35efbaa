"""The community-management inbox (``/api/v1/inbox``): the queue of inbound posts to our accounts,
what a desk does with them (assign, lock, tag, reply through the platform, close), saved replies
and each account's desk settings.

A post outside the caller's teams does not exist for them (404). Replying answers 409 when someone
else holds the post's lock (naming them), 422 naming the field for a bad body or a missing
credential, and the platform's refusal in words: 429 with ``Retry-After`` for a rate limit, 409 when
the post is gone, 502 when the platform refused the credentials or failed.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import httpx
from fastapi import Depends, Path, Query
from fastapi.responses import JSONResponse, Response
from sqlalchemy import select

from veille.errors import Invalid
from veille.inbox import service
from veille.inbox.models import (
    STATUSES,
    AssignBody,
    CloseBody,
    DeskSettingsSpec,
    ReplyBody,
    SavedReplySpec,
    StatusBody,
    TagsBody,
)
from veille.inbox.replies import PlatformError
from veille.security.outbound import GuardedTransport, OutboundPolicy
from veille.security.secrets import SecretBox
from veille.store.schema import users
from veille.web.api._params import CallerScope
from veille.web.api._routing import api_router
from veille.web.deps import CurrentHub, CurrentPrincipal, Store
from veille.web.inbox_schemas import (
    DeskRead,
    InboxItemRead,
    InboxSummaryRead,
    InboxThreadRead,
    SavedReplyRead,
)
from veille.web.schemas import ErrorRead, Items

__all__ = ["router"]

router = api_router(tags=["inbox"])
# Our replies handed to the pipeline after they are stored (kept referenced until done).
_BACKGROUND: set[asyncio.Task[Any]] = set()

PostId = Annotated[str, Path(description="the inbound post's id, e.g. x:1790000000000000001")]
ReplyId = Annotated[int, Path(ge=1, le=2**31 - 1, description="the saved reply's id")]
AccountId = Annotated[int, Path(ge=1, le=2**31 - 1, description="the brand account's id")]
_REFUSED: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorRead, "description": "not an inbound post of our accounts in your scope"},
    409: {"model": ErrorRead, "description": "its status or someone else's lock does not allow it"},
    422: {"model": ErrorRead, "description": "refused; names the field"},
}


def _person(principal: CurrentPrincipal, store: Store) -> str:
    """Who acts, as the desk names them: the user (also through their own token), else the token."""
    if principal.user_id is None:
        return principal.name
    with store.engine.connect() as connection:
        name = connection.execute(select(users.c.username).where(users.c.id == principal.user_id)).scalar()
    return str(name or principal.name)


Person = Annotated[str, Depends(_person)]


def _statuses(value: str | None) -> list[str]:
    if not value:
        return []
    wanted = [part.strip() for part in value.split(",") if part.strip()]
    for name in wanted:
        if name not in STATUSES:
            raise Invalid(f"status: {name!r} is not one of {', '.join(STATUSES)}", field="status")
    return wanted


@router.get("/inbox", response_model=Items[InboxItemRead])
def list_inbox(
    store: Store,
    scope: CallerScope,
    person: Person,
    status: Annotated[
        str | None, Query(description="new, assigned, waiting, replied, closed (comma-separated)")
    ] = None,
    account: Annotated[str | None, Query(description="an account id or label such as x:@NovaCare")] = None,
    assignee: Annotated[str | None, Query(description="a user name, me, none, or team:NAME")] = None,
    days: Annotated[
        int, Query(ge=1, le=90, description="how far back inbound posts are read")
    ] = service.DEFAULT_DAYS,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> Any:
    """``{"items": [...]}``: inbound posts to our accounts, open ones first by priority, each with its
    ``post``, ``status``, ``priority`` (score, level, reasons), ``sla`` (due, breached, remaining_s),
    ``assignee``, ``team``, ``lock``, ``tags`` and ``disposition``."""
    items = service.queue(
        store=store,
        scope=scope,
        caller=person,
        status=_statuses(status),
        account=account,
        assignee=assignee,
        days=days,
        limit=limit,
    )
    return {"items": [item.to_json_dict() for item in items]}


@router.get("/inbox/summary", response_model=InboxSummaryRead)
def inbox_summary(store: Store, scope: CallerScope, person: Person) -> Any:
    """What the monitoring screens show: ``queue`` (open posts), ``oldest`` waiting, ``breached``
    SLAs, ``urgent`` posts, counts ``by_status`` and the ``top`` five open posts."""
    return service.summary(store=store, scope=scope, caller=person)


# -- saved replies and holding statements ----------------------------------------------------------


@router.get("/inbox/saved-replies", response_model=Items[SavedReplyRead])
def list_saved_replies(
    store: Store,
    lang: Annotated[str | None, Query(min_length=2, max_length=2)] = None,
    kind: Annotated[str | None, Query(pattern="^(reply|holding)$")] = None,
) -> Any:
    """Saved replies and holding statements (``kind``), per language (``lang``), with the
    ``{variables}`` each uses."""
    return {
        "items": [
            saved.to_json_dict() for saved in service.list_saved_replies(store=store, lang=lang, kind=kind)
        ]
    }


@router.post("/inbox/saved-replies", status_code=201, response_model=SavedReplyRead, responses=_REFUSED)
def create_saved_reply(spec: SavedReplySpec, store: Store, person: Person) -> Any:
    """``{"name", "kind": "reply"|"holding", "lang", "text"}``; variables: {author}, {first_name},
    {account}, {brand}, {agent}."""
    return service.create_saved_reply(store=store, spec=spec, by=person).to_json_dict()


@router.put("/inbox/saved-replies/{reply_id}", response_model=SavedReplyRead, responses=_REFUSED)
def update_saved_reply(reply_id: ReplyId, spec: SavedReplySpec, store: Store) -> Any:
    return service.update_saved_reply(store=store, reply_id=reply_id, spec=spec).to_json_dict()


@router.delete("/inbox/saved-replies/{reply_id}", status_code=204, responses=_REFUSED)
def delete_saved_reply(reply_id: ReplyId, store: Store) -> Response:
    service.delete_saved_reply(store=store, reply_id=reply_id)
    return Response(status_code=204)


# -- desk settings per account ---------------------------------------------------------------------


def _secrets(hub: Any) -> SecretBox:
    manager = hub.source_manager
    if manager is not None and manager.secrets is not None:
        box: SecretBox = manager.secrets
        return box
    return SecretBox.for_data_dir(hub.settings.data_dir)


@router.get("/inbox/accounts", response_model=Items[DeskRead])
def desk_accounts(store: Store) -> Any:
    """Our accounts with their SLA (seconds), write endpoint and which credentials are set (never
    their values)."""
    return {"items": service.desk_settings(store=store)}


@router.put("/inbox/accounts/{account_id}", response_model=DeskRead, responses=_REFUSED)
def save_desk_account(
    account_id: AccountId, spec: DeskSettingsSpec, store: Store, hub: CurrentHub, person: Person
) -> Any:
    """``{"sla_s", "endpoint", "credentials": {...}}``: credentials are sealed and never shown again;
    leave them out to keep the stored ones, ``{}`` removes them."""
    if spec.endpoint and hub.source_manager is not None:
        hub.source_manager.outbound.check_literal(spec.endpoint, field="endpoint")
    return service.save_desk_settings(
        store=store,
        account_id=account_id,
        sla_s=spec.sla_s,
        endpoint=spec.endpoint,
        credentials=spec.credentials,
        secrets=_secrets(hub),
        by=person,
    )


# -- one post ----------------------------------------------------------------------------------------


@router.post("/inbox/{post_id:path}/assign", response_model=InboxItemRead, responses=_REFUSED)
def assign(post_id: PostId, body: AssignBody, store: Store, scope: CallerScope, person: Person) -> Any:
    """``{"assignee": "alice"}``, ``{"team": "care-fr"}`` or both; both null: back to the queue."""
    return service.assign(
        store=store, scope=scope, post_id=post_id, assignee=body.assignee, team=body.team, by=person
    ).to_json_dict()


def _client(hub: Any) -> httpx.AsyncClient:
    if hub.source_manager is not None:
        client: httpx.AsyncClient = hub.source_manager.http_client
        return client
    policy = OutboundPolicy.build(allow=hub.settings.outbound_allow)
    return httpx.AsyncClient(transport=GuardedTransport(policy), timeout=policy.timeout)


@router.post(
    "/inbox/{post_id:path}/reply",
    response_model=InboxItemRead,
    responses={
        **_REFUSED,
        429: {"model": ErrorRead, "description": "the platform's rate limit; Retry-After says when"},
        502: {"model": ErrorRead, "description": "the platform refused the credentials, or failed"},
    },
)
async def reply(
    post_id: PostId,
    body: ReplyBody,
    store: Store,
    scope: CallerScope,
    hub: CurrentHub,
    person: Person,
) -> Any:
    """``{"text"}``: answer through the platform with the account's credentials (``{variables}``
    filled in); our reply is stored at once, so the care metrics count it."""

    async def write(posts: list[Any]) -> None:
        # At once through the store's write path (care pairs and hours included), whatever backlog
        # the pipeline has; then through the pipeline too (in the background), so that enrichment
        # and the live screens see our reply. Both upsert the same id.
        await asyncio.to_thread(store.upsert_posts, posts)
        task = asyncio.create_task(hub.accept_posts(posts, source_name="inbox"))
        _BACKGROUND.add(task)
        task.add_done_callback(_BACKGROUND.discard)

    try:
        item = await service.reply(
            store=store,
            scope=scope,
            post_id=post_id,
            text=body.text,
            by=person,
            client=_client(hub),
            secrets=await asyncio.to_thread(_secrets, hub),
            write=write,
        )
    except PlatformError as error:
        headers = {}
        if error.retry_after_s is not None:
            headers["Retry-After"] = str(int(error.retry_after_s + 0.999))
        return JSONResponse(error.to_json_dict(), status_code=error.status_code or 502, headers=headers)
    return item.to_json_dict()


@router.post("/inbox/{post_id:path}/close", response_model=InboxItemRead, responses=_REFUSED)
def close(post_id: PostId, body: CloseBody, store: Store, scope: CallerScope, person: Person) -> Any:
    """``{"disposition"}``: resolved, answered, no_action, escalated, duplicate, spam or deleted."""
    return service.close(
        store=store,
        scope=scope,
        post_id=post_id,
        disposition=body.disposition,
        note=body.note,
        by=person,
    ).to_json_dict()


@router.post("/inbox/{post_id:path}/lock", response_model=InboxItemRead, responses=_REFUSED)
def lock(post_id: PostId, store: Store, scope: CallerScope, person: Person) -> Any:
    """Take the post for five minutes (again: extend); 409 naming who holds it otherwise."""
    return service.lock(store=store, scope=scope, post_id=post_id, by=person).to_json_dict()


@router.post("/inbox/{post_id:path}/unlock", response_model=InboxItemRead, responses=_REFUSED)
def unlock(
    post_id: PostId, store: Store, scope: CallerScope, person: Person, principal: CurrentPrincipal
) -> Any:
    """Release the lock (its holder; an administrator may release anyone's)."""
    return service.unlock(
        store=store, scope=scope, post_id=post_id, by=person, force=principal.admin
    ).to_json_dict()


@router.post("/inbox/{post_id:path}/tags", response_model=InboxItemRead, responses=_REFUSED)
def tags(post_id: PostId, body: TagsBody, store: Store, scope: CallerScope, person: Person) -> Any:
    """``{"tags": [...]}`` replaces the post's tags."""
    return service.set_tags(
        store=store, scope=scope, post_id=post_id, tags=body.tags, by=person
    ).to_json_dict()


@router.post("/inbox/{post_id:path}/status", response_model=InboxItemRead, responses=_REFUSED)
def set_status(post_id: PostId, body: StatusBody, store: Store, scope: CallerScope, person: Person) -> Any:
    """``{"status": "waiting"}`` (we wait for the customer) or ``{"status": "new"}`` (back to the
    queue; reopens a closed post)."""
    return service.set_status(
        store=store, scope=scope, post_id=post_id, status=body.status, by=person
    ).to_json_dict()


@router.get("/inbox/{post_id:path}/thread", response_model=InboxThreadRead, responses=_REFUSED)
def thread(post_id: PostId, store: Store, scope: CallerScope) -> Any:
    """The conversation: ``items`` (the posts it answers, the post, the replies under it, oldest
    first; ``ours`` and ``focus`` marked), the ``item`` and its ``events``."""
    return service.thread(store=store, scope=scope, post_id=post_id)


@router.get("/inbox/{post_id:path}", response_model=InboxItemRead, responses=_REFUSED)
def get_item(post_id: PostId, store: Store, scope: CallerScope) -> Any:
    return service.get_item(store=store, scope=scope, post_id=post_id).to_json_dict()
