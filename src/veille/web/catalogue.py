"""The catalogue: everything shared with a caller (topics, dashboards, walls, alert rules,
sources, accounts) in one searchable list, so a team finds what exists before making its own.

Each entry is read through its domain's service with the caller as viewer: the catalogue never
shows what the lists of the domain would not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from veille.access import Principal
from veille.accounts import service as accounts
from veille.alerts import service as alerts
from veille.dashboards import service as dashboards
from veille.errors import Invalid
from veille.sharing import KINDS, Sharing, may_see
from veille.store.sql import SqlStore
from veille.topics import service as topics
from veille.walls import service as walls

__all__ = ["CatalogueEntry", "SourceEntry", "catalogue"]


@dataclass(frozen=True, slots=True)
class SourceEntry:
    """A source as the catalogue lists it (the source manager knows the running ones)."""

    name: str
    type: str
    query: str
    sharing: Sharing


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    kind: str
    id: str
    name: str
    text: str  # the query, the description: what the search reads besides the name
    url: str
    sharing: Sharing

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.id,
            "name": self.name,
            "text": self.text,
            "url": self.url,
            **self.sharing.to_json_dict(),
        }

    def matches(self, words: list[str]) -> bool:
        haystack = " ".join(
            (
                self.kind,
                self.kind.replace("_", " "),
                self.id,
                self.name,
                self.text,
                self.sharing.owner_team or "",
            )
        ).casefold()
        return all(word in haystack for word in words)


def _entries(
    store: SqlStore, viewer: Principal | None, sources: Iterable[SourceEntry]
) -> Iterable[CatalogueEntry]:
    for topic in topics.list_topics(store=store, viewer=viewer):
        name = topic.label or topic.name
        yield CatalogueEntry(
            "topic",
            topic.name,
            name,
            f"{topic.query} {topic.description or ''}".strip(),
            "/topics",
            topic.sharing(),
        )
    for dashboard in dashboards.list_dashboards(store=store, viewer=viewer):
        yield CatalogueEntry(
            "dashboard",
            str(dashboard.id),
            dashboard.name,
            dashboard.description,
            f"/dashboards/{dashboard.id}",
            dashboard.sharing(),
        )
    for wall in walls.list_walls(store=store, viewer=viewer):
        yield CatalogueEntry("wall", str(wall.id), wall.name, "", f"/walls/{wall.id}/edit", wall.sharing())
    for rule in alerts.list_rules(store=store, viewer=viewer):
        text = rule.query or (f"topic:{rule.topic}" if rule.topic else rule.kind)
        yield CatalogueEntry("alert_rule", str(rule.id), rule.name, text, "/alerts", rule.sharing())
    for source in sources:
        if may_see(viewer, source.sharing):
            yield CatalogueEntry(
                "source",
                source.name,
                source.name,
                f"{source.type} {source.query}".strip(),
                "/sources",
                source.sharing,
            )
    for account in accounts.list_accounts(store=store, viewer=viewer):
        yield CatalogueEntry(
            "account",
            str(account.id),
            account.label,
            account.brand,
            "/governance/register",
            account.sharing(),
        )


def catalogue(
    *,
    store: SqlStore,
    viewer: Principal | None,
    q: str = "",
    kind: str | None = None,
    sources: Iterable[SourceEntry] = (),
) -> list[CatalogueEntry]:
    """What ``viewer`` may see, of ``kind`` (one of :data:`KINDS`) when given, whose name, text,
    owner team or kind holds every word of ``q`` (case-insensitive), by kind then name."""
    if kind is not None and kind not in KINDS:
        raise Invalid(f"kind: must be one of {', '.join(KINDS)}", field="kind")
    words = q.casefold().split()
    found = [
        entry
        for entry in _entries(store, viewer, sources)
        if (kind is None or entry.kind == kind) and entry.matches(words)
    ]
    return sorted(found, key=lambda entry: (KINDS.index(entry.kind), entry.name.casefold(), entry.id))
