"""Topic taxonomies as data: the ``[[topics]]`` tables of veille.toml (or of any TOML file).

The demo's taxonomy is such a file too (``veille/demo/data/taxonomy.toml``, read by
:mod:`veille.demo.seed` with :func:`topics_from_document`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from veille.settings import Settings
from veille.store.sql import SqlStore
from veille.topics import repository
from veille.topics.live import LiveTopics
from veille.topics.models import TopicSpec
from veille.topics.service import LoadResult, load_topics, validation_message

__all__ = [
    "apply_configured_topics",
    "load_live_topics",
    "read_topics_file",
    "topics_from_document",
]


def topics_from_document(document: Mapping[str, Any], *, origin: str = "veille.toml") -> list[TopicSpec]:
    """The ``[[topics]]`` array of tables of a parsed TOML document (empty when there is none)."""
    tables = document.get("topics", [])
    if not isinstance(tables, list) or not all(isinstance(table, dict) for table in tables):
        raise ValueError(f"{origin}: topics must be an array of tables ([[topics]])")
    specs: list[TopicSpec] = []
    for index, table in enumerate(tables):
        name = table.get("name", "?")
        try:
            specs.append(TopicSpec.model_validate(table))
        except ValidationError as error:
            raise ValueError(validation_message(error, f"{origin}: topics[{index}] ({name}): ")) from None
    return specs


def read_topics_file(path: Path) -> list[TopicSpec]:
    if not path.is_file():
        raise ValueError(f"{path}: no such file")
    try:
        with path.open("rb") as handle:
            document = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{path}: not valid TOML: {error}") from None
    specs = topics_from_document(document, origin=str(path))
    if not specs:
        raise ValueError(f"{path}: no [[topics]] tables")
    return specs


def apply_configured_topics(
    store: SqlStore, settings: Settings, live: LiveTopics | None = None
) -> LoadResult:
    """Create or update the ``[[topics]]`` of the settings' veille.toml (others are left alone)."""
    origin = str(settings.config_file or "veille.toml")
    specs = topics_from_document({"topics": settings.topics}, origin=origin)
    if not specs:
        return LoadResult()
    try:
        return load_topics(store=store, specs=specs, live=live)
    except ValueError as error:
        raise ValueError(f"{origin}: {error}") from None


def load_live_topics(store: SqlStore, settings: Settings) -> LiveTopics:
    """The hub's live topics: the ``[[topics]]`` of veille.toml applied, then every stored topic."""
    apply_configured_topics(store, settings)
    return LiveTopics.of(repository.list_topics(store))
