"""A fake YouTube Data API v3 ``commentThreads.list`` (reference §6, checklist §6.6).

Requires an API key (``key=`` or ``X-Goog-Api-Key``), ``part`` and exactly one filter (``videoId``,
``allThreadsRelatedToChannelId``, ``id``); ``maxResults`` 1-100; opaque ``nextPageToken``s; newest
first with ``order=time``; ``searchTerms``. Keeps a quota counter (configurable cost per call) that
flips to 403 ``quotaExceeded``; videos can have comments disabled. Errors use Google's envelope.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes import FailureQueue, LocalServer, failure_response

__all__ = ["FakeYouTube", "google_error", "reply", "thread"]


def _comment(
    comment_id: str, video_id: str, published_at: str, text: str, author: str, **extra: Any
) -> dict[str, Any]:
    snippet: dict[str, Any] = {
        "channelId": "UCJrDMFOdv1I2k8n9oK_V21w",
        "videoId": video_id,
        "textDisplay": text.replace("'", "&#39;"),
        "textOriginal": text,
        "authorDisplayName": f"@{author}",
        "authorProfileImageUrl": "https://yt3.ggpht.com/ytc/x=s48-c-k-c0x00ffffff-no-rj",
        "authorChannelUrl": f"http://www.youtube.com/@{author}",
        "authorChannelId": {"value": f"UC{author}"},
        "canRate": True,
        "viewerRating": "none",
        "likeCount": 0,
        "publishedAt": published_at,
        "updatedAt": published_at,
    }
    snippet.update(extra)
    return {
        "kind": "youtube#comment",
        "etag": "UkYaRiXRx0Ew1iQdCa8O7PqBWI4",
        "id": comment_id,
        "snippet": snippet,
    }


def reply(
    comment_id: str, parent: str, video_id: str, published_at: str, text: str = "Reply", **extra: Any
) -> dict[str, Any]:
    return _comment(comment_id, video_id, published_at, text, "replier", parentId=parent, **extra)


def thread(
    thread_id: str,
    video_id: str,
    published_at: str,
    text: str = "Who come here to read the comments 😂",
    *,
    author: str = "prakashsoni1355",
    replies: list[dict[str, Any]] | None = None,
    total_replies: int = 0,
    **extra: Any,
) -> dict[str, Any]:
    """A ``youtube#commentThread`` shaped like the captured response of the reference (§6.4)."""
    item: dict[str, Any] = {
        "kind": "youtube#commentThread",
        "etag": "KTgpZNK_7nVmPZkiCHamn1ODvp8",
        "id": thread_id,
        "snippet": {
            "channelId": "UCJrDMFOdv1I2k8n9oK_V21w",
            "videoId": video_id,
            "topLevelComment": _comment(thread_id, video_id, published_at, text, author, **extra),
            "canReply": True,
            "totalReplyCount": total_replies or len(replies or []),
            "isPublic": True,
        },
    }
    if replies:
        item["replies"] = {"comments": replies}
    return item


def google_error(status: int, reason: str, message: str) -> dict[str, Any]:
    return {
        "error": {
            "code": status,
            "message": message,
            "errors": [{"message": message, "domain": "youtube.commentThread", "reason": reason}],
        }
    }


@dataclass
class FakeYouTube:
    api_key: str = "yt-key"
    threads: dict[str, list[Any]] = field(default_factory=dict)  # video id -> threads
    channel_videos: dict[str, list[str]] = field(default_factory=dict)
    comments_disabled: set[str] = field(default_factory=set)
    quota_limit: int = 10_000
    cost_per_call: int = 5
    quota_used: int = 0
    in_order: bool = True
    failures: FailureQueue = field(default_factory=FailureQueue)
    requests: list[dict[str, str]] = field(default_factory=list)

    def _error(self, status: int, reason: str, message: str) -> Response:
        return JSONResponse(google_error(status, reason, message), status_code=status)

    async def _comment_threads(self, request: Request) -> Response:
        params = dict(request.query_params)
        self.requests.append(params)
        self.quota_used += self.cost_per_call  # every request costs, even invalid ones
        failure = self.failures.pop()
        if failure is not None:
            return failure_response(failure)
        key = params.get("key") or request.headers.get("x-goog-api-key")
        if key != self.api_key:
            return self._error(400, "keyInvalid", "API key not valid. Please pass a valid API key.")
        if self.quota_used > self.quota_limit:
            return self._error(
                403, "quotaExceeded", "The request cannot be completed because you have exceeded your quota."
            )
        if not params.get("part"):
            return self._error(400, "missingRequiredParameter", "No filter selected. Expected one of: part")
        filters = [name for name in ("videoId", "allThreadsRelatedToChannelId", "id") if name in params]
        if len(filters) != 1:
            return self._error(400, "incompatibleParameters", "Exactly one filter must be given.")
        try:
            max_results = int(params.get("maxResults", "20"))
        except ValueError:
            max_results = 0
        if not 1 <= max_results <= 100:
            return self._error(400, "invalidParameter", "maxResults must be between 1 and 100")
        if "videoId" in params:
            video = params["videoId"]
            if video in self.comments_disabled:
                return self._error(
                    403,
                    "commentsDisabled",
                    "The video identified by the videoId parameter has disabled comments.",
                )
            if video not in self.threads:
                return self._error(
                    404, "videoNotFound", "The video identified by the videoId parameter could not be found."
                )
            pool = list(self.threads[video])
        elif "allThreadsRelatedToChannelId" in params:
            channel = params["allThreadsRelatedToChannelId"]
            if channel not in self.channel_videos:
                return self._error(404, "channelNotFound", "The channel could not be found.")
            pool = [item for video in self.channel_videos[channel] for item in self.threads.get(video, [])]
        else:
            wanted = set(params["id"].split(","))
            pool = [item for items in self.threads.values() for item in items if _id(item) in wanted]
        terms = params.get("searchTerms", "").lower()
        if terms:
            pool = [item for item in pool if terms in _text(item).lower()]
        if self.in_order:
            pool.sort(key=_published, reverse=True)
        try:
            offset = (
                int(base64.urlsafe_b64decode(params["pageToken"]).decode()) if "pageToken" in params else 0
            )
        except (ValueError, UnicodeDecodeError):
            return self._error(400, "invalidPageToken", "The request specifies an invalid page token.")
        page = pool[offset : offset + max_results]
        if "replies" not in params.get("part", ""):
            page = [
                {key: value for key, value in item.items() if key != "replies"}
                if isinstance(item, dict)
                else item
                for item in page
            ]
        body: dict[str, Any] = {
            "kind": "youtube#commentThreadListResponse",
            "etag": "rW3FaaivaqRHP1VWbgHPZnYv1P0",
            "pageInfo": {"totalResults": len(page), "resultsPerPage": max_results},
            "items": page,
        }
        if offset + max_results < len(pool):
            body["nextPageToken"] = base64.urlsafe_b64encode(str(offset + max_results).encode()).decode()
        return JSONResponse(body)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/youtube/v3/commentThreads", self._comment_threads)])

    def serve(self) -> LocalServer:
        return LocalServer(self.app())


def _id(item: Any) -> str:
    return str(item.get("id")) if isinstance(item, dict) else ""


def _top_snippet(item: Any) -> dict[str, Any]:
    try:
        snippet = item["snippet"]["topLevelComment"]["snippet"]
    except (KeyError, TypeError):
        return {}
    return snippet if isinstance(snippet, dict) else {}


def _text(item: Any) -> str:
    return str(_top_snippet(item).get("textOriginal") or "")


def _published(item: Any) -> str:
    return str(_top_snippet(item).get("publishedAt") or "")
