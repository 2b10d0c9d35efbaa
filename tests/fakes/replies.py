"""The platforms' write APIs on 127.0.0.1, for the inbox's reply clients.

The app is :class:`veille.demo.reply_platform.ReplyPlatform` (the demo answers through the same
fake), served here by :class:`~tests.fakes.LocalServer`::

    with serve_replies() as (platform, base_url):
        platform.fail("x", "rate_limited")     # the next POST /2/tweets answers 429
        platform.deleted.add("1234")           # replying to 1234 finds it gone
        endpoint = f"{base_url}/x"             # each platform under its own prefix
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from tests.fakes import LocalServer
from veille.demo.reply_platform import DEMO_APP_PASSWORD, DEMO_TOKEN, ReplyPlatform, demo_credentials

__all__ = ["DEMO_APP_PASSWORD", "DEMO_TOKEN", "ReplyPlatform", "demo_credentials", "serve_replies"]


@contextmanager
def serve_replies(platform: ReplyPlatform | None = None) -> Iterator[tuple[ReplyPlatform, str]]:
    fake = platform or ReplyPlatform()
    with LocalServer(fake.app()) as server:
        yield fake, server.url
