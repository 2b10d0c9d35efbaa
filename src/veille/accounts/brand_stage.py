"""Marks the posts of registered official accounts (``is_brand_account``), from the brand-account registry.

``is_brand_account`` is computed, never trusted from a client (:data:`veille.model.ENRICHMENT_FIELDS`):
a post is a brand's when its platform and folded author handle are a row of the registry (ours or a
competitor's, as ``spec/post.md`` says: "the author is a registered official account"). Care replies
of a brand are then never counted as the public's voice (alert terms, influencer rankings, volume of
the public).

The registry changes rarely and is small: the stage keeps its keys and checks, at most once every
``refresh_s`` seconds, a signature of the table (rows, last change), rereading it only when that
changed; an account registered through the API or approved by governance applies within a second,
in every process that runs the pipeline.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable

from sqlalchemy import func, select

from veille.model import Post
from veille.store.schema import brand_accounts
from veille.store.sql import SqlStore
from veille.text import handle_key

__all__ = ["BrandAccountStage", "RegistryKeys", "registry_keys"]

Key = tuple[str, str]


def registry_keys(store: SqlStore) -> frozenset[Key]:
    """Every registered account as ``(platform, folded handle)``."""
    query = select(brand_accounts.c.platform, brand_accounts.c.handle_key)
    with store.engine.connect() as connection:
        return frozenset((row.platform, row.handle_key) for row in connection.execute(query))


class RegistryKeys:
    """The registry's keys, reread when the table's signature changes (checked every ``refresh_s``)."""

    def __init__(
        self, store: SqlStore, *, refresh_s: float = 1.0, clock: Callable[[], float] = time.monotonic
    ):
        self.store = store
        self.refresh_s = refresh_s
        self.clock = clock
        self._keys: frozenset[Key] = frozenset()
        self._signature: tuple[int, int] | None = None
        self._checked: float | None = None
        self._lock = threading.Lock()

    def _read_signature(self) -> tuple[int, int]:
        query = select(func.count(), func.coalesce(func.max(brand_accounts.c.updated_us), 0))
        with self.store.engine.connect() as connection:
            count, last = connection.execute(query).one()
        return int(count), int(last)

    def __call__(self) -> frozenset[Key]:
        with self._lock:
            now = self.clock()
            if self._checked is not None and now - self._checked < self.refresh_s:
                return self._keys
            self._checked = now
            signature = self._read_signature()
            if signature != self._signature:
                self._keys = registry_keys(self.store)
                self._signature = signature
            return self._keys


class BrandAccountStage:
    """Sets ``is_brand_account`` on every post from its author's presence in the registry."""

    name = "brand_accounts"

    def __init__(self, keys: Callable[[], Iterable[Key]] | Iterable[Key]) -> None:
        if callable(keys):
            self._keys: Callable[[], Iterable[Key]] = keys
        else:
            fixed = frozenset(keys)
            self._keys = lambda: fixed

    def process(self, posts: list[Post]) -> list[Post]:
        keys = self._keys()
        if not isinstance(keys, frozenset | set):
            keys = frozenset(keys)
        for post in posts:
            post.is_brand_account = (post.source, handle_key(post.author.handle)) in keys
        return posts
