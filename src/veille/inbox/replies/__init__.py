"""Answering through the platforms' write APIs: one client per platform, one entry point.

:func:`send_reply` picks the client of the request's platform; a platform without a write API
here (Facebook, RSS, Hacker News) is refused with a sentence saying so.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx

from veille.inbox.replies import bluesky, mastodon, reddit, x, youtube
from veille.inbox.replies.base import PLATFORM_NAMES, PlatformError, PostedReply, ReplyRequest
from veille.security.outbound import OutboundRefused

__all__ = [
    "CREDENTIAL_FIELDS",
    "DEFAULT_ENDPOINTS",
    "PlatformError",
    "PostedReply",
    "ReplyRequest",
    "send_reply",
    "supported",
]

Client = Callable[..., Awaitable[PostedReply]]
_CLIENTS: dict[str, Client] = {
    "mastodon": mastodon.reply,
    "bluesky": bluesky.reply,
    "x": x.reply,
    "reddit": reddit.reply,
    "youtube": youtube.reply,
}
# Where each platform's write API lives (an account may name another: its Mastodon instance, a PDS).
DEFAULT_ENDPOINTS: dict[str, str] = {
    "mastodon": "https://mastodon.social",
    "bluesky": "https://bsky.social",
    "x": "https://api.x.com",
    "reddit": "https://oauth.reddit.com",
    "youtube": "https://www.googleapis.com",
}
# The credentials each platform needs to write (all secret: sealed at rest, never shown again).
CREDENTIAL_FIELDS: dict[str, tuple[str, ...]] = {
    "mastodon": ("access_token",),
    "bluesky": ("identifier", "app_password"),
    "x": ("access_token",),
    "reddit": ("access_token",),
    "youtube": ("access_token",),
}


def supported(platform: str) -> bool:
    return platform in _CLIENTS


async def send_reply(*, client: httpx.AsyncClient, request: ReplyRequest) -> PostedReply:
    """Post ``request`` through its platform; :class:`PlatformError` says why not."""
    reply = _CLIENTS.get(request.platform)
    if reply is None:
        known = ", ".join(PLATFORM_NAMES[name] for name in _CLIENTS)
        raise PlatformError(
            f"answering on {request.platform!r} is not supported (the hub answers on {known}): "
            "answer on the platform itself; the reply will be counted when it is collected",
            platform=request.platform,
            kind="refused",
        )
    try:
        return await reply(client=client, request=request)
    except OutboundRefused as error:
        raise PlatformError(
            f"the hub does not send requests to {request.endpoint}: {error}",
            platform=request.platform,
            kind="refused",
        ) from error
