"""YouTube Data API v3: comment threads of videos and channels (``commentThreads.list``), reference §6.

YouTube has no comment firehose. Each poll reads, per configured video (``videoId``) and channel
(``allThreadsRelatedToChannelId``), the newest threads (``order=time``) and pages back until a thread
older than the overlap window below the checkpoint's high-water mark. There are no rate-limit headers:
the connector counts its own quota units per Pacific-time day (the reset is at midnight PT) and, when
the budget or the server's ``quotaExceeded`` says so, delivers what it has and sleeps until the reset.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx

from veille.model import Post, PostRejected, parse_rfc3339
from veille.security import MIN_POLL_INTERVAL_S
from veille.sources.connectors.base import post_from_dict
from veille.sources.connectors.config import ConfigField, ConnectorMeta
from veille.sources.connectors.errors import (
    ConnectorConfigError,
    ConnectorError,
    CredentialsError,
    RateLimitedError,
    ServerError,
)
from veille.sources.connectors.html import html_to_text
from veille.sources.connectors.polling import (
    Candidates,
    PollingConnector,
    Watermark,
    digest_key,
    parse_retry_after,
)
from veille.sources.connectors.registry import register
from veille.text import extract_urls

__all__ = [
    "YOUTUBE_UNFILLED_FIELDS",
    "YouTubeConnector",
    "map_youtube_comment",
    "map_youtube_thread",
    "next_pacific_midnight",
]

YOUTUBE_UNFILLED_FIELDS = ("author.followers", "lang", "metrics.reposts", "metrics.views", "country")
_WATCH = "https://www.youtube.com/watch?v="
# ``part=snippet`` costs 1 + 2 units, ``replies`` 2 more (method page; the older table says 1 in all).
_PART_COST = {"snippet": 2, "replies": 2, "id": 0}


def _pacific() -> tzinfo:
    try:
        return ZoneInfo("America/Los_Angeles")
    except ZoneInfoNotFoundError:  # no tz database: standard time is close enough for a daily reset
        return timezone(timedelta(hours=-8))


def pacific_day(now: float) -> str:
    return datetime.fromtimestamp(now, _pacific()).date().isoformat()


def next_pacific_midnight(now: float) -> float:
    """Epoch seconds of the next midnight in Pacific time (when the daily quota resets)."""
    local = datetime.fromtimestamp(now, _pacific())
    tomorrow = (local + timedelta(days=1)).date()
    return datetime(tomorrow.year, tomorrow.month, tomorrow.day, tzinfo=_pacific()).timestamp()


def _snippet(resource: Any, where: str) -> Mapping[str, Any]:
    snippet = resource.get("snippet") if isinstance(resource, Mapping) else None
    if not isinstance(snippet, Mapping):
        raise ValueError(f"{where}.snippet: missing")
    return snippet


def map_youtube_comment(
    comment: Mapping[str, Any],
    *,
    video_id: str | None,
    reply_to: str | None = None,
    replies: int | None = None,
    post_id: str | None = None,
    where: str = "comment",
) -> Post:
    """One ``youtube#comment`` resource as a canonical post (``ValueError`` names a bad field)."""
    snippet = _snippet(comment, where)
    comment_id = comment.get("id")
    if not isinstance(comment_id, str) or not comment_id:
        raise ValueError(f"{where}.id: missing")
    original = snippet.get("textOriginal")
    display = (
        html_to_text(str(snippet["textDisplay"])) if isinstance(snippet.get("textDisplay"), str) else None
    )
    if isinstance(original, str) and original.strip():
        text = original
    elif display is not None:
        # textDisplay is HTML (escaped entities, <a>, <br>) unless textFormat=plainText was asked.
        text = display.text
    else:
        raise ValueError(f"{where}.snippet.textOriginal: missing")
    # textOriginal shows a link as its text ("Google.com"); textDisplay's <a href> has the URL.
    # Hashtags are links to YouTube's own search: not outbound links.
    links = list(extract_urls(text))
    for href in display.links if display is not None else []:
        if "youtube.com/results?" not in href and href not in links:
            links.append(href)
    published = snippet.get("publishedAt")
    if not isinstance(published, str):
        raise ValueError(f"{where}.snippet.publishedAt: missing")
    channel = snippet.get("authorChannelId")
    author_id = channel.get("value") if isinstance(channel, Mapping) else None
    shown = snippet.get("authorDisplayName")
    name = shown.strip() if isinstance(shown, str) and shown.strip() else None
    # Since 2023 authorDisplayName is the "@handle"; before, it was a free display name ("himani
    # agarwal"), no handle: the channel id, stable, stands in then.
    if name is not None and name.startswith("@"):
        handle: str | None = name.removeprefix("@")
    else:
        handle = author_id if isinstance(author_id, str) and author_id else name
    if not handle:
        raise ValueError(f"{where}.snippet.authorDisplayName: missing")
    video = video_id or snippet.get("videoId")
    if isinstance(video, str) and video:
        url = f"{_WATCH}{video}&lc={comment_id}"
    elif isinstance(snippet.get("channelId"), str):
        url = f"https://www.youtube.com/channel/{snippet['channelId']}"
    else:
        url = None
    likes = snippet.get("likeCount")
    extra = {
        key: snippet[key]
        for key in ("videoId", "channelId", "updatedAt", "authorChannelUrl", "moderationStatus")
        if snippet.get(key) is not None
    }
    return post_from_dict(
        {
            "id": f"youtube:{post_id or comment_id}",
            "source": "youtube",
            "url": url,
            "created_at": published,
            "text": text,
            "author": {
                "handle": handle,
                "id": author_id if isinstance(author_id, str) else None,
                "name": name,
            },
            "reply_to": reply_to,
            "links": links,
            "metrics": {
                "likes": likes if isinstance(likes, int) and not isinstance(likes, bool) else None,
                "replies": replies,
            },
            "extra": extra,
        }
    )


def map_youtube_thread(thread: Mapping[str, Any]) -> Post:
    """The top-level comment of a ``youtube#commentThread`` (its id is the thread id)."""
    snippet = _snippet(thread, "thread")
    thread_id = thread.get("id")
    if not isinstance(thread_id, str) or not thread_id:
        raise ValueError("thread.id: missing")
    top = snippet.get("topLevelComment")
    if not isinstance(top, Mapping):
        raise ValueError("thread.snippet.topLevelComment: missing")
    total = snippet.get("totalReplyCount")
    video = snippet.get("videoId")
    return map_youtube_comment(
        top,
        video_id=video if isinstance(video, str) else None,
        replies=total if isinstance(total, int) and not isinstance(total, bool) and total >= 0 else None,
        post_id=thread_id,
        where="thread.snippet.topLevelComment",
    )


def _thread_time(thread: Any) -> float | None:
    try:
        snippet = thread["snippet"]["topLevelComment"]["snippet"]
        return parse_rfc3339(snippet["publishedAt"]).timestamp()
    except (KeyError, TypeError, ValueError):
        return None


class _QuotaExhausted(ConnectorError):
    """403 quotaExceeded/dailyLimitExceeded, or our own count reached the daily budget."""


class _TargetUnavailable(ConnectorError):
    """commentsDisabled, videoNotFound, channelNotFound...: skip this video or channel."""


def _google_reason(response: httpx.Response) -> tuple[str, str]:
    try:
        error = response.json().get("error", {})
        first = (error.get("errors") or [{}])[0]
        return str(first.get("reason") or error.get("status") or ""), str(error.get("message") or "")
    except (ValueError, AttributeError, IndexError, TypeError):
        return "", response.text[:200]


@register
class YouTubeConnector(PollingConnector):
    """Polls ``commentThreads.list`` for configured videos and channels, within a daily quota."""

    meta = ConnectorMeta(
        type="youtube",
        title="YouTube comments",
        default_endpoint="https://www.googleapis.com/youtube/v3",
        description="commentThreads.list (order=time) per video and per channel "
        "(allThreadsRelatedToChannelId); replies included in the thread are kept too.",
        never_filled=YOUTUBE_UNFILLED_FIELDS,
        example={
            "type": "youtube",
            "name": "youtube-brand",
            "api_key": "your-api-key (or set YOUTUBE_API_KEY)",
            "video_ids": ["axepn8QqxRk"],
            "channel_ids": ["UCJrDMFOdv1I2k8n9oK_V21w"],
        },
        fields=(
            ConfigField("api_key", "str", secret=True, env="YOUTUBE_API_KEY"),
            ConfigField("video_ids", "list[str]", default=[]),
            ConfigField("channel_ids", "list[str]", default=[], help="all threads on the channel's videos"),
            ConfigField("search_terms", "str", default=None, help="only comments containing these terms"),
            ConfigField("include_replies", "bool", default=True, help="part=replies (2 more units a call)"),
            ConfigField("max_results", "int", default=100),
            ConfigField("max_pages", "int", default=5, help="pages read back per target and poll"),
            ConfigField("poll_interval_s", "float", default=300.0, minimum=MIN_POLL_INTERVAL_S),
            ConfigField("overlap_s", "float", default=600.0),
            ConfigField("daily_quota", "int", default=10_000, help="units per Pacific-time day"),
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        videos, channels = list(self.config["video_ids"]), list(self.config["channel_ids"])
        if not videos and not channels:
            raise ConnectorConfigError(
                f"source {self.name!r}: video_ids: give video_ids and/or channel_ids", field="video_ids"
            )
        self.targets = [("video", video) for video in videos] + [("channel", channel) for channel in channels]
        parts = ["snippet", "replies"] if self.config["include_replies"] else ["snippet"]
        self.part = ",".join(parts)
        self.call_cost = 1 + sum(_PART_COST[part] for part in parts)
        self._pause_until: float | None = None
        self._quota: dict[str, Any] | None = None

    # --- quota -----------------------------------------------------------------------------------
    def _spend(self, state: dict[str, Any]) -> None:
        """Count the units of one call; the count lives on the instance too, so that a call whose
        cycle failed (and whose state copy was dropped) is still counted, as YouTube counts it."""
        day = pacific_day(self.clock.time())
        quota = self._quota
        if quota is None:
            saved = state.get("quota")
            quota = dict(saved) if isinstance(saved, dict) else {}
        if quota.get("day") != day or not isinstance(quota.get("used"), int):
            quota = {"day": day, "used": 0}
        self._quota = quota
        state["quota"] = dict(quota)
        if quota["used"] + self.call_cost > int(self.config["daily_quota"]):
            raise _QuotaExhausted(f"daily budget of {self.config['daily_quota']} units spent")
        # Every request costs, even an invalid one, so the units are counted before sending.
        quota["used"] += self.call_cost
        state["quota"] = dict(quota)

    # --- requests --------------------------------------------------------------------------------
    async def _threads(self, state: dict[str, Any], kind: str, target: str, page_token: str | None) -> Any:
        self._spend(state)
        params = {
            "part": self.part,
            "maxResults": str(self.config["max_results"]),
            "order": "time",
            "videoId" if kind == "video" else "allThreadsRelatedToChannelId": target,
        }
        if self.config.get("search_terms"):
            params["searchTerms"] = str(self.config["search_terms"])
        if page_token:
            params["pageToken"] = page_token
        headers = {"X-Goog-Api-Key": self.config.secret("api_key") or ""}
        response = await self.http.get(f"{self.endpoint}/commentThreads", params=params, headers=headers)
        status = response.status_code
        if status < 300:
            try:
                return response.json()
            except ValueError:
                self.health.malformed_total += 1
                raise ServerError(f"YouTube ({self.name}): answer is not JSON", status=502) from None
        reason, message = _google_reason(response)
        where = f"YouTube ({self.name}): HTTP {status} {reason or ''} for {kind} {target}".rstrip()
        if reason in ("quotaExceeded", "dailyLimitExceeded"):
            raise _QuotaExhausted(f"{where}: {message}")
        if reason in ("commentsDisabled", "videoNotFound", "channelNotFound", "commentThreadNotFound"):
            raise _TargetUnavailable(reason)
        if status == 429 or reason in ("rateLimitExceeded", "userRateLimitExceeded"):
            wait = parse_retry_after(response.headers.get("retry-after"), now=self.clock.time())
            raise RateLimitedError(
                f"{where}: {message}", retry_at=None if wait is None else self.clock.time() + wait
            )
        if status >= 500:
            raise ServerError(f"{where}: {message}", status=status)
        if (
            status in (401, 403)
            or reason in ("keyInvalid", "keyExpired", "API_KEY_INVALID")
            or "API key" in message
        ):
            raise CredentialsError(f"{where}: the API key was refused ({message}); check api_key")
        if reason == "invalidPageToken":
            raise _TargetUnavailable(reason)
        raise ConnectorConfigError(f"{where}: {message}")

    # --- polling ---------------------------------------------------------------------------------
    async def poll(self, state: dict[str, Any]) -> tuple[Candidates, list[PostRejected]]:
        self._pause_until = None
        candidates: Candidates = []
        rejected: list[PostRejected] = []
        marks = state.setdefault("marks", {})
        unavailable = state.setdefault("unavailable", {})
        index = 0
        for kind, target in self.targets:
            key = f"{kind}:{target}"
            if key in unavailable:
                continue
            mark = Watermark.from_dict(marks.get(key), overlap_s=float(self.config["overlap_s"]))
            page_token: str | None = None
            for _page in range(1 if mark.high is None else int(self.config["max_pages"])):
                try:
                    body = await self._threads(state, kind, target, page_token)
                except _QuotaExhausted as error:
                    self._pause_until = next_pacific_midnight(self.clock.time())
                    self.health.rate_limited_total += 1
                    self.health.record_error(
                        f"YouTube ({self.name}): quota exhausted ({error}); paused until midnight Pacific time",
                        self.clock.time(),
                    )
                    marks[key] = mark.to_dict()
                    candidates.sort(key=lambda pair: pair[0].created_at)
                    return candidates, rejected
                except _TargetUnavailable as error:
                    if str(error) != "invalidPageToken":
                        unavailable[key] = str(error)
                    self.health.record_error(
                        f"YouTube ({self.name}): {key}: {error}; skipped", self.clock.time()
                    )
                    break
                items = body.get("items") if isinstance(body, Mapping) else None
                if not isinstance(items, list):
                    self.health.malformed_total += 1
                    raise ServerError(f"YouTube ({self.name}): answer without items for {key}", status=502)
                fresh, reached_old = self._fresh(items, mark)
                mapped, bad = self.map_items(fresh, _map_entry, start=index, payload_of=_entry_payload)
                index += len(fresh)
                candidates.extend(mapped)
                rejected.extend(bad)
                token = body.get("nextPageToken")
                page_token = token if isinstance(token, str) and token else None
                if reached_old or page_token is None:
                    break
            marks[key] = mark.to_dict()
        candidates.sort(key=lambda pair: pair[0].created_at)
        return candidates, rejected

    def _fresh(self, items: list[Any], mark: Watermark) -> tuple[list[Any], bool]:
        """New threads (and the replies they carry) as entries for :func:`_map_entry`."""
        fresh: list[Any] = []
        reached_old = False
        for thread in items:
            moment = _thread_time(thread)
            if moment is not None and mark.below_window(moment):
                reached_old = True
                continue
            thread_id = thread.get("id") if isinstance(thread, Mapping) else None
            key = thread_id if isinstance(thread_id, str) and thread_id else digest_key(thread)
            when = moment if moment is not None else self.clock.time()
            if not mark.is_new(key, when):
                self.health.duplicates_total += 1
                continue
            mark.remember(key, when)
            fresh.append(("thread", thread))
            replies = thread.get("replies") if isinstance(thread, Mapping) else None
            comments = replies.get("comments") if isinstance(replies, Mapping) else None
            for reply in comments if isinstance(comments, list) else []:
                fresh.append(("reply", reply, thread))
        return fresh, reached_old

    def remap(self, payload: Any) -> Post | None:
        if not isinstance(payload, Mapping):
            raise ValueError("payload: not a JSON object")
        if "reply" in payload:
            return _map_entry(("reply", payload["reply"], payload.get("thread") or {}))
        return _map_entry(("thread", payload.get("thread")))

    def next_delay(self, state: dict[str, Any]) -> float:
        interval = float(self.config["poll_interval_s"])
        if self._pause_until is not None:
            return max(interval, self._pause_until - self.clock.time())
        return interval


def _map_entry(entry: tuple[Any, ...]) -> Post:
    if entry[0] == "thread":
        return map_youtube_thread(entry[1])
    reply, thread = entry[1], entry[2]
    snippet = _snippet(reply, "reply")
    parent = snippet.get("parentId") or (thread.get("id") if isinstance(thread, Mapping) else None)
    video = thread.get("snippet", {}).get("videoId") if isinstance(thread, Mapping) else None
    return map_youtube_comment(
        reply,
        video_id=video if isinstance(video, str) else None,
        reply_to=f"youtube:{parent}" if isinstance(parent, str) and parent else None,
        where="reply",
    )


def _entry_payload(entry: tuple[Any, ...]) -> dict[str, Any]:
    """A refused entry as stored in the dead-letter table: the thread, or the reply and its thread."""
    if entry[0] == "thread":
        return {"thread": entry[1]}
    thread: Mapping[str, Any] = entry[2] if isinstance(entry[2], Mapping) else {}
    raw_snippet = thread.get("snippet")
    snippet: Mapping[str, Any] = raw_snippet if isinstance(raw_snippet, Mapping) else {}
    # The reply needs only its thread's id and video, not the whole thread again.
    return {
        "reply": entry[1],
        "thread": {"id": thread.get("id"), "snippet": {"videoId": snippet.get("videoId")}},
    }
