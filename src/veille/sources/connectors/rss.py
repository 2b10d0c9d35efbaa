"""RSS 2.0 / Atom feeds: many feeds, conditional GET, reference §5.1.

httpx fetches (conditional GET with the stored ``ETag``/``Last-Modified`` verbatim, redirects handled by
hand so that a 301/308 permanently moves the stored URL and a 302/307 does not, ``410 Gone`` stops the
feed, ``429``/``503`` honour ``Retry-After`` per feed); feedparser parses (robust to broken feeds, it
sanitises HTML; it never fetches). Each feed has its own next-due time, so one slow or rate-limited
feed never holds the others back. Entries are identified by ``guid``/``id``, then ``link``, then a
digest of title and date; the checkpoint keeps the ids seen per feed.
"""

from __future__ import annotations

import asyncio
import calendar
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
import httpx

from veille.clock import iso_from_epoch
from veille.model import Post, PostRejected
from veille.security import MIN_POLL_INTERVAL_S, OutboundRefused, ResponseTooLarge
from veille.sources.connectors.base import post_from_dict
from veille.sources.connectors.config import ConfigField, ConnectorMeta
from veille.sources.connectors.errors import ConnectorConfigError
from veille.sources.connectors.feed_dates import parse_feed_date
from veille.sources.connectors.html import html_to_text
from veille.sources.connectors.polling import Candidates, PollingConnector, parse_retry_after
from veille.sources.connectors.registry import register

__all__ = ["RSS_UNFILLED_FIELDS", "RssConnector", "entry_key", "map_feed_entry"]

RSS_UNFILLED_FIELDS = (
    "author.followers",
    "metrics.likes",
    "metrics.reposts",
    "metrics.replies",
    "metrics.views",
)
ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.8"
_LANG_RE = re.compile(r"^[a-zA-Z]{2,3}(?:[-_][a-zA-Z0-9]{1,8})*$")
_MAX_REDIRECTS = 5


def entry_key(entry: Mapping[str, Any]) -> str:
    """``guid``/``id``, else ``link``, else a digest of title and date (reference §5.1)."""
    for name in ("id", "link"):
        value = entry.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    basis = f"{entry.get('title', '')}|{entry.get('published', entry.get('updated', ''))}"
    return "sha1:" + hashlib.sha1(basis.encode()).hexdigest()


def _entry_time(entry: Mapping[str, Any]) -> float | None:
    """The entry's date: feedparser's parse, else ours (localised names: "Qua, 06 Set 2023 …")."""
    for name in ("published", "updated", "created"):
        parsed = entry.get(f"{name}_parsed")
        if parsed:
            try:
                return float(calendar.timegm(tuple(parsed)[:9]))
            except (TypeError, ValueError, OverflowError):
                pass
        moment = parse_feed_date(entry.get(name)) if isinstance(entry.get(name), str) else None
        if moment is not None:
            return moment.timestamp()
    return None


def _raw_date(entry: Mapping[str, Any]) -> str | None:
    for name in ("published", "updated", "created"):
        value = entry.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _lang(*candidates: Any) -> str | None:
    """The first language tag given (the post model keeps its ISO 639-1 code and the tag)."""
    for value in candidates:
        if isinstance(value, str) and _LANG_RE.match(value.strip()):
            return value.strip()
    return None


def map_feed_entry(
    entry: Mapping[str, Any],
    *,
    feed: Mapping[str, Any],
    feed_url: str,
    fetched_at: float,
    base_url: str | None = None,
) -> Post:
    """One feedparser entry as a canonical post; ``ValueError`` names what is missing.

    Relative links are resolved against the feed's address (``base_url``: where it was fetched
    from, after redirects). An entry whose date cannot be read is dated at the fetch time and says
    so (``created_at`` in ``extra["unfilled"]``, the raw date in ``extra["date_unparsed"]``).
    """
    base = base_url or feed_url
    key = entry_key(entry)
    # A guid such as "1" is unique only inside its feed: qualify it with the feed's URL.
    platform_id = key if re.match(r"^[a-z][a-z0-9+.-]*:", key, re.IGNORECASE) else f"{feed_url}#{key}"
    title = html_to_text(entry["title"]).text if isinstance(entry.get("title"), str) else ""
    contents = entry.get("content")
    markup = ""
    if isinstance(contents, list) and contents and isinstance(contents[0], Mapping):
        markup = str(contents[0].get("value") or "")
    if not markup.strip() and isinstance(entry.get("summary"), str):
        markup = entry["summary"]
    body = html_to_text(markup) if markup.strip() else None
    body_text = body.text.strip() if body else ""
    raw_link = entry.get("link") if isinstance(entry.get("link"), str) else None
    link = urljoin(base, raw_link.strip()) if raw_link and raw_link.strip() else None
    if title and body_text and not body_text.startswith(title):
        text = f"{title}\n\n{body_text}"
    else:
        text = body_text or title
    extra: dict[str, Any] = {"feed_url": feed_url, "entry_id": key}
    if not text.strip() and link and link.startswith(("http://", "https://")):
        text = link  # an entry that is only a link: the link is what it says
        extra["text_from"] = "link"
    if not text.strip():
        raise ValueError("title/description: the entry has neither (nor a link)")
    moment = _entry_time(entry)
    if isinstance(feed.get("title"), str):
        extra["feed_title"] = feed["title"]
    tags = [
        tag.get("term") for tag in entry.get("tags") or [] if isinstance(tag, Mapping) and tag.get("term")
    ]
    if tags:
        extra["categories"] = tags
    if moment is None:
        # created_at is when the hub first saw it, and the post says so.
        raw_date = _raw_date(entry)
        if raw_date is None:
            extra["date_missing"] = True
        else:
            extra["date_unparsed"] = raw_date
        extra["unfilled"] = ["created_at"]
        extra["unfilled_reasons"] = {
            "created_at": f"date not understood ({raw_date!r}): the fetch time is used"
            if raw_date
            else "the entry has no date: the fetch time is used"
        }
    author_name = entry.get("author") if isinstance(entry.get("author"), str) else None
    raw_detail = entry.get("author_detail")
    detail: Mapping[str, Any] = raw_detail if isinstance(raw_detail, Mapping) else {}
    feed_title = feed.get("title") if isinstance(feed.get("title"), str) else None
    handle = (author_name or feed_title or urlsplit(feed_url).hostname or feed_url).strip()
    links = [link] if link else []
    if body:
        links.extend(urljoin(base, href) for href in body.links)
    for related in entry.get("links") or []:  # feedparser keeps <enclosure> as rel="enclosure" links
        if (
            isinstance(related, Mapping)
            and related.get("rel") == "enclosure"
            and isinstance(related.get("href"), str)
        ):
            links.append(urljoin(base, related["href"]))
    content_lang = contents[0].get("language") if isinstance(contents, list) and contents else None
    return post_from_dict(
        {
            "id": f"rss:{platform_id}",
            "source": "rss",
            "url": link,
            "created_at": iso_from_epoch(moment if moment is not None else fetched_at),
            "text": text,
            "lang": _lang(content_lang, feed.get("language")),
            "author": {
                "handle": handle,
                "name": author_name or feed_title,
                "id": detail.get("href") or detail.get("email") or None,
            },
            "links": [item for item in dict.fromkeys(links) if item.startswith(("http://", "https://"))],
            "extra": extra,
        }
    )


@register
class RssConnector(PollingConnector):
    """Polls many RSS 2.0 / Atom feeds with conditional GET."""

    meta = ConnectorMeta(
        type="rss",
        title="RSS / Atom feeds",
        default_endpoint=None,
        description="Conditional GET (ETag/Last-Modified), 301/308 followed permanently, 410 stops the "
        "feed, Retry-After honoured per feed, RSS <ttl> respected.",
        never_filled=RSS_UNFILLED_FIELDS,
        example={
            "type": "rss",
            "name": "press",
            "feeds": ["https://www.example.org/feed.xml", "https://blog.example.com/atom.xml"],
            "poll_interval_s": 900,
        },
        fields=(
            ConfigField("feeds", "list[str]", help="feed URLs"),
            ConfigField("user_agent", "str", default="Veille/0.1 feed reader (+https://github.com/veille)"),
            ConfigField(
                "poll_interval_s",
                "float",
                default=900.0,
                help="per feed; RSS <ttl> may lengthen it",
                minimum=MIN_POLL_INTERVAL_S,
            ),
            ConfigField("max_concurrency", "int", default=8),
            ConfigField("max_seen", "int", default=2000, help="entry ids remembered per feed"),
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        feeds = [url.strip() for url in self.config["feeds"] if url.strip()]
        bad = [url for url in feeds if not url.startswith(("http://", "https://"))]
        if not feeds or bad:
            raise ConnectorConfigError(
                f"source {self.name!r}: feeds: give http(s) feed URLs (bad: {bad})", field="feeds"
            )
        self.feed_urls = list(dict.fromkeys(feeds))
        self._failures: dict[str, int] = {}

    # --- one poll: every feed that is due ---------------------------------------------------------
    async def poll(self, state: dict[str, Any]) -> tuple[Candidates, list[PostRejected]]:
        feeds_state = state.setdefault("feeds", {})
        # Restarted from a checkpoint before any feed is due again: wait rather than emit an empty batch.
        wait = self.next_delay(state)
        if wait > 1.0:
            await self.clock.sleep(wait)
        now = self.clock.time()
        due = [
            url
            for url in self.feed_urls
            # A second of slack: feeds fetched in the same cycle fall due together, not one per wake-up.
            if not feeds_state.get(url, {}).get("stopped")
            and float(feeds_state.get(url, {}).get("next_at", 0)) <= now + 1.0
        ]
        limit = asyncio.Semaphore(int(self.config["max_concurrency"]))

        async def one(url: str) -> tuple[str, list[Any], dict[str, Any]]:
            async with limit:
                feed_state = dict(feeds_state.get(url, {}))
                entries = await self._fetch(url, feed_state)
                return url, entries, feed_state

        results = await asyncio.gather(*(one(url) for url in due))
        failing = [str(state["failing"]) for _url, _entries, state in results if state.get("failing")]
        if due and len(failing) == len(due):
            # Not one feed could be read: the source failed (with the errors), it is not "quiet".
            self.unreachable = "; ".join(failing)
        stopped = [
            f"{url}: {feeds_state.get(url, {}).get('stopped')}"
            for url in self.feed_urls
            if feeds_state.get(url, {}).get("stopped")
        ]
        if len(stopped) == len(self.feed_urls):
            self.unreachable = "every feed is stopped: " + "; ".join(stopped)
        candidates: Candidates = []
        rejected: list[PostRejected] = []
        index = 0
        for url, entries, feed_state in results:
            feeds_state[url] = feed_state
            mapped, bad = self.map_items(
                entries, lambda item: item(), start=index, payload_of=lambda item: item.payload()
            )
            index += len(entries)
            candidates.extend(mapped)
            rejected.extend(bad)
        candidates.sort(key=lambda pair: pair[0].created_at)
        return candidates, rejected

    def remap(self, payload: Any) -> Post | None:
        if not isinstance(payload, Mapping) or not isinstance(payload.get("entry"), Mapping):
            raise ValueError("entry: missing from the stored payload")
        feed = payload.get("feed")
        fetched_at = payload.get("fetched_at")
        return map_feed_entry(
            payload["entry"],
            feed=feed if isinstance(feed, Mapping) else {},
            feed_url=str(payload.get("feed_url") or ""),
            fetched_at=float(fetched_at) if isinstance(fetched_at, int | float) else self.clock.time(),
            base_url=str(payload.get("base_url") or payload.get("feed_url") or ""),
        )

    def next_delay(self, state: dict[str, Any]) -> float:
        feeds_state = state.get("feeds", {})
        now = self.clock.time()
        pending = [
            float(feeds_state.get(url, {}).get("next_at", 0))
            for url in self.feed_urls
            if not feeds_state.get(url, {}).get("stopped")
        ]
        if not pending:
            return float(self.config["poll_interval_s"])
        return max(0.0, min(pending) - now)

    # --- one feed --------------------------------------------------------------------------------
    def _retry_later(self, url: str, feed_state: dict[str, Any], message: str, wait: float) -> list[Any]:
        error = f"RSS ({self.name}): {url}: {message}"
        self.health.record_error(error, self.clock.time())
        feed_state["next_at"] = self.clock.time() + wait
        feed_state["failing"] = error  # until the feed answers again
        return []

    def _backoff(self, url: str, start_s: float) -> float:
        failures = self._failures.get(url, 0)
        self._failures[url] = failures + 1
        delay = min(float(self.config["poll_interval_s"]) * 4, start_s * 2**failures)
        return delay * (1 + self.policy.rng.uniform(-0.2, 0.2))

    async def _fetch(self, url: str, feed_state: dict[str, Any]) -> list[Any]:
        """Fetch one feed; return thunks that map its new entries (so rejects get batch indexes)."""
        interval = float(self.config["poll_interval_s"])
        target = feed_state.get("location") or url
        headers = {"User-Agent": str(self.config["user_agent"]), "Accept": ACCEPT}
        if feed_state.get("etag"):
            headers["If-None-Match"] = feed_state["etag"]
        if feed_state.get("last_modified"):
            headers["If-Modified-Since"] = feed_state["last_modified"]
        try:
            for _hop in range(_MAX_REDIRECTS + 1):
                response = await self.http.get(target, headers=headers, follow_redirects=False)
                if response.status_code in (301, 302, 303, 307, 308) and "location" in response.headers:
                    target = urljoin(target, response.headers["location"])
                    if response.status_code in (301, 308):
                        feed_state["location"] = target  # moved for good: never ask the old address again
                    continue
                break
            else:
                return self._retry_later(url, feed_state, "too many redirects", interval)
        except httpx.TransportError as error:
            return self._retry_later(
                url, feed_state, f"network error {type(error).__name__}", self._backoff(url, 5)
            )
        except (OutboundRefused, ResponseTooLarge) as error:
            # Refused by the hub's outbound policy (a non-public address, on any redirect hop) or
            # over the size cap: this feed waits, the others are read.
            return self._retry_later(url, feed_state, str(error), self._backoff(url, 60))
        status = response.status_code
        now = self.clock.time()
        if status in (429, 503):
            self.health.rate_limited_total += 1
            wait = parse_retry_after(response.headers.get("retry-after"), now=now)
            return self._retry_later(
                url, feed_state, f"HTTP {status}", wait if wait is not None else self._backoff(url, 60)
            )
        if status >= 500:
            return self._retry_later(url, feed_state, f"HTTP {status}", self._backoff(url, 5))
        if status == 410:
            feed_state["stopped"] = "410 Gone"
            self.health.record_error(f"RSS ({self.name}): {url}: 410 Gone; polling stopped", now)
            return []
        if status in (401, 403):
            # A feed behind credentials we do not have: reported once, never retried in a loop.
            feed_state["stopped"] = f"HTTP {status}: access refused"
            self.health.record_error(
                f"RSS ({self.name}): {url}: HTTP {status}, access refused; the feed is not polled again "
                "until its configuration changes",
                now,
            )
            return []
        for header, key in (("etag", "etag"), ("last-modified", "last_modified")):
            if response.headers.get(header):
                feed_state[key] = response.headers[header]  # verbatim, quotes and W/ included
        feed_state.pop("failing", None)  # the feed answered
        if status == 304:
            self._failures.pop(url, None)
            feed_state["next_at"] = now + interval
            return []
        if status >= 400:
            return self._retry_later(url, feed_state, f"HTTP {status}", interval)
        headers = dict(response.headers)
        # The feed's address is the base of its relative links (feedparser reads it from here).
        headers.setdefault("content-location", target)
        parsed = await asyncio.to_thread(feedparser.parse, response.content, response_headers=headers)
        # Plain dicts: feedparser's FeedParserDict maps missing keys to others (updated_parsed ->
        # published_parsed) with a DeprecationWarning; we read the keys it actually parsed.
        feed = dict(parsed.get("feed") or {})
        entries = [dict(entry) for entry in parsed.get("entries") or []]
        if parsed.get("bozo") and not entries and not feed:
            self.health.malformed_total += 1
            feed_state.pop("etag", None)
            feed_state.pop("last_modified", None)  # refetch in full next time
            return self._retry_later(
                url, feed_state, f"not a feed ({parsed.get('bozo_exception')})", interval
            )
        self._failures.pop(url, None)
        feed_state["next_at"] = now + max(interval, _ttl_s(feed))
        return self._new_entries(url, feed_state, feed, entries, now, base_url=target)

    def _new_entries(
        self,
        url: str,
        feed_state: dict[str, Any],
        feed: Mapping[str, Any],
        entries: list[Any],
        now: float,
        *,
        base_url: str,
    ) -> list[Any]:
        seen = dict(feed_state.get("seen") or {})
        thunks: list[Any] = []
        for entry in entries:
            key = entry_key(entry)
            if key in seen:
                self.health.duplicates_total += 1
                continue
            seen[key] = _entry_time(entry) or now

            thunks.append(
                _EntryThunk(entry=entry, feed=feed, feed_url=url, fetched_at=now, base_url=base_url)
            )
        limit = int(self.config["max_seen"])
        if len(seen) > limit:
            seen = dict(sorted(seen.items(), key=lambda pair: pair[1], reverse=True)[:limit])
        feed_state["seen"] = seen
        return thunks


@dataclass(frozen=True, slots=True)
class _EntryThunk:
    """One new entry, mapped when the batch is made (so that a refused one gets its batch index)."""

    entry: Mapping[str, Any]
    feed: Mapping[str, Any]
    feed_url: str
    fetched_at: float
    base_url: str

    def __call__(self) -> Post:
        return map_feed_entry(
            self.entry,
            feed=self.feed,
            feed_url=self.feed_url,
            fetched_at=self.fetched_at,
            base_url=self.base_url,
        )

    def payload(self) -> dict[str, Any]:
        """What :meth:`RssConnector.remap` needs to map the entry again: the entry and its feed."""
        feed = {
            key: self.feed.get(key) for key in ("title", "language", "link") if self.feed.get(key) is not None
        }
        return {
            "entry": dict(self.entry),
            "feed": feed,
            "feed_url": self.feed_url,
            "base_url": self.base_url,
            "fetched_at": self.fetched_at,
        }


def _ttl_s(feed: Mapping[str, Any]) -> float:
    try:
        return float(feed.get("ttl") or 0) * 60.0
    except (TypeError, ValueError):
        return 0.0
