"""Reddit: ``POST /api/comment`` (form: ``thing_id`` the parent's fullname, ``text``,
``api_type=json``) on ``oauth.reddit.com`` with the account's OAuth bearer token.

Reddit answers 200 even when it refuses: ``{"json": {"errors": [[code, message, field]]}}``
(``RATELIMIT`` "you are doing that too much. try again in 5 minutes.", ``DELETED_COMMENT``,
``THREAD_LOCKED``…); created comments are in ``json.data.things[0].data``. A 401 is an expired token;
a 429 carries ``X-Ratelimit-Reset`` (seconds to go).
"""

from __future__ import annotations

import re

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

PLATFORM = "reddit"
_GONE = {"DELETED_COMMENT", "DELETED_LINK", "NO_THING_ID", "INVALID_THING_ID", "THREAD_LOCKED", "TOO_OLD"}
_MINUTES = re.compile(r"(\d+)\s*(minute|second)")


def _message(response: httpx.Response) -> str | None:
    body = json_body(response)
    if isinstance(body, dict) and body.get("message"):
        return str(body["message"])
    return None


async def reply(*, client: httpx.AsyncClient, request: ReplyRequest) -> PostedReply:
    fullname = request.parent_id.removeprefix("reddit:")
    try:
        response = await client.post(
            f"{request.endpoint.rstrip('/')}/api/comment",
            data={"thing_id": fullname, "text": request.text, "api_type": "json"},
            headers={"Authorization": f"bearer {request.credentials.get('access_token', '')}"},
        )
    except httpx.HTTPError as error:
        raise network_error(error, platform=PLATFORM) from error
    if response.status_code != 200:
        raise error_from_response(response, platform=PLATFORM, platform_message=_message(response))
    body = (json_body(response) or {}).get("json") or {}
    errors = body.get("errors") or []
    if errors:
        code, message = str(errors[0][0]), str(errors[0][1]) if len(errors[0]) > 1 else ""
        said = f"{code}: {message}"
        if code == "RATELIMIT":
            match = _MINUTES.search(message)
            wait = None
            if match:
                wait = float(match.group(1)) * (60 if match.group(2) == "minute" else 1)
            raise error_from_response(
                response, platform=PLATFORM, platform_message=said, status=429, retry_after_s=wait
            )
        raise error_from_response(response, platform=PLATFORM, platform_message=said, gone=code in _GONE)
    things = (body.get("data") or {}).get("things") or []
    data = things[0].get("data") if things and isinstance(things[0], dict) else None
    if not isinstance(data, dict) or not (data.get("name") or data.get("id")):
        raise PlatformError("Reddit answered without the created comment", platform=PLATFORM, kind="refused")
    name = str(data.get("name") or f"t1_{data['id']}")
    permalink = data.get("permalink")
    return PostedReply(
        post_id=f"reddit:{name}", url=f"https://www.reddit.com{permalink}" if permalink else None
    )
