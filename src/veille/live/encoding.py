"""Server-Sent Events bytes, built once per post and shared by every client that receives it.

A post's event is ``event: post``, ``id: <seq>``, ``data: <post JSON on one line>`` and a blank
line. JSON never holds a raw line break (``json.dumps`` escapes them inside strings), so one
``data:`` line always carries the whole post.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["encode_event", "encode_post", "encode_ready"]

RETRY_MS = 2000


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def encode_post(seq: int, data: dict[str, Any]) -> bytes:
    """One ``event: post`` with its write sequence as the event id."""
    return b"event: post\nid: %d\ndata: %s\n\n" % (seq, _json(data))


def encode_event(name: str, data: Any) -> bytes:
    """Any other event (``ready``, ``catching-up``, ``caught-up``, an application's own): no id,
    so that the browser's Last-Event-ID keeps naming the last post."""
    if not name or any(char in name for char in "\r\n:"):
        raise ValueError(f"event name: {name!r} is not a valid Server-Sent Events name")
    return b"event: %s\ndata: %s\n\n" % (name.encode(), _json(data))


def encode_ready(last_seq: int) -> bytes:
    """The first event of every stream: the hub's last event id, and the reconnection delay."""
    return b"event: ready\nretry: %d\ndata: %s\n\n" % (RETRY_MS, _json({"last_seq": last_seq}))
