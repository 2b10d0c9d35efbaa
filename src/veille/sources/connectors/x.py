"""X API v2: filtered stream with rules kept in sync, recent search to fill gaps (reference §3).

* Rules: the source's ``rules`` table (``tag = "rule value"``; the hub generates it from its topics)
  is reconciled idempotently before each connection — existing rules are listed, stale ones deleted,
  missing ones added (diff by value and tag). :meth:`XConnector.set_rules` changes them live, without
  reconnecting (rules persist server-side).
* Stream: NDJSON lines ending ``\\r\\n``; empty lines are keep-alives (every 20 s, stall after
  ``stall_timeout_s``); an ``operational-disconnect`` line precedes a close: reconnect. Objects may span
  chunks. Backoff is the reference's (linear for network, exponential from 5 s for HTTP errors, until
  ``x-rate-limit-reset`` or from 60 s for 429 — also for ``TooManyConnections``).
* Checkpoint: the greatest post id emitted (``since_id``). After a reconnect (or a restart with a
  checkpoint) each rule is searched with ``/2/tweets/search/recent?since_id=…`` before the stream is read;
  posts already emitted are dropped by id.
* Not covered: ``backfill_minutes`` (tier-restricted), OAuth user context, media/polls/places, edits
  (``edit_history_tweet_ids`` kept in ``extra``), monthly usage caps beyond reporting the 429.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Mapping
from typing import Any
from urllib.parse import urlencode

import httpx

from veille.clock import iso_from_epoch
from veille.contracts import SourceBatch
from veille.model import Post, PostRejected
from veille.sources.connectors.base import Connector, post_from_dict
from veille.sources.connectors.config import ConfigField, ConnectorMeta
from veille.sources.connectors.errors import ConnectorConfigError
from veille.sources.connectors.registry import register
from veille.sources.connectors.streams import HEARTBEAT, batched_frames

__all__ = ["XConnector", "tweet_to_post"]

FIELDS: dict[str, str] = {
    "tweet.fields": "created_at,author_id,lang,conversation_id,in_reply_to_user_id,referenced_tweets,"
    "public_metrics,entities,note_tweet,edit_history_tweet_ids",
    "expansions": "author_id,referenced_tweets.id",
    "user.fields": "username,name,public_metrics,verified,location,description",
}
_TWITTER_EPOCH_MS = 1288834974657


def _id_key(post_id: str) -> tuple[int, str]:
    return (len(post_id), post_id)


def _snowflake_time(post_id: str) -> str:
    # Post ids are snowflakes: the creation time is in the high bits (used when created_at is absent).
    return iso_from_epoch(((int(post_id) >> 22) + _TWITTER_EPOCH_MS) / 1000)


def tweet_to_post(tweet: Mapping[str, Any], users: Mapping[str, Mapping[str, Any]], rules: list[Any]) -> Post:
    """One ``data`` object (with the ``includes.users`` index) as a canonical post."""
    post_id = str(tweet["id"])
    if not post_id.isdigit():
        raise ValueError("data.id: expected a numeric string")
    author_id = str(tweet["author_id"])
    user = users.get(author_id) or {}
    username = user.get("username")
    text = (tweet.get("note_tweet") or {}).get("text") or tweet["text"]
    references = {ref.get("type"): f"x:{ref['id']}" for ref in tweet.get("referenced_tweets") or []}
    urls = (tweet.get("entities") or {}).get("urls") or []
    links = [str(url.get("unwound_url") or url.get("expanded_url") or url["url"]) for url in urls]
    metrics = tweet.get("public_metrics") or {}
    user_metrics = user.get("public_metrics") or {}
    lang = tweet.get("lang")
    return post_from_dict(
        {
            "id": f"x:{post_id}",
            "source": "x",
            "url": f"https://x.com/{username}/status/{post_id}"
            if username
            else f"https://x.com/i/web/status/{post_id}",
            "created_at": tweet.get("created_at") or _snowflake_time(post_id),
            "text": text,
            "lang": lang if isinstance(lang, str) and len(lang) == 2 else None,
            "author": {
                "id": author_id,
                "handle": username or author_id,
                "name": user.get("name"),
                "followers": user_metrics.get("followers_count"),
                "verified": bool(user.get("verified")),
                "location": user.get("location") or None,
                "bio": user.get("description") or None,
            },
            "reply_to": references.get("replied_to"),
            "repost_of": references.get("retweeted"),
            "quote_of": references.get("quoted"),
            "links": links,
            "metrics": {
                "likes": metrics.get("like_count"),
                "reposts": metrics.get("retweet_count"),
                "replies": metrics.get("reply_count"),
                "views": metrics.get("impression_count"),
            },
            "extra": {
                "matching_rules": [
                    rule.get("tag") or rule.get("id") for rule in rules if isinstance(rule, Mapping)
                ],
                "conversation_id": tweet.get("conversation_id"),
                "quotes": metrics.get("quote_count"),
            },
        }
    )


class _NdjsonSplitter:
    """Bytes in, complete lines out; an empty line is a keep-alive."""

    def __init__(self) -> None:
        self._buffer = b""

    def feed(self, chunk: bytes) -> list[Any]:
        self._buffer += chunk
        out: list[Any] = []
        while b"\n" in self._buffer:
            line, self._buffer = self._buffer.split(b"\n", 1)
            line = line.rstrip(b"\r")
            out.append(line if line.strip() else HEARTBEAT)
        return out


@register
class XConnector(Connector):
    """X filtered stream + recent search."""

    meta = ConnectorMeta(
        type="x",
        title="X (Twitter) API v2",
        description="Filtered stream with rules reconciled from the hub's topics; recent search fills the "
        "gap after every reconnect.",
        default_endpoint="https://api.x.com",
        never_filled=(),
        example={
            "type": "x",
            "name": "x-brands",
            "bearer_token": "${X_BEARER_TOKEN}",
            "rules": {"livebox": "livebox lang:fr -is:retweet"},
        },
        fields=(
            ConfigField("bearer_token", str, secret=True, env="X_BEARER_TOKEN", help="App-only bearer token"),
            ConfigField(
                "rules", "dict[str,str]", default={}, help="rule tag = rule value (search operators)"
            ),
            ConfigField("stall_timeout_s", float, default=21.0, help="keep-alives come every 20 s"),
            ConfigField(
                "backfill_on_reconnect", bool, default=True, help="recent search since the checkpoint"
            ),
            ConfigField("backfill_max_pages", int, default=5, help="pages of 100 per rule"),
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._rules: dict[str, str] = dict(self.config["rules"])
        self._rules_synced = False
        self._since_id: str | None = None

    @property
    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.config.secret('bearer_token')}", "User-Agent": "veille/0.1"}

    def batches(self, checkpoint: str | None) -> AsyncIterator[SourceBatch]:
        if checkpoint is not None and not checkpoint.isdigit():
            raise ConnectorConfigError(
                f"source {self.name!r}: checkpoint {checkpoint!r} is not a post id", field="checkpoint"
            )
        self._since_id = checkpoint
        return self.supervise(self._session)

    # -- rules ------------------------------------------------------------------------------------

    async def set_rules(self, rules: Mapping[str, str]) -> None:
        """Replace the rules (tag → value) and reconcile them with X now (no reconnect needed)."""
        self._rules = dict(rules)
        await self.sync_rules()

    async def sync_rules(self) -> dict[str, int]:
        """Idempotent reconciliation; returns how many rules were added and deleted."""
        url = f"{self.endpoint}/2/tweets/search/stream/rules"
        existing = (await self.request("GET", url, headers=self._headers)).json().get("data") or []
        wanted = {(value, tag) for tag, value in self._rules.items()}
        stale = [rule["id"] for rule in existing if (rule.get("value"), rule.get("tag")) not in wanted]
        present = {(rule.get("value"), rule.get("tag")) for rule in existing}
        missing = [{"value": value, "tag": tag} for value, tag in sorted(wanted - present)]
        if stale:
            await self.request("POST", url, headers=self._headers, json={"delete": {"ids": stale}})
        if missing:
            response = await self.request("POST", url, headers=self._headers, json={"add": missing})
            payload = response.json()
            errors = payload.get("errors") or []
            invalid = [error for error in errors if "duplicate" not in str(error.get("title", "")).lower()]
            if invalid:
                details = "; ".join(
                    f"{error.get('value', '?')}: {error.get('details') or error.get('title')}"
                    for error in invalid
                )
                raise ConnectorConfigError(f"X ({self.name}): rules refused: {details}", field="rules")
        self._rules_synced = True
        return {"added": len(missing), "deleted": len(stale)}

    # -- one connection ---------------------------------------------------------------------------

    async def _session(self) -> AsyncIterator[SourceBatch]:
        if not self._rules_synced:
            await self.sync_rules()
        async with contextlib.AsyncExitStack() as stack:
            stall = self.config["stall_timeout_s"]
            response = await stack.enter_async_context(
                self.http.stream(
                    "GET",
                    f"{self.endpoint}/2/tweets/search/stream",
                    params=FIELDS,
                    headers=self._headers,
                    timeout=httpx.Timeout(10.0, read=stall),
                )
            )
            if response.status_code >= 400:
                await response.aread()
                error = self.error_for(response)
                if error is not None:
                    raise error
            self.connected()
            if self._since_id and self.config["backfill_on_reconnect"]:
                async for batch in self._backfill(self._since_id):
                    yield batch

            async def lines() -> AsyncIterator[Any]:
                splitter = _NdjsonSplitter()
                async for chunk in response.aiter_raw():
                    for item in splitter.feed(chunk):
                        yield item

            async for group in batched_frames(lines(), stall_timeout_s=stall):
                batch, disconnect = self._batch(group)
                yield batch
                if disconnect:
                    raise ConnectionError(f"X ({self.name}): {disconnect}")

    def _advance(self, post_ids: list[str]) -> str | None:
        candidates = [post_id for post_id in post_ids if post_id.isdigit()]
        if self._since_id:
            candidates.append(self._since_id)
        self._since_id = max(candidates, key=_id_key) if candidates else None
        return self._since_id

    def _batch(self, group: list[Any]) -> tuple[SourceBatch, str | None]:
        rejected: list[PostRejected] = []
        items: list[tuple[Mapping[str, Any], dict[str, Mapping[str, Any]], list[Any]]] = []
        disconnect: str | None = None
        for index, line in enumerate(group):
            try:
                message = json.loads(line)
                if not isinstance(message, Mapping):
                    raise ValueError("not a JSON object")
            except (ValueError, UnicodeDecodeError) as error:
                self.count_malformed(rejected, index, f"line: {error}")
                continue
            if "data" not in message:
                errors = message.get("errors") or []
                titles = [str(error.get("title")) for error in errors if isinstance(error, Mapping)]
                if any("disconnect" in title for title in titles):
                    disconnect = ", ".join(titles)
                continue
            users = {str(user.get("id")): user for user in (message.get("includes") or {}).get("users") or []}
            items.append((message["data"], users, message.get("matching_rules") or []))
        mapped, mapping_rejects = self.map_items(items, lambda item: tweet_to_post(*item))
        ids = [str(data.get("id")) for data, _, _ in items if isinstance(data, Mapping)]
        return self.make_batch(mapped, rejected + mapping_rejects, self._advance(ids)), disconnect

    # -- recent search ----------------------------------------------------------------------------

    async def _backfill(self, since_id: str) -> AsyncIterator[SourceBatch]:
        url = f"{self.endpoint}/2/tweets/search/recent"
        newest: list[str] = []
        for tag, value in sorted(self._rules.items()):
            token: str | None = None
            for _ in range(max(1, self.config["backfill_max_pages"])):
                # Same since_id on every page (the guide's polling recipe).
                params = {**FIELDS, "query": value, "since_id": since_id, "max_results": "100"}
                if token:
                    params["next_token"] = token
                response = await self.request(
                    "GET", f"{url}?{urlencode(params)}", headers=self._headers, bucket=url
                )
                payload = response.json()
                users = {
                    str(user.get("id")): user for user in (payload.get("includes") or {}).get("users") or []
                }
                found = list(reversed(payload.get("data") or []))  # oldest first
                items = [(tweet, users, [{"tag": tag}]) for tweet in found]
                mapped, rejected = self.map_items(items, lambda item: tweet_to_post(*item))
                newest.extend(str(tweet.get("id")) for tweet in found if isinstance(tweet, Mapping))
                # The checkpoint moves only once every rule was searched: a crash mid-way re-searches.
                yield self.make_batch(mapped, rejected, None)
                token = (payload.get("meta") or {}).get("next_token")
                if not token:
                    break
        if newest:
            yield self.make_batch([], [], self._advance(newest))
