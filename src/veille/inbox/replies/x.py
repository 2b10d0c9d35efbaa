"""X: ``POST /2/tweets`` with ``{"text", "reply": {"in_reply_to_tweet_id"}}`` and the account's
OAuth 2.0 user token. Created: 201 ``{"data": {"id", "text"}}``. Errors are problem documents
(``{"title", "detail", "type", "status"}``); replying to a deleted post is a 403 whose detail says
"deleted or not visible"; a rate limit is a 429 with ``x-rate-limit-reset`` (epoch seconds).
"""

from __future__ import annotations

import httpx

from veille.inbox.replies.base import (
    PostedReply,
    ReplyRequest,
    error_from_response,
    json_body,
    network_error,
)

__all__ = ["reply"]

PLATFORM = "x"


def _message(response: httpx.Response) -> str | None:
    body = json_body(response)
    if not isinstance(body, dict):
        return None
    if isinstance(body.get("detail"), str):
        return str(body["detail"])
    errors = body.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        return str(errors[0].get("message") or errors[0].get("detail") or "")
    return str(body.get("title")) if body.get("title") else None


async def reply(*, client: httpx.AsyncClient, request: ReplyRequest) -> PostedReply:
    tweet_id = request.parent_id.removeprefix("x:")
    try:
        response = await client.post(
            f"{request.endpoint.rstrip('/')}/2/tweets",
            json={"text": request.text, "reply": {"in_reply_to_tweet_id": tweet_id}},
            headers={"Authorization": f"Bearer {request.credentials.get('access_token', '')}"},
        )
    except httpx.HTTPError as error:
        raise network_error(error, platform=PLATFORM) from error
    if response.status_code not in (200, 201):
        said = _message(response)
        gone = response.status_code == 403 and "deleted" in (said or "").lower()
        raise error_from_response(response, platform=PLATFORM, platform_message=said, gone=gone)
    data = (json_body(response) or {}).get("data") or {}
    if not data.get("id"):
        raise error_from_response(response, platform=PLATFORM, platform_message="no post id in the answer")
    return PostedReply(
        post_id=f"x:{data['id']}", url=f"https://x.com/{request.account_handle}/status/{data['id']}"
    )
