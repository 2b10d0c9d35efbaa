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
* Filled from Jetstream: text, lang (the tag as written), created_at, reply/quote ids, links, tags.
  Authors: Jetstream gives a DID; the handle comes from the identity events (sent to every
  subscriber, kept in a bounded cache of ``handle_cache_size`` authors) and, for the authors of kept
  posts still unknown, from batched ``app.bsky.actor.getProfiles`` look-ups (25 a call, with the
  app-password session, or on ``profiles_endpoint`` without credentials), which also give the
  display name and followers. Only when none can be had is the DID the handle, flagged
  ``extra["handle_is_did"]`` and ``author.handle`` in ``extra["unfilled"]``. Not on Jetstream:
  metrics; search results add handle, name and counts. Reposts and likes are not read.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
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
    """The record's first language tag as written (the post model keeps its ISO 639-1 code)."""
    if isinstance(langs, list) and langs and isinstance(langs[0], str) and langs[0].strip():
        return langs[0].strip()
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
    extra: dict[str, Any] = {}
    if not handle:
        # No identity event nor profile gave the handle yet: the DID stands in, and says so.
        extra = {"handle_is_did": True, "unfilled": ["author.handle"]}
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
                **extra,
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


_PROFILES_PER_CALL = 25  # app.bsky.actor.getProfiles takes at most 25 actors


@dataclass(frozen=True, slots=True)
class _Profile:
    handle: str
    name: str | None = None
    followers: int | None = None


def _with_profile(post: Post, profile: _Profile) -> Post:
    """``post`` with its author's handle (and name, followers when a profile gave them)."""
    author = post.author.model_copy(
        update={
            "handle": profile.handle,
            "name": post.author.name or profile.name,
            "followers": profile.followers if profile.followers is not None else post.author.followers,
        }
    )
    extra = {key: value for key, value in post.extra.items() if key != "handle_is_did"}
    unfilled = [
        field
        for field in extra.get("unfilled") or []
        if not (
            field == "author.handle"
            or (field == "author.name" and author.name)
            or (field == "author.followers" and author.followers is not None)
        )
    ]
    extra["unfilled"] = unfilled
    # The URL keeps the DID: a handle can change, the DID does not, and bsky.app resolves both.
    return post.model_copy(update={"author": author, "extra": extra})


@register
class BlueskyConnector(Connector):
    """Jetstream live with cursor resume; searchPosts backfill with an app-password session."""

    meta = ConnectorMeta(
        type="bluesky",
        title="Bluesky",
        description="Every Bluesky post from Jetstream, kept when it matches the keywords/hashtags or the "
        "hub's query; optional search backfill with an app password.",
        default_endpoint="wss://jetstream2.us-east.bsky.network/subscribe",
        never_filled=("metrics.views", "repost_of"),
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
            ConfigField(
                "profiles_endpoint",
                str,
                default=None,
                help="AppView for app.bsky.actor.getProfiles without credentials "
                "(e.g. https://public.api.bsky.app); with identifier/app_password the session is used",
            ),
            ConfigField("handle_cache_size", int, default=10_000, help="authors (DID → handle) remembered"),
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
        self._profiles: OrderedDict[str, _Profile] = OrderedDict()
        self._cache_size = max(1, int(self.config["handle_cache_size"]))
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
            pinned = await self.check_connection(url)
            socket = await ws_connect(url, max_size=10 * 2**20, **pinned)
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
                mapped, rejected, checkpoint = self._map_group(group)
                mapped = await self._with_profiles(mapped)
                yield self.make_batch(mapped, rejected, checkpoint)

    def _batch(self, group: list[Any]) -> SourceBatch:
        """A group of frames as a batch, with the handles known now (no profile look-up)."""
        mapped, rejected, checkpoint = self._map_group(group)
        return self.make_batch(mapped, rejected, checkpoint)

    def _map_group(self, group: list[Any]) -> tuple[list[tuple[Post, Any]], list[PostRejected], str | None]:
        rejected: list[PostRejected] = []
        events: list[Mapping[str, Any]] = []
        for index, frame in enumerate(group):
            try:
                event = json.loads(frame)
                if not isinstance(event, Mapping) or not isinstance(event.get("time_us"), int):
                    raise ValueError("not a Jetstream event (time_us missing)")
            except (ValueError, TypeError) as error:
                raw = frame.decode("utf-8", "replace") if isinstance(frame, bytes) else frame
                self.count_malformed(rejected, index, f"frame: {error}", payload=raw)
                continue
            events.append(event)
            identity = event.get("identity")
            if event.get("kind") == "identity" and isinstance(identity, Mapping):
                # Identity events come to every subscriber; one without a handle says the cached
                # handle may be stale, so it is forgotten until the next one (or a profile) names it.
                did = str(event.get("did"))
                if identity.get("handle"):
                    self._remember(did, _Profile(handle=str(identity["handle"])))
                else:
                    self._profiles.pop(did, None)
        mapped, mapping_rejects = self.map_items(events, self._map_event)
        times = [int(event["time_us"]) for event in events]
        if times:
            self._max_time_us = max(self._max_time_us or 0, *times)
        checkpoint = str(self._max_time_us) if self._max_time_us is not None else None
        return mapped, rejected + mapping_rejects, checkpoint

    # -- authors: handle cache and profile look-ups ------------------------------------------------

    def _remember(self, did: str, profile: _Profile) -> None:
        known = self._profiles.get(did)
        if (
            known is not None
            and profile.name is None
            and profile.followers is None
            and known.handle == profile.handle
        ):
            profile = known  # an identity event repeating the handle keeps the profile's details
        self._profiles[did] = profile
        self._profiles.move_to_end(did)
        while len(self._profiles) > self._cache_size:
            self._profiles.popitem(last=False)

    def handle_of(self, did: str) -> str | None:
        profile = self._profiles.get(did)
        return profile.handle if profile is not None else None

    def _map_event(self, event: Any) -> tuple[Post, Any] | None:
        did = str(event.get("did"))
        profile = self._profiles.get(did)
        post = jetstream_event_to_post(event, handle=profile.handle if profile else None)
        if post is None:
            return None
        if not self.matches(post):
            self.health.filtered_total += 1
            return None
        if profile is not None:
            post = _with_profile(post, profile)
        return post, (post.id, post.extra.get("cid"))

    @property
    def _lookups_enabled(self) -> bool:
        has_login = bool(self.config["identifier"] and self.config["app_password"])
        return has_login or bool(self.config["profiles_endpoint"])

    async def _with_profiles(self, mapped: list[tuple[Post, Any]]) -> list[tuple[Post, Any]]:
        """Fill the handle (and name, followers) of authors known by DID only, 25 per request."""
        unknown = sorted(
            {post.author.id for post, _ in mapped if post.extra.get("handle_is_did") and post.author.id}
        )
        if not unknown or not self._lookups_enabled:
            return mapped
        for start in range(0, len(unknown), _PROFILES_PER_CALL):
            chunk = unknown[start : start + _PROFILES_PER_CALL]
            try:
                found = await self._get_profiles(chunk)
            except (ConnectorError, httpx.HTTPError, ValueError, KeyError, TypeError) as error:
                # Best effort: the posts keep their DID (and say so); the stream goes on.
                self.health.record_error(
                    f"Bluesky ({self.name}): profile look-up failed: {error}", self.clock.time()
                )
                break
            for did, profile in found.items():
                self._remember(did, profile)
        return [
            (_with_profile(post, self._profiles[post.author.id]), key)
            if post.extra.get("handle_is_did") and post.author.id and post.author.id in self._profiles
            else (post, key)
            for post, key in mapped
        ]

    async def _get_profiles(self, dids: list[str]) -> dict[str, _Profile]:
        params = urlencode([("actors", did) for did in dids])
        if self.config["identifier"] and self.config["app_password"]:
            base = self.config["search_endpoint"].rstrip("/")
            headers = {"Authorization": f"Bearer {await self._login()}"}
        else:
            base = str(self.config["profiles_endpoint"]).rstrip("/")
            headers = {}
        url = f"{base}/xrpc/app.bsky.actor.getProfiles?{params}"
        response = await self.request("GET", url, headers=headers, bucket=f"{base}/getProfiles")
        payload = response.json()
        found: dict[str, _Profile] = {}
        for view in payload.get("profiles") or []:
            if isinstance(view, Mapping) and view.get("did") and view.get("handle"):
                followers = view.get("followersCount")
                found[str(view["did"])] = _Profile(
                    handle=str(view["handle"]),
                    name=str(view["displayName"]) if view.get("displayName") else None,
                    followers=followers
                    if isinstance(followers, int) and not isinstance(followers, bool)
                    else None,
                )
        return found

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

    def keeps(self, post: Post) -> bool:
        return self.matches(post) and super().keeps(post)

    def remap(self, payload: Any) -> Post | None:
        """A stored Jetstream event (``kind``) or search result (``uri`` and ``author``)."""
        if not isinstance(payload, Mapping):
            raise ValueError("payload: not a JSON object")
        if "kind" in payload:
            profile = self._profiles.get(str(payload.get("did")))
            post = jetstream_event_to_post(payload, handle=profile.handle if profile else None)
            return _with_profile(post, profile) if post is not None and profile is not None else post
        return post_view_to_post(payload)
