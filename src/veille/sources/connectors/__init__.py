"""Platform connectors (Mastodon, Bluesky, X, Reddit, RSS, HN, YouTube...) and the machinery they share.

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
                   ConfigField("search", str, default=None, help="Algolia full-text query"),
                   ConfigField("api_key", str, default=None, secret=True, env="HN_API_KEY"),
                   ConfigField("poll_interval_s", float, default=60.0),
               ),
           )

           async def batches(self, checkpoint):
               ...

   put it in a module of this package (``veille/sources/connectors/<platform>.py``) and add the module
   to :data:`CONNECTOR_MODULES` (one line) so that :func:`registered_connectors` finds it without
   anybody importing it first. A polling platform subclasses :class:`PollingConnector` instead.

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
   * ``self.map_items(items, mapper, payload_of=...)`` — runs ``mapper(item) -> Post | (Post,
     dedup_key) | None`` on each platform item; an item that raises ``ValueError``/``KeyError``/
     ``TypeError`` is counted as malformed and reported in ``SourceBatch.rejected`` (reason names the
     field) with its raw payload (``payload_of(item)``, default the item: JSON data the connector can
     map again), never stopping the stream; the pipeline keeps it in the dead-letter table. ``None``
     means "not a post" (a delete, a like...) and is skipped silently.
   * Override ``remap(payload) -> Post | None``: maps a stored payload with the current code
     (``veille sources replay-failed``); and ``keeps(post)`` when the source filters by itself.
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
   ``["author.followers", "metrics.likes"]``) so the hub can tell "zero" from "unknown". A value the
   model refuses in an optional field is left out and named there too (reason in
   ``extra["unfilled_reasons"]``); only a bad required field refuses the item. Pass ``lang`` as the
   platform's tag: the post model keeps its ISO 639-1 code and the tag in ``extra["lang_tag"]``.

Configuration: :func:`build_connector` turns one ``[[sources]]`` table (``type``, ``name``,
``endpoint``, ``query`` and the platform's fields) into a running source. Secrets come from the
table or from the environment (the field's ``env`` variable, or ``VEILLE_SOURCE_<NAME>_<FIELD>``,
or an explicit ``"${VAR}"`` value) and are masked (``'***'``) whenever the config is printed.

Where things are (import them from this package, whose ``__all__`` is the public surface):

============  ===========================================================================
``config``    :class:`Secret`, :class:`ConfigField`, :class:`ConnectorMeta`, :class:`ConnectorConfig`
``errors``    :class:`ConnectorError` and its kinds, in the hub's tree (:mod:`veille.errors`)
``base``      :class:`Connector`, :class:`RecentKeys`, :func:`post_from_dict`
``registry``  :func:`register`, :data:`CONNECTOR_MODULES`, :func:`build_connector`
``pacing``    :class:`ReconnectPolicy`, :func:`parse_rate_limit`
``health``    :class:`ConnectorHealth`, the alerts and the ``/metrics`` collector
``streams``   :func:`batched_frames`, :data:`HEARTBEAT`
``polling``   :class:`PollingConnector`, :class:`Watermark` (the high-water-mark checkpoint)
``html``      :func:`html_to_text`
============  ===========================================================================

The clock (``Clock``, ``SystemClock``) and ``iso_from_epoch`` are in :mod:`veille.clock`.
"""

from veille.sources.connectors.base import Connector, Mapped, QueryFilter, RecentKeys, post_from_dict
from veille.sources.connectors.config import ConfigField, ConnectorConfig, ConnectorMeta, Secret
from veille.sources.connectors.errors import (
    ConnectorConfigError,
    ConnectorError,
    CredentialsError,
    RateLimitedError,
    ServerError,
    StallError,
)
from veille.sources.connectors.health import ConnectorHealth
from veille.sources.connectors.html import html_to_text
from veille.sources.connectors.pacing import RateLimitState, ReconnectPolicy, parse_rate_limit
from veille.sources.connectors.polling import (
    Candidates,
    PollingConnector,
    Watermark,
    digest_key,
    parse_retry_after,
)
from veille.sources.connectors.registry import (
    CONNECTOR_MODULES,
    build_connector,
    describe_connectors,
    register,
    registered_connectors,
)
from veille.sources.connectors.streams import HEARTBEAT, batched_frames

__all__ = [
    "CONNECTOR_MODULES",
    "HEARTBEAT",
    "Candidates",
    "ConfigField",
    "Connector",
    "ConnectorConfig",
    "ConnectorConfigError",
    "ConnectorError",
    "ConnectorHealth",
    "ConnectorMeta",
    "CredentialsError",
    "Mapped",
    "PollingConnector",
    "QueryFilter",
    "RateLimitState",
    "RateLimitedError",
    "RecentKeys",
    "ReconnectPolicy",
    "Secret",
    "ServerError",
    "StallError",
    "Watermark",
    "batched_frames",
    "build_connector",
    "describe_connectors",
    "digest_key",
    "html_to_text",
    "parse_rate_limit",
    "parse_retry_after",
    "post_from_dict",
    "register",
    "registered_connectors",
]
