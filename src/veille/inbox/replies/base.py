"""What every platform's reply client shares: the request, what came back, and the errors a
person reads when a platform refuses.

A client posts ``text`` as a reply to the stored post ``parent`` with the account's credentials,
through an injected :class:`httpx.AsyncClient` (the hub's, whose transport applies the outbound
policy). It returns a :class:`PostedReply`, or raises a :class:`PlatformError` whose message says in
words what happened and what to do: a rate limit with when to try again, credentials refused, the
post gone, the platform failing.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import httpx

from veille.errors import VeilleError

__all__ = [
    "PLATFORM_NAMES",
    "ErrorKind",
    "PlatformError",
    "PostedReply",
    "ReplyRequest",
    "error_from_response",
    "json_body",
    "network_error",
    "retry_after_from",
]

PLATFORM_NAMES: dict[str, str] = {
    "mastodon": "Mastodon",
    "bluesky": "Bluesky",
    "x": "X",
    "reddit": "Reddit",
    "youtube": "YouTube",
}
ErrorKind = Literal["rate_limited", "unauthorized", "parent_gone", "refused", "unavailable", "network"]
_STATUS: dict[str, int] = {
    "rate_limited": 429,
    "unauthorized": 502,
    "parent_gone": 409,
    "refused": 502,
    "unavailable": 502,
    "network": 502,
}


@dataclass(frozen=True, slots=True)
class ReplyRequest:
    """A reply to send: to the stored post ``parent_id`` (``platform:platform id``) with ``text``."""

    platform: str
    parent_id: str
    parent_url: str | None
    text: str
    endpoint: str
    credentials: Mapping[str, str]
    account_handle: str


@dataclass(frozen=True, slots=True)
class PostedReply:
    """What the platform created: our post's canonical id and address (and what else it said)."""

    post_id: str
    url: str | None
    extra: dict[str, Any] = field(default_factory=dict)


class PlatformError(VeilleError):
    """A platform refused the reply (or could not be reached); the message is for the person."""

    def __init__(
        self,
        message: str,
        *,
        platform: str,
        kind: ErrorKind,
        http_status: int | None = None,
        retry_after_s: float | None = None,
        platform_message: str | None = None,
    ) -> None:
        super().__init__(message, field="platform")
        self.platform = platform
        self.kind = kind
        self.http_status = http_status
        self.retry_after_s = retry_after_s
        self.platform_message = platform_message
        self.status_code = _STATUS[kind]

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "detail": str(self),
            "field": "platform",
            "platform": self.platform,
            "kind": self.kind,
            "http_status": self.http_status,
            "retry_after_s": self.retry_after_s,
            "platform_message": self.platform_message,
        }


def json_body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        return None


def retry_after_from(headers: httpx.Headers, *, now: datetime | None = None) -> float | None:
    """Seconds to wait, from ``Retry-After`` or a platform's reset header (epoch seconds, seconds to
    go, or an ISO 8601 time)."""
    moment = now or datetime.now(UTC)
    retry_after = headers.get("retry-after")
    if retry_after:
        try:
            return max(0.0, float(retry_after))
        except ValueError:
            pass
    for name in ("x-rate-limit-reset", "ratelimit-reset", "x-ratelimit-reset"):
        value = headers.get(name)
        if not value:
            continue
        try:
            number = float(value)
        except ValueError:
            try:
                reset = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                continue
            return max(0.0, (reset - moment).total_seconds())
        if number > 1_000_000_000:  # an epoch
            return max(0.0, number - moment.timestamp())
        return max(0.0, number)  # Reddit: seconds to the end of the period
    return None


def _wait_words(seconds: float | None) -> str:
    if seconds is None:
        return "try again in a few minutes"
    if seconds < 90:
        return f"try again in {math.ceil(seconds)} s"
    return f"try again in {math.ceil(seconds / 60)} min"


def error_from_response(
    response: httpx.Response,
    *,
    platform: str,
    platform_message: str | None,
    gone: bool = False,
    status: int | None = None,
    retry_after_s: float | None = None,
) -> PlatformError:
    """The error a person reads for a refused request (``gone``: the platform said the post is gone;
    ``status``: what the refusal means when the platform's HTTP status hides it, such as Reddit's
    200 carrying ``RATELIMIT`` or YouTube's 403 ``quotaExceeded``)."""
    name = PLATFORM_NAMES.get(platform, platform)
    status = response.status_code if status is None else status
    said = f" ({platform_message})" if platform_message else ""
    if status == 429:
        wait = retry_after_s if retry_after_s is not None else retry_after_from(response.headers)
        return PlatformError(
            f"{name} rate limit reached: the reply was not sent; {_wait_words(wait)}{said}",
            platform=platform,
            kind="rate_limited",
            http_status=status,
            retry_after_s=wait,
            platform_message=platform_message,
        )
    if status == 401:
        return PlatformError(
            f"{name} refused the account's credentials (expired or revoked token){said}: "
            "update them in the account's desk settings, then send again",
            platform=platform,
            kind="unauthorized",
            http_status=status,
            platform_message=platform_message,
        )
    if gone or status in (404, 410):
        return PlatformError(
            f"the post you are answering no longer exists on {name} (deleted or hidden){said}: "
            "close it with the disposition 'deleted'",
            platform=platform,
            kind="parent_gone",
            http_status=status,
            platform_message=platform_message,
        )
    if status >= 500:
        return PlatformError(
            f"{name} is failing (HTTP {status}){said}: the reply was not sent; try again in a few minutes",
            platform=platform,
            kind="unavailable",
            http_status=status,
            platform_message=platform_message,
        )
    return PlatformError(
        f"{name} refused the reply (HTTP {status}){said}",
        platform=platform,
        kind="refused",
        http_status=status,
        platform_message=platform_message,
    )


def network_error(error: httpx.HTTPError, *, platform: str) -> PlatformError:
    name = PLATFORM_NAMES.get(platform, platform)
    return PlatformError(
        f"{name} could not be reached ({type(error).__name__}: {error}): the reply was not sent; try again",
        platform=platform,
        kind="network",
    )
