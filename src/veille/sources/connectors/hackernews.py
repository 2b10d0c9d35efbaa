"""Hacker News through the Algolia search API (``search_by_date``), reference §5.2.

Each poll asks for items created since the checkpoint's high-water mark minus an overlap (Algolia
indexes asynchronously, so a recent item can appear late), walks the pages newest-first and drops the
ids already delivered. No credentials; 10,000 requests/hour per IP and no rate-limit headers, so a 429
backs off exponentially from 60 s (or waits for ``Retry-After`` when one is sent).

Items: stories (title, ``story_text``, link), comments (``comment_text``, ``parent_id`` as
``reply_to``) and poll options (``pollopt``: no title, the option is ``story_text``, the poll is
``extra["poll_id"]``). A hit that cannot be mapped goes to the dead-letter table as received.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from veille.clock import iso_from_epoch
from veille.model import Post, PostRejected
from veille.security import MIN_POLL_INTERVAL_S
from veille.sources.connectors.base import post_from_dict
from veille.sources.connectors.config import ConfigField, ConnectorMeta
from veille.sources.connectors.errors import ConnectorError, CredentialsError, ServerError
from veille.sources.connectors.html import html_to_text
from veille.sources.connectors.polling import Candidates, PollingConnector, Watermark, digest_key
from veille.sources.connectors.registry import register

__all__ = ["HN_UNFILLED_FIELDS", "HackerNewsConnector", "map_hn_hit"]

ITEM_URL = "https://news.ycombinator.com/item?id="
HN_UNFILLED_FIELDS = (
    "author.followers",
    "author.name",
    "lang",
    "metrics.reposts",
    "metrics.views",
    "country",
)


def _number(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def map_hn_hit(hit: Mapping[str, Any]) -> Post:
    """One Algolia hit (story or comment) as a canonical post; ``ValueError`` names a bad field."""
    if not isinstance(hit, Mapping):
        raise ValueError("hit: not a JSON object")
    object_id = hit.get("objectID")
    if not isinstance(object_id, str | int) or isinstance(object_id, bool) or not str(object_id):
        raise ValueError("objectID: missing")
    created = _number(hit.get("created_at_i"))
    created_at: Any = iso_from_epoch(created) if created is not None else hit.get("created_at")
    if not isinstance(created_at, str):
        raise ValueError("created_at_i: missing or not a number")
    author = hit.get("author")
    if not isinstance(author, str) or not author:
        raise ValueError("author: missing")
    raw_tags = hit.get("_tags")
    tags: list[Any] = raw_tags if isinstance(raw_tags, list) else []
    links: list[str] = []
    extra: dict[str, Any] = {"hn_tags": [tag for tag in tags if isinstance(tag, str)]}
    reply_to = None
    comment_html = hit.get("comment_text")
    if "pollopt" in tags:
        # A poll option: no title, its text is story_text, parent_id is the poll.
        option = hit.get("story_text") or hit.get("title")
        if not isinstance(option, str) or not option.strip():
            raise ValueError("story_text: missing on a poll option")
        body = html_to_text(option)
        text = body.text
        links.extend(body.links)
        parent = _number(hit.get("parent_id"))
        if parent is not None:
            extra["poll_id"] = f"hackernews:{parent}"
    elif "comment" in tags or (isinstance(comment_html, str) and comment_html):
        if not isinstance(comment_html, str):
            raise ValueError("comment_text: missing")
        body = html_to_text(comment_html)
        text = body.text
        links.extend(body.links)
        parent = _number(hit.get("parent_id"))
        reply_to = f"hackernews:{parent}" if parent is not None else None
        for key in ("story_id", "story_title", "story_url"):
            if hit.get(key) is not None:
                extra[key] = hit[key]
    else:
        title = hit.get("title")
        if not isinstance(title, str) or not title.strip():
            raise ValueError("title: missing on a story")
        text = title.strip()
        story_html = hit.get("story_text")
        if isinstance(story_html, str) and story_html.strip():
            body = html_to_text(story_html)
            text = f"{text}\n\n{body.text}" if body.text.strip() else text
            links.extend(body.links)
        target = hit.get("url")
        if isinstance(target, str) and target.startswith(("http://", "https://")):
            links.insert(0, target)
    return post_from_dict(
        {
            "id": f"hackernews:{object_id}",
            "source": "hackernews",
            "url": f"{ITEM_URL}{object_id}",
            "created_at": created_at,
            "text": text,
            "author": {"handle": author, "id": author},
            "reply_to": reply_to,
            "links": list(dict.fromkeys(links)),
            "metrics": {"likes": _max0(hit.get("points")), "replies": _max0(hit.get("num_comments"))},
            "extra": extra,
        }
    )


def _max0(value: Any) -> int | None:
    number = _number(value)
    return max(0, number) if number is not None else None


@register
class HackerNewsConnector(PollingConnector):
    """Polls ``/api/v1/search_by_date`` for stories and comments matching a query."""

    meta = ConnectorMeta(
        type="hackernews",
        title="Hacker News (Algolia search)",
        default_endpoint="https://hn.algolia.com",
        description="Polls search_by_date with numericFilters=created_at_i>… (overlap one minute).",
        never_filled=HN_UNFILLED_FIELDS,
        example={"type": "hackernews", "name": "hn", "search": "livebox", "tags": "(story,comment)"},
        fields=(
            # Not ``query``: that key of every [[sources]] table is the hub's query-language filter.
            ConfigField(
                "search", "str", default=None, help="Algolia full-text query (none: every item of the tags)"
            ),
            ConfigField("tags", "str", default="(story,comment)", help="Algolia tags, e.g. (story,comment)"),
            ConfigField("hits_per_page", "int", default=100),
            ConfigField("poll_interval_s", "float", default=60.0, minimum=MIN_POLL_INTERVAL_S),
            ConfigField("overlap_s", "float", default=60.0, help="Algolia indexes asynchronously"),
            ConfigField("backfill_s", "float", default=3600.0, help="how far back the very first poll reads"),
            ConfigField("max_pages", "int", default=10, help="pages read per poll (Algolia caps depth)"),
        ),
    )

    async def poll(self, state: dict[str, Any]) -> tuple[Candidates, list[PostRejected]]:
        mark = Watermark.from_dict(state.get("mark"), overlap_s=float(self.config["overlap_s"]))
        since = (
            mark.high - mark.overlap_s
            if mark.high is not None
            else self.clock.time() - float(self.config["backfill_s"])
        )
        candidates: Candidates = []
        rejected: list[PostRejected] = []
        max_pages = int(self.config["max_pages"])
        index = 0
        page = 0
        while page < max_pages:
            body = await self._search(int(since), page)
            hits = body["hits"]
            fresh: list[Any] = []
            for hit in hits:
                usable = isinstance(hit, Mapping) and isinstance(hit.get("objectID"), str | int)
                key = str(hit["objectID"]) if usable else digest_key(hit)
                moment = _number(hit.get("created_at_i")) if isinstance(hit, Mapping) else None
                when = float(moment) if moment is not None else self.clock.time()
                if not mark.is_new(key, when):
                    self.health.duplicates_total += 1
                    continue
                fresh.append(hit)
                mark.remember(key, when)
            mapped, bad = self.map_items(fresh, self.map_hit, start=index)
            index += len(fresh)
            candidates.extend(mapped)
            rejected.extend(bad)
            pages = _number(body.get("nbPages")) or 0
            page += 1
            if page >= pages:
                break
        else:
            self.health.record_error(
                f"Hacker News ({self.name}): more than {max_pages} pages since the last poll; "
                "older items may be missed (poll more often)",
                self.clock.time(),
            )
        state["mark"] = mark.to_dict()
        candidates.sort(key=lambda pair: pair[0].created_at)
        return candidates, rejected

    def map_hit(self, hit: Any) -> Post:
        """One hit as a post (:func:`map_hn_hit`); the one place polling and replay map a hit."""
        return map_hn_hit(hit)

    def remap(self, payload: Any) -> Post | None:
        return self.map_hit(payload)

    async def _search(self, since: int, page: int) -> dict[str, Any]:
        params = {
            "tags": str(self.config["tags"]),
            "numericFilters": f"created_at_i>={since}",
            "hitsPerPage": str(self.config["hits_per_page"]),
            "page": str(page),
        }
        if self.config.get("search"):
            params["query"] = str(self.config["search"])

        def refused(response: httpx.Response) -> ConnectorError:
            return CredentialsError(
                f"Hacker News ({self.name}): HTTP {response.status_code} from {self.endpoint}: access "
                "refused (the API needs no key: the IP may be blocked or the endpoint is wrong)"
            )

        response = await self.request(
            "GET", f"{self.endpoint}/api/v1/search_by_date", params=params, auth_error=refused
        )
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("hits"), list):
            self.health.malformed_total += 1
            raise ServerError(f"Hacker News ({self.name}): answer without a hits list", status=502)
        return body
