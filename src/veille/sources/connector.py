"""Machinery shared by every platform connector (Mastodon, Bluesky, X, Reddit, RSS, HN, YouTube...).

How to write a connector
========================

1. Subclass :class:`Connector`, give it a :class:`ConnectorMeta` (``type``, title, config fields with
   types/defaults/secrets/environment variables, the default ``endpoint``) and decorate it with
   :func:`register`::

       @register
       class HackerNewsConnector(Connector):
           meta = ConnectorMeta(
               type="hackernews",
               title="Hacker News (Algolia search)",
               default_endpoint="https://hn.algolia.com",
               fields=(
                   ConfigField("query", str, help="search terms"),
                   ConfigField("api_key", str, default=None, secret=True, env="HN_API_KEY"),
                   ConfigField("poll_interval_s", float, default=60.0),
               ),
           )

           async def batches(self, checkpoint):
               ...

   and add the module to :data:`CONNECTOR_MODULES` (one line) so that :func:`registered_connectors`
   finds it without anybody importing it first.

2. Inside ``batches(checkpoint)`` (an async generator of :class:`SourceBatch`), use what the base
   class gives you:

   * ``self.config`` — a validated :class:`ConnectorConfig` (``self.config["field"]`` returns the
     typed value; a secret comes back as :class:`Secret`, call ``.reveal()`` to use it);
     ``self.endpoint`` is the base URL (config ``endpoint`` or the meta default, no trailing ``/``).
   * ``self.http`` — the injected ``httpx.AsyncClient`` (tests pass one talking to a local fake).
     Call :meth:`Connector.request` for REST calls: it paces on the platform's rate-limit headers
     and turns error statuses into the exceptions below.
   * ``self.clock`` — time and ``sleep`` (tests inject a clock that records sleeps instead of waiting).
   * ``self.health`` — :class:`ConnectorHealth` (connected, lag, last error, posts/min, counters).
   * ``self.map_items(items, mapper)`` — runs ``mapper(item) -> Post | (Post, dedup_key) | None`` on
     each platform item; an item that raises ``ValueError``/``KeyError``/``TypeError`` is counted as
     malformed and reported in ``SourceBatch.rejected`` (reason names the field), never stopping
     the stream. ``None`` means "not a post" (a delete, a like...) and is skipped silently.
   * ``self.make_batch(candidates, rejected, checkpoint)`` — drops duplicates (bounded memory of
     recent keys), applies the hub's ``query_filter`` (any ``Post -> bool`` callable) and updates
     health; returns the :class:`SourceBatch` to yield.
   * ``self.supervise(session)`` — the reconnect loop of the reference (§0.4) around one connection
     attempt ``session()`` (an async generator of batches): network errors and stalls reconnect at
     once then back off linearly (+0.25 s, max 16 s), HTTP 5xx back off exponentially from 5 s
     (max 320 s), HTTP 429 waits until the platform's reset time (or exponentially from 60 s),
     :class:`CredentialsError` / :class:`ConnectorConfigError` stop the connector with a clear
     message (never a retry loop). Call ``self.connected()`` once a connection is established: it
     resets the backoff counters.
   * :func:`batched_frames` — reader task + bounded queue + stall timeout for streams: turns an
     async iterator of frames (``HEARTBEAT`` for keep-alives) into lists of frames.

3. Fields the platform could not fill: :func:`post_from_dict` builds the :class:`Post` and stores the
   names of the optional canonical fields left empty in ``post.extra["unfilled"]`` (e.g.
   ``["author.followers", "metrics.likes"]``) so the hub can tell "zero" from "unknown".

Configuration: :func:`build_connector` turns one ``[[sources]]`` table (``type``, ``name``,
``endpoint``, ``query`` and the platform's fields) into a running source. Secrets come from the
table or from the environment (the field's ``env`` variable, or ``VEILLE_SOURCE_<NAME>_<FIELD>``,
or an explicit ``"${VAR}"`` value) and are masked (``'***'``) whenever the config is printed.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import math
import os
import random
import re
import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar, Final, Protocol, TypeVar

import httpx

from veille.contracts import SourceBatch
from veille.model import Post, PostRejected, parse_post

__all__ = [
    "CONNECTOR_MODULES",
    "HEARTBEAT",
    "Clock",
    "ConfigField",
    "Connector",
    "ConnectorConfig",
    "ConnectorConfigError",
    "ConnectorError",
    "ConnectorHealth",
    "ConnectorMeta",
    "CredentialsError",
    "QueryFilter",
    "RateLimitState",
    "RateLimitedError",
    "RecentKeys",
    "ReconnectPolicy",
    "Secret",
    "ServerError",
    "StallError",
    "SystemClock",
    "batched_frames",
    "build_connector",
    "describe_connectors",
    "iso_from_epoch",
    "parse_rate_limit",
    "post_from_dict",
    "register",
    "registered_connectors",
]

# Modules holding registered connectors, imported lazily by ``registered_connectors()`` (never at
# import time of this module). A new platform module adds itself here.
CONNECTOR_MODULES: Final[tuple[str, ...]] = (
    # one line per module
    "veille.sources.mastodon",
    "veille.sources.bluesky",
    "veille.sources.x",
    "veille.sources.reddit",
    "veille.sources.rss",
    "veille.sources.hackernews",
    "veille.sources.youtube",
)

QueryFilter = Callable[[Post], bool]
_REQUIRED: Final = object()
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
_ENV_REF_RE = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")


# --------------------------------------------------------------------------------------------- errors


class ConnectorError(Exception):
    """Base of the errors a connector raises."""


class ConnectorConfigError(ConnectorError, ValueError):
    """The configuration is wrong (missing field, bad type, unknown channel...): fatal, not retried."""


class CredentialsError(ConnectorConfigError):
    """The platform refused the credentials (401/403): the connector stops with this message."""


class RateLimitedError(ConnectorError):
    """HTTP 429: ``retry_at`` is the platform's reset time (epoch seconds) when it sent one."""

    def __init__(self, message: str, *, retry_at: float | None = None) -> None:
        super().__init__(message)
        self.retry_at = retry_at


class ServerError(ConnectorError):
    """HTTP 5xx or another retryable HTTP status."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


class StallError(ConnectorError):
    """No byte (not even a heartbeat) arrived within the stall timeout: reconnect."""


# ------------------------------------------------------------------------------------- config fields


class Secret:
    """A credential: printed as ``'***'``; ``reveal()`` returns the value."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    def __str__(self) -> str:
        return "***"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)


_FIELD_TYPES: Final = {"str", "int", "float", "bool", "list[str]", "dict[str,str]"}


@dataclass(frozen=True, slots=True)
class ConfigField:
    """One typed config field of a connector (drives validation, docs and UI forms).

    ``kind`` is one of ``str``, ``int``, ``float``, ``bool``, ``list[str]``, ``dict[str,str]``; a
    Python type (``str``...) is accepted too. A field without ``default`` is required. ``choices``
    limits the values; ``env`` names the environment variable read when the value is absent.
    """

    name: str
    kind: Any = "str"
    default: Any = _REQUIRED
    secret: bool = False
    env: str | None = None
    help: str = ""
    choices: tuple[Any, ...] | None = None

    def __post_init__(self) -> None:
        raw = self.kind
        # ``str`` -> "str"; ``list[str]`` (a generic alias, not a type) -> "list[str]".
        kind = raw if isinstance(raw, str) else raw.__name__ if isinstance(raw, type) else str(raw)
        kind = kind.replace(" ", "")
        if kind not in _FIELD_TYPES:
            raise TypeError(f"config field {self.name}: unsupported kind {kind!r}")
        object.__setattr__(self, "kind", kind)

    @property
    def required(self) -> bool:
        return self.default is _REQUIRED

    def describe(self) -> dict[str, Any]:
        """JSON-able description (docs, UI forms, ``GET /api/sources/types``)."""
        return {
            "name": self.name,
            "type": self.kind,
            "required": self.required,
            "default": None if self.required else self.default,
            "secret": self.secret,
            "env": self.env,
            "choices": list(self.choices) if self.choices else None,
            "help": self.help,
        }

    def convert(self, value: Any) -> Any:
        """The typed value, or ``ValueError`` saying what is expected."""
        if value is None:
            if self.required:
                raise ValueError("required")
            return None
        kind = self.kind
        converted: Any
        if kind == "str":
            if not isinstance(value, str | Secret):
                raise ValueError(f"expected a string, got {type(value).__name__}")
            text = value.reveal() if isinstance(value, Secret) else value
            converted = Secret(text) if self.secret else text
        elif kind == "bool":
            if isinstance(value, bool):
                converted = value
            elif isinstance(value, str) and value.strip().lower() in {"true", "1", "yes", "on"}:
                converted = True
            elif isinstance(value, str) and value.strip().lower() in {"false", "0", "no", "off"}:
                converted = False
            else:
                raise ValueError(f"expected true or false, got {value!r}")
        elif kind in {"int", "float"}:
            if isinstance(value, bool):
                raise ValueError(f"expected a number, got {value!r}")
            try:
                number = float(value) if kind == "float" else int(value)
            except (TypeError, ValueError):
                raise ValueError(
                    f"expected {'a number' if kind == 'float' else 'an integer'}, got {value!r}"
                ) from None
            if kind == "float" and not math.isfinite(number):
                raise ValueError("expected a finite number")
            converted = number
        elif kind == "list[str]":
            if isinstance(value, str):
                value = [part.strip() for part in value.split(",") if part.strip()]
            if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
                raise ValueError("expected a list of strings")
            converted = list(value)
        else:  # dict[str,str]
            if not isinstance(value, Mapping) or not all(
                isinstance(key, str) and isinstance(item, str) for key, item in value.items()
            ):
                raise ValueError("expected a table of strings")
            converted = dict(value)
        if self.choices is not None and converted not in self.choices:
            raise ValueError(f"must be one of {', '.join(map(str, self.choices))}")
        return converted


@dataclass(frozen=True, slots=True)
class ConnectorMeta:
    """What a connector declares about itself."""

    type: str
    title: str
    fields: tuple[ConfigField, ...] = ()
    default_endpoint: str | None = None
    description: str = ""
    # Canonical fields this platform never provides (documentation; per-post gaps go in extra).
    never_filled: tuple[str, ...] = ()
    # A valid ``[[sources]]`` table (docs, UI placeholder, the contract test builds it).
    example: Mapping[str, Any] | None = None

    def field(self, name: str) -> ConfigField:
        for candidate in self.fields:
            if candidate.name == name:
                return candidate
        raise KeyError(name)

    def describe(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "title": self.title,
            "description": self.description,
            "default_endpoint": self.default_endpoint,
            "never_filled": list(self.never_filled),
            "example": dict(self.example) if self.example else None,
            "fields": [item.describe() for item in self.fields],
        }


_COMMON_KEYS: Final = ("type", "name", "endpoint", "query")


class ConnectorConfig:
    """A validated connector configuration; secrets are masked in ``repr``/``str``/``dumps``."""

    __slots__ = ("_values", "endpoint", "meta", "name", "query", "type")

    def __init__(
        self,
        *,
        meta: ConnectorMeta,
        name: str,
        values: Mapping[str, Any],
        endpoint: str | None = None,
        query: str | None = None,
    ) -> None:
        self.meta = meta
        self.type = meta.type
        self.name = name
        self.endpoint = endpoint
        self.query = query
        self._values = dict(values)

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], meta: ConnectorMeta, *, environ: Mapping[str, str] | None = None
    ) -> ConnectorConfig:
        """Validate one ``[[sources]]`` table; errors name the source and the field."""
        environ = os.environ if environ is None else environ
        name = data.get("name")
        label = f"source {name!r}" if name else f"source of type {meta.type!r}"
        if not isinstance(name, str) or not _NAME_RE.match(name):
            raise ConnectorConfigError(
                f"{label}: name: required, lower-case letters, digits, '.', '_' or '-' (got {name!r})"
            )
        known = {item.name for item in meta.fields}
        unknown = sorted(key for key in data if key not in known and key not in _COMMON_KEYS)
        if unknown:
            raise ConnectorConfigError(
                f"{label}: unknown field(s) {', '.join(unknown)} for type {meta.type!r} "
                f"(known: {', '.join(sorted(known | set(_COMMON_KEYS)))})"
            )
        values: dict[str, Any] = {}
        for spec in meta.fields:
            raw = data.get(spec.name)
            raw = _resolve_env(raw, spec, name, environ, label)
            if raw is None and not spec.required:
                values[spec.name] = spec.default
                continue
            try:
                values[spec.name] = spec.convert(raw)
            except ValueError as error:
                hint = ""
                if raw is None:
                    sources = [f"the {spec.name!r} field"]
                    if spec.env:
                        sources.append(f"${spec.env}")
                    sources.append(f"${_env_name(name, spec.name)}")
                    hint = f" (set {' or '.join(sources)})"
                raise ConnectorConfigError(f"{label}: {spec.name}: {error}{hint}") from None
        endpoint = data.get("endpoint", meta.default_endpoint)
        if endpoint is not None and (
            not isinstance(endpoint, str)
            or not endpoint.startswith(("http://", "https://", "ws://", "wss://"))
        ):
            raise ConnectorConfigError(f"{label}: endpoint: expected an http(s):// or ws(s):// URL")
        query = data.get("query")
        if query is not None and not isinstance(query, str):
            raise ConnectorConfigError(f"{label}: query: expected a string in the query language")
        return cls(
            meta=meta,
            name=name,
            values=values,
            endpoint=endpoint.rstrip("/") if endpoint else None,
            query=query or None,
        )

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self._values.get(key, default)

    def secret(self, key: str) -> str | None:
        """The revealed value of a secret field (``None`` when unset)."""
        value = self._values.get(key)
        return value.reveal() if isinstance(value, Secret) else value

    def to_dict(self, *, reveal: bool = False) -> dict[str, Any]:
        """The table form; secrets are ``'***'`` unless ``reveal=True``."""
        out: dict[str, Any] = {"type": self.type, "name": self.name}
        if self.endpoint:
            out["endpoint"] = self.endpoint
        if self.query:
            out["query"] = self.query
        for key, value in self._values.items():
            if isinstance(value, Secret):
                out[key] = value.reveal() if reveal else ("***" if value else "")
            else:
                out[key] = value
        return out

    def dumps(self) -> str:
        """JSON with secrets masked (for logs, the API and the UI)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    def __repr__(self) -> str:
        return f"ConnectorConfig({self.to_dict()!r})"

    __str__ = __repr__


def _env_name(source_name: str, field_name: str) -> str:
    return f"VEILLE_SOURCE_{re.sub(r'[^A-Za-z0-9]', '_', source_name).upper()}_{field_name.upper()}"


def _resolve_env(
    raw: Any, spec: ConfigField, source_name: str, environ: Mapping[str, str], label: str
) -> Any:
    if isinstance(raw, str):
        reference = _ENV_REF_RE.match(raw)
        if reference:
            variable = reference.group(1)
            if variable not in environ:
                raise ConnectorConfigError(
                    f"{label}: {spec.name}: environment variable {variable} is not set"
                )
            return environ[variable]
    if raw is not None:
        return raw
    for variable in (_env_name(source_name, spec.name), spec.env):
        if variable and environ.get(variable):
            return environ[variable]
    return None


# ------------------------------------------------------------------------------------------- registry

_REGISTRY: dict[str, type[Connector]] = {}
ConnectorType = TypeVar("ConnectorType", bound="type[Connector]")


def register(cls: ConnectorType) -> ConnectorType:
    """Class decorator: make a connector buildable by its ``meta.type``."""
    kind = cls.meta.type
    existing = _REGISTRY.get(kind)
    if existing is not None and existing is not cls and existing.__qualname__ != cls.__qualname__:
        raise ValueError(f"connector type {kind!r} is already registered by {existing.__qualname__}")
    _REGISTRY[kind] = cls
    return cls


def registered_connectors() -> dict[str, type[Connector]]:
    """Every connector class by type, importing :data:`CONNECTOR_MODULES` on first use."""
    for module in CONNECTOR_MODULES:
        importlib.import_module(module)
    return dict(sorted(_REGISTRY.items()))


def describe_connectors() -> list[dict[str, Any]]:
    """Metadata of every registered connector (docs, the API, UI forms)."""
    return [cls.meta.describe() for cls in registered_connectors().values()]


# -------------------------------------------------------------------------------------- time, backoff


class Clock(Protocol):
    def time(self) -> float: ...

    def monotonic(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock."""

    def time(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


@dataclass(slots=True)
class ReconnectPolicy:
    """The reconnect policy of ``shared/reference/connectors.md`` §0.4 with jitter.

    A plain full-jitter backoff (a draw in ``[ceiling/2, ceiling]``) would cut the documented
    minimum waits in half (X's guide: a good client never sees a second 429), so the waits here are
    the documented ones times ``1 ± jitter`` — and never shorter than a platform's reset time.
    """

    network_step_s: float = 0.25
    network_max_s: float = 16.0
    http_start_s: float = 5.0
    http_max_s: float = 320.0
    rate_start_s: float = 60.0
    rate_max_s: float = 900.0
    rate_floor_s: float = 1.0
    jitter: float = 0.2
    rng: random.Random = field(default_factory=random.Random)
    _network_attempts: int = 0
    _http_attempts: int = 0
    _rate_attempts: int = 0

    def _jittered(self, seconds: float) -> float:
        return max(0.0, seconds * (1 + self.rng.uniform(-self.jitter, self.jitter)))

    def after_network_error(self) -> float:
        """Reconnect at once, then +250 ms per attempt, capped at 16 s."""
        delay = min(self.network_max_s, self.network_step_s * self._network_attempts)
        self._network_attempts += 1
        return self._jittered(delay)

    def after_http_error(self) -> float:
        """5 s, 10 s, 20 s... capped at 320 s."""
        delay = min(self.http_max_s, self.http_start_s * 2**self._http_attempts)
        self._http_attempts += 1
        return self._jittered(delay)

    def after_rate_limit(self, retry_at: float | None, now: float) -> float:
        """Until the reset time (plus up to ``jitter`` late), else 60 s, 120 s... capped."""
        self._rate_attempts += 1
        if retry_at is not None:
            wait = max(retry_at - now, self.rate_floor_s)
            return wait * (1 + self.rng.uniform(0, self.jitter))
        delay = min(self.rate_max_s, self.rate_start_s * 2 ** (self._rate_attempts - 1))
        return self._jittered(delay)

    def reset(self) -> None:
        """After a successful connection (tweepy ``_connect``)."""
        self._network_attempts = self._http_attempts = self._rate_attempts = 0


# ----------------------------------------------------------------------------------------- rate limits


@dataclass(slots=True)
class RateLimitState:
    """What the last response said about the rate-limit window."""

    limit: int | None = None
    remaining: int | None = None
    reset_at: float | None = None  # epoch seconds


def _parse_reset(value: str, now: float) -> float | None:
    value = value.strip()
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is not None:
        # Epoch seconds (X, Bluesky's xrpc server, GoToSocial) or, under the IETF draft, seconds left.
        return number if number > 1e9 else now + number
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def parse_rate_limit(headers: Mapping[str, str], now: float) -> RateLimitState | None:
    """Read X (``x-rate-limit-*``), Mastodon (``X-RateLimit-*``, ISO 8601 reset) and Bluesky
    (``RateLimit-*``) headers; also ``Retry-After``. ``None`` when the response carries none."""
    lowered = {key.lower(): value for key, value in headers.items()}
    state = RateLimitState()
    found = False
    for prefix in ("x-rate-limit-", "x-ratelimit-", "ratelimit-"):
        if prefix + "remaining" in lowered or prefix + "reset" in lowered:
            found = True
            with contextlib.suppress(ValueError):
                state.limit = int(float(lowered.get(prefix + "limit", "")))
            with contextlib.suppress(ValueError):
                state.remaining = int(float(lowered.get(prefix + "remaining", "")))
            if prefix + "reset" in lowered:
                state.reset_at = _parse_reset(lowered[prefix + "reset"], now)
            break
    retry_after = lowered.get("retry-after")
    if retry_after:
        found = True
        retry_at = (
            _parse_reset(retry_after, now) if not retry_after.strip().isdigit() else now + int(retry_after)
        )
        if retry_at is not None:
            state.reset_at = max(state.reset_at or 0.0, retry_at)
    return state if found else None


# ----------------------------------------------------------------------------------------------- health


@dataclass(slots=True)
class ConnectorHealth:
    """Health of one connector, for the API, ``/metrics``, the UI and the silence/failure alert."""

    name: str
    type: str
    state: str = "idle"  # idle, connecting, connected, backing_off, failed, stopped
    connected: bool = False
    last_error: str | None = None
    last_error_at: float | None = None
    last_connected_at: float | None = None
    last_post_at: float | None = None  # wall clock when the last post was emitted
    lag_s: float | None = None  # now - created_at of the newest post emitted
    next_retry_at: float | None = None
    posts_total: int = 0
    malformed_total: int = 0
    duplicates_total: int = 0
    filtered_total: int = 0
    reconnects_total: int = 0
    rate_limited_total: int = 0
    _recent: deque[tuple[float, int]] = field(default_factory=deque, repr=False)

    def record_posts(self, posts: list[Post], now: float) -> None:
        if not posts:
            return
        self.posts_total += len(posts)
        self.last_post_at = now
        newest = max(post.created_at.timestamp() for post in posts)
        self.lag_s = max(0.0, now - newest)
        self._recent.append((now, len(posts)))
        self._trim(now)

    def _trim(self, now: float) -> None:
        while self._recent and self._recent[0][0] < now - 60.0:
            self._recent.popleft()

    def posts_per_min(self, now: float) -> float:
        self._trim(now)
        return float(sum(count for _, count in self._recent))

    def record_error(self, message: str, now: float) -> None:
        self.last_error = message
        self.last_error_at = now

    def snapshot(self, now: float | None = None) -> dict[str, Any]:
        """JSON-able view."""
        now = time.time() if now is None else now
        return {
            "name": self.name,
            "type": self.type,
            "state": self.state,
            "connected": self.connected,
            "last_error": self.last_error,
            "last_error_at": self.last_error_at,
            "last_connected_at": self.last_connected_at,
            "last_post_at": self.last_post_at,
            "silent_for_s": None if self.last_post_at is None else max(0.0, now - self.last_post_at),
            "lag_s": self.lag_s,
            "next_retry_at": self.next_retry_at,
            "posts_per_min": self.posts_per_min(now),
            "posts_total": self.posts_total,
            "malformed_total": self.malformed_total,
            "duplicates_total": self.duplicates_total,
            "filtered_total": self.filtered_total,
            "reconnects_total": self.reconnects_total,
            "rate_limited_total": self.rate_limited_total,
        }


# ---------------------------------------------------------------------------------------------- dedup


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


# ------------------------------------------------------------------------------------- post building

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


def post_from_dict(data: dict[str, Any]) -> Post:
    """Validate a mapped platform item into a :class:`Post`, recording unfilled fields in ``extra``.

    Raises ``ValueError`` naming the field (the item is then counted as malformed).
    """
    author = data.get("author") or {}
    metrics = data.get("metrics") or {}
    missing = []
    for dotted in _REPORTED_FIELDS:
        head, _, tail = dotted.partition(".")
        holder = author if head == "author" else metrics if head == "metrics" else data
        if holder.get(tail or head) is None:
            missing.append(dotted)
    extra = dict(data.get("extra") or {})
    extra["unfilled"] = missing
    return parse_post({**data, "extra": extra})


def iso_from_epoch(seconds: float) -> str:
    """RFC 3339 UTC timestamp of epoch seconds (for platforms that give numbers)."""
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")


# ------------------------------------------------------------------------------------ stream framing


class _Heartbeat:
    def __repr__(self) -> str:
        return "HEARTBEAT"


HEARTBEAT: Final = _Heartbeat()
"""Yield this from a frame iterator for keep-alives: it resets the stall timer and is not batched."""


async def batched_frames(
    frames: AsyncIterator[Any],
    *,
    stall_timeout_s: float | None,
    max_batch: int = 500,
    queue_size: int = 10_000,
    on_frame: Callable[[], None] | None = None,
) -> AsyncIterator[list[Any]]:
    """Read ``frames`` in a dedicated task into a bounded queue; yield what is queued as lists.

    The reader never waits on processing (Jetstream and X drop slow consumers). ``HEARTBEAT``
    frames only prove liveness. Raises :class:`StallError` when nothing arrives for
    ``stall_timeout_s``, and re-raises the reader's exception (connection dropped...) after the
    frames read before it were yielded. A clean end of ``frames`` raises ``ConnectionError`` since
    a stream that ends is a dropped stream.
    """
    queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=queue_size)
    end = object()
    failure: list[BaseException] = []

    async def read() -> None:
        try:
            async for frame in frames:
                await queue.put(frame)
        except asyncio.CancelledError:
            raise
        except BaseException as error:  # handed to the consumer, which decides
            failure.append(error)
        await queue.put(end)

    reader = asyncio.create_task(read())
    try:
        while True:
            try:
                first = await asyncio.wait_for(queue.get(), timeout=stall_timeout_s)
            except TimeoutError:
                raise StallError(f"no data nor heartbeat for {stall_timeout_s:g} s") from None
            pending = [first]
            while len(pending) < max_batch and not queue.empty():
                pending.append(queue.get_nowait())
            finished = any(item is end for item in pending)
            real = [item for item in pending if item is not end and item is not HEARTBEAT]
            if on_frame is not None:
                on_frame()
            if real:
                yield real
            if finished:
                if failure:
                    raise failure[0]
                raise ConnectionError("the server closed the stream")
    finally:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await reader
        close = getattr(frames, "aclose", None)
        if close is not None:
            with contextlib.suppress(Exception):
                await close()


# ------------------------------------------------------------------------------------------ connector

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

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.config!r})"

    @property
    def endpoint(self) -> str:
        if not self.config.endpoint:
            raise ConnectorConfigError(f"source {self.name!r}: endpoint: required")
        return self.config.endpoint

    def batches(self, checkpoint: str | None) -> AsyncIterator[SourceBatch]:
        raise NotImplementedError

    # -- items -> posts -------------------------------------------------------------------------

    def map_items(
        self, items: Iterable[Any], mapper: Callable[[Any], Mapped], *, start: int = 0
    ) -> tuple[list[tuple[Post, Any]], list[PostRejected]]:
        """Map platform items; malformed ones are counted and reported, never fatal."""
        mapped: list[tuple[Post, Any]] = []
        rejected: list[PostRejected] = []
        for index, item in enumerate(items, start=start):
            try:
                result = mapper(item)
            except (ValueError, KeyError, TypeError, AttributeError) as error:
                self.health.malformed_total += 1
                reason = str(error) if isinstance(error, ValueError) else f"{type(error).__name__}: {error}"
                rejected.append(PostRejected(index=index, reason=reason[:500]))
                continue
            if result is None:
                continue
            mapped.append(result if isinstance(result, tuple) else (result, result.id))
        return mapped, rejected

    def count_malformed(self, rejected: list[PostRejected], index: int, reason: str) -> None:
        """A frame that could not even be decoded (bad JSON...)."""
        self.health.malformed_total += 1
        rejected.append(PostRejected(index=index, reason=reason[:500]))

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
            except ConnectorConfigError as error:
                self._fail(str(error))
                raise
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
                self._fail(f"gave up after {max_reconnects} reconnects: {message}")
                raise ConnectorError(self.health.last_error)
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
        detail = _error_detail(response)
        url = response.request.url.copy_with(query=None)
        where = f"{self.meta.title} ({self.name}): HTTP {status} from {url}"
        if status in (401, 403):
            custom = auth_error(response) if auth_error else None
            if custom is not None:
                return custom
            return CredentialsError(f"{where}: credentials refused ({detail}); check the source's secrets")
        if status == 429:
            state = parse_rate_limit(response.headers, self.clock.time())
            return RateLimitedError(f"{where}: {detail}", retry_at=state.reset_at if state else None)
        if status >= 500 or status == 408:
            return ServerError(f"{where}: {detail}", status=status)
        return ConnectorConfigError(f"{where}: {detail}")


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


# ---------------------------------------------------------------------------------------------- build


def build_connector(
    config_dict: Mapping[str, Any],
    *,
    http_client: httpx.AsyncClient,
    query_filter: QueryFilter | None = None,
    clock: Clock | None = None,
    environ: Mapping[str, str] | None = None,
) -> Connector:
    """Build a connector from one ``[[sources]]`` table; :class:`ConnectorConfigError` names the field."""
    kind = config_dict.get("type")
    connectors = registered_connectors()
    if kind not in connectors:
        name = config_dict.get("name") or "?"
        raise ConnectorConfigError(
            f"source {name!r}: type: unknown connector type {kind!r} (known: {', '.join(connectors)})"
        )
    cls = connectors[str(kind)]
    config = ConnectorConfig.from_dict(config_dict, cls.meta, environ=environ)
    return cls(config, http_client=http_client, query_filter=query_filter, clock=clock)
