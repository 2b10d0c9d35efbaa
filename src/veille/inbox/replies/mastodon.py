"""Mastodon: ``POST /api/v1/statuses`` with ``status`` and ``in_reply_to_id``.

A status stored as ``mastodon:<instance>/<id>`` has that id on its own instance only: on another
instance (the account's), the status is first resolved with ``GET /api/v2/search?q=<url>&resolve=true``
(``type=statuses``), which gives its local id. Errors are ``{"error": "..."}``; a rate limit is a
429 with ``X-RateLimit-Reset`` (ISO 8601); a reply to a deleted status is a 404.
"""

from __future__ import annotations

from urllib.parse import urlsplit

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

PLATFORM = "mastodon"


def _message(response: httpx.Response) -> str | None:
    body = json_body(response)
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return str(body["error"])
    return None


async def _local_id(client: httpx.AsyncClient, request: ReplyRequest, headers: dict[str, str]) -> str:
    host, _, status_id = request.parent_id.removeprefix("mastodon:").rpartition("/")
    own_host = urlsplit(request.endpoint).netloc
    if not host or host == own_host:
        return status_id
    query = request.parent_url or f"https://{host}/statuses/{status_id}"
    response = await client.get(
        f"{request.endpoint.rstrip('/')}/api/v2/search",
        params={"q": query, "resolve": "true", "type": "statuses", "limit": "1"},
        headers=headers,
    )
    if response.status_code != 200:
        raise error_from_response(response, platform=PLATFORM, platform_message=_message(response))
    body = json_body(response)
    statuses = body.get("statuses") if isinstance(body, dict) else None
    if not statuses or not isinstance(statuses[0], dict) or not statuses[0].get("id"):
        raise error_from_response(
            response, platform=PLATFORM, platform_message=f"{query} could not be resolved", gone=True
        )
    return str(statuses[0]["id"])


async def reply(*, client: httpx.AsyncClient, request: ReplyRequest) -> PostedReply:
    token = request.credentials.get("access_token", "")
    headers = {"Authorization": f"Bearer {token}"}
    try:
        parent = await _local_id(client, request, headers)
        response = await client.post(
            f"{request.endpoint.rstrip('/')}/api/v1/statuses",
            json={"status": request.text, "in_reply_to_id": parent, "visibility": "public"},
            headers=headers,
        )
    except PlatformError:
        raise
    except httpx.HTTPError as error:
        raise network_error(error, platform=PLATFORM) from error
    if response.status_code != 200:
        raise error_from_response(response, platform=PLATFORM, platform_message=_message(response))
    body = json_body(response)
    if not isinstance(body, dict) or not body.get("id"):
        raise error_from_response(response, platform=PLATFORM, platform_message="no status in the answer")
    host = urlsplit(request.endpoint).netloc
    return PostedReply(
        post_id=f"mastodon:{host}/{body['id']}", url=body.get("url"), extra={"uri": body.get("uri")}
    )
