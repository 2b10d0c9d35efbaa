"""The push ingest API's body handling: size limits, JSON array or NDJSON, per-item validation."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

from veille.errors import Invalid
from veille.model import Post, PostRejected, parse_posts

__all__ = ["PushBodyError", "PushItems", "read_push_body", "validate_push_items"]


class PushBodyError(Invalid):
    """The body itself is refused: 400 (not a JSON array / NDJSON, not UTF-8) or 413 (too large)."""

    def __init__(self, message: str, status_code: int) -> None:
        super().__init__(message, field="body")
        self.status_code = status_code


@dataclass(slots=True)
class PushItems:
    accepted: list[Post]
    rejected: list[PostRejected]


async def read_push_body(
    headers: Mapping[str, str], chunks: AsyncIterator[bytes], *, max_bytes: int
) -> bytes:
    """The whole body, refused with 413 as soon as it is known to be over ``max_bytes``."""
    declared = headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise PushBodyError(f"body of {declared} bytes is larger than the limit of {max_bytes} bytes", 413)
    received = bytearray()
    async for chunk in chunks:
        received.extend(chunk)
        if len(received) > max_bytes:
            raise PushBodyError(f"body is larger than the limit of {max_bytes} bytes", 413)
    return bytes(received)


def _split_items(text: str, content_type: str) -> tuple[list[Any], list[PostRejected]]:
    stripped = text.lstrip()
    is_ndjson = "ndjson" in content_type or "jsonl" in content_type or "json-seq" in content_type
    if stripped.startswith("[") and not is_ndjson:
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            raise PushBodyError(
                f"body: not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})", 400
            ) from None
        except RecursionError:
            raise PushBodyError("body: JSON nested too deeply", 400) from None
        if not isinstance(document, list):
            raise PushBodyError("body: expected a JSON array of posts or NDJSON", 400)
        return document, []
    items: list[Any] = []
    bad_lines: list[PostRejected] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        index = len(items) + len(bad_lines)
        try:
            items.append(json.loads(line))
        except json.JSONDecodeError as error:
            bad_lines.append(PostRejected(index, f"not valid JSON: {error.msg} (column {error.colno})"))
            items.append(_INVALID)
        except RecursionError:
            bad_lines.append(PostRejected(index, "JSON nested too deeply"))
            items.append(_INVALID)
    return items, bad_lines


_INVALID = object()


def validate_push_items(body: bytes, *, content_type: str, max_items: int) -> PushItems:
    """Validate every item; items are numbered from 0 in body order (lines for NDJSON, blank ones skipped)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise PushBodyError(f"body: not UTF-8 (byte {error.start})", 400) from None
    items, bad_lines = _split_items(text, content_type)
    if len(items) > max_items:
        raise PushBodyError(f"batch of {len(items)} items is larger than the limit of {max_items} items", 413)
    valid_positions = [(index, item) for index, item in enumerate(items) if item is not _INVALID]
    accepted: list[Post] = []
    rejected = list(bad_lines)
    for index, item in valid_positions:
        posts, refused = parse_posts([item], start=index)
        accepted.extend(posts)
        rejected.extend(refused)
    rejected.sort(key=lambda reject: reject.index)
    return PushItems(accepted=accepted, rejected=rejected)
