"""Governance operations: plain functions with keyword-only arguments.

The status machine is :data:`veille.governance.models.ACTIONS`: a review acts on a ``submitted``
request only; the requester (or an admin) changes a request only while changes are asked, which
submits it again. An approval registers the account (``ours``) in the brand-account registry, the
one the care metrics read, owned by the request's team, in the same transaction. Every step is a
comment of the request's thread and an entry of the audit log.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from veille.access import Principal
from veille.accounts.models import handle_key
from veille.accounts.repository import account_values
from veille.clock import from_us, now_us
from veille.errors import Conflict, Forbidden, Invalid, NotFound, invalid_from
from veille.governance.models import ACTIONS, AccountRequest, Comment, RequestSpec, Resources
from veille.sharing import Sharing, creator_of, may_see, record_sharing, sharing_for_new
from veille.sharing.models import SharingFields
from veille.store.audit import record_change
from veille.store.schema import account_request_comments, account_requests, brand_accounts, posts
from veille.store.sql import SqlStore

__all__ = [
    "GovernanceConflict",
    "RequestNotFound",
    "add_comment",
    "file_request",
    "get_request",
    "list_requests",
    "register",
    "review_request",
    "update_request",
]


class RequestNotFound(NotFound):
    def __init__(self, request_id: int) -> None:
        super().__init__(f"no account request with id {request_id}", field="request_id")


class GovernanceConflict(Conflict):
    """A step the request's status does not allow, or a handle already registered (HTTP 409)."""


def _who(principal: Principal | None) -> str:
    return creator_of(principal) or "cli"


def _sharing(row: Any) -> Sharing:
    # Seen by its requester, the members of its team and the admins (the reviewers).
    return Sharing(owner_team=row.owner_team, visibility="team", created_by=row.requested_by)


def _request(row: Any, comments: list[Comment]) -> AccountRequest:
    return AccountRequest(
        id=int(row.id),
        platform=row.platform,
        handle=row.handle,
        country=row.country,
        target_audience=row.audience,
        why_not_addressed=row.not_addressed,
        editorial_line=row.editorial_line,
        resources=Resources(people=int(row.people), hours_per_week=float(row.hours_per_week)),
        goal=row.goal,
        kpis=list(row.kpis),
        brand=row.brand,
        owner_team=row.owner_team,
        status=row.status,
        requested_by=row.requested_by,
        account_id=row.account_id,
        created_at=from_us(int(row.created_us)),
        updated_at=from_us(int(row.updated_us)),
        comments=comments,
    )


def _comments(connection: Connection, request_id: int) -> list[Comment]:
    rows = connection.execute(
        select(account_request_comments)
        .where(account_request_comments.c.request_id == request_id)
        .order_by(account_request_comments.c.at_us, account_request_comments.c.id)
    )
    return [
        Comment(at=from_us(int(row.at_us)), author=row.author, action=row.action, text=row.text)
        for row in rows
    ]


def _comment(connection: Connection, request_id: int, *, author: str, action: str, text: str) -> None:
    connection.execute(
        insert(account_request_comments).values(
            request_id=request_id, at_us=now_us(), author=author, action=action, text=text
        )
    )


def _row(connection: Connection, request_id: int, viewer: Principal | None) -> Any:
    row = connection.execute(select(account_requests).where(account_requests.c.id == request_id)).first()
    if row is None or not may_see(viewer, _sharing(row)):
        raise RequestNotFound(request_id)
    return row


def _spec(body: RequestSpec | dict[str, Any]) -> RequestSpec:
    if isinstance(body, RequestSpec):
        return body
    try:
        return RequestSpec.model_validate(body)
    except ValidationError as error:
        raise invalid_from(error, Invalid) from None


def _checked_account(connection: Connection, spec: RequestSpec, brand: str, request_id: int | None) -> None:
    try:
        account = spec.account_spec(brand=brand)
    except ValidationError as error:
        raise invalid_from(error, Invalid) from None
    taken = connection.execute(
        select(brand_accounts.c.id).where(
            brand_accounts.c.platform == account.platform,
            brand_accounts.c.handle_key == handle_key(account.handle),
        )
    ).first()
    if taken is not None:
        raise GovernanceConflict(
            f"handle: {account.platform}:@{account.handle} is already a registered account (id {taken.id})",
            field="handle",
        )
    pending = select(account_requests.c.id).where(
        account_requests.c.platform == account.platform,
        account_requests.c.handle == account.handle,
        account_requests.c.status.in_(("submitted", "changes_requested")),
    )
    if request_id is not None:
        pending = pending.where(account_requests.c.id != request_id)
    other = connection.execute(pending).first()
    if other is not None:
        raise GovernanceConflict(
            f"handle: request {other.id} already asks for {account.platform}:@{account.handle}",
            field="handle",
        )


def _default_brand(connection: Connection) -> str | None:
    row = connection.execute(
        select(brand_accounts.c.brand).where(brand_accounts.c.ours.is_(True)).order_by(brand_accounts.c.id)
    ).first()
    return None if row is None else str(row.brand)


def _values(spec: RequestSpec, brand: str) -> dict[str, Any]:
    account = spec.account_spec(brand=brand)
    return {
        "platform": account.platform,
        "handle": account.handle,
        "country": account.country,
        "audience": spec.target_audience,
        "not_addressed": spec.why_not_addressed,
        "editorial_line": spec.editorial_line,
        "people": spec.resources.people,
        "hours_per_week": spec.resources.hours_per_week,
        "goal": spec.goal,
        "kpis": spec.kpis,
        "brand": brand,
    }


# -- reads ---------------------------------------------------------------------------------------


def list_requests(
    *, store: SqlStore, viewer: Principal | None = None, status: str | None = None
) -> list[AccountRequest]:
    """The requests ``viewer`` may see (theirs, their teams', all for an admin), newest first."""
    query = select(account_requests).order_by(
        account_requests.c.created_us.desc(), account_requests.c.id.desc()
    )
    if status is not None:
        query = query.where(account_requests.c.status == status)
    with store.engine.connect() as connection:
        rows = [row for row in connection.execute(query) if may_see(viewer, _sharing(row))]
        return [_request(row, []) for row in rows]


def get_request(*, store: SqlStore, request_id: int, viewer: Principal | None = None) -> AccountRequest:
    with store.engine.connect() as connection:
        row = _row(connection, request_id, viewer)
        return _request(row, _comments(connection, request_id))


# -- steps ---------------------------------------------------------------------------------------


def file_request(
    *, store: SqlStore, body: RequestSpec | dict[str, Any], by: Principal | None
) -> AccountRequest:
    """File a request (status ``submitted``) for ``by``'s team (their first by default)."""
    spec = _spec(body)
    sharing = sharing_for_new(by, SharingFields(owner_team=spec.owner_team), store=store)
    moment = now_us()
    with store.engine.begin() as connection:
        brand = spec.brand or _default_brand(connection) or spec.handle
        _checked_account(connection, spec, brand, None)
        result = connection.execute(
            insert(account_requests).values(
                **_values(spec, brand),
                owner_team=sharing.owner_team,
                status="submitted",
                requested_by=_who(by),
                account_id=None,
                created_us=moment,
                updated_us=moment,
            )
        )
        request_id = int(result.inserted_primary_key[0])  # type: ignore[index]
        _comment(connection, request_id, author=_who(by), action="filed", text="")
        record_change(
            connection,
            actor=_who(by),
            action="file",
            object_kind="account_request",
            object_id=request_id,
            after={**_values(spec, brand), "owner_team": sharing.owner_team, "status": "submitted"},
        )
    return get_request(store=store, request_id=request_id, viewer=by)


def update_request(
    *, store: SqlStore, request_id: int, body: RequestSpec | dict[str, Any], by: Principal | None
) -> AccountRequest:
    """The requester's (or an admin's) changed request, while changes are asked: submitted again."""
    spec = _spec(body)
    with store.engine.begin() as connection:
        row = _row(connection, request_id, by)
        if by is not None and not by.admin and row.requested_by != _who(by):
            raise Forbidden(
                f"requested_by: only its requester ({row.requested_by}) or an admin changes request {request_id}",
                field="requested_by",
            )
        if row.status != "changes_requested":
            raise GovernanceConflict(
                f"status: request {request_id} is {row.status}; it can be changed only when changes are asked",
                field="status",
            )
        owner_team = row.owner_team
        if "owner_team" in spec.model_fields_set and spec.owner_team != row.owner_team:
            owner_team = sharing_for_new(
                by, SharingFields(owner_team=spec.owner_team), store=store
            ).owner_team
        brand = spec.brand or row.brand
        _checked_account(connection, spec, brand, request_id)
        values = {**_values(spec, brand), "owner_team": owner_team}
        connection.execute(
            update(account_requests)
            .where(account_requests.c.id == request_id)
            .values(**values, status="submitted", updated_us=now_us())
        )
        _comment(connection, request_id, author=_who(by), action="updated", text="")
        record_change(
            connection,
            actor=_who(by),
            action="update",
            object_kind="account_request",
            object_id=request_id,
            before={"status": row.status},
            after={**values, "status": "submitted"},
        )
    return get_request(store=store, request_id=request_id, viewer=by)


def review_request(
    *, store: SqlStore, request_id: int, action: str, comment: str = "", by: Principal | None
) -> AccountRequest:
    """``approve``, ``reject`` or ``request-changes`` a submitted request (a reviewer: an admin).

    Approving registers the account in the brand-account registry; asking for changes needs a
    comment saying which."""
    if action not in ACTIONS:
        raise Invalid(f"action: must be one of {', '.join(ACTIONS)}", field="action")
    if by is not None and not by.admin:
        raise Forbidden(f"role: reviewing a request needs the admin role (you are {by.role})", field="role")
    if action == "request-changes" and not comment.strip():
        raise Invalid("comment: say which changes are asked", field="comment")
    with store.engine.begin() as connection:
        row = _row(connection, request_id, by)
        if row.status != "submitted":
            raise GovernanceConflict(
                f"status: cannot {action} request {request_id}: it is {row.status} (a review acts on a submitted request)",
                field="status",
            )
        account_id = None
        if action == "approve":
            account_id = _register_account(connection, row, by=by)
        status = ACTIONS[action]
        connection.execute(
            update(account_requests)
            .where(account_requests.c.id == request_id)
            .values(status=status, account_id=account_id, updated_us=now_us())
        )
        _comment(connection, request_id, author=_who(by), action=action, text=comment.strip())
        record_change(
            connection,
            actor=_who(by),
            action=action,
            object_kind="account_request",
            object_id=request_id,
            before={"status": row.status},
            after={"status": status, "account_id": account_id, "comment": comment.strip()},
        )
    return get_request(store=store, request_id=request_id, viewer=by)


def _register_account(connection: Connection, row: Any, *, by: Principal | None) -> int:
    spec = RequestSpec(
        platform=row.platform,
        handle=row.handle,
        country=row.country,
        target_audience=row.audience,
        why_not_addressed=row.not_addressed,
        editorial_line=row.editorial_line,
        resources=Resources(people=int(row.people), hours_per_week=float(row.hours_per_week)),
        goal=row.goal,
        kpis=list(row.kpis),
    )
    _checked_account(connection, spec, row.brand, int(row.id))
    account = spec.account_spec(brand=row.brand)
    account = account.model_copy(update={"owner_team": row.owner_team, "visibility": "organisation"})
    moment = now_us()
    sharing = Sharing(owner_team=row.owner_team, visibility="organisation", created_by=row.requested_by)
    result = connection.execute(
        insert(brand_accounts).values(
            **account_values(account), created_by=row.requested_by, created_us=moment, updated_us=moment
        )
    )
    account_id = int(result.inserted_primary_key[0])  # type: ignore[index]
    record_change(
        connection,
        actor=_who(by),
        action="create",
        object_kind="account",
        object_id=account_id,
        after={
            "platform": account.platform,
            "handle": account.handle,
            "brand": account.brand,
            "request": int(row.id),
        },
    )
    record_sharing(
        connection, actor=_who(by), kind="account", object_id=account_id, before=None, after=sharing
    )
    return account_id


def add_comment(*, store: SqlStore, request_id: int, text: str, by: Principal | None) -> AccountRequest:
    """A comment in the request's thread (whoever sees the request and may write)."""
    if not text.strip():
        raise Invalid("text: a comment says something", field="text")
    with store.engine.begin() as connection:
        _row(connection, request_id, by)
        _comment(connection, request_id, author=_who(by), action="comment", text=text.strip())
    return get_request(store=store, request_id=request_id, viewer=by)


# -- the register --------------------------------------------------------------------------------


def _last_activity(connection: Connection, platform: str, key: str) -> int | None:
    row = connection.execute(
        select(posts.c.created_us)
        .where(posts.c.author_handle == key, posts.c.source == platform)
        .order_by(posts.c.created_us.desc())
        .limit(1)
    ).first()
    return None if row is None else int(row.created_us)


def register(*, store: SqlStore, viewer: Principal | None = None) -> list[dict[str, Any]]:
    """Every official account (ours) the caller may see, and the requests still under review:
    ``{"platform", "handle", "account", "brand", "country", "owner_team", "status", "account_id",
    "request_id", "last_activity"}`` (``last_activity``: the newest post by that handle, or null)."""
    from veille.accounts import service as accounts

    with store.engine.connect() as connection:
        approved = {
            int(row.account_id): int(row.id)
            for row in connection.execute(
                select(account_requests.c.id, account_requests.c.account_id).where(
                    account_requests.c.account_id.is_not(None)
                )
            )
        }
        entries: list[dict[str, Any]] = []
        for account in accounts.list_accounts(store=store, viewer=viewer):
            if not account.ours:
                continue
            last = _last_activity(connection, account.platform, handle_key(account.handle))
            entries.append(
                {
                    "platform": account.platform,
                    "handle": account.handle,
                    "account": account.label,
                    "brand": account.brand,
                    "country": account.country,
                    "owner_team": account.owner_team,
                    "status": "approved" if account.id in approved else "registered",
                    "account_id": account.id,
                    "request_id": approved.get(account.id),
                    "last_activity": None
                    if last is None
                    else from_us(last).isoformat().replace("+00:00", "Z"),
                }
            )
    for request in list_requests(store=store, viewer=viewer):
        if request.status in ("submitted", "changes_requested"):
            entries.append(
                {
                    "platform": request.platform,
                    "handle": request.handle,
                    "account": f"{request.platform}:@{request.handle}",
                    "brand": request.brand,
                    "country": request.country,
                    "owner_team": request.owner_team,
                    "status": request.status,
                    "account_id": None,
                    "request_id": request.id,
                    "last_activity": None,
                }
            )
    return sorted(
        entries, key=lambda entry: (entry["brand"].casefold(), entry["platform"], entry["handle"].casefold())
    )
