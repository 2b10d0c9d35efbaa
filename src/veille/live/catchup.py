"""Catch-up from the store for clients behind the live edge, shared and rate-limited.

The store is read in aligned pages of write sequences (page ``k`` holds seq ``k·P+1 … (k+1)·P``),
so that every client behind the live edge — a slow screen skipped forward, a reconnect with
``Last-Event-ID`` — asks for the same pages whatever seq it stopped at. A page is read once (one
reader at a time per page, the others wait for it), encoded once, kept in a small cache, and its
selection for a filter is computed once per filter. Store reads go through a token bucket: a
crowd of lagging clients never turns into a burst of reads that starves the writer and the API
(issue 18, fault 7: 300 lagging clients replayed 5,000 posts each at once, 451 MiB → 1.5 GiB).
"""

from __future__ import annotations

import asyncio
import bisect
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from veille.live.encoding import encode_post
from veille.live.filters import CompiledFilter, LiveItem
from veille.store.base import StoredPost

__all__ = ["CatchUp", "Page", "PageStore"]


class PageStore(Protocol):
    def posts_after(self, seq: int, *, limit: int = 500) -> list[StoredPost]: ...


@dataclass
class Page:
    """The posts of one aligned page, as far as ``covered`` (every seq ≤ covered was committed
    when the page was read; a page whose end is ≤ covered is complete and never changes)."""

    index: int
    covered: int
    items: list[LiveItem]
    seqs: list[int] = field(default_factory=list)

    def after(self, seq: int) -> list[LiveItem]:
        return self.items[bisect.bisect_right(self.seqs, seq) :]


class _Bucket:
    """At most ``rate`` store reads per second, with bursts of ``burst``."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = float(burst)
        self.stamp = time.monotonic()
        self.lock = asyncio.Lock()

    async def take(self) -> None:
        async with self.lock:
            while True:
                now = time.monotonic()
                self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
                self.stamp = now
                if self.tokens >= 1:
                    self.tokens -= 1
                    return
                await asyncio.sleep((1 - self.tokens) / self.rate)


class CatchUp:
    """Pages of the store for clients behind the live edge (see the module docstring)."""

    def __init__(
        self,
        store: PageStore,
        *,
        page_size: int = 256,
        cached_pages: int = 16,
        reads_per_s: float = 20.0,
        live_edge: Callable[[], int],
    ) -> None:
        self.store = store
        self.page_size = page_size
        self.cached_pages = cached_pages
        self.live_edge = live_edge
        self._bucket = _Bucket(reads_per_s, burst=max(1, int(reads_per_s)))
        self._pages: OrderedDict[int, Page] = OrderedDict()
        self._reading: dict[int, asyncio.Future[Page]] = {}
        self.reads = 0  # store reads done (tests and metrics)
        self.served = 0  # pages served from the cache or a shared read

    def index_of(self, after: int) -> int:
        return after // self.page_size

    async def page(self, after: int) -> Page:
        """The page holding the posts right after ``after``, covering at least ``after + 1`` if
        anything was written after it (a page is re-read only if it does not cover enough)."""
        index = self.index_of(after)
        while True:
            cached = self._pages.get(index)
            if cached is not None and (self._complete(cached) or cached.covered > after):
                self._pages.move_to_end(index)
                self.served += 1
                return cached
            reading = self._reading.get(index)
            if reading is None:
                break
            page = await asyncio.shield(reading)
            if self._complete(page) or page.covered > after or page.covered >= self.live_edge():
                self.served += 1
                return page
        future: asyncio.Future[Page] = asyncio.get_running_loop().create_future()
        self._reading[index] = future
        try:
            page = await self._read(index)
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # read by whoever waits; never "never retrieved"
            raise
        finally:
            self._reading.pop(index, None)
        future.set_result(page)
        self._pages[index] = page
        self._pages.move_to_end(index)
        while len(self._pages) > self.cached_pages:
            self._pages.popitem(last=False)
        return page

    def _complete(self, page: Page) -> bool:
        return page.covered >= (page.index + 1) * self.page_size

    async def _read(self, index: int) -> Page:
        await self._bucket.take()
        covered = self.live_edge()  # before the read: every seq up to it is committed
        start, end = index * self.page_size, (index + 1) * self.page_size
        stored = await asyncio.to_thread(self.store.posts_after, start, limit=self.page_size)
        self.reads += 1
        items: list[LiveItem] = []
        for entry in stored:
            if entry.seq > end:
                break
            data = entry.post.to_json_dict()
            items.append(LiveItem(entry.seq, data, encode_post(entry.seq, data)))
        return Page(index, min(covered, end), items, [item.seq for item in items])


class Selections:
    """One filter's selection of each page, computed once and shared by that filter's clients."""

    def __init__(self, compiled: CompiledFilter, keep: int = 4) -> None:
        self.compiled = compiled
        self.keep = keep
        self._done: OrderedDict[tuple[int, int], list[LiveItem]] = OrderedDict()

    def of(self, page: Page) -> list[LiveItem]:
        key = (page.index, page.covered)
        selected = self._done.get(key)
        if selected is None:
            selected = self.compiled.select(page.items)
            self._done[key] = selected
            while len(self._done) > self.keep:
                self._done.popitem(last=False)
        return selected
