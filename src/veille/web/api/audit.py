"""The audit log (``/api/v1/audit``, administrators): who changed what, when, before and after."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Query
from fastapi.responses import Response
from pydantic import BaseModel

from veille.store.audit import AuditEntry, read_audit
from veille.web.api._routing import api_router
from veille.web.deps import Store
from veille.web.schemas import Items

__all__ = ["router"]

router = api_router(tags=["audit"])


class AuditRead(BaseModel):
    at: str
    actor: str
    action: str
    object_kind: str
    object_id: str
    before: Any
    after: Any


def _row(entry: AuditEntry) -> dict[str, Any]:
    return {
        "at": datetime.fromtimestamp(entry.at_us / 1e6, UTC).isoformat().replace("+00:00", "Z"),
        "actor": entry.actor,
        "action": entry.action,
        "object_kind": entry.object_kind,
        "object_id": entry.object_id,
        "before": entry.before,
        "after": entry.after,
    }


@router.get(
    "/audit",
    response_model=Items[AuditRead],
    responses={
        200: {"content": {"text/csv": {}}, "description": "the entries (JSON, or CSV with format=csv)"}
    },
)
async def read_audit_log(
    store: Store,
    kind: Annotated[
        str | None, Query(max_length=64, description="only this kind of object (user, team, token…)")
    ] = None,
    actor: Annotated[str | None, Query(max_length=128)] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 500,
    format: Annotated[str, Query(pattern="^(json|csv)$", description="json, or csv to export")] = "json",
) -> Any:
    """Changes newest first: ``{"items": [{"at", "actor", "action", "object_kind", "object_id",
    "before", "after"}]}``; ``format=csv`` exports them (before and after as JSON text)."""
    entries = await asyncio.to_thread(
        lambda: [_row(e) for e in read_audit(store, object_kind=kind, actor=actor, limit=limit)]
    )
    if format == "json":
        return {"items": entries}
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(_COLUMNS))
    writer.writeheader()
    for entry in entries:
        writer.writerow({**entry, "before": json.dumps(entry["before"]), "after": json.dumps(entry["after"])})
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
    )


_COLUMNS = ("at", "actor", "action", "object_kind", "object_id", "before", "after")
