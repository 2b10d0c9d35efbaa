"""The inbox: every inbound post to our accounts in a queue a desk works through.

Which posts: the care metrics' inbound posts (``shared/spec/care-metrics.md``,
:func:`veille.analytics.care.find_inbound_pairs`) of the brand accounts registered as ours, inside
the caller's scope. A post without a stored state is ``new``; once one of our accounts answered it
(through the hub or on the platform itself) it is ``replied``, so the queue and the care metrics
read the same replies.

How a post moves (anything else is refused with a sentence naming both statuses)::

    new ──assign──▶ assigned ──reply──▶ replied ──close──▶ closed
     │  ◀─unassign─┘   │                  ▲                 │
     ├──── waiting ◀───┘ ── reply ────────┘                 │
     └──────────────── close ───────────────────────────────┤
    closed ──reopen (status new)──▶ new / assigned ◀─────────┘

A lock is a lease (:data:`LOCK_SECONDS`): the person answering holds it, nobody else can reply
while it runs (409 naming who holds it and until when), and it ends by itself. Replying takes the
lock first, so two people pressing "send" at once never both post.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC
from typing import Any

import httpx

from veille.accounts.hours import business_seconds
from veille.accounts.models import BrandAccount
from veille.accounts.repository import list_accounts
from veille.clock import from_us, now_us, rfc3339_from_us
from veille.errors import Conflict, Invalid, NotFound
from veille.inbox import repository
from veille.inbox.models import (
    DEFAULT_SLA_S,
    LOCK_SECONDS,
    OPEN_STATUSES,
    VARIABLES,
    InboxItem,
    Lock,
    SavedReply,
    SavedReplySpec,
    ScopeLike,
)
from veille.inbox.priority import priority_of
from veille.inbox.replies import (
    CREDENTIAL_FIELDS,
    DEFAULT_ENDPOINTS,
    PlatformError,
    ReplyRequest,
    send_reply,
    supported,
)
from veille.inbox.sla import sla_clock
from veille.model import Author, Post
from veille.security.secrets import SecretBox
from veille.store.sql import SqlStore

__all__ = [
    "DEFAULT_DAYS",
    "InboundPair",
    "InboxError",
    "Writer",
    "assign",
    "close",
    "create_saved_reply",
    "delete_saved_reply",
    "desk_settings",
    "find_inbound_pairs",
    "get_item",
    "list_saved_replies",
    "lock",
    "queue",
    "render",
    "reply",
    "save_desk_settings",
    "set_status",
    "set_tags",
    "summary",
    "thread",
    "unlock",
    "update_saved_reply",
]

DEFAULT_DAYS = 14
Writer = Callable[[list[Post]], Awaitable[Any]]
_DAY_US = 86_400_000_000


class InboxError(Invalid):
    """A refused inbox request (422, naming the field)."""


class InboxNotFound(InboxError, NotFound):
    """Not an inbound post of our accounts in the caller's scope (404)."""


class InboxConflict(InboxError, Conflict):
    """The post's state does not allow it (a transition, a lock someone else holds): 409."""


# -- reading ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InboundPair:
    """One inbound post of one of our accounts, with its first response (``None``: not answered)."""

    post_id: str
    account_id: int
    created_us: int
    first_response_us: int | None
    country: str | None  # the post's own country, else the account's


def find_inbound_pairs(
    *,
    store: SqlStore,
    scope: ScopeLike,
    accounts: Sequence[BrandAccount],
    start_us: int,
    end_us: int,
    post_id: str | None = None,
) -> list[InboundPair]:
    """The care metrics' inbound posts (``shared/spec/care-metrics.md``) of ``accounts`` created in
    ``[start_us, end_us)``, inside ``scope``: read from ``care_pairs``, the pairing the write path
    keeps exact (:mod:`veille.store.care_hours`), less the posts by an account of the same brand."""
    in_scope = [account for account in accounts if scope.sources is None or account.platform in scope.sources]
    if not in_scope:
        return []
    repository.fresh_pairs(store)
    by_key = {account.key: account for account in in_scope}
    brand_of_author = {account.key: account.brand for account in list_accounts(store)}
    with store.engine.connect() as connection:
        rows = repository.inbound_rows(
            connection,
            keys=sorted(by_key),
            start_us=start_us,
            end_us=end_us,
            post_id=post_id,
            topics_in=scope.topics,
        )
    pairs: list[InboundPair] = []
    for row in rows:
        account = by_key[(row.source, row.handle)]
        if brand_of_author.get((row.source, row.author_handle)) == account.brand:
            continue
        country = row.country or account.country
        if scope.countries is not None and country not in scope.countries:
            continue
        pairs.append(InboundPair(row.post_id, account.id, row.created_us, row.first_response_us, country))
    return pairs


def _our_accounts(store: SqlStore) -> list[BrandAccount]:
    return [account for account in list_accounts(store) if account.ours]


def _account_json(account: BrandAccount) -> dict[str, Any]:
    return {
        "id": account.id,
        "account": account.label,
        "platform": account.platform,
        "handle": account.handle,
        "brand": account.brand,
        "country": account.country,
        "business_hours": account.business_hours.model_dump() if account.business_hours else None,
    }


def _status(state: repository.StateRow | None, first_response_us: int | None) -> str:
    status = state.status if state else "new"
    if first_response_us is not None and status in ("new", "assigned"):
        return "replied"
    return status


def _lock(state: repository.StateRow | None, now: int) -> Lock | None:
    if (
        state is None
        or state.lock_holder is None
        or state.lock_until_us is None
        or state.lock_until_us <= now
    ):
        return None
    return Lock(state.lock_holder, state.lock_until_us)


def _items(
    store: SqlStore,
    pairs: Sequence[InboundPair],
    accounts: dict[int, BrandAccount],
    *,
    now: int,
) -> list[InboxItem]:
    # A post addressing two of our accounts is one item: the first account (by id) takes it.
    chosen: dict[str, InboundPair] = {}
    for pair in sorted(pairs, key=lambda p: p.account_id):
        chosen.setdefault(pair.post_id, pair)
    ids = sorted(chosen)
    with store.engine.connect() as connection:
        found = repository.posts_by_id(connection, ids)
        state_rows = repository.states(connection, ids)
        sensitive = repository.sensitive_topics(connection)
        desks = repository.desk_rows(connection)
    items: list[InboxItem] = []
    for post_id, pair in chosen.items():
        post = found.get(post_id)
        if post is None:
            continue
        account = accounts[pair.account_id]
        state = state_rows.get(post_id)
        if state is not None and state.account_id != account.id and state.account_id in accounts:
            account = accounts[state.account_id]
        status = _status(state, pair.first_response_us)
        desk = desks.get(account.id)
        sla_s = desk.sla_s if desk else DEFAULT_SLA_S
        hours = account.business_hours
        clock = sla_clock(
            hours=hours,
            created_us=pair.created_us,
            sla_s=sla_s,
            now_us=now,
            answered_us=pair.first_response_us,
            closed=status == "closed",
        )
        until = pair.first_response_us or (state.updated_us if status == "closed" and state else now)
        if hours is None:
            waited = max(0, until - pair.created_us) / 1_000_000
        else:
            waited = business_seconds(hours, pair.created_us, until) if until > pair.created_us else 0.0
        sentiment = post.sentiment
        priority = priority_of(
            followers=post.author.followers,
            sentiment_label=sentiment.label if sentiment else None,
            sentiment_score=sentiment.score if sentiment else None,
            sensitive_topics=sorted(match.name for match in post.topics if match.name in sensitive),
            waited_s=waited if status in OPEN_STATUSES else 0.0,
            sla_s=sla_s,
        )
        items.append(
            InboxItem(
                post_id=post_id,
                post=post.to_json_dict(),
                account=_account_json(account),
                status=status,
                priority=priority.to_json_dict(),
                sla=clock.to_json_dict(),
                created_us=pair.created_us,
                waited_s=waited,
                assignee=state.assignee if state else None,
                team=state.team if state else None,
                lock=_lock(state, now),
                tags=state.tags if state else [],
                disposition=state.disposition if state else None,
                first_response_us=pair.first_response_us,
                reply_post_id=state.reply_post_id if state else None,
                last_error=state.last_error if state else None,
                updated_by=state.updated_by if state else None,
                updated_us=state.updated_us if state else None,
            )
        )
    return items


def _order(item: InboxItem) -> tuple[int, float, int]:
    return (0 if item.status in OPEN_STATUSES else 1, -float(item.priority["score"]), item.created_us)


def _account_matches(account: dict[str, Any], wanted: str) -> bool:
    wanted = wanted.strip()
    if wanted.isdigit():
        return int(wanted) == account["id"]
    folded = wanted.lower().replace("@", "")
    return folded in (str(account["account"]).lower().replace("@", ""), str(account["handle"]).lower())


def _assignee_matches(item: InboxItem, wanted: str, caller: str) -> bool:
    if wanted == "none":
        return item.assignee is None and item.team is None
    if wanted == "me":
        return item.assignee == caller
    if wanted.startswith("team:"):
        return item.team == wanted.removeprefix("team:")
    return item.assignee == wanted


def queue(
    *,
    store: SqlStore,
    scope: ScopeLike,
    caller: str,
    status: Sequence[str] = (),
    account: str | None = None,
    assignee: str | None = None,
    days: int = DEFAULT_DAYS,
    limit: int = 200,
    now: int | None = None,
) -> list[InboxItem]:
    """The queue: inbound posts of our accounts from the last ``days``, open ones first, by
    priority then age; filtered by status, account (id or ``x:@handle``) and assignee (a name,
    ``me``, ``none`` or ``team:NAME``)."""
    moment = now_us() if now is None else now
    ours = _our_accounts(store)
    if account:
        ours_json = {acc.id: _account_json(acc) for acc in ours}
        ours = [acc for acc in ours if _account_matches(ours_json[acc.id], account)]
        if not ours:
            raise InboxNotFound(
                f"no account of ours is {account!r} (an id, or a label such as x:@NovaCare)", field="account"
            )
    pairs = find_inbound_pairs(
        store=store, scope=scope, accounts=ours, start_us=moment - days * _DAY_US, end_us=moment + 1
    )
    items = _items(store, pairs, {acc.id: acc for acc in ours}, now=moment)
    if status:
        wanted = set(status)
        items = [item for item in items if item.status in wanted]
    if assignee:
        items = [item for item in items if _assignee_matches(item, assignee, caller)]
    items.sort(key=_order)
    return items[:limit]


def summary(
    *, store: SqlStore, scope: ScopeLike, caller: str, days: int = DEFAULT_DAYS, now: int | None = None
) -> dict[str, Any]:
    """What a monitoring screen shows: open posts, the oldest still waiting, SLA breaches."""
    moment = now_us() if now is None else now
    items = queue(store=store, scope=scope, caller=caller, days=days, limit=1_000_000, now=moment)
    open_items = [item for item in items if item.status in OPEN_STATUSES]
    by_status = {name: 0 for name in ("new", "assigned", "waiting", "replied", "closed")}
    for item in items:
        by_status[item.status] += 1
    oldest = min(open_items, key=lambda item: item.created_us, default=None)
    return {
        "queue": len(open_items),
        "by_status": by_status,
        "breached": sum(1 for item in open_items if item.sla["breached"]),
        "urgent": sum(1 for item in open_items if item.priority["level"] == "urgent"),
        "oldest": None
        if oldest is None
        else {
            "post_id": oldest.post_id,
            "created_at": rfc3339_from_us(oldest.created_us),
            "waiting_s": (moment - oldest.created_us) / 1_000_000,
            "author": oldest.post["author"]["handle"],
            "account": oldest.account["account"],
        },
        "top": [item.to_json_dict() for item in open_items[:5]],
        "now": rfc3339_from_us(moment),
    }


def get_item(*, store: SqlStore, scope: ScopeLike, post_id: str, now: int | None = None) -> InboxItem:
    """One item; 404 when the post is not an inbound post of our accounts inside the scope."""
    moment = now_us() if now is None else now
    post = store.get_post(post_id)
    if post is None:
        raise InboxNotFound(f"no post with id {post_id!r} in the inbox", field="post_id")
    ours = _our_accounts(store)
    created = int(post.created_at.timestamp() * 1_000_000)
    created = _created_us(store, post_id, created)
    pairs = [
        pair
        for pair in find_inbound_pairs(
            store=store, scope=scope, accounts=ours, start_us=created, end_us=created + 1
        )
        if pair.post_id == post_id
    ]
    items = _items(store, pairs, {acc.id: acc for acc in ours}, now=moment)
    if not items:
        raise InboxNotFound(
            f"post {post_id!r} is not in the inbox (not addressed to one of our accounts, or outside your teams)",
            field="post_id",
        )
    return items[0]


def _created_us(store: SqlStore, post_id: str, fallback: int) -> int:
    from sqlalchemy import select

    from veille.store.schema import posts

    with store.engine.connect() as connection:
        value = connection.execute(
            select(posts.c.created_us).where(posts.c.id == post_id)
        ).scalar_one_or_none()
    return int(value) if value is not None else fallback


def thread(*, store: SqlStore, scope: ScopeLike, post_id: str) -> dict[str, Any]:
    """The whole conversation around an item: the posts it answers (up to the first), the post,
    and the replies under it (two levels), oldest first; ``ours`` marks our accounts' posts."""
    item = get_item(store=store, scope=scope, post_id=post_id)
    ours = {(acc.platform, acc.handle.lower()) for acc in _our_accounts(store)}
    chain: list[Post] = []
    with store.engine.connect() as connection:
        current = repository.posts_by_id(connection, [post_id]).get(post_id)
        seen = {post_id}
        parent_id = current.reply_to if current else None
        while parent_id and parent_id not in seen and len(chain) < 30:
            seen.add(parent_id)
            parent = repository.posts_by_id(connection, [parent_id]).get(parent_id)
            if parent is None:
                break
            chain.insert(0, parent)
            parent_id = parent.reply_to
        below = repository.replies_to(connection, [post_id])
        deeper = repository.replies_to(connection, [p.id for p in below]) if below else []
        events = repository.events(connection, post_id)
    everything = [*chain, *([current] if current else []), *below, *deeper]
    unique: dict[str, Post] = {}
    for post in everything:
        if (
            scope.allows_post(source=post.source, country=post.country, topics=(m.name for m in post.topics))
            or (
                post.source,
                post.author.handle.lower(),
            )
            in ours
        ):
            unique.setdefault(post.id, post)
    ordered = sorted(unique.values(), key=lambda p: p.created_at)
    return {
        "post_id": post_id,
        "item": item.to_json_dict(),
        "items": [
            {
                **post.to_json_dict(),
                "ours": (post.source, post.author.handle.lower()) in ours,
                "focus": post.id == post_id,
            }
            for post in ordered
        ],
        "events": [{**event, "at": rfc3339_from_us(event.pop("at_us"))} for event in events],
    }


# -- changing --------------------------------------------------------------------------------------


def _refuse(action: str, status: str, item: InboxItem) -> InboxConflict:
    hint = {
        "closed": "reopen it first (status new)",
        "replied": "it was answered; close it, or reopen it",
    }.get(status, "")
    by = f" by {item.updated_by}" if item.updated_by else ""
    return InboxConflict(
        f"cannot {action} post {item.post_id}: it is {status}{by}" + (f"; {hint}" if hint else ""),
        field="status",
    )


def _write(
    store: SqlStore,
    item: InboxItem,
    *,
    by: str,
    action: str,
    detail: dict[str, Any],
    now: int,
    **values: Any,
) -> None:
    with store.engine.begin() as connection:
        repository.ensure_state(
            store, connection, post_id=item.post_id, account_id=item.account["id"], by=by, now=now
        )
        repository.update_state(connection, item.post_id, updated_by=by, updated_us=now, **values)
        repository.add_event(connection, post_id=item.post_id, who=by, action=action, detail=detail, now=now)


def _held_by_other(item: InboxItem, by: str) -> InboxConflict | None:
    if item.lock is not None and item.lock.holder != by:
        return InboxConflict(
            f"post {item.post_id} is locked by {item.lock.holder} until {rfc3339_from_us(item.lock.until_us)}: "
            "they are answering it",
            field="lock",
        )
    return None


def assign(
    *, store: SqlStore, scope: ScopeLike, post_id: str, assignee: str | None, team: str | None, by: str
) -> InboxItem:
    """Give the post to a person and/or a team (both null: back to the queue)."""
    item = get_item(store=store, scope=scope, post_id=post_id)
    if item.status == "closed":
        raise _refuse("assign", item.status, item)
    with store.engine.connect() as connection:
        if assignee and not repository.user_exists(connection, assignee):
            raise InboxNotFound(f"no user named {assignee!r}", field="assignee")
        if team and not repository.team_exists(connection, team):
            raise InboxNotFound(f"no team named {team!r}", field="team")
    now = now_us()
    if assignee or team:
        status = item.status if item.status in ("waiting", "replied") else "assigned"
        _write(
            store,
            item,
            by=by,
            action="assigned",
            detail={"assignee": assignee, "team": team},
            now=now,
            assignee=assignee,
            team=team,
            status=status,
        )
    else:
        status = "new" if item.status == "assigned" else item.status
        _write(
            store,
            item,
            by=by,
            action="unassigned",
            detail={},
            now=now,
            assignee=None,
            team=None,
            status=status,
        )
    return get_item(store=store, scope=scope, post_id=post_id)


def set_status(*, store: SqlStore, scope: ScopeLike, post_id: str, status: str, by: str) -> InboxItem:
    """``waiting`` (we wait for the customer) from new, assigned or replied; ``new`` gives a waiting
    post back to the queue or reopens a closed one (``assigned`` when it has an assignee)."""
    item = get_item(store=store, scope=scope, post_id=post_id)
    now = now_us()
    if status == "waiting":
        if item.status not in ("new", "assigned", "replied"):
            raise _refuse("set waiting", item.status, item)
        _write(store, item, by=by, action="waiting", detail={}, now=now, status="waiting")
    else:
        if item.status not in ("waiting", "closed"):
            raise _refuse("reopen", item.status, item)
        back = "assigned" if (item.assignee or item.team) else "new"
        _write(
            store,
            item,
            by=by,
            action="reopened",
            detail={"status": back},
            now=now,
            status=back,
            disposition=None,
        )
    return get_item(store=store, scope=scope, post_id=post_id)


def set_tags(*, store: SqlStore, scope: ScopeLike, post_id: str, tags: list[str], by: str) -> InboxItem:
    item = get_item(store=store, scope=scope, post_id=post_id)
    _write(store, item, by=by, action="tagged", detail={"tags": tags}, now=now_us(), tags=tags)
    return get_item(store=store, scope=scope, post_id=post_id)


def close(
    *, store: SqlStore, scope: ScopeLike, post_id: str, disposition: str, note: str | None, by: str
) -> InboxItem:
    """Close the post with its disposition (resolved, answered, no_action, escalated, duplicate,
    spam, deleted); a closed post cannot be closed again."""
    item = get_item(store=store, scope=scope, post_id=post_id)
    if item.status == "closed":
        raise _refuse("close", item.status, item)
    conflict = _held_by_other(item, by)
    if conflict:
        raise conflict
    _write(
        store,
        item,
        by=by,
        action="closed",
        detail={"disposition": disposition, "note": note},
        now=now_us(),
        status="closed",
        disposition=disposition,
        lock_holder=None,
        lock_until_us=None,
    )
    return get_item(store=store, scope=scope, post_id=post_id)


def lock(
    *, store: SqlStore, scope: ScopeLike, post_id: str, by: str, seconds: int = LOCK_SECONDS
) -> InboxItem:
    """Take (or extend) the lease; 409 naming the holder when someone else has it."""
    item = get_item(store=store, scope=scope, post_id=post_id)
    if item.status == "closed":
        raise _refuse("lock", item.status, item)
    now = now_us()
    with store.engine.begin() as connection:
        repository.ensure_state(
            store, connection, post_id=post_id, account_id=item.account["id"], by=by, now=now
        )
        taken = repository.acquire_lock(
            connection, post_id=post_id, holder=by, until_us=now + seconds * 1_000_000, now=now
        )
        if taken:
            repository.add_event(
                connection, post_id=post_id, who=by, action="locked", detail={"seconds": seconds}, now=now
            )
    fresh = get_item(store=store, scope=scope, post_id=post_id)
    if not taken:
        conflict = _held_by_other(fresh, by)
        raise conflict or InboxConflict(f"post {post_id} is locked by someone else", field="lock")
    return fresh


def unlock(*, store: SqlStore, scope: ScopeLike, post_id: str, by: str, force: bool = False) -> InboxItem:
    """Release the lease; only its holder may (an administrator with ``force``)."""
    item = get_item(store=store, scope=scope, post_id=post_id)
    if item.lock is None:
        return item
    if item.lock.holder != by and not force:
        conflict = _held_by_other(item, by)
        assert conflict is not None
        raise conflict
    _write(
        store,
        item,
        by=by,
        action="unlocked",
        detail={"holder": item.lock.holder},
        now=now_us(),
        lock_holder=None,
        lock_until_us=None,
    )
    return get_item(store=store, scope=scope, post_id=post_id)


# -- replying --------------------------------------------------------------------------------------

_VARIABLE = re.compile(r"\{([a-z_]+)\}")


def render(text: str, *, item: InboxItem, agent: str) -> str:
    """The reply with its ``{variables}`` filled for this post; an unknown one is refused."""
    author = item.post["author"]
    name = (author.get("name") or author["handle"]).strip()
    values = {
        "author": "@" + str(author["handle"]),
        "first_name": name.split()[0] if name else str(author["handle"]),
        "account": "@" + str(item.account["handle"]),
        "brand": str(item.account["brand"]),
        "agent": agent,
    }
    unknown = sorted({match for match in _VARIABLE.findall(text) if match not in values})
    if unknown:
        raise InboxError(
            f"unknown variable {{{unknown[0]}}}; known: " + ", ".join(f"{{{v}}}" for v in VARIABLES),
            field="text",
        )
    return _VARIABLE.sub(lambda match: values[match.group(1)], text)


def _credentials(store: SqlStore, secrets: SecretBox, account: dict[str, Any]) -> tuple[str, dict[str, str]]:
    with store.engine.connect() as connection:
        desk = repository.desk_rows(connection).get(account["id"])
    platform = account["platform"]
    if desk is None or not desk.credentials:
        raise InboxError(
            f"{account['account']} has no write credentials: an administrator adds them in the account's "
            "desk settings (PUT /api/v1/inbox/accounts/{account_id})",
            field="credentials",
        )
    clear = {key: str(secrets.reveal(value)) for key, value in dict(desk.credentials).items()}
    endpoint = desk.endpoint or DEFAULT_ENDPOINTS.get(platform, "")
    return endpoint, clear


async def reply(
    *,
    store: SqlStore,
    scope: ScopeLike,
    post_id: str,
    text: str,
    by: str,
    client: httpx.AsyncClient,
    secrets: SecretBox,
    write: Writer,
) -> InboxItem:
    """Answer the post through its platform with the account's credentials, then store our reply at
    once as our account's post (``reply_to`` the customer's) through the normal write path, so the
    care metrics count it; the post becomes ``replied`` and its lock is released.

    Refused before anything is sent: a closed post, a lock held by someone else, no credentials, a
    platform without a write API. A platform's refusal (:class:`PlatformError`) is kept on the item
    (``last_error``) and raised with its words.
    """
    item = await asyncio.to_thread(get_item, store=store, scope=scope, post_id=post_id)
    if item.status == "closed":
        raise _refuse("reply to", item.status, item)
    platform = item.account["platform"]
    if not supported(platform):
        raise InboxError(
            f"the hub cannot answer on {platform!r} (it answers on Mastodon, Bluesky, X, Reddit and YouTube): "
            "answer on the platform itself; the reply is counted when it is collected",
            field="platform",
        )
    message = render(text, item=item, agent=by)
    await asyncio.to_thread(lock, store=store, scope=scope, post_id=post_id, by=by)
    endpoint, credentials = await asyncio.to_thread(_credentials, store, secrets, item.account)
    missing = [name for name in CREDENTIAL_FIELDS.get(platform, ()) if not credentials.get(name)]
    if missing and not (platform == "bluesky" and missing == ["identifier"]):
        raise InboxError(
            f"{item.account['account']} credentials lack {', '.join(missing)}", field="credentials"
        )
    request = ReplyRequest(
        platform=platform,
        parent_id=post_id,
        parent_url=item.post.get("url"),
        text=message,
        endpoint=endpoint,
        credentials=credentials,
        account_handle=item.account["handle"],
    )
    try:
        posted = await send_reply(client=client, request=request)
    except PlatformError as error:
        await asyncio.to_thread(
            _write,
            store,
            item,
            by=by,
            action="reply_failed",
            detail={"kind": error.kind, "http_status": error.http_status, "message": str(error)},
            now=now_us(),
            last_error=str(error),
        )
        raise
    moment = now_us()
    ours = Post(
        id=posted.post_id,
        source=platform,
        url=posted.url,
        created_at=from_us(moment).astimezone(UTC),
        text=message,
        lang=item.post.get("lang"),
        author=Author(handle=item.account["handle"], name=item.account["brand"]),
        reply_to=post_id,
        country=item.account.get("country"),
        is_brand_account=True,
        extra={"inbox": {"by": by, **({"platform": posted.extra} if posted.extra else {})}},
    )
    await write([ours])
    await asyncio.to_thread(
        _write,
        store,
        item,
        by=by,
        action="replied",
        detail={"reply_post_id": posted.post_id, "text": message},
        now=moment,
        status="replied",
        reply_post_id=posted.post_id,
        last_error=None,
        lock_holder=None,
        lock_until_us=None,
    )
    return await asyncio.to_thread(get_item, store=store, scope=scope, post_id=post_id)


# -- saved replies -----------------------------------------------------------------------------------


def list_saved_replies(
    *, store: SqlStore, lang: str | None = None, kind: str | None = None
) -> list[SavedReply]:
    with store.engine.connect() as connection:
        return repository.list_saved_replies(connection, lang=lang, kind=kind)


def _saved_or_404(connection: Any, reply_id: int) -> SavedReply:
    found = repository.get_saved_reply(connection, reply_id)
    if found is None:
        raise InboxNotFound(f"no saved reply with id {reply_id}", field="reply_id")
    return found


def create_saved_reply(*, store: SqlStore, spec: SavedReplySpec, by: str) -> SavedReply:
    with store.engine.begin() as connection:
        new_id = repository.insert_saved_reply(connection, spec, by=by, now=now_us())
        return _saved_or_404(connection, new_id)


def update_saved_reply(*, store: SqlStore, reply_id: int, spec: SavedReplySpec) -> SavedReply:
    with store.engine.begin() as connection:
        if not repository.update_saved_reply(connection, reply_id, spec, now=now_us()):
            raise InboxNotFound(f"no saved reply with id {reply_id}", field="reply_id")
        return _saved_or_404(connection, reply_id)


def delete_saved_reply(*, store: SqlStore, reply_id: int) -> None:
    with store.engine.begin() as connection:
        if not repository.delete_saved_reply(connection, reply_id):
            raise InboxNotFound(f"no saved reply with id {reply_id}", field="reply_id")


# -- desk settings ---------------------------------------------------------------------------------


def _desk_json(account: BrandAccount, desk: repository.DeskRow | None) -> dict[str, Any]:
    stored = dict(desk.credentials or {}) if desk else {}
    return {
        "account_id": account.id,
        "account": account.label,
        "platform": account.platform,
        "sla_s": desk.sla_s if desk else DEFAULT_SLA_S,
        "endpoint": (desk.endpoint if desk else None) or DEFAULT_ENDPOINTS.get(account.platform),
        "can_reply": supported(account.platform),
        "credential_fields": list(CREDENTIAL_FIELDS.get(account.platform, ())),
        "credentials_set": sorted(stored),
        "updated_by": desk.updated_by if desk else None,
        "updated_at": rfc3339_from_us(desk.updated_us) if desk else None,
    }


def desk_settings(*, store: SqlStore) -> list[dict[str, Any]]:
    """Every account of ours with its SLA, endpoint and which credentials are set (never their values)."""
    with store.engine.connect() as connection:
        desks = repository.desk_rows(connection)
    return [_desk_json(account, desks.get(account.id)) for account in _our_accounts(store)]


def save_desk_settings(
    *,
    store: SqlStore,
    account_id: int,
    sla_s: float,
    endpoint: str | None,
    credentials: dict[str, str] | None,
    secrets: SecretBox,
    by: str,
) -> dict[str, Any]:
    account = next((acc for acc in _our_accounts(store) if acc.id == account_id), None)
    if account is None:
        raise InboxNotFound(f"no account of ours with id {account_id}", field="account_id")
    if credentials:
        allowed = CREDENTIAL_FIELDS.get(account.platform, ())
        for name in credentials:
            if name not in allowed:
                raise InboxError(
                    f"credentials.{name}: {account.platform} takes "
                    + (", ".join(allowed) or "no credentials"),
                    field=f"credentials.{name}",
                )
    with store.engine.begin() as connection:
        current = repository.desk_rows(connection).get(account_id)
        sealed: Any = current.credentials if current else None
        if credentials is not None:
            sealed = {name: secrets.seal(value) for name, value in credentials.items() if value} or None
        repository.save_desk(
            store,
            connection,
            {
                "account_id": account_id,
                "sla_s": sla_s,
                "endpoint": endpoint,
                "credentials": sealed,
                "updated_by": by,
                "updated_us": now_us(),
            },
        )
        desk = repository.desk_rows(connection).get(account_id)
    return _desk_json(account, desk)
