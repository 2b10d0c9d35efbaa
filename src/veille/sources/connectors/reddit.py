"""Reddit: OAuth (app-only or password grant), subreddit ``/new``, ``/comments`` and search listings.

Wire format, pacing and errors: ``shared/reference/connectors.md`` §4. Each poll re-reads the newest page
of every configured listing and pages back with ``after`` until it meets an item older than the overlap
window below the checkpoint's high-water mark (PRAW's ``before=`` trick breaks when that item is
deleted, so we do not rely on it). Requests are paced with prawcore's formula from the
``X-Ratelimit-*`` headers; a 429 waits for ``Retry-After`` or ``X-Ratelimit-Reset`` seconds.

Mapping (real listings, ``tests/fakes/data/real/reddit``): a crosspost's ``crosspost_parent`` is its
``repost_of`` and its URL (often a path) is made absolute; an old listing without ``permalink`` gets
its URL from ``link_id`` and ``id``; a deleted or removed comment is no post (skipped, not counted as
malformed).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urljoin

import httpx

from veille.clock import iso_from_epoch
from veille.model import Post, PostRejected
from veille.security import MIN_POLL_INTERVAL_S
from veille.sources.connectors.base import post_from_dict
from veille.sources.connectors.config import ConfigField, ConnectorMeta
from veille.sources.connectors.errors import (
    ConnectorConfigError,
    ConnectorError,
    CredentialsError,
    ServerError,
)
from veille.sources.connectors.polling import Candidates, PollingConnector, Watermark, digest_key
from veille.sources.connectors.registry import register
from veille.text import extract_urls

__all__ = [
    "REDDIT_UNFILLED_FIELDS",
    "RedditConnector",
    "RedditPacer",
    "map_reddit_child",
]

WEB_URL = "https://www.reddit.com"
# Listing children carry no follower count, language, view or repost count.
REDDIT_UNFILLED_FIELDS = ("author.followers", "lang", "metrics.views", "metrics.reposts", "country")
_GONE_TEXTS = frozenset({"[deleted]", "[removed]"})
_WINDOW_S = 600.0  # prawcore WINDOW_SIZE


def _require(data: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, kind):
        raise ValueError(f"{where}.{key}: missing or not a {getattr(kind, '__name__', kind)}")
    return value


def _count(value: Any) -> int | None:
    return max(0, int(value)) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _web_url(path_or_url: Any) -> str | None:
    """An absolute URL: Reddit gives crosspost targets and permalinks as paths ("/r/x/comments/…")."""
    if not isinstance(path_or_url, str) or not path_or_url.strip():
        return None
    value = path_or_url.strip()
    if value.startswith(("http://", "https://")):
        return value
    if value.startswith("/"):
        return urljoin(WEB_URL, value)
    return None


def _item_url(kind: str, data: Mapping[str, Any], id36: str) -> str | None:
    """The item's page: its ``permalink``, else (old listings have none) built from ``link_id`` and ``id``."""
    url = _web_url(data.get("permalink"))
    if url is not None:
        return url
    if kind == "t3":
        return f"{WEB_URL}/comments/{id36}/"
    link_id = data.get("link_id")
    if isinstance(link_id, str) and link_id.startswith("t3_"):
        return f"{WEB_URL}/comments/{link_id.removeprefix('t3_')}/_/{id36}/"
    return None


def map_reddit_child(child: Mapping[str, Any]) -> Post | None:
    """One listing child (``t3`` submission or ``t1`` comment) as a canonical post.

    A deleted or removed comment (body ``[deleted]``/``[removed]``) is no post: ``None``, not an
    error. Raises ``ValueError`` naming the field when the child cannot be a post.
    """
    if not isinstance(child, Mapping):
        raise ValueError("child: not a JSON object")
    kind = child.get("kind")
    data = child.get("data")
    if kind not in ("t1", "t3") or not isinstance(data, Mapping):
        raise ValueError(f"kind: {kind!r} is not a submission (t3) or comment (t1)")
    id36 = _require(data, "id", str, "data")
    fullname = data.get("name") if isinstance(data.get("name"), str) else f"{kind}_{id36}"
    created = _require(data, "created_utc", (int, float), "data")
    author = data.get("author") if isinstance(data.get("author"), str) and data.get("author") else "[deleted]"
    extra: dict[str, Any] = {"subreddit": data.get("subreddit"), "reddit_kind": kind}
    if isinstance(data.get("score"), int | float):
        extra["score"] = data["score"]  # can be negative, so it is not a like count
    links: list[str] = []
    reply_to = None
    repost_of = None
    if kind == "t3":
        title = _require(data, "title", str, "data").strip()
        selftext = data.get("selftext")
        body: str = selftext if isinstance(selftext, str) else ""
        if body.strip() in _GONE_TEXTS:
            body = ""
        text = f"{title}\n\n{body.strip()}" if body.strip() else title
        target = _web_url(data.get("url"))
        if target is not None and not data.get("is_self"):
            links.append(target)
        parent = data.get("crosspost_parent")
        if isinstance(parent, str) and parent.startswith("t3_"):
            repost_of = f"reddit:{parent}"  # a crosspost repeats the original submission
        replies = _count(data.get("num_comments"))
        for key in ("over_18", "link_flair_text", "domain"):
            if data.get(key) is not None:
                extra[key] = data[key]
    else:
        text = _require(data, "body", str, "data")
        if text.strip() in _GONE_TEXTS:
            return None  # deleted or removed: nothing left to read (not a malformed item)
        parent = data.get("parent_id")
        reply_to = f"reddit:{parent}" if isinstance(parent, str) and parent else None
        replies = None
        for key in ("link_id", "link_title"):
            if data.get(key) is not None:
                extra[key] = data[key]
    links.extend(url for url in extract_urls(text) if url not in links)
    ups = data.get("ups") if isinstance(data.get("ups"), int) else data.get("score")
    item = {
        "id": f"reddit:{fullname}",
        "source": "reddit",
        "url": _item_url(kind, data, id36),
        "created_at": iso_from_epoch(float(created)),
        "text": text,
        "author": {
            "handle": author,
            "id": data.get("author_fullname") if isinstance(data.get("author_fullname"), str) else None,
        },
        "reply_to": reply_to,
        "repost_of": repost_of,
        "links": links,
        "metrics": {"likes": _count(ups), "replies": replies},
        "extra": extra,
    }
    return post_from_dict(item)


@dataclass(slots=True)
class RedditPacer:
    """prawcore's request spacing from ``X-Ratelimit-*`` headers (reference §4.6)."""

    next_request_at: float = 0.0

    def update(self, headers: httpx.Headers, now: float) -> None:
        try:
            remaining = int(float(headers["x-ratelimit-remaining"]))
            used = int(float(headers["x-ratelimit-used"]))
            reset = int(float(headers["x-ratelimit-reset"]))
        except (KeyError, ValueError):
            return  # e.g. a CDN-cached answer: counts as one request, no new information
        if remaining <= 0:
            self.next_request_at = now + max(1, reset)
            return
        spent = _WINDOW_S - _WINDOW_S / (remaining + used) * used
        self.next_request_at = now + min(reset, max(reset - spent, 0), 10)

    def delay(self, now: float) -> float:
        return max(0.0, self.next_request_at - now)


class _Unauthorised(ConnectorError):
    """401 on the API host: the token expired or was revoked; refresh once before giving up."""


class _Forbidden(ConnectorError):
    """403 on a listing: private, quarantined or banned subreddit; skipped and reported."""


@dataclass(slots=True)
class _Feed:
    key: str  # checkpoint key, e.g. "new" or "search"
    path: str
    params: dict[str, str] = field(default_factory=dict)


@register
class RedditConnector(PollingConnector):
    """Polls subreddit listings (and optionally search) through Reddit's OAuth API."""

    meta = ConnectorMeta(
        type="reddit",
        title="Reddit",
        default_endpoint="https://oauth.reddit.com",
        description="OAuth (app-only, or password grant when username/password are set); polls "
        "/r/{subs}/new and /r/{subs}/comments, optionally search sorted by new.",
        never_filled=REDDIT_UNFILLED_FIELDS,
        example={
            "type": "reddit",
            "name": "reddit-fr",
            "client_id": "your-app-client-id",
            "client_secret": "your-app-secret (or set REDDIT_CLIENT_SECRET)",
            "user_agent": "server:org.example.veille:v0.1 (by /u/your_username)",
            "subreddits": ["france", "paris"],
            "search": "livebox",
        },
        fields=(
            ConfigField("client_id", "str", env="REDDIT_CLIENT_ID", help="the app's client id"),
            ConfigField("client_secret", "str", secret=True, env="REDDIT_CLIENT_SECRET"),
            ConfigField(
                "user_agent",
                "str",
                help="unique and descriptive: <platform>:<app id>:<version> (by /u/<username>)",
            ),
            ConfigField("subreddits", "list[str]", default=[], help="e.g. ['france', 'paris']"),
            ConfigField("listings", "list[str]", default=["new", "comments"], help="'new' and/or 'comments'"),
            ConfigField("search", "str", default=None, help="also poll search (sort=new, t=day) for this"),
            ConfigField(
                "username", "str", default=None, help="password grant (script apps) instead of app-only"
            ),
            ConfigField("password", "str", default=None, secret=True, env="REDDIT_PASSWORD"),
            ConfigField("auth_endpoint", "str", default=WEB_URL, help="host of /api/v1/access_token"),
            ConfigField(
                "poll_interval_s",
                "float",
                default=60.0,
                help="Reddit caches listings ~30 s",
                minimum=MIN_POLL_INTERVAL_S,
            ),
            ConfigField("overlap_s", "float", default=300.0, help="re-read window below the newest item"),
            ConfigField("max_pages", "int", default=10, help="pages of 100 read back per listing and poll"),
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        config = self.config
        user_agent = str(config["user_agent"]).strip()
        if not user_agent or user_agent.lower().startswith(("python", "httpx", "java", "curl")):
            raise ConnectorConfigError(
                f"source {self.name!r}: user_agent: must be unique and descriptive, "
                "e.g. 'server:org.example.veille:v1 (by /u/you)' (default agents are blocked)",
                field="user_agent",
            )
        listings = list(config["listings"])
        unknown = sorted(set(listings) - {"new", "comments"})
        if unknown:
            raise ConnectorConfigError(
                f"source {self.name!r}: listings: unknown {unknown}; use 'new' and/or 'comments'",
                field="listings",
            )
        subreddits = [sub.strip().removeprefix("r/").removeprefix("/r/") for sub in config["subreddits"]]
        search = config.get("search")
        if not subreddits and not search:
            raise ConnectorConfigError(
                f"source {self.name!r}: subreddits: give subreddits and/or search", field="subreddits"
            )
        self.user_agent = user_agent
        self.pacer = RedditPacer()
        self._token: str | None = None
        self._token_expires_at = 0.0
        joined = "+".join(sub for sub in subreddits if sub)
        self.feeds = [_Feed(listing, f"/r/{joined}/{listing}") for listing in listings if joined]
        if search:
            params = {"q": str(search), "sort": "new", "t": "day"}
            if joined:
                params["restrict_sr"] = "1"
            self.feeds.append(_Feed("search", f"/r/{joined}/search" if joined else "/search", params))

    # --- auth ----------------------------------------------------------------------------------
    async def _fetch_token(self) -> None:
        secret = self.config.secret("client_secret") or ""
        basic = base64.b64encode(f"{self.config['client_id']}:{secret}".encode()).decode()
        form = {"grant_type": "client_credentials"}
        username, password = self.config.get("username"), self.config.secret("password")
        if username and password:
            form = {"grant_type": "password", "username": str(username), "password": password}
        auth_url = str(self.config["auth_endpoint"]).rstrip("/")

        def refused(response: httpx.Response) -> ConnectorError:
            return CredentialsError(
                f"Reddit ({self.name}): HTTP {response.status_code} from {auth_url}/api/v1/access_token: "
                "client_id/client_secret refused; check the app's id and secret"
            )

        response = await self.request(
            "POST",
            f"{auth_url}/api/v1/access_token",
            auth_error=refused,
            data=form,
            headers={"Authorization": f"Basic {basic}", "User-Agent": self.user_agent},
        )
        try:
            body = response.json()
        except ValueError:
            raise ServerError(f"Reddit ({self.name}): token answer is not JSON", status=502) from None
        if not isinstance(body, Mapping):
            raise ServerError(f"Reddit ({self.name}): token answer is not a JSON object", status=502)
        if body.get("error"):
            reason = body["error"]
            hint = "wrong username or password" if reason == "invalid_grant" else "check the app settings"
            raise CredentialsError(f"Reddit ({self.name}): token request refused: {reason} ({hint})")
        token = body.get("access_token")
        if not isinstance(token, str) or not token:
            raise ServerError(f"Reddit ({self.name}): token answer has no access_token", status=502)
        lifetime = body.get("expires_in")
        seconds = float(lifetime) if isinstance(lifetime, int | float) else 3600.0
        self._token = token
        # Renew a minute early so that no listing call races the expiry.
        self._token_expires_at = self.clock.time() + seconds - 60.0

    async def _get(self, path: str, params: dict[str, str]) -> httpx.Response:
        """GET on the OAuth host: paced, token renewed before expiry and once after a 401."""
        for attempt in range(2):
            if self._token is None or self.clock.time() >= self._token_expires_at:
                await self._fetch_token()
            wait = self.pacer.delay(self.clock.time())
            if wait > 0:
                await self.clock.sleep(wait)

            def classify(response: httpx.Response) -> ConnectorError:
                if response.status_code == 401:
                    return _Unauthorised(f"HTTP 401 for {path}")
                return _Forbidden(f"HTTP 403 for {path}")

            try:
                response = await self.request(
                    "GET",
                    f"{self.endpoint}{quote(path)}",
                    bucket="reddit",
                    auth_error=classify,
                    params=params,
                    headers={"Authorization": f"bearer {self._token}", "User-Agent": self.user_agent},
                )
            except _Unauthorised:
                if attempt:
                    break
                self._token = None
                continue
            self.pacer.update(response.headers, self.clock.time())
            return response
        raise CredentialsError(
            f"Reddit ({self.name}): HTTP 401 for {path} even with a fresh token; check the app's scopes"
        )

    # --- polling -------------------------------------------------------------------------------
    async def poll(self, state: dict[str, Any]) -> tuple[Candidates, list[PostRejected]]:
        candidates: Candidates = []
        rejected: list[PostRejected] = []
        overlap_s = float(self.config["overlap_s"])
        max_pages = int(self.config["max_pages"])
        index = 0
        for feed in self.feeds:
            mark = Watermark.from_dict(state.get(feed.key), overlap_s=overlap_s)
            first_run = mark.high is None
            after: str | None = None
            for page in range(1 if first_run else max_pages):
                params = {"limit": "100", "raw_json": "1", **feed.params}
                if after:
                    params["after"] = after
                try:
                    response = await self._get(feed.path, params)
                except _Forbidden as error:
                    self.health.record_error(
                        f"Reddit ({self.name}): {error}: private, quarantined or banned; skipped",
                        self.clock.time(),
                    )
                    break
                children, after = self._listing(response, feed.path)
                fresh: list[Any] = []
                reached_old = False
                for child in children:
                    key, moment = _child_key(child), _child_time(child)
                    if moment is not None and mark.below_window(moment):
                        reached_old = True
                        continue
                    if not mark.is_new(key, moment if moment is not None else self.clock.time()):
                        self.health.duplicates_total += 1
                        continue
                    mark.remember(key, moment if moment is not None else self.clock.time())
                    fresh.append(child)
                mapped, bad = self.map_items(fresh, map_reddit_child, start=index)
                index += len(fresh)
                candidates.extend(mapped)
                rejected.extend(bad)
                if reached_old or not after:
                    break
                if page == max_pages - 1:
                    self.health.record_error(
                        f"Reddit ({self.name}): {feed.key} still had new items after {max_pages} pages; "
                        "older ones may be missed (poll more often or raise max_pages)",
                        self.clock.time(),
                    )
            state[feed.key] = mark.to_dict()
        candidates.sort(key=lambda pair: pair[0].created_at)
        return candidates, rejected

    def _listing(self, response: httpx.Response, path: str) -> tuple[list[Any], str | None]:
        try:
            body = response.json()
        except ValueError:
            body = None
        data = body.get("data") if isinstance(body, Mapping) and body.get("kind") == "Listing" else None
        children = data.get("children") if isinstance(data, Mapping) else None
        if not isinstance(data, Mapping) or not isinstance(children, list):
            self.health.malformed_total += 1
            # A broken page is a server fault: retry the whole cycle later rather than skip a page.
            raise ServerError(
                f"Reddit ({self.name}): {path} answered a body that is not a Listing", status=502
            )
        after = data.get("after")
        return children, after if isinstance(after, str) and after else None

    def next_delay(self, state: dict[str, Any]) -> float:
        return max(float(self.config["poll_interval_s"]), self.pacer.delay(self.clock.time()))

    def remap(self, payload: Any) -> Post | None:
        return map_reddit_child(payload)


def _child_time(child: Any) -> float | None:
    data = child.get("data") if isinstance(child, Mapping) else None
    created = data.get("created_utc") if isinstance(data, Mapping) else None
    if isinstance(created, int | float) and not isinstance(created, bool):
        return float(created)
    return None


def _child_key(child: Any) -> str:
    """The fullname, or a digest of the child so that a malformed one is counted once, not every poll."""
    if not isinstance(child, Mapping) or not isinstance(child.get("data"), Mapping):
        return digest_key(child)
    data = child["data"]
    name = data.get("name")
    if isinstance(name, str) and name:
        return name
    if isinstance(data.get("id"), str) and isinstance(child.get("kind"), str):
        return f"{child['kind']}_{data['id']}"
    return digest_key(child)


def _listing_data(response: httpx.Response) -> tuple[list[Any], str | None] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    if (
        not isinstance(body, Mapping)
        or body.get("kind") != "Listing"
        or not isinstance(body.get("data"), Mapping)
    ):
        return None
    children = body["data"].get("children")
    after = body["data"].get("after")
    if not isinstance(children, list):
        return None
    return children, after if isinstance(after, str) and after else None
