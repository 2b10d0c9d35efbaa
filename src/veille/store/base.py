"""What the rest of the hub may ask of a store, whatever the engine."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from veille.errors import Invalid
from veille.model import Post, PostRejected

if TYPE_CHECKING:
    from veille.store.prepared import PreparedPosts

__all__ = ["Cursor", "Page", "PostSearch", "Store", "StoredPost", "decode_cursor", "encode_cursor"]

MAX_PAGE = 500


@dataclass(frozen=True, slots=True)
class Cursor:
    """Position after the last item of a page: newest-first order is (created_us, id) descending."""

    created_us: int
    post_id: str


def encode_cursor(cursor: Cursor) -> str:
    raw = json.dumps([cursor.created_us, cursor.post_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str) -> Cursor:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        created_us, post_id = json.loads(raw)
        if (
            not isinstance(created_us, int)
            or not isinstance(post_id, str)
            or not -(2**63) <= created_us < 2**63
        ):
            raise ValueError
    except (ValueError, binascii.Error, TypeError):
        raise Invalid("cursor: not a cursor returned by this API", field="cursor") from None
    return Cursor(created_us, post_id)


@dataclass(frozen=True, slots=True)
class PostSearch:
    """Filters of a post search; ``text`` is full-text (words, "quoted phrases", prefix*)."""

    text: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    sources: Sequence[str] = ()
    langs: Sequence[str] = ()
    authors: Sequence[str] = ()
    limit: int = 50
    cursor: str | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_PAGE:
            raise Invalid(f"limit: must be between 1 and {MAX_PAGE}", field="limit")
        if self.since and self.until and self.since >= self.until:
            raise Invalid("since: must be before until", field="since")


@dataclass(slots=True)
class Page:
    items: list[Post]
    next_cursor: str | None = None


@dataclass(frozen=True, slots=True)
class StoredPost:
    seq: int
    post: Post


class Store(Protocol):
    """Posts and checkpoints. Every method is synchronous; async callers use a thread."""

    dialect: str

    def migrate(self) -> None: ...

    def upsert_posts(
        self,
        posts: Sequence[Post],
        *,
        checkpoint: tuple[str, str | None] | None = None,
        dead_letters: tuple[str, Sequence[PostRejected]] | None = None,
        resolved_dead_letters: Sequence[int] = (),
    ) -> list[StoredPost]:
        """Insert or replace posts by id and, in the same transaction, commit the source's checkpoint
        and keep the items the source refused (the dead-letter table)."""
        ...

    def write_prepared(
        self,
        prepared: PreparedPosts,
        *,
        checkpoint: tuple[str, str | None] | None = None,
        dead_letters: tuple[str, Sequence[PostRejected]] | None = None,
        resolved_dead_letters: Sequence[int] = (),
    ) -> list[int]:
        """:meth:`upsert_posts` of a batch prepared beforehand; the write sequence numbers, in order."""
        ...

    def get_post(self, post_id: str) -> Post | None: ...

    def search_posts(self, search: PostSearch) -> Page: ...

    def posts_after(self, seq: int, *, limit: int = 500) -> list[StoredPost]: ...

    def last_seq(self) -> int: ...

    def count_posts(self) -> int: ...

    def get_checkpoint(self, source: str) -> str | None: ...

    def close(self) -> None: ...
