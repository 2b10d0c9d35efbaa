"""Mastodon: streaming (WebSocket or SSE) for hashtag, public and list timelines, REST for gap-filling.

Each connection attempt: open the stream first (so nothing published from now on is missed), call
``connected()``, then fill the gap since the checkpoint through the REST timeline (``min_id`` paging,
``shared/reference/connectors.md`` §1.4 and §1.7), then read the stream. Statuses already emitted are
dropped by id, so the overlap between REST and stream yields no duplicate.

* Ids: Mastodon status ids are local to an instance, so the post id is
  ``mastodon:<instance host>/<status id>`` (``reply_to``/``repost_of``/``quote_of`` likewise); the
  federation ``uri`` (the same on every instance) is kept in ``extra["uri"]``.
* Checkpoint: the greatest status id emitted (ids are compared numerically when they are digits).
* Boosts: a post whose author is the booster, ``repost_of`` the boosted status, the boosted text and
  the boosted status's URL (the boost's own ``url`` is its ActivityPub activity address).
* Language: the status's tag as sent (``zh-CN``, ``ast``); the post model keeps its ISO 639-1 code
  and the tag in ``extra["lang_tag"]``.
* Nothing lost: a status that cannot become a post goes to the dead-letter table with its JSON
  (``SourceBatch.rejected``), in the same transaction as the checkpoint that passes it;
  :meth:`MastodonConnector.remap` maps it again after a fix.
* Not covered: notifications, conversations, announcements, deletes (ignored), the
  ``/api/v1/streaming`` redirect discovery (set ``streaming_endpoint`` when streaming is elsewhere).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Mapping
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import httpx
import websockets
from websockets.asyncio.client import connect as ws_connect

from veille.contracts import SourceBatch
from veille.model import Post
from veille.security import LONG_LIVED
from veille.sources.connectors.base import Connector, post_from_dict
from veille.sources.connectors.config import ConfigField, ConnectorMeta
from veille.sources.connectors.errors import (
    ConnectorConfigError,
    CredentialsError,
    RateLimitedError,
    ServerError,
)
from veille.sources.connectors.html import html_to_text
from veille.sources.connectors.registry import register
from veille.sources.connectors.streams import HEARTBEAT, batched_frames

__all__ = ["MastodonConnector", "SseParser", "status_to_post"]

_PAGE = 40


def _id_key(status_id: str) -> tuple[int, int | str]:
    # Digit ids compare numerically; anything else keeps server order (compares as text).
    return (len(status_id), int(status_id)) if status_id.isdigit() else (0, status_id)


def newest_id(*ids: str | None) -> str | None:
    present = [item for item in ids if item]
    return max(present, key=_id_key) if present else None


class SseParser:
    """Incremental ``text/event-stream`` parser (§0.2): bytes in, ``(event, data)`` or heartbeats out."""

    def __init__(self) -> None:
        self._buffer = b""
        self._event: str | None = None
        self._data: list[str] = []

    def feed(self, chunk: bytes) -> list[tuple[str, str] | object]:
        self._buffer += chunk
        out: list[tuple[str, str] | object] = []
        while b"\n" in self._buffer:
            raw, self._buffer = self._buffer.split(b"\n", 1)
            # Split at the byte level first: a multi-byte character may straddle two chunks.
            line = raw.rstrip(b"\r").decode("utf-8", "replace")
            if line.startswith(":"):
                out.append(HEARTBEAT)  # comment: liveness only, never dispatches
            elif line == "":
                if self._event is not None or self._data:
                    out.append((self._event or "message", "\n".join(self._data)))
                self._event, self._data = None, []
            else:
                name, _, value = line.partition(":")
                value = value.removeprefix(" ")
                if name == "event":
                    self._event = value
                elif name == "data":
                    self._data.append(value)
        return out


def status_to_post(status: Mapping[str, Any], *, host: str) -> Post | None:
    """One Status entity as a canonical post (``None`` when it has no text at all)."""

    def local_id(value: Any) -> str | None:
        return f"mastodon:{host}/{value}" if value else None

    shown = status.get("reblog") or status
    rendered = html_to_text(str(shown.get("content") or ""))
    text = rendered.text
    spoiler = str(shown.get("spoiler_text") or "").strip()
    if spoiler:
        text = f"{spoiler}\n\n{text}".strip()
    if not text:
        descriptions = [
            str(media.get("description"))
            for media in shown.get("media_attachments") or []
            if media.get("description")
        ]
        text = "\n".join(descriptions)
    if not text.strip():
        return None
    account = status["account"]
    acct = str(account.get("acct") or account["username"])
    handle = acct if "@" in acct else f"{acct}@{host}"
    links = list(rendered.links)
    card = shown.get("card") or {}
    if card.get("url") and card["url"] not in links:
        links.append(card["url"])
    quote_block = shown.get("quote") or {}
    quoted = quote_block.get("quoted_status") or {}
    quoted_id = quoted.get("id") or quote_block.get("quoted_status_id")
    bio = html_to_text(str(account.get("note") or "")).text or None
    # A boost's own url/uri is the ActivityPub activity (".../statuses/ID/activity"): the post's
    # address is the boosted status's.
    url = (
        shown.get("url") or shown.get("uri")
        if status.get("reblog")
        else status.get("url") or status.get("uri")
    )
    return post_from_dict(
        {
            "id": local_id(status["id"]),
            "source": "mastodon",
            "url": url,
            "created_at": status["created_at"],
            "text": text,
            # Regional and three-letter tags (zh-CN, pt-BR, ast) are normalised by the post model,
            # which keeps the tag in extra["lang_tag"].
            "lang": shown.get("language") or None,
            "author": {
                "id": str(account["id"]),
                "handle": handle,
                "name": account.get("display_name") or None,
                "followers": account.get("followers_count"),
                "bio": bio,
            },
            "reply_to": local_id(status.get("in_reply_to_id")),
            "repost_of": local_id(status["reblog"]["id"]) if status.get("reblog") else None,
            "quote_of": local_id(quoted_id),
            "links": links,
            "metrics": {
                "likes": status.get("favourites_count"),
                "reposts": status.get("reblogs_count"),
                "replies": status.get("replies_count"),
            },
            "extra": {
                "uri": status.get("uri"),
                "visibility": status.get("visibility"),
                "tags": [tag.get("name") for tag in shown.get("tags") or [] if isinstance(tag, Mapping)],
                "sensitive": bool(shown.get("sensitive")),
                "edited_at": status.get("edited_at"),
            },
        }
    )


@register
class MastodonConnector(Connector):
    """Mastodon streaming with REST gap-filling."""

    meta = ConnectorMeta(
        type="mastodon",
        title="Mastodon",
        description="Hashtag, public or list timeline of one instance, live (WebSocket or SSE), "
        "gaps filled through the REST timeline after every reconnect.",
        default_endpoint=None,
        never_filled=("metrics.views", "author.location"),
        example={
            "type": "mastodon",
            "name": "mastodon-fr",
            "endpoint": "https://mastodon.social",
            "access_token": "${MASTODON_ACCESS_TOKEN}",
            "hashtags": ["livebox", "orange"],
        },
        fields=(
            ConfigField(
                "access_token",
                str,
                secret=True,
                env="MASTODON_ACCESS_TOKEN",
                help="user token with read:statuses (streaming needs one since Mastodon 4.2)",
            ),
            ConfigField(
                "timeline",
                str,
                default="hashtag",
                choices=("hashtag", "hashtag:local", "public", "public:local", "public:remote", "list"),
                help="which timeline to follow",
            ),
            ConfigField("hashtags", "list[str]", default=[], help="tags without '#' (timeline = hashtag)"),
            ConfigField("list_id", str, default=None, help="list id (timeline = list)"),
            ConfigField("transport", str, default="websocket", choices=("websocket", "sse")),
            ConfigField(
                "streaming_endpoint",
                str,
                default=None,
                help="streaming host when not the API host (https://...)",
            ),
            ConfigField(
                "stall_timeout_s", float, default=45.0, help="SSE: reconnect after this much silence"
            ),
            ConfigField("backfill_pages", int, default=10, help="REST pages of 40 read to fill a gap"),
            ConfigField(
                "initial_backfill", bool, default=True, help="read the newest page when starting fresh"
            ),
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        timeline = self.config["timeline"]
        tags = [tag.removeprefix("#").strip() for tag in self.config["hashtags"] if tag.strip("# ")]
        if timeline.startswith("hashtag") and not tags:
            raise ConnectorConfigError(
                f"source {self.name!r}: hashtags: at least one tag for timeline {timeline!r}",
                field="hashtags",
            )
        if timeline == "list" and not self.config["list_id"]:
            raise ConnectorConfigError(
                f"source {self.name!r}: list_id: required for timeline 'list'", field="list_id"
            )
        self.hashtags = tags
        self.host = urlsplit(self.endpoint).netloc
        self._cursor: str | None = None

    @property
    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.config.secret('access_token')}"}

    def batches(self, checkpoint: str | None) -> AsyncIterator[SourceBatch]:
        self._cursor = checkpoint
        return self.supervise(self._session)

    # -- one connection ---------------------------------------------------------------------------

    async def _session(self) -> AsyncIterator[SourceBatch]:
        async with contextlib.AsyncExitStack() as stack:
            if self.config["transport"] == "websocket":
                frames = await self._open_websocket(stack)
                stall: float | None = None  # WS liveness: protocol pings (quiet tags may be silent)
            else:
                frames = await self._open_sse(stack)
                stall = self.config["stall_timeout_s"]
            self.connected()
            async for backfilled in self._fill_gap():
                yield backfilled
            async for group in batched_frames(frames, stall_timeout_s=stall):
                live = self._batch_from_events(group)
                if live is not None:
                    yield live

    def _stream_specs(self) -> list[dict[str, str]]:
        timeline = self.config["timeline"]
        if timeline.startswith("hashtag"):
            return [{"stream": timeline, "tag": tag} for tag in self.hashtags]
        if timeline == "list":
            return [{"stream": "list", "list": self.config["list_id"]}]
        return [{"stream": timeline}]

    async def _open_websocket(self, stack: contextlib.AsyncExitStack) -> AsyncIterator[Any]:
        base = (self.config["streaming_endpoint"] or self.endpoint).rstrip("/")
        url = base.replace("https://", "wss://", 1).replace("http://", "ws://", 1) + "/api/v1/streaming"
        try:
            pinned = await self.check_connection(url)
            socket = await stack.enter_async_context(
                ws_connect(url, additional_headers=self._headers, **pinned)
            )
        except websockets.InvalidStatus as error:
            raise self._handshake_error(error.response.status_code, url, error.response.headers) from None
        for spec in self._stream_specs():
            await socket.send(json.dumps({"type": "subscribe", **spec}))

        async def frames() -> AsyncIterator[Any]:
            async for message in socket:
                yield ("ws", message)

        return frames()

    def _handshake_error(self, status: int, url: str, headers: Mapping[str, str]) -> Exception:
        request = httpx.Request("GET", url.replace("ws", "http", 1))
        return self.error_for(httpx.Response(status, headers=dict(headers), request=request)) or ServerError(
            f"Mastodon ({self.name}): unexpected handshake status {status}", status=status
        )

    async def _open_sse(self, stack: contextlib.AsyncExitStack) -> AsyncIterator[Any]:
        base = (self.config["streaming_endpoint"] or self.endpoint).rstrip("/")
        paths = {
            "public": "public",
            "public:local": "public/local",
            "public:remote": "public/remote",
            "hashtag": "hashtag",
            "hashtag:local": "hashtag/local",
            "list": "list",
        }
        stall = self.config["stall_timeout_s"]
        streams = []
        for spec in self._stream_specs():
            params = {key: value for key, value in spec.items() if key != "stream"}
            url = f"{base}/api/v1/streaming/{paths[spec['stream']]}"
            response = await stack.enter_async_context(
                self.http.stream(
                    "GET",
                    url,
                    params=params,
                    headers={**self._headers, "Accept": "text/event-stream"},
                    timeout=httpx.Timeout(10.0, read=stall),
                    extensions={LONG_LIVED: True},
                )
            )
            if response.status_code >= 400:
                await response.aread()
                error = self.error_for(response)
                if error is not None:
                    raise error
            streams.append(response)

        async def one(response: httpx.Response) -> AsyncIterator[Any]:
            parser = SseParser()
            async for chunk in response.aiter_raw():
                for item in parser.feed(chunk):
                    yield item

        return _merge([one(response) for response in streams])

    # -- REST gap-filling -------------------------------------------------------------------------

    def _timeline_url(self, tag: str | None) -> tuple[str, dict[str, str]]:
        timeline = self.config["timeline"]
        if timeline.startswith("hashtag") and tag is not None:
            return f"{self.endpoint}/api/v1/timelines/tag/{quote(tag, safe='')}", (
                {"local": "true"} if timeline.endswith(":local") else {}
            )
        if timeline == "list":
            return f"{self.endpoint}/api/v1/timelines/list/{quote(self.config['list_id'], safe='')}", {}
        scope = {"public:local": {"local": "true"}, "public:remote": {"remote": "true"}}.get(timeline, {})
        return f"{self.endpoint}/api/v1/timelines/public", scope

    async def _fill_gap(self) -> AsyncIterator[SourceBatch]:
        start = self._cursor
        if start is None and not self.config["initial_backfill"]:
            return
        for tag in self.hashtags or [None]:
            url, scope = self._timeline_url(tag)
            since = start
            for _ in range(max(1, self.config["backfill_pages"]) if start else 1):
                params = {**scope, "limit": str(_PAGE)}
                if since:
                    params["min_id"] = since
                response = await self.request("GET", f"{url}?{urlencode(params)}", headers=self._headers)
                statuses = response.json()
                if not isinstance(statuses, list) or not statuses:
                    break
                batch = self._batch_from_statuses(statuses)
                yield batch
                if not since:
                    break  # a fresh start reads only the newest page
                since = newest_id(*(str(item.get("id")) for item in statuses if isinstance(item, Mapping)))
                if since is None:
                    break

    # -- mapping ----------------------------------------------------------------------------------

    def remap(self, payload: Any) -> Post | None:
        if isinstance(payload, Mapping) and "transport" in payload:  # a WebSocket frame as received
            message = json.loads(str(payload.get("message")))
            if not isinstance(message, Mapping) or message.get("event") not in ("update", "status.update"):
                return None
            payload = json.loads(str(message.get("payload")))
        elif isinstance(payload, Mapping) and set(payload) == {"event", "data"}:  # an SSE event
            if payload["event"] not in ("update", "status.update"):
                return None
            payload = json.loads(str(payload["data"]))
        if not isinstance(payload, Mapping):
            raise ValueError("status: not a JSON object")
        return status_to_post(payload, host=self.host)

    def _map_status(self, status: Any) -> tuple[Post, Any] | None:
        if not isinstance(status, Mapping):
            raise ValueError("status: not a JSON object")
        post = status_to_post(status, host=self.host)
        if post is None:
            return None
        return post, (post.id, status.get("edited_at"))

    def _advance(self, status_ids: list[str]) -> str | None:
        self._cursor = newest_id(self._cursor, *status_ids)
        return self._cursor

    def _batch_from_statuses(self, statuses: list[Any]) -> SourceBatch:
        # REST pages are newest first; emit oldest first.
        ordered = list(reversed(statuses))
        mapped, rejected = self.map_items(ordered, self._map_status)
        ids = [str(item["id"]) for item in ordered if isinstance(item, Mapping) and item.get("id")]
        return self.make_batch(mapped, rejected, self._advance(ids))

    def _batch_from_events(self, group: list[Any]) -> SourceBatch | None:
        statuses: list[Any] = []
        rejected: list[Any] = []
        for index, frame in enumerate(group):
            decoded = self._decode(frame, index, rejected)
            if decoded is not None:
                statuses.append(decoded)
        if not statuses and not rejected:
            return None
        mapped, mapping_rejects = self.map_items(statuses, self._map_status)
        ids = [str(item["id"]) for item in statuses if isinstance(item, Mapping) and item.get("id")]
        return self.make_batch(mapped, rejected + mapping_rejects, self._advance(ids))

    def _decode(self, frame: Any, index: int, rejected: list[Any]) -> Any | None:
        """A status dict for ``update``/``status.update`` frames, ``None`` for others."""
        try:
            if isinstance(frame, tuple) and frame[0] == "ws":
                message = json.loads(frame[1])
                if not isinstance(message, Mapping):
                    raise ValueError("frame is not a JSON object")
                if "error" in message:
                    self._raise_stream_error(message)
                event, payload = message.get("event"), message.get("payload")
            else:
                event, payload = frame
            if event not in ("update", "status.update"):
                return None  # delete, notification, filters_changed...: not posts
            if not isinstance(payload, str):
                raise ValueError("payload: expected a JSON-encoded string")
            return json.loads(payload)
        except ValueError as error:
            self.count_malformed(rejected, index, f"frame: {error}", payload=_frame_text(frame))
            return None

    def _raise_stream_error(self, message: Mapping[str, Any]) -> None:
        status = message.get("status")
        text = f"Mastodon ({self.name}): stream error {status}: {message.get('error')}"
        if status in (401, 403):
            raise CredentialsError(text)
        if status == 429:
            raise RateLimitedError(text)
        if isinstance(status, int) and status >= 500:
            raise ServerError(text, status=status)
        raise ConnectorConfigError(text)


def _frame_text(frame: Any) -> Any:
    """What was received for a frame, as JSON data for the dead-letter table."""
    if isinstance(frame, tuple) and len(frame) == 2:
        kind, value = frame
        return (
            {"transport": "websocket", "message": value} if kind == "ws" else {"event": kind, "data": value}
        )
    return frame


async def _merge(iterators: list[AsyncIterator[Any]]) -> AsyncIterator[Any]:
    """Items of several async iterators as they come; ends (or fails) when any of them does."""
    if len(iterators) == 1:
        async for item in iterators[0]:
            yield item
        return
    queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue(maxsize=1000)

    async def pump(iterator: AsyncIterator[Any]) -> None:
        try:
            async for item in iterator:
                await queue.put(("item", item))
            await queue.put(("end", None))
        except Exception as error:  # handed to the consumer
            await queue.put(("error", error))

    tasks = [asyncio.create_task(pump(iterator)) for iterator in iterators]
    try:
        while True:
            kind, value = await queue.get()
            if kind == "item":
                yield value
            elif kind == "error":
                raise value
            else:
                return
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
