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
* Mapping (real payloads, ``tests/fakes/data/real/x``): text HTML-unescaped (X escapes ``&``, ``<``,
  ``>``), a retweet's whole original text from ``includes.tweets`` (the ``data`` text is the
  truncated "RT @x: …", kept in ``extra["retweet_text"]``), ``lang`` as sent (the post model maps
  the withdrawn ``in`` to ``id``), ``country`` from the tagged place (``geo.place_id`` expanded with
  ``place.fields=country_code``). A post that cannot be mapped goes to the dead-letter table as a
  stream message with the includes it needs; :meth:`XConnector.remap` maps it again.
* Not covered: ``backfill_minutes`` (tier-restricted), OAuth user context, media/polls, edits
  (``edit_history_tweet_ids`` kept in ``extra``), monthly usage caps beyond reporting the 429.
"""

from __future__ import annotations

import contextlib
import html
import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx

from veille.clock import iso_from_epoch
from veille.contracts import SourceBatch
from veille.model import Post, PostRejected
from veille.security import LONG_LIVED
from veille.sources.connectors.base import Connector, post_from_dict
from veille.sources.connectors.config import ConfigField, ConnectorMeta
from veille.sources.connectors.errors import ConnectorConfigError
from veille.sources.connectors.registry import register
from veille.sources.connectors.streams import HEARTBEAT, batched_frames

__all__ = ["FIELDS", "Includes", "XConnector", "message_to_post", "tweet_to_post"]

FIELDS: dict[str, str] = {
    "tweet.fields": "created_at,author_id,lang,conversation_id,in_reply_to_user_id,referenced_tweets,"
    "public_metrics,entities,note_tweet,edit_history_tweet_ids,geo",
    # referenced_tweets.id: a retweet's text is truncated ("RT @x: …"), the original is in
    # includes.tweets; geo.place_id: the place (and its country) a post is tagged with.
    "expansions": "author_id,referenced_tweets.id,referenced_tweets.id.author_id,geo.place_id",
    "user.fields": "username,name,public_metrics,verified,location,description",
    "place.fields": "country_code,country,full_name,name,place_type",
}
_TWITTER_EPOCH_MS = 1288834974657


@dataclass(frozen=True, slots=True)
class Includes:
    """The ``includes`` of an X answer indexed by id: users, referenced posts, places."""

    users: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    tweets: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    places: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @classmethod
    def of(cls, message: Mapping[str, Any]) -> Includes:
        raw = message.get("includes")
        includes: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}

        def index(key: str) -> dict[str, Mapping[str, Any]]:
            items = includes.get(key)
            return {
                str(item.get("id")): item
                for item in items or []
                if isinstance(item, Mapping) and item.get("id")
            }

        return cls(users=index("users"), tweets=index("tweets"), places=index("places"))

    def for_tweet(self, tweet: Mapping[str, Any]) -> dict[str, Any]:
        """The part of the includes one post needs, as JSON (kept with a refused post)."""
        referenced = [
            str(ref.get("id")) for ref in tweet.get("referenced_tweets") or [] if isinstance(ref, Mapping)
        ]
        tweets = [self.tweets[ref] for ref in referenced if ref in self.tweets]
        user_ids = {str(tweet.get("author_id"))} | {str(item.get("author_id")) for item in tweets}
        if not tweet.get("author_id"):
            user_ids = set(self.users)  # the refusal may be the missing author: keep every candidate
        place = (tweet.get("geo") or {}).get("place_id") if isinstance(tweet.get("geo"), Mapping) else None
        return {
            "users": [self.users[user] for user in sorted(user_ids) if user in self.users],
            "tweets": tweets,
            "places": [self.places[str(place)]] if place and str(place) in self.places else [],
        }


def _id_key(post_id: str) -> tuple[int, str]:
    return (len(post_id), post_id)


def _snowflake_time(post_id: str) -> str:
    # Post ids are snowflakes: the creation time is in the high bits (used when created_at is absent).
    return iso_from_epoch(((int(post_id) >> 22) + _TWITTER_EPOCH_MS) / 1000)


def _full_text(tweet: Mapping[str, Any]) -> str:
    """A post's whole text: the note_tweet of a long post, HTML entities decoded (X escapes & < >)."""
    note = tweet.get("note_tweet")
    text = note.get("text") if isinstance(note, Mapping) and note.get("text") else tweet["text"]
    if not isinstance(text, str):
        raise ValueError("data.text: expected a string")
    return html.unescape(text)


def tweet_to_post(tweet: Mapping[str, Any], includes: Includes, rules: list[Any]) -> Post:
    """One ``data`` object (with its answer's ``includes``) as a canonical post.

    A retweet carries the original's whole text (``includes.tweets``), not the truncated
    "RT @x: …"; the country is the tagged place's ``country_code``.
    """
    post_id = str(tweet["id"])
    if not post_id.isdigit():
        raise ValueError("data.id: expected a numeric string")
    author_id = str(tweet["author_id"])
    user = includes.users.get(author_id) or {}
    username = user.get("username")
    references = {
        ref.get("type"): str(ref["id"])
        for ref in tweet.get("referenced_tweets") or []
        if isinstance(ref, Mapping)
    }
    text = _full_text(tweet)
    extra: dict[str, Any] = {}
    retweeted = references.get("retweeted")
    original = includes.tweets.get(retweeted) if retweeted else None
    if original is not None:
        text = _full_text(original)
        extra["retweet_text"] = _full_text(tweet)
    elif retweeted:
        extra["retweet_truncated"] = True  # the original was not expanded: its text may be cut
    urls = (tweet.get("entities") or {}).get("urls") or []
    links = [str(url.get("unwound_url") or url.get("expanded_url") or url["url"]) for url in urls]
    if original is not None:
        for url in (original.get("entities") or {}).get("urls") or []:
            link = str(url.get("unwound_url") or url.get("expanded_url") or url.get("url"))
            if link not in links:
                links.append(link)
    metrics = tweet.get("public_metrics") or {}
    user_metrics = user.get("public_metrics") or {}
    raw_geo = tweet.get("geo")
    geo: Mapping[str, Any] = raw_geo if isinstance(raw_geo, Mapping) else {}
    place = includes.places.get(str(geo.get("place_id"))) if geo.get("place_id") else None
    if place is not None:
        extra["place"] = {
            key: place.get(key) for key in ("id", "full_name", "place_type", "country") if key in place
        }
    elif geo.get("place_id"):
        extra["place"] = {"id": geo.get("place_id")}
    return post_from_dict(
        {
            "id": f"x:{post_id}",
            "source": "x",
            "url": f"https://x.com/{username}/status/{post_id}"
            if username
            else f"https://x.com/i/web/status/{post_id}",
            "created_at": tweet.get("created_at") or _snowflake_time(post_id),
            "text": text,
            # X still sends the withdrawn "in" for Indonesian and q-codes (qme, qht...): the post
            # model maps "in" to "id" and keeps what has no ISO 639-1 code in extra["lang_tag"].
            "lang": tweet.get("lang") or None,
            "author": {
                "id": author_id,
                "handle": username or author_id,
                "name": user.get("name"),
                "followers": user_metrics.get("followers_count"),
                "verified": bool(user.get("verified")),
                "location": user.get("location") or None,
                "bio": user.get("description") or None,
            },
            "reply_to": f"x:{references['replied_to']}" if "replied_to" in references else None,
            "repost_of": f"x:{retweeted}" if retweeted else None,
            "quote_of": f"x:{references['quoted']}" if "quoted" in references else None,
            "links": links,
            "metrics": {
                "likes": metrics.get("like_count"),
                "reposts": metrics.get("retweet_count"),
                "replies": metrics.get("reply_count"),
                "views": metrics.get("impression_count"),
            },
            "country": place.get("country_code") if place is not None else None,
            "extra": {
                "matching_rules": [
                    rule.get("tag") or rule.get("id") for rule in rules if isinstance(rule, Mapping)
                ],
                "conversation_id": tweet.get("conversation_id"),
                "quotes": metrics.get("quote_count"),
                **extra,
            },
        }
    )


def message_to_post(message: Mapping[str, Any]) -> Post:
    """A stream message or a stored dead letter (``data`` one post, ``includes``, ``matching_rules``)."""
    if not isinstance(message, Mapping) or not isinstance(message.get("data"), Mapping):
        raise ValueError("data: missing or not a JSON object")
    rules = message.get("matching_rules")
    return tweet_to_post(message["data"], Includes.of(message), rules if isinstance(rules, list) else [])


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
                    extensions={LONG_LIVED: True},
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
        items: list[tuple[Mapping[str, Any], Includes, list[Any]]] = []
        disconnect: str | None = None
        for index, line in enumerate(group):
            try:
                message = json.loads(line)
                if not isinstance(message, Mapping):
                    raise ValueError("not a JSON object")
            except (ValueError, UnicodeDecodeError) as error:
                raw = line.decode("utf-8", "replace") if isinstance(line, bytes) else line
                self.count_malformed(rejected, index, f"line: {error}", payload=raw)
                continue
            if "data" not in message:
                errors = message.get("errors") or []
                titles = [str(error.get("title")) for error in errors if isinstance(error, Mapping)]
                if any("disconnect" in title for title in titles):
                    disconnect = ", ".join(titles)
                continue
            rules = message.get("matching_rules")
            items.append((message["data"], Includes.of(message), rules if isinstance(rules, list) else []))
        mapped, mapping_rejects = self.map_items(
            items, lambda item: tweet_to_post(*item), payload_of=_dead_letter
        )
        ids = [str(data.get("id")) for data, _, _ in items if isinstance(data, Mapping)]
        return self.make_batch(mapped, rejected + mapping_rejects, self._advance(ids)), disconnect

    def remap(self, payload: Any) -> Post | None:
        return message_to_post(payload)

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
                includes = Includes.of(payload)
                found = list(reversed(payload.get("data") or []))  # oldest first
                items = [(tweet, includes, [{"tag": tag}]) for tweet in found]
                mapped, rejected = self.map_items(
                    items, lambda item: tweet_to_post(*item), payload_of=_dead_letter
                )
                newest.extend(str(tweet.get("id")) for tweet in found if isinstance(tweet, Mapping))
                # The checkpoint moves only once every rule was searched: a crash mid-way re-searches.
                yield self.make_batch(mapped, rejected, None)
                token = (payload.get("meta") or {}).get("next_token")
                if not token:
                    break
        if newest:
            yield self.make_batch([], [], self._advance(newest))


def _dead_letter(item: tuple[Any, Includes, list[Any]]) -> dict[str, Any]:
    """A refused post as a stream message: the post, the includes it needs, its rules."""
    tweet, includes, rules = item
    part = includes.for_tweet(tweet) if isinstance(tweet, Mapping) else {}
    return {"data": tweet, "includes": part, "matching_rules": rules}
