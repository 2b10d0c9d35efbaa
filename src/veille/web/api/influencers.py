"""The curated influencer list: CRUD (import with ``veille influencers import``).

Refused entries answer 422 with ``detail`` and ``field``; an unknown id answers 404 and an account
already listed (same platform and handle) 409. Rankings are ``/analytics/influencers``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Response

from veille.influencers import InfluencerRead, InfluencerSpec, service
from veille.influencers.models import CATEGORIES
from veille.web.api._params import RowId
from veille.web.api._routing import api_router
from veille.web.deps import Store
from veille.web.schemas import ErrorRead, Items

__all__ = ["router"]

router = api_router(prefix="/influencers/curated", tags=["influencers"])

_REFUSED: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorRead, "description": "no such entry"},
    409: {"model": ErrorRead, "description": "already listed (same platform and handle)"},
    422: {"model": ErrorRead, "description": "refused; names the field"},
}


@router.get("", response_model=Items[InfluencerRead])
def list_curated(
    store: Store,
    category: Annotated[str | None, Query(description=", ".join(CATEGORIES))] = None,
    country: Annotated[str | None, Query(description="ISO 3166 code such as FR")] = None,
) -> Any:
    """The curated list, by platform and handle (optionally one category and/or country)."""
    found = service.list_influencers(store=store, category=category, country=country)
    return {"items": [item.to_json_dict() for item in found]}


@router.post("", status_code=201, response_model=InfluencerRead, responses=_REFUSED)
def create_curated(spec: InfluencerSpec, store: Store) -> Any:
    """Add ``{"platform", "handle", "category", "country"?, "name"?}``."""
    return service.create_influencer(store=store, spec=spec).to_json_dict()


@router.get("/{influencer_id}", response_model=InfluencerRead, responses=_REFUSED)
def get_curated(influencer_id: RowId, store: Store) -> Any:
    return service.get_influencer(store=store, influencer_id=influencer_id).to_json_dict()


@router.put("/{influencer_id}", response_model=InfluencerRead, responses=_REFUSED)
def update_curated(influencer_id: RowId, spec: InfluencerSpec, store: Store) -> Any:
    """Replace an entry (same body as creation)."""
    return service.update_influencer(store=store, influencer_id=influencer_id, spec=spec).to_json_dict()


@router.delete("/{influencer_id}", status_code=204, response_class=Response, responses=_REFUSED)
def delete_curated(influencer_id: RowId, store: Store) -> Response:
    service.delete_influencer(store=store, influencer_id=influencer_id)
    return Response(status_code=204)
