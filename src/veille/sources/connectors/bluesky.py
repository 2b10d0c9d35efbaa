"""Bluesky: Jetstream v1 for real time (matching done by the hub), ``searchPosts`` for backfill.

* Jetstream (``wss://…/subscribe``, ``shared/reference/connectors.md`` §2.1) delivers every post of
  the network; the hub keeps those matching the source's ``keywords``/``hashtags`` (folded tokens and
  hashtags of ``text.py``, facet tags and ``record.tags``) and the hub's ``query_filter`` (by default
  the union of the hub's topics). With neither, every post is kept.
* Checkpoint: the greatest ``time_us`` processed (Jetstream's order is not monotonic). A reconnect
  or restart asks for ``cursor = checkpoint - cursor_rewind_s`` and drops the replayed posts already
  emitted (key: AT-URI + CID, so an edited record passes).
* Backfill: when starting without a checkpoint and ``backfill_query`` is set, a session is created with
  an app password and ``app.bsky.feed.searchPosts`` (``sort=latest``) is paged; a 403 HTML answer
  (Bluesky's load shedding) means "search unavailable" and is skipped, not a credential error.
* Filled from Jetstream: text, lang, created_at, reply/quote ids, links, tags; handle when an identity
  event named it (else the DID). Not on Jetstream: followers, display name, metrics (``extra["unfilled"]``);
  search results add handle, name and counts. Reposts (``app.bsky.feed.repost``) and likes are not read.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import httpx
import websockets
from websockets.asyncio.client import connect as ws_connect

from veille.clock import iso_from_epoch
from veille.contracts import SourceBatch
from veille.model import FUTURE_TOLERANCE, Post, PostRejected, parse_rfc3339
from veille.sources.connectors.base import Connector, post_from_dict
from veille.sources.connectors.config import ConfigField, ConnectorMeta
from veille.sources.connectors.errors import (
    ConnectorConfigError,
    ConnectorError,
    CredentialsError,
    RateLimitedError,
    ServerError,
)
from veille.sources.connectors.registry import register
from veille.sources.connectors.streams import batched_frames
from veille.text import extract_hashtags, fold, tokenize

__all__ = ["BlueskyConnector", "jetstream_event_to_post", "post_view_to_post"]

_POST = "app.bsky.feed.post"


class SearchUnavailable(ConnectorError):
    """Bluesky answered search with 403 HTML (load shedding): skip backfill, keep streaming."""


def _lang(langs: Any) -> str | None:
    if isinstance(langs, list) and langs and isinstance(langs[0], str):
        primary = langs[0].split("-")[0].lower()
        return primary if len(primary) == 2 and primary.isalpha() else None
    return None


def _created_at(record: Mapping[str, Any], fallback_s: float | None) -> str:
    # createdAt is declared by the client and can be wrong or in the future: fall back to the relay time.
    try:
        moment = parse_rfc3339(record.get("createdAt"))
        if moment <= datetime.now(UTC) + FUTURE_TOLERANCE or fallback_s is None:
            return str(record["createdAt"])
    except ValueError:
        if fallback_s is None:
            raise ValueError("record.createdAt: not an RFC 3339 timestamp") from None
    assert fallback_s is not None
    return iso_from_epoch(fallback_s)


def _embed_parts(embed: Any) -> tuple[str | None, list[str], str]:
    """(quoted AT-URI, links, fallback text) of a record embed."""
    if not isinstance(embed, Mapping):
        return None, [], ""
    kind = embed.get("$type", "")
    quoted: str | None = None
    links: list[str] = []
    fallback = ""
    if kind.startswith("app.bsky.embed.record"):
        inner = embed.get("record") or {}
        if kind.startswith("app.bsky.embed.recordWithMedia"):
            inner = inner.get("record") or {}
            _, links, fallback = _embed_parts(embed.get("media"))
        quoted = inner.get("uri") if isinstance(inner, Mapping) else None
    elif kind.startswith("app.bsky.embed.external"):
        external = embed.get("external") or {}
        if external.get("uri"):
            links.append(str(external["uri"]))
        fallback = str(external.get("title") or "")
    elif kind.startswith("app.bsky.embed.images"):
        fallback = "\n".join(str(image.get("alt")) for image in embed.get("images") or [] if image.get("alt"))
    return quoted, links, fallback


def _record_fields(record: Mapping[str, Any]) -> dict[str, Any]:
    """What the post record itself says (shared by Jetstream and search)."""
    text = record["text"]
    if not isinstance(text, str):
        raise ValueError("record.text: expected a string")
    quoted, links, fallback = _embed_parts(record.get("embed"))
    tags: list[str] = []
    for facet in record.get("facets") or []:
        for feature in facet.get("features") or []:
            kind = feature.get("$type", "")
            if kind.endswith("#link") and feature.get("uri") and feature["uri"] not in links:
                links.insert(0, str(feature["uri"]))
            elif kind.endswith("#tag") and feature.get("tag"):
                tags.append(str(feature["tag"]))
    tags.extend(str(tag) for tag in record.get("tags") or [])
    reply = record.get("reply") or {}
    parent = reply.get("parent") or {}
    return {
        "text": text if text.strip() else fallback,
        "lang": _lang(record.get("langs")),
        "reply_to": f"bluesky:{parent['uri']}" if parent.get("uri") else None,
        "quote_of": f"bluesky:{quoted}" if quoted else None,
        "links": links,
        "tags": tags,
    }


def jetstream_event_to_post(event: Mapping[str, Any], *, handle: str | None = None) -> Post | None:
    """A Jetstream ``commit`` create/update of a post as a canonical post (``None`` otherwise)."""
    if event.get("kind") != "commit":
        return None
    commit = event["commit"]
    if commit.get("collection") != _POST or commit.get("operation") not in ("create", "update"):
        return None
    did, rkey, record = event["did"], commit["rkey"], commit["record"]
    fields = _record_fields(record)
    if not fields["text"].strip():
        return None  # media-only post without alt text: nothing to read
    time_us = event.get("time_us")
    uri = f"at://{did}/{_POST}/{rkey}"
    return post_from_dict(
        {
            "id": f"bluesky:{uri}",
            "source": "bluesky",
            "url": f"https://bsky.app/profile/{did}/post/{rkey}",
            "created_at": _created_at(record, time_us / 1e6 if isinstance(time_us, int) else None),
            "text": fields["text"],
            "lang": fields["lang"],
            "author": {"id": did, "handle": handle or did},
            "reply_to": fields["reply_to"],
            "quote_of": fields["quote_of"],
            "links": fields["links"],
            "extra": {
                "cid": commit.get("cid"),
                "rev": commit.get("rev"),
                "time_us": time_us,
                "operation": commit.get("operation"),
                "tags": fields["tags"],
            },
        }
    )


def post_view_to_post(view: Mapping[str, Any]) -> Post | None:
    """A ``PostView`` (search results) as a canonical post: handle, name and counts included."""
    uri, author, record = view["uri"], view["author"], view["record"]
    fields = _record_fields(record)
    if not fields["text"].strip():
        return None
    rkey = uri.rsplit("/", 1)[-1]
    handle = author.get("handle") or author["did"]
    return post_from_dict(
        {
            "id": f"bluesky:{uri}",
            "source": "bluesky",
            "url": f"https://bsky.app/profile/{handle}/post/{rkey}",
            "created_at": _created_at(record, None),
            "text": fields["text"],
            "lang": fields["lang"],
            "author": {"id": author["did"], "handle": handle, "name": author.get("displayName") or None},
            "reply_to": fields["reply_to"],
            "quote_of": fields["quote_of"],
            "links": fields["links"],
            "metrics": {
                "likes": view.get("likeCount"),
                "reposts": view.get("repostCount"),
                "replies": view.get("replyCount"),
            },
            "extra": {
                "cid": view.get("cid"),
                "indexed_at": view.get("indexedAt"),
                "quotes": view.get("quoteCount"),
                "tags": fields["tags"],
            },
        }
    )


@register
class BlueskyConnector(Connector):
    """Jetstream live with cursor resume; searchPosts backfill with an app-password session."""

    meta = ConnectorMeta(
        type="bluesky",
        title="Bluesky",
        description="Every Bluesky post from Jetstream, kept when it matches the keywords/hashtags or the "
        "hub's query; optional search backfill with an app password.",
        default_endpoint="wss://jetstream2.us-east.bsky.network/subscribe",
        never_filled=("author.followers", "metrics.views", "repost_of"),
        example={"type": "bluesky", "name": "bluesky-live", "keywords": ["livebox"], "hashtags": ["orange"]},
        fields=(
            ConfigField("keywords", "list[str]", default=[], help="words or phrases to keep (folded match)"),
            ConfigField("hashtags", "list[str]", default=[], help="hashtags to keep, without '#'"),
            ConfigField("wanted_dids", "list[str]", default=[], help="only these accounts (DIDs)"),
            ConfigField("cursor_rewind_s", float, default=3.0, help="replay this much before the checkpoint"),
            ConfigField("stall_timeout_s", float, default=60.0, help="reconnect after this much silence"),
            ConfigField(
                "search_endpoint", str, default="https://bsky.social", help="PDS or AppView for search"
            ),
            ConfigField("identifier", str, default=None, env="BLUESKY_IDENTIFIER", help="handle or e-mail"),
            ConfigField("app_password", str, default=None, secret=True, env="BLUESKY_APP_PASSWORD"),
            ConfigField(
                "backfill_query", str, default=None, help="searchPosts query read when starting fresh"
            ),
            ConfigField("backfill_pages", int, default=3, help="pages of 100 posts at most"),
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.config["backfill_query"] and not (self.config["identifier"] and self.config["app_password"]):
            raise ConnectorConfigError(
                f"source {self.name!r}: backfill_query needs identifier and app_password "
                "(Bluesky refuses anonymous search)",
                field="backfill_query",
            )
        self._keywords = [[token.folded for token in tokenize(phrase)] for phrase in self.config["keywords"]]
        self._keywords = [words for words in self._keywords if words]
        self._hashtags = {fold(tag.lstrip("#")) for tag in self.config["hashtags"] if tag.strip("# ")}
        self._handles: OrderedDict[str, str] = OrderedDict()
        self._max_time_us: int | None = None
        self._session_tokens: dict[str, str] | None = None

    def batches(self, checkpoint: str | None) -> AsyncIterator[SourceBatch]:
        if checkpoint is not None and not checkpoint.isdigit():
            raise ConnectorConfigError(
                f"source {self.name!r}: checkpoint {checkpoint!r} is not a time_us", field="checkpoint"
            )
        self._max_time_us = int(checkpoint) if checkpoint else None
        return self._run(fresh=checkpoint is None)

    async def _run(self, *, fresh: bool) -> AsyncIterator[SourceBatch]:
        if fresh and self.config["backfill_query"]:
            async for batch in self._backfill():
                yield batch
        async for batch in self.supervise(self._session):
            yield batch

    # -- matching ---------------------------------------------------------------------------------

    def matches(self, post: Post) -> bool:
        """The source's own keyword/hashtag match (``True`` when it declares none)."""
        if not self._keywords and not self._hashtags:
            return True
        tags = {fold(tag) for tag in post.extra.get("tags") or []}
        tags.update(tag for tag, _ in extract_hashtags(post.text))
        if tags & self._hashtags:
            return True
        words = [token.folded for token in tokenize(post.text)]
        for phrase in self._keywords:
            size = len(phrase)
            if any(words[i : i + size] == phrase for i in range(len(words) - size + 1)):
                return True
        return False

    # -- Jetstream --------------------------------------------------------------------------------

    def _url(self) -> str:
        params: list[tuple[str, str]] = [("wantedCollections", _POST)]
        params += [("wantedDids", did) for did in self.config["wanted_dids"]]
        if self._max_time_us is not None:
            rewind = int(self.config["cursor_rewind_s"] * 1_000_000)
            params.append(("cursor", str(max(0, self._max_time_us - rewind))))
        return f"{self.endpoint}?{urlencode(params)}"

    async def _session(self) -> AsyncIterator[SourceBatch]:
        url = self._url()
        try:
            socket = await ws_connect(url, max_size=10 * 2**20)
        except websockets.InvalidStatus as error:
            status = error.response.status_code
            request = httpx.Request("GET", url.replace("ws", "http", 1))
            raise self.error_for(httpx.Response(status, request=request)) or ServerError(
                f"Bluesky ({self.name}): handshake status {status}", status=status
            ) from None
        async with socket:
            self.connected()

            async def frames() -> AsyncIterator[Any]:
                async for message in socket:
                    yield message

            async for group in batched_frames(frames(), stall_timeout_s=self.config["stall_timeout_s"]):
                yield self._batch(group)

    def _batch(self, group: list[Any]) -> SourceBatch:
        rejected: list[PostRejected] = []
        events: list[Mapping[str, Any]] = []
        for index, frame in enumerate(group):
            try:
                event = json.loads(frame)
                if not isinstance(event, Mapping) or not isinstance(event.get("time_us"), int):
                    raise ValueError("not a Jetstream event (time_us missing)")
            except (ValueError, TypeError) as error:
                self.count_malformed(rejected, index, f"frame: {error}")
                continue
            events.append(event)
            identity = event.get("identity")
            if event.get("kind") == "identity" and isinstance(identity, Mapping) and identity.get("handle"):
                self._remember_handle(str(event["did"]), str(identity["handle"]))
        mapped, mapping_rejects = self.map_items(events, self._map_event)
        times = [int(event["time_us"]) for event in events]
        if times:
            self._max_time_us = max(self._max_time_us or 0, *times)
        checkpoint = str(self._max_time_us) if self._max_time_us is not None else None
        return self.make_batch(mapped, rejected + mapping_rejects, checkpoint)

    def _remember_handle(self, did: str, handle: str) -> None:
        self._handles[did] = handle
        self._handles.move_to_end(did)
        if len(self._handles) > 100_000:
            self._handles.popitem(last=False)

    def _map_event(self, event: Any) -> tuple[Post, Any] | None:
        post = jetstream_event_to_post(event, handle=self._handles.get(str(event.get("did"))))
        if post is None:
            return None
        if not self.matches(post):
            self.health.filtered_total += 1
            return None
        return post, (post.id, post.extra.get("cid"))

    # -- search backfill --------------------------------------------------------------------------

    async def _login(self) -> str:
        if self._session_tokens is None:
            url = f"{self.config['search_endpoint'].rstrip('/')}/xrpc/com.atproto.server.createSession"
            body = {"identifier": self.config["identifier"], "password": self.config.secret("app_password")}
            response = await self.request("POST", url, json=body)
            self._session_tokens = response.json()
        return str(self._session_tokens["accessJwt"])

    def _search_error(self, response: httpx.Response) -> ConnectorError | None:
        if response.status_code == 403 and "json" not in response.headers.get("content-type", ""):
            return SearchUnavailable(f"Bluesky ({self.name}): search unavailable (403 from the server)")
        return None

    async def _backfill(self) -> AsyncIterator[SourceBatch]:
        search = f"{self.config['search_endpoint'].rstrip('/')}/xrpc/app.bsky.feed.searchPosts"
        cursor: str | None = None
        pages = 0
        while pages < self.config["backfill_pages"]:
            params = {"q": self.config["backfill_query"], "sort": "latest", "limit": "100"}
            if cursor:
                params["cursor"] = cursor
            try:
                token = await self._login()
                response = await self.request(
                    "GET",
                    f"{search}?{urlencode(params)}",
                    headers={"Authorization": f"Bearer {token}"},
                    auth_error=self._search_error,
                )
            except SearchUnavailable as error:
                self.health.record_error(str(error), self.clock.time())
                return
            except ServerError as error:
                # Backfill is best effort: the live stream matters more than a slow search.
                self.health.record_error(str(error), self.clock.time())
                return
            except ConnectorError as error:
                if isinstance(error, CredentialsError):
                    self._fail(str(error))
                    raise
                if isinstance(error, RateLimitedError):
                    self.health.rate_limited_total += 1
                    await self.clock.sleep(self.policy.after_rate_limit(error.retry_at, self.clock.time()))
                    continue
                raise
            pages += 1
            payload = response.json()
            views = payload.get("posts") or []
            mapped, rejected = self.map_items(views, self._map_view)
            yield self.make_batch(mapped, rejected, None)
            cursor = payload.get("cursor")
            if not cursor or not views:
                return

    def _map_view(self, view: Any) -> tuple[Post, Any] | None:
        post = post_view_to_post(view)
        if post is None:
            return None
        return post, (post.id, post.extra.get("cid"))
