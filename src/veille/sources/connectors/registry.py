"""The registry of connector types: which platform modules exist, and building a connector from a table.

A platform module decorates its connector class with :func:`register` and is listed once in
:data:`CONNECTOR_MODULES`; :func:`registered_connectors` imports the listed modules on first use
(never at import time of this module), so only the hub that runs a source pays for its platform's
libraries. :func:`describe_connectors` is the metadata of every type (the API, the Sources page's
form, the field tables of ``docs/connectors*.md``); :func:`build_connector` turns one
``[[sources]]`` table into a running source.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any, Final, TypeVar

import httpx

from veille.clock import Clock
from veille.sources.connectors.base import Connector, QueryFilter
from veille.sources.connectors.config import ConnectorConfig
from veille.sources.connectors.errors import ConnectorConfigError

__all__ = [
    "CONNECTOR_MODULES",
    "build_connector",
    "describe_connectors",
    "register",
    "registered_connectors",
]

# Modules holding registered connectors, imported lazily by ``registered_connectors()`` (never at
# import time of this module). A new platform module adds itself here.
CONNECTOR_MODULES: Final[tuple[str, ...]] = (
    # one line per module
    "veille.sources.connectors.mastodon",
    "veille.sources.connectors.bluesky",
    "veille.sources.connectors.x",
    "veille.sources.connectors.reddit",
    "veille.sources.connectors.rss",
    "veille.sources.connectors.hackernews",
    "veille.sources.connectors.youtube",
)

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
            f"source {name!r}: type: unknown connector type {kind!r} (known: {', '.join(connectors)})",
            field="type",
        )
    cls = connectors[str(kind)]
    config = ConnectorConfig.from_dict(config_dict, cls.meta, environ=environ)
    return cls(config, http_client=http_client, query_filter=query_filter, clock=clock)
