"""The push ingest API's body handling: size limits, JSON array or NDJSON, per-item validation."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from veille.errors import Invalid
from veille.model import Post, PostRejected, parse_posts

__all__ = ["PushBodyError", "PushItems", "keep_writable", "read_push_body", "validate_push_items"]


class PushBodyError(Invalid):
    """The body itself is refused: 400 (not a JSON array / NDJSON, not UTF-8) or 413 (too large)."""

    def __init__(self, message: str, status_code: int) -> None:
        super().__init__(message, field="body")
        self.status_code = status_code


@dataclass(slots=True)
class PushItems:
    accepted: list[Post]
    rejected: list[PostRejected]
    # The body index of each accepted post (None: every index not rejected, in order).
    positions: list[int] | None = None


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
    positions: list[int] = []
    rejected = list(bad_lines)
    for index, item in valid_positions:
        posts, refused = parse_posts([item], start=index)
        accepted.extend(posts)
        positions.extend(index for _ in posts)
        rejected.extend(refused)
    rejected.sort(key=lambda reject: reject.index)
    return PushItems(accepted=accepted, rejected=rejected, positions=positions)


def keep_writable(
    items: PushItems,
    *,
    may_write: Callable[[str], bool],
    allowed: Iterable[str],
    stored_sources: Callable[[list[str]], Mapping[str, str]],
) -> PushItems:
    """Refuse, item by item, posts the caller may not write: a source outside ``may_write``, or
    the id of a stored post whose source is outside it (so that a token cannot overwrite a
    connector's post). ``stored_sources`` maps the ids already stored to their source."""
    allowed_text = ", ".join(sorted(allowed))
    positions = _positions(items)
    kept: list[Post] = []
    kept_positions: list[int] = []
    rejected = list(items.rejected)
    candidates: list[tuple[int, Post]] = []
    for index, post in zip(positions, items.accepted, strict=True):
        if may_write(post.source):
            candidates.append((index, post))
        else:
            rejected.append(
                PostRejected(
                    index,
                    f"source: this caller may not write posts of source {post.source!r} "
                    f"(it may write: {allowed_text})",
                )
            )
    stored = stored_sources([post.id for _, post in candidates]) if candidates else {}
    for index, post in candidates:
        owner = stored.get(post.id)
        if owner is not None and not may_write(owner):
            rejected.append(
                PostRejected(
                    index,
                    f"id: {post.id!r} is a stored post of source {owner!r}, "
                    f"which this caller may not write (it may write: {allowed_text})",
                )
            )
        else:
            kept.append(post)
            kept_positions.append(index)
    rejected.sort(key=lambda reject: reject.index)
    return PushItems(accepted=kept, rejected=rejected, positions=kept_positions)


def _positions(items: PushItems) -> list[int]:
    if items.positions is not None:
        return items.positions
    refused = {reject.index for reject in items.rejected}
    total = len(items.accepted) + len(items.rejected)
    return [index for index in range(total) if index not in refused]
