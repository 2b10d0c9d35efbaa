"""The base class of platform connectors, with what every connector needs between the wire and a batch.

:class:`Connector` implements the :class:`~veille.contracts.Source` contract around a platform
module's ``batches(checkpoint)``: it maps platform items to posts (a malformed item is counted and
reported, never fatal), drops duplicates (:class:`RecentKeys`, bounded), applies the hub's query
filter, keeps :class:`~veille.sources.connectors.health.ConnectorHealth` up to date, runs the
reconnect loop (``supervise``) and makes REST calls that respect the platform's rate limits
(``request``). :func:`post_from_dict` builds a :class:`~veille.model.Post` and records the
canonical fields the platform could not fill.

How to write a connector: the docstring of :mod:`veille.sources.connectors`.
"""

from __future__ import annotations

import json
import logging
import random
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from typing import Any, ClassVar, Final

import httpx
from pydantic import ValidationError

from veille.clock import Clock, SystemClock
from veille.contracts import SourceBatch
from veille.model import ENRICHMENT_FIELDS, Post, PostRejected, validation_reason
from veille.security import OutboundPolicy, OutboundRefused, ResponseTooLarge
from veille.sources.connectors.config import ConnectorConfig, ConnectorMeta
from veille.sources.connectors.errors import (
    ConnectorConfigError,
    ConnectorError,
    CredentialsError,
    RateLimitedError,
    ServerError,
    StallError,
)
from veille.sources.connectors.health import ConnectorHealth
from veille.sources.connectors.pacing import RateLimitState, ReconnectPolicy, parse_rate_limit

__all__ = ["Connector", "Mapped", "QueryFilter", "RecentKeys", "post_from_dict"]

log = logging.getLogger(__name__)

QueryFilter = Callable[[Post], bool]
Mapped = Post | tuple[Post, Any] | None
_NETWORK_ERRORS: Final = (httpx.TransportError, OSError, ConnectionError, StallError, TimeoutError, EOFError)


class Connector:
    """Base class of platform connectors; implements the :class:`~veille.contracts.Source` contract.

    Subclasses set ``meta`` and implement ``batches(checkpoint)``.
    """

    meta: ClassVar[ConnectorMeta]

    def __init__(
        self,
        config: ConnectorConfig,
        *,
        http_client: httpx.AsyncClient,
        query_filter: QueryFilter | None = None,
        clock: Clock | None = None,
        rng: random.Random | None = None,
    ) -> None:
        if config.type != self.meta.type:
            raise ConnectorConfigError(f"config of type {config.type!r} given to {self.meta.type!r}")
        self.config = config
        self.name = config.name
        self.http = http_client
        self.query_filter = query_filter
        self.clock: Clock = clock or SystemClock()
        self.policy = ReconnectPolicy(rng=rng or random.Random())
        self.health = ConnectorHealth(name=config.name, type=self.meta.type)
        self.rate_limits: dict[str, RateLimitState] = {}
        self._recent = RecentKeys()
        # Set by the source manager: checks connections httpx does not make (WebSockets). The HTTP
        # requests are checked by the client's transport (veille.security.GuardedTransport).
        self.outbound: OutboundPolicy | None = None

    async def check_connection(self, url: str) -> dict[str, Any]:
        """Refuse (``OutboundRefused``) a WebSocket URL the hub's outbound policy does not allow;
        else the connection arguments that pin the socket to the checked address (``host``,
        ``port``: pass them to ``websockets.connect``; the URL's name still serves TLS and Host)."""
        if self.outbound is None:
            return {}
        return dict(await self.outbound.pinned_address(url))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.config!r})"

    @property
    def endpoint(self) -> str:
        if not self.config.endpoint:
            raise ConnectorConfigError(f"source {self.name!r}: endpoint: required", field="endpoint")
        return self.config.endpoint

    def batches(self, checkpoint: str | None) -> AsyncIterator[SourceBatch]:
        raise NotImplementedError

    # -- items -> posts -------------------------------------------------------------------------

    def map_items(
        self,
        items: Iterable[Any],
        mapper: Callable[[Any], Mapped],
        *,
        start: int = 0,
        payload_of: Callable[[Any], Any] | None = None,
    ) -> tuple[list[tuple[Post, Any]], list[PostRejected]]:
        """Map platform items; malformed ones are counted and reported, never fatal.

        A refused item is reported with its raw payload (``payload_of(item)``, default the item
        itself) so that the pipeline can keep it in the dead-letter table and :meth:`remap` can map
        it again after a fix.
        """
        mapped: list[tuple[Post, Any]] = []
        rejected: list[PostRejected] = []
        for index, item in enumerate(items, start=start):
            try:
                result = mapper(item)
            except (ValueError, KeyError, TypeError, AttributeError) as error:
                self.health.malformed_total += 1
                reason = str(error) if isinstance(error, ValueError) else f"{type(error).__name__}: {error}"
                payload = _jsonable(payload_of(item) if payload_of is not None else item)
                rejected.append(PostRejected(index=index, reason=reason[:500], payload=payload))
                continue
            if result is None:
                continue
            mapped.append(result if isinstance(result, tuple) else (result, result.id))
        return mapped, rejected

    def count_malformed(
        self, rejected: list[PostRejected], index: int, reason: str, *, payload: Any = None
    ) -> None:
        """A frame that could not even be decoded (bad JSON...): kept as received for the record."""
        self.health.malformed_total += 1
        rejected.append(PostRejected(index=index, reason=reason[:500], payload=_jsonable(payload)))

    def keeps(self, post: Post) -> bool:
        """Would this source keep ``post``? (the hub's query filter; a firehose adds its own match)"""
        return self.query_filter is None or self.query_filter(post)

    def remap(self, payload: Any) -> Post | None:
        """Map a stored raw payload (a dead letter) again with the current mapping code.

        Returns the post, ``None`` when the payload is not a post at all; raises ``ValueError``
        naming the field when it still cannot be mapped. Each platform connector overrides it.
        """
        raise ValueError(f"{self.meta.type}: this connector cannot map a stored payload again")

    def make_batch(
        self,
        candidates: Iterable[tuple[Post, Any]],
        rejected: list[PostRejected] | None = None,
        checkpoint: str | None = None,
    ) -> SourceBatch:
        """Drop duplicates, apply the hub's query filter, update health."""
        kept: list[Post] = []
        for post, key in candidates:
            if self._recent.seen(key):
                self.health.duplicates_total += 1
                continue
            if self.query_filter is not None and not self.query_filter(post):
                self.health.filtered_total += 1
                continue
            kept.append(post)
        self.health.record_posts(kept, self.clock.time())
        return SourceBatch(posts=kept, checkpoint=checkpoint, rejected=list(rejected or []))

    def already_seen(self, key: Any) -> bool:
        return key in self._recent

    # -- connection lifecycle ---------------------------------------------------------------------

    def connected(self) -> None:
        """Call once a connection is established: resets backoff counters, updates health."""
        self.policy.reset()
        self.health.connected = True
        self.health.state = "connected"
        self.health.last_connected_at = self.clock.time()
        self.health.next_retry_at = None

    async def supervise(
        self, session: Callable[[], AsyncIterator[SourceBatch]], *, max_reconnects: int | None = None
    ) -> AsyncIterator[SourceBatch]:
        """Run ``session()`` forever, reconnecting per the policy; fatal errors stop with a message."""
        attempts = 0
        while True:
            self.health.state = "connecting"
            try:
                async for batch in session():
                    yield batch
                raise ConnectionError("the session ended")
            except (ConnectorConfigError, OutboundRefused) as error:
                self._fail(
                    f"{self.meta.title} ({self.name}): {error}"
                    if isinstance(error, OutboundRefused)
                    else str(error)
                )
                raise
            except ResponseTooLarge as error:
                delay = self.policy.after_http_error()
                message = str(error)
            except RateLimitedError as error:
                self.health.rate_limited_total += 1
                delay = self.policy.after_rate_limit(error.retry_at, self.clock.time())
                message = f"rate limited: {error}"
            except ServerError as error:
                delay = self.policy.after_http_error()
                message = str(error)
            except _NETWORK_ERRORS as error:
                delay = self.policy.after_network_error()
                message = f"connection lost: {type(error).__name__}: {error}"
            except Exception as error:
                # websockets' ConnectionClosed and InvalidMessage are not OSErrors; anything the
                # platform module did not classify is treated as a network failure.
                delay = self.policy.after_network_error()
                message = f"connection lost: {type(error).__name__}: {error}"
            now = self.clock.time()
            self.health.connected = False
            self.health.state = "backing_off"
            self.health.record_error(message, now)
            self.health.next_retry_at = now + delay
            attempts += 1
            if max_reconnects is not None and attempts > max_reconnects:
                given_up = f"gave up after {max_reconnects} reconnects: {message}"
                self._fail(given_up)
                raise ConnectorError(given_up)
            self.health.reconnects_total += 1
            await self.clock.sleep(delay)

    def _fail(self, message: str) -> None:
        self.health.connected = False
        self.health.state = "failed"
        self.health.next_retry_at = None
        self.health.record_error(message, self.clock.time())

    # -- REST -------------------------------------------------------------------------------------

    async def _pace(self, bucket: str) -> None:
        state = self.rate_limits.get(bucket)
        if state is None or state.remaining is None or state.reset_at is None:
            return
        if state.remaining <= 0:
            wait = state.reset_at - self.clock.time()
            if wait > 0:
                self.health.next_retry_at = state.reset_at
                await self.clock.sleep(wait)
            state.remaining = None

    async def request(
        self,
        method: str,
        url: str,
        *,
        bucket: str | None = None,
        auth_error: Callable[[httpx.Response], ConnectorError | None] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """One REST call: waits when the platform said the window is spent, raises on errors.

        401/403 → :class:`CredentialsError` (``auth_error`` may return another error instead, e.g.
        Bluesky's 403 HTML load shedding), 429 → :class:`RateLimitedError`, 5xx/408 →
        :class:`ServerError`, other 4xx → :class:`ConnectorConfigError`.
        """
        bucket = bucket or url.split("?", 1)[0]
        await self._pace(bucket)
        response = await self.http.request(method, url, **kwargs)
        state = parse_rate_limit(response.headers, self.clock.time())
        if state is not None:
            self.rate_limits[bucket] = state
        error = self.error_for(response, auth_error=auth_error)
        if error is not None:
            raise error
        return response

    def error_for(
        self,
        response: httpx.Response,
        *,
        auth_error: Callable[[httpx.Response], ConnectorError | None] | None = None,
    ) -> ConnectorError | None:
        """The exception an HTTP status means (``None`` for 2xx/3xx)."""
        status = response.status_code
        if status < 400:
            return None
        # The body stays in the hub's log: a user-visible error (last_error, the API) never carries
        # what a server answered (it may be an internal page reached through a user's endpoint).
        log.info("%s (%s): HTTP %s body: %s", self.meta.title, self.name, status, _error_detail(response))
        url = response.request.url.copy_with(query=None, userinfo=b"")
        where = f"{self.meta.title} ({self.name}): HTTP {status} from {url}"
        if status in (401, 403):
            custom = auth_error(response) if auth_error else None
            if custom is not None:
                return custom
            return CredentialsError(f"{where}: credentials refused; check the source's secrets")
        if status == 429:
            state = parse_rate_limit(response.headers, self.clock.time())
            return RateLimitedError(f"{where}: rate limited", retry_at=state.reset_at if state else None)
        if status >= 500 or status == 408:
            return ServerError(f"{where}: server error", status=status)
        return ConnectorConfigError(f"{where}: request refused")


def _error_detail(response: httpx.Response) -> str:
    try:
        body = response.read().decode("utf-8", "replace")
    except (httpx.StreamError, RuntimeError):
        return "no body"
    try:
        payload = json.loads(body)
    except ValueError:
        return body.strip()[:200] or "no body"
    if isinstance(payload, Mapping):
        for key in ("detail", "message", "error", "title"):
            if isinstance(payload.get(key), str):
                return str(payload[key])[:300]
        errors = payload.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], Mapping):
            first = errors[0]
            return str(first.get("detail") or first.get("message") or first.get("title") or first)[:300]
    return body.strip()[:200]


def _jsonable(value: Any) -> Any:
    """``value`` as plain JSON data (what the dead-letter table can hold); bytes become text."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    try:
        return json.loads(json.dumps(value, default=str, ensure_ascii=False))
    except (TypeError, ValueError):
        return repr(value)


class RecentKeys:
    """A bounded memory of recently emitted keys (dedup across reconnects and backfills)."""

    def __init__(self, capacity: int = 50_000) -> None:
        self.capacity = capacity
        self._keys: OrderedDict[Any, None] = OrderedDict()

    def seen(self, key: Any) -> bool:
        """True when ``key`` was already recorded; records it otherwise."""
        if key in self._keys:
            self._keys.move_to_end(key)
            return True
        self._keys[key] = None
        if len(self._keys) > self.capacity:
            self._keys.popitem(last=False)
        return False

    def __contains__(self, key: Any) -> bool:
        return key in self._keys

    def __len__(self) -> int:
        return len(self._keys)


# Optional canonical fields whose absence is reported in ``post.extra["unfilled"]``.
_REPORTED_FIELDS: Final = (
    "url",
    "lang",
    "author.id",
    "author.name",
    "author.followers",
    "metrics.likes",
    "metrics.reposts",
    "metrics.replies",
    "metrics.views",
)
# Top-level fields a post can do without: a value the model refuses there is dropped (and reported),
# not the whole item. ``author`` itself is required, but its fields other than ``handle`` are not.
_OPTIONAL_FIELDS: Final = frozenset(
    {"url", "lang", "reply_to", "repost_of", "quote_of", "links", "metrics", "country"}
)


def post_from_dict(data: dict[str, Any]) -> Post:
    """Validate a mapped platform item into a :class:`Post`, recording unfilled fields in ``extra``.

    Nothing valid is lost to one bad optional value: a value the post model refuses in an optional
    field (a ``lang`` that is no language tag, a negative count, a malformed link...) is left out,
    named in ``extra["unfilled"]`` and explained in ``extra["unfilled_reasons"]``. Raises
    ``ValueError`` naming the field only when a required field (id, source, created_at, text,
    author.handle) is wrong: no valid post can be made then.
    """
    item = _copy_for_dropping(data)
    reasons: dict[str, str] = {}
    for _attempt in range(4):
        try:
            return _validated(item, reasons)
        except ValidationError as error:
            fatal = [problem for problem in error.errors() if not _drop_optional(item, problem, reasons)]
            if fatal:
                raise ValueError(validation_reason(error)) from None
            if isinstance(item.get("links"), list):  # links refused were marked None
                item["links"] = [link for link in item["links"] if link is not None]
    return _validated(item, reasons)  # raises if dropping did not converge (it always does)


def _copy_for_dropping(data: Mapping[str, Any]) -> dict[str, Any]:
    item = dict(data)
    for key in ("author", "metrics"):
        if isinstance(item.get(key), Mapping):
            item[key] = dict(item[key])
    if isinstance(item.get("links"), list):
        item["links"] = list(item["links"])
    return item


def _drop_optional(item: dict[str, Any], problem: Mapping[str, Any], reasons: dict[str, str]) -> bool:
    """Leave out the optional value ``problem`` is about; ``False`` when it is a required one."""
    location = tuple(problem.get("loc", ()))
    if not location:
        return False
    head = location[0]
    message = _describe_problem(problem)
    if head == "author" and len(location) >= 2 and location[1] not in ("handle",):
        author = item.get("author")
        if isinstance(author, dict) and location[1] in author:
            reasons[f"author.{location[1]}"] = message
            author[location[1]] = None if location[1] != "verified" else False
            return True
        return False
    if head not in _OPTIONAL_FIELDS:
        return False
    if head == "links" and len(location) >= 2 and isinstance(location[1], int):
        links = item.get("links")
        if isinstance(links, list) and 0 <= location[1] < len(links):
            reasons.setdefault("links", message)
            links[location[1]] = None  # removed once every problem is handled: indexes stay right
            return True
        return False
    if head == "metrics" and len(location) >= 2:
        metrics = item.get("metrics")
        if isinstance(metrics, dict) and location[1] in metrics:
            reasons[f"metrics.{location[1]}"] = message
            metrics[location[1]] = None
            return True
        return False
    if head in item:
        reasons[str(head)] = message
        item[str(head)] = [] if head == "links" else None
        return True
    return False


def _describe_problem(problem: Mapping[str, Any]) -> str:
    value = problem.get("input")
    shown = repr(value) if isinstance(value, str | int | float) else type(value).__name__
    text = str(problem.get("msg", "invalid")).removeprefix("Value error, ")
    return f"{text} (got {shown})"[:300]


def _validated(item: dict[str, Any], reasons: dict[str, str]) -> Post:
    extra = dict(item.get("extra") or {})
    # A mapper may name fields it filled only by a fallback (a feed entry dated at the fetch time).
    given = extra.pop("unfilled", None)
    given_reasons = extra.pop("unfilled_reasons", None)
    inbound = {key: value for key, value in {**item, "extra": extra}.items() if key not in ENRICHMENT_FIELDS}
    post = Post.model_validate(inbound)
    # Read on the validated post: a language tag without an ISO 639-1 code (ast) leaves lang unset.
    values = {
        "url": post.url,
        "lang": post.lang,
        "author.id": post.author.id,
        "author.name": post.author.name,
        "author.followers": post.author.followers,
        "metrics.likes": post.metrics.likes,
        "metrics.reposts": post.metrics.reposts,
        "metrics.replies": post.metrics.replies,
        "metrics.views": post.metrics.views,
    }
    missing = [dotted for dotted in _REPORTED_FIELDS if values[dotted] is None]
    all_reasons = {**(given_reasons if isinstance(given_reasons, Mapping) else {}), **reasons}
    for dotted in [*(given if isinstance(given, list) else []), *all_reasons]:
        if dotted not in missing:
            missing.append(str(dotted))
    post.extra["unfilled"] = missing
    if all_reasons:
        post.extra["unfilled_reasons"] = all_reasons
    return post
