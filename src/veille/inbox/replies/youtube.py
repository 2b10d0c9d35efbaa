"""YouTube: ``comments.insert`` (``POST /youtube/v3/comments?part=snippet`` with
``{"snippet": {"parentId", "textOriginal"}}``) with the channel's OAuth bearer token.

Replies hang under a top-level comment: a reply's id is ``<top-level id>.<reply id>``, so a reply
to a reply names the top-level comment as parent. Errors are ``{"error": {"code", "message",
"errors": [{"reason"}]}}``: ``parentCommentNotFound`` / ``commentNotFound`` (404) when the comment is
gone, ``quotaExceeded`` / ``rateLimitExceeded`` (403) when the quota is spent.
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

PLATFORM = "youtube"
_RATE = {"quotaExceeded", "rateLimitExceeded", "userRateLimitExceeded"}
_GONE = {"parentCommentNotFound", "commentNotFound", "parentCommentIsPrivate"}


def _reason(response: httpx.Response) -> tuple[str | None, str | None]:
    body = json_body(response)
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return None, None
    reasons = error.get("errors") or [{}]
    reason = reasons[0].get("reason") if isinstance(reasons[0], dict) else None
    message = error.get("message")
    return reason, f"{reason}: {message}" if reason else message


async def reply(*, client: httpx.AsyncClient, request: ReplyRequest) -> PostedReply:
    comment_id = request.parent_id.removeprefix("youtube:")
    parent = comment_id.split(".", 1)[0]
    try:
        response = await client.post(
            f"{request.endpoint.rstrip('/')}/youtube/v3/comments",
            params={"part": "snippet"},
            json={"snippet": {"parentId": parent, "textOriginal": request.text}},
            headers={"Authorization": f"Bearer {request.credentials.get('access_token', '')}"},
        )
    except httpx.HTTPError as error:
        raise network_error(error, platform=PLATFORM) from error
    if response.status_code != 200:
        reason, said = _reason(response)
        raise error_from_response(
            response,
            platform=PLATFORM,
            platform_message=said,
            gone=reason in _GONE,
            status=429 if reason in _RATE else None,
        )
    body = json_body(response) or {}
    if not body.get("id"):
        raise error_from_response(response, platform=PLATFORM, platform_message="no comment in the answer")
    snippet = body.get("snippet") or {}
    video = snippet.get("videoId")
    url = f"https://www.youtube.com/watch?v={video}&lc={body['id']}" if video else None
    return PostedReply(post_id=f"youtube:{body['id']}", url=url, extra={"parentId": parent})
