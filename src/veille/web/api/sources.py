"""Platform sources: list with health and alerts, connector metadata, add/remove/stop/start live,
and each source's dead letters (items that could not become posts).

Secrets never leave the hub: configs are returned masked (``'***'``). A hub that runs no platform
sources answers 503.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import Body, Query, Response
from pydantic import ValidationError

from veille.access import Principal
from veille.errors import Conflict, Invalid
from veille.sharing import (
    Sharing,
    SharingFields,
    check_edit,
    creator_of,
    may_see,
    record_sharing,
    sharing_for_change,
    sharing_for_new,
    write_sharing,
)
from veille.sources.connectors import describe_connectors
from veille.sources.manager import SourceNotFoundError
from veille.sources.saved import saved_sharing
from veille.store.schema import source_configs
from veille.store.sql import SqlStore
from veille.web.api._routing import api_router
from veille.web.deps import CurrentPrincipal, Sources, Store
from veille.web.schemas import ConnectorsRead, DeadLetterPage, ErrorRead, SourceList, SourceRead

__all__ = ["router"]

router = api_router(tags=["sources"])

_REFUSED: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorRead, "description": "no such source"},
    409: {"model": ErrorRead, "description": "the name is used, or the source comes from veille.toml"},
    422: {"model": ErrorRead, "description": "the table is wrong (names the field)"},
    503: {"model": ErrorRead, "description": "this hub runs no platform sources"},
}

# Keys every [[sources]] table may hold besides the connector's own fields (for UI forms).
_COMMON_FIELDS: list[dict[str, Any]] = [
    {"name": "name", "type": "str", "required": True, "help": "unique: lower-case letters, digits, . _ -"},
    {
        "name": "endpoint",
        "type": "str",
        "required": False,
        "help": "base URL (self-hosted instance, test server)",
    },
    {"name": "query", "type": "str", "required": False, "help": "query language: keep only matching posts"},
    {"name": "enabled", "type": "bool", "required": False, "help": "start with the hub (default true)"},
    {"name": "silent_after_s", "type": "float", "required": False, "help": "alert after this much silence"},
]


@router.get("/connectors", response_model=ConnectorsRead)
def list_connectors() -> Any:
    """Every connector type with its typed config fields (secrets flagged), for forms and docs."""
    return {"common_fields": _COMMON_FIELDS, "items": describe_connectors()}


def _shared(store: SqlStore, principal: Principal, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The sources ``principal`` may see, each with its sharing (veille.sharing)."""
    sharing = saved_sharing(store)
    shown = []
    for item in items:
        own = sharing.get(item["name"], Sharing())
        if may_see(principal, own):
            shown.append({**item, "owner_team": own.owner_team, "visibility": own.visibility})
    return shown


@router.get("/sources", response_model=SourceList, responses=_REFUSED)
def list_sources(manager: Sources, store: Store, principal: CurrentPrincipal) -> Any:
    """Sources the caller may see with masked config, health (connected, lag, last error,
    posts/min, counters), the alerts of the moment (failed, silent, no filter) and their dead
    letters; the hub's own sources (simulator, replayed files, the push API) are listed read-only."""
    failed = manager.failed_counts()
    now = manager.clock.time()
    items = _shared(store, principal, manager.describe_all(now, failed=failed))
    names = {item["name"] for item in items}
    alerts = [alert for alert in manager.alerts(now) if alert.get("source") in names or "source" not in alert]
    return {"items": items, "alerts": alerts}


@router.get("/sources/{name}", response_model=SourceRead, responses=_REFUSED)
def get_source(name: str, manager: Sources, store: Store, principal: CurrentPrincipal) -> Any:
    for item in _shared(store, principal, manager.describe_all(failed=manager.failed_counts())):
        if item["name"] == name:
            return item
    raise SourceNotFoundError(name)


@router.get("/sources/{name}/failed", response_model=DeadLetterPage, responses=_REFUSED)
def list_failed(
    name: str,
    manager: Sources,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    after: Annotated[
        int, Query(ge=0, le=2**63 - 1, description="id of the last item of the previous page")
    ] = 0,
) -> Any:
    """Items the source read but could not turn into posts (dead letters), oldest first.

    `veille sources replay-failed NAME` maps them again with the current connector code."""
    total, letters = manager.failed_items(name, limit=limit, after_id=after)
    if not total and not manager.knows(name):
        raise SourceNotFoundError(name)
    more = len(letters) == limit and letters[-1].id
    return {
        "source": name,
        "total": total,
        "items": [letter.to_json_dict() for letter in letters],
        "next_after": more or None,
    }


@router.post("/sources", status_code=201, response_model=SourceRead, responses=_REFUSED)
async def add_source(
    manager: Sources,
    store: Store,
    principal: CurrentPrincipal,
    table: Annotated[
        dict[str, Any],
        Body(
            examples=[{"type": "bluesky", "name": "bluesky-live", "keywords": ["livebox"]}],
            description="one [[sources]] table as JSON",
        ),
    ],
) -> Any:
    """Add a source and start it now; it is kept in the store and comes back after a restart.

    ``owner_team`` and ``visibility`` (veille.sharing) are read from the table and kept apart."""
    table = dict(table)
    try:
        asked = SharingFields.model_validate(
            {key: table.pop(key) for key in ("owner_team", "visibility") if key in table}
        )
    except ValidationError as error:
        raise Invalid(f"visibility: {error.errors()[0]['msg']}", field="visibility") from None
    sharing = await asyncio.to_thread(sharing_for_new, principal, asked, store=store)
    described = manager.describe(await manager.add(table))
    await asyncio.to_thread(_keep_sharing, store, principal, str(described["name"]), sharing)
    return {**described, "owner_team": sharing.owner_team, "visibility": sharing.visibility}


def _keep_sharing(
    store: SqlStore, principal: Principal, name: str, sharing: Sharing, *, before: Sharing | None = None
) -> None:
    with store.engine.begin() as connection:
        write_sharing(connection, source_configs, source_configs.c.name, name, sharing)
        record_sharing(
            connection,
            actor=creator_of(principal) or "cli",
            kind="source",
            object_id=name,
            before=before,
            after=sharing,
        )


@router.put("/sources/{name}/sharing", response_model=SourceRead, responses=_REFUSED)
async def share_source(
    name: str, change: SharingFields, manager: Sources, store: Store, principal: CurrentPrincipal
) -> Any:
    """Change the ``owner_team`` and/or ``visibility`` of a source added through the API (absent:
    as it was); a source of veille.toml is the whole organisation's (409)."""
    saved = await asyncio.to_thread(saved_sharing, store)
    described = await asyncio.to_thread(get_source, name, manager, store, principal)  # 404 when unseen
    if name not in saved:
        raise Conflict(
            f"source: {name!r} is declared in veille.toml; the whole organisation sees it", field="source"
        )
    current = saved[name]
    check_edit(principal, current, what=f"source {name!r}")
    sharing = await asyncio.to_thread(sharing_for_change, principal, current, change, store=store)
    await asyncio.to_thread(_keep_sharing, store, principal, name, sharing, before=current)
    return {**described, "owner_team": sharing.owner_team, "visibility": sharing.visibility}


@router.delete("/sources/{name}", status_code=204, response_class=Response, responses=_REFUSED)
async def remove_source(name: str, manager: Sources, store: Store, principal: CurrentPrincipal) -> Response:
    """Stop a source added through the API and forget it (a veille.toml source: 409, stop it instead)."""
    own = (await asyncio.to_thread(saved_sharing, store)).get(name, Sharing())
    if not may_see(principal, own):
        raise SourceNotFoundError(name)
    check_edit(principal, own, what=f"source {name!r}")
    await manager.remove(name)
    return Response(status_code=204)


@router.post("/sources/{name}/stop", response_model=SourceRead, responses=_REFUSED)
async def stop_source(name: str, manager: Sources) -> Any:
    """Stop reading (the checkpoint is kept: start resumes where it stopped)."""
    return manager.describe(await manager.stop_source(name))


@router.post("/sources/{name}/start", response_model=SourceRead, responses=_REFUSED)
async def start_source(name: str, manager: Sources) -> Any:
    """Start (or restart after a failure) from the last stored checkpoint."""
    return manager.describe(await manager.start_source(name))
