"""The catalogue (``GET /api/v1/catalogue?q=&kind=``): everything shared with the caller, searchable."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel, Field

from veille.sharing import KINDS, Sharing
from veille.sources.saved import saved_sharing
from veille.web.api._routing import api_router
from veille.web.catalogue import SourceEntry, catalogue
from veille.web.deps import CurrentHub, CurrentPrincipal
from veille.web.schemas import ErrorRead

__all__ = ["router"]

router = api_router(tags=["sharing"])


def _sources(hub: Any) -> list[SourceEntry]:
    manager = hub.source_manager
    if manager is None:
        return []
    sharing = saved_sharing(hub.store)
    entries = []
    for item in manager.describe_all(failed=None):
        query = str(item.get("config", {}).get("query") or "")
        entries.append(
            SourceEntry(
                name=item["name"],
                type=item["type"],
                query=query,
                sharing=sharing.get(item["name"], Sharing()),
            )
        )
    return entries


class CatalogueItem(BaseModel):
    kind: str = Field(description=f"one of {', '.join(KINDS)}")
    id: str
    name: str
    text: str = Field(description="the query or the description")
    url: str = Field(description="the page that shows it")
    owner_team: str | None
    visibility: str
    created_by: str | None


class CatalogueRead(BaseModel):
    items: list[CatalogueItem]
    kinds: list[str]


@router.get(
    "/catalogue",
    response_model=CatalogueRead,
    responses={422: {"model": ErrorRead, "description": "an unknown kind"}},
)
def read_catalogue(
    hub: CurrentHub,
    principal: CurrentPrincipal,
    q: Annotated[
        str, Query(max_length=200, description="words to find in name, query, owner team or kind")
    ] = "",
    kind: Annotated[str | None, Query(description=f"one of {', '.join(KINDS)}")] = None,
) -> dict[str, Any]:
    """``{"items": [{"kind", "id", "name", "text", "url", "owner_team", "visibility", "created_by"}]}``:
    what the caller may see, every word of ``q`` found (case-insensitive), by kind then name."""
    found = catalogue(store=hub.store, viewer=principal, q=q, kind=kind, sources=_sources(hub))
    return {"items": [entry.to_json_dict() for entry in found], "kinds": list(KINDS)}
