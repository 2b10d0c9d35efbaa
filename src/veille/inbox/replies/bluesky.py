"""Bluesky: ``com.atproto.server.createSession`` (handle or DID + app password), then
``com.atproto.repo.createRecord`` of an ``app.bsky.feed.post`` with ``reply: {root, parent}``
strong references (``{uri, cid}``).

The parent's ``cid`` and its thread's root come from ``com.atproto.repo.getRecord``: a deleted
parent answers 400 ``RecordNotFound``. XRPC errors are ``{"error": "ExpiredToken", "message": ...}``;
a rate limit is a 429 with ``RateLimit-Reset`` (epoch seconds).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from veille.inbox.replies.base import (
    PlatformError,
    PostedReply,
    ReplyRequest,
    error_from_response,
    json_body,
    network_error,
)

__all__ = ["reply"]

PLATFORM = "bluesky"
_POST = "app.bsky.feed.post"
_GONE = {"RecordNotFound", "NotFound", "InvalidRequest"}


def _message(response: httpx.Response) -> tuple[str | None, str | None]:
    body = json_body(response)
    if isinstance(body, dict):
        error = body.get("error") if isinstance(body.get("error"), str) else None
        message = body.get("message") if isinstance(body.get("message"), str) else None
        return error, (f"{error}: {message}" if error and message else error or message)
    return None, None


def _refused(response: httpx.Response, *, gone_allowed: bool = False) -> PlatformError:
    code, said = _message(response)
    expired = code in ("ExpiredToken", "InvalidToken", "AuthenticationRequired", "AuthFactorTokenRequired")
    gone = gone_allowed and code in _GONE
    return error_from_response(
        response, platform=PLATFORM, platform_message=said, gone=gone, status=401 if expired else None
    )


async def reply(*, client: httpx.AsyncClient, request: ReplyRequest) -> PostedReply:
    base = request.endpoint.rstrip("/") + "/xrpc"
    uri = request.parent_id.removeprefix("bluesky:")
    parts = uri.removeprefix("at://").split("/")
    if len(parts) != 3:
        raise PlatformError(
            f"{request.parent_id!r} is not a Bluesky post address (at://did/collection/rkey)",
            platform=PLATFORM,
            kind="refused",
        )
    repo, collection, rkey = parts
    try:
        session = await client.post(
            f"{base}/com.atproto.server.createSession",
            json={
                "identifier": request.credentials.get("identifier") or request.account_handle,
                "password": request.credentials.get("app_password", ""),
            },
        )
        if session.status_code != 200:
            raise _refused(session)
        opened = json_body(session) or {}
        jwt, did = opened.get("accessJwt"), opened.get("did")
        if not jwt or not did:
            raise error_from_response(session, platform=PLATFORM, platform_message="no session in the answer")
        headers = {"Authorization": f"Bearer {jwt}"}
        found = await client.get(
            f"{base}/com.atproto.repo.getRecord",
            params={"repo": repo, "collection": collection, "rkey": rkey},
            headers=headers,
        )
        if found.status_code != 200:
            raise _refused(found, gone_allowed=True)
        record = json_body(found) or {}
        parent = {"uri": record.get("uri") or uri, "cid": record.get("cid")}
        if not parent["cid"]:
            raise error_from_response(
                found, platform=PLATFORM, platform_message="the post has no cid", gone=True
            )
        value: dict[str, Any] = record["value"] if isinstance(record.get("value"), dict) else {}
        thread = value["reply"] if isinstance(value.get("reply"), dict) else None
        root = thread.get("root") if thread and isinstance(thread.get("root"), dict) else parent
        created = await client.post(
            f"{base}/com.atproto.repo.createRecord",
            json={
                "repo": did,
                "collection": _POST,
                "record": {
                    "$type": _POST,
                    "text": request.text,
                    "createdAt": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
                    "reply": {"root": root, "parent": parent},
                },
            },
            headers=headers,
        )
    except PlatformError:
        raise
    except httpx.HTTPError as error:
        raise network_error(error, platform=PLATFORM) from error
    if created.status_code != 200:
        raise _refused(created, gone_allowed=True)
    body = json_body(created) or {}
    new_uri = body.get("uri")
    if not new_uri:
        raise error_from_response(created, platform=PLATFORM, platform_message="no uri in the answer")
    new_rkey = str(new_uri).rsplit("/", 1)[-1]
    return PostedReply(
        post_id=f"bluesky:{new_uri}",
        url=f"https://bsky.app/profile/{request.account_handle}/post/{new_rkey}",
        extra={"cid": body.get("cid"), "root": root, "parent": parent},
    )
