"""Walls, their versions, moderators' decisions and kiosk links in the store (SQLAlchemy Core)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from veille.clock import from_us, now_us
from veille.store.schema import wall_links, wall_moderation, wall_versions, walls
from veille.store.sql import SqlStore
from veille.walls.models import Wall, WallSpec

__all__ = [
    "Playback",
    "WallStamp",
    "decisions",
    "delete_decisions",
    "delete_link",
    "delete_wall",
    "get_playback",
    "get_wall",
    "insert_link",
    "insert_wall",
    "list_links",
    "list_versions",
    "list_walls",
    "set_decision",
    "set_playback",
    "stamp",
    "update_wall",
    "wall_for_token_hash",
]


@dataclass(frozen=True, slots=True)
class Playback:
    anchor_scene: int
    anchor_us: int
    hold: bool


@dataclass(frozen=True, slots=True)
class WallStamp:
    """What changes when a wall changes: its version, its playlist's anchor, its last decision."""

    version: int
    anchor_scene: int
    anchor_us: int
    hold: bool
    last_decision_us: int


def _wall(row: Any) -> Wall:
    return Wall.model_validate(
        {
            "id": int(row.id),
            "name": row.name,
            "screens": row.screens,
            "filters": row.filters,
            "moderation": row.moderation,
            "scenes": row.scenes,
            "owner": row.owner,
            "owner_team": row.owner_team,
            "visibility": row.visibility or "organisation",
            "version": int(row.version),
            "created_at": from_us(int(row.created_us)),
            "updated_at": from_us(int(row.updated_us)),
        }
    )


def _values(spec: WallSpec) -> dict[str, Any]:
    document = spec.model_dump(mode="json", by_alias=True)
    return {name: document[name] for name in ("name", "screens", "filters", "moderation", "scenes")}


def list_walls(store: SqlStore) -> list[Wall]:
    with store.engine.connect() as connection:
        rows = connection.execute(select(walls).order_by(walls.c.name, walls.c.id))
        return [_wall(row) for row in rows]


def get_wall(connection: Connection, wall_id: int) -> Wall | None:
    row = connection.execute(select(walls).where(walls.c.id == wall_id)).first()
    return None if row is None else _wall(row)


def insert_wall(connection: Connection, spec: WallSpec, *, owner: str) -> int:
    moment = now_us()
    result = connection.execute(
        insert(walls).values(
            **_values(spec),
            owner=owner,
            owner_team=spec.owner_team,
            visibility=spec.visibility,
            created_by=owner,
            version=1,
            anchor_scene=0,
            anchor_us=moment,
            hold=False,
            created_us=moment,
            updated_us=moment,
        )
    )
    wall_id = int(result.inserted_primary_key[0])  # type: ignore[index]
    _keep_version(connection, wall_id, 1, spec, by=owner, moment=moment)
    return wall_id


def _keep_version(
    connection: Connection, wall_id: int, version: int, spec: WallSpec, *, by: str, moment: int
) -> None:
    connection.execute(
        insert(wall_versions).values(
            wall_id=wall_id, version=version, doc=_values(spec), saved_by=by, saved_us=moment
        )
    )


def update_wall(connection: Connection, wall_id: int, spec: WallSpec, *, by: str) -> bool:
    row = connection.execute(
        select(walls.c.version, walls.c.anchor_scene).where(walls.c.id == wall_id)
    ).first()
    if row is None:
        return False
    version = int(row.version) + 1
    moment = now_us()
    # A playlist that lost scenes restarts on its first one rather than on one that is gone.
    anchor: dict[str, Any] = {}
    if int(row.anchor_scene) >= len(spec.scenes):
        anchor = {"anchor_scene": 0, "anchor_us": moment}
    connection.execute(
        update(walls)
        .where(walls.c.id == wall_id)
        .values(
            **_values(spec),
            **anchor,
            owner_team=spec.owner_team,
            visibility=spec.visibility,
            version=version,
            updated_us=moment,
        )
    )
    _keep_version(connection, wall_id, version, spec, by=by, moment=moment)
    return True


def delete_wall(connection: Connection, wall_id: int) -> bool:
    result = connection.execute(delete(walls).where(walls.c.id == wall_id))
    if result.rowcount == 0:
        return False
    for table in (wall_versions, wall_moderation, wall_links):
        connection.execute(delete(table).where(table.c.wall_id == wall_id))
    return True


def list_versions(connection: Connection, wall_id: int) -> list[dict[str, Any]]:
    rows = connection.execute(
        select(wall_versions)
        .where(wall_versions.c.wall_id == wall_id)
        .order_by(wall_versions.c.version.desc())
    )
    return [
        {
            "version": int(row.version),
            "saved_by": row.saved_by,
            "saved_at": from_us(int(row.saved_us)),
            "wall": row.doc,
        }
        for row in rows
    ]


# -- the playlist ------------------------------------------------------------------------------


def get_playback(connection: Connection, wall_id: int) -> Playback | None:
    row = connection.execute(
        select(walls.c.anchor_scene, walls.c.anchor_us, walls.c.hold).where(walls.c.id == wall_id)
    ).first()
    return None if row is None else Playback(int(row.anchor_scene), int(row.anchor_us), bool(row.hold))


def set_playback(connection: Connection, wall_id: int, playback: Playback) -> None:
    connection.execute(
        update(walls)
        .where(walls.c.id == wall_id)
        .values(anchor_scene=playback.anchor_scene, anchor_us=playback.anchor_us, hold=playback.hold)
    )


def stamp(connection: Connection, wall_id: int) -> WallStamp | None:
    row = connection.execute(
        select(walls.c.version, walls.c.anchor_scene, walls.c.anchor_us, walls.c.hold).where(
            walls.c.id == wall_id
        )
    ).first()
    if row is None:
        return None
    last = connection.execute(
        select(func.max(wall_moderation.c.decided_us)).where(wall_moderation.c.wall_id == wall_id)
    ).scalar_one_or_none()
    return WallStamp(
        int(row.version), int(row.anchor_scene), int(row.anchor_us), bool(row.hold), int(last or 0)
    )


# -- moderation --------------------------------------------------------------------------------


def set_decision(connection: Connection, wall_id: int, post_id: str, status: str, *, by: str) -> int:
    moment = now_us()
    connection.execute(
        delete(wall_moderation).where(
            wall_moderation.c.wall_id == wall_id, wall_moderation.c.post_id == post_id
        )
    )
    connection.execute(
        insert(wall_moderation).values(
            wall_id=wall_id, post_id=post_id, status=status, decided_by=by, decided_us=moment
        )
    )
    return moment


def delete_decisions(connection: Connection, wall_id: int) -> None:
    connection.execute(delete(wall_moderation).where(wall_moderation.c.wall_id == wall_id))


def decisions(
    connection: Connection, wall_id: int, *, post_ids: list[str] | None = None, after_us: int | None = None
) -> dict[str, tuple[str, int]]:
    """``{post_id: (status, decided_us)}`` of a wall (only those posts, or those decided after)."""
    query = select(wall_moderation.c.post_id, wall_moderation.c.status, wall_moderation.c.decided_us).where(
        wall_moderation.c.wall_id == wall_id
    )
    if post_ids is not None:
        query = query.where(wall_moderation.c.post_id.in_(post_ids))
    if after_us is not None:
        query = query.where(wall_moderation.c.decided_us > after_us)
    return {row.post_id: (row.status, int(row.decided_us)) for row in connection.execute(query)}


# -- kiosk links -------------------------------------------------------------------------------


def insert_link(connection: Connection, wall_id: int, *, token_hash: str, hint: str, by: str) -> int:
    result = connection.execute(
        insert(wall_links).values(
            wall_id=wall_id, token_hash=token_hash, hint=hint, created_by=by, created_us=now_us()
        )
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def list_links(connection: Connection, wall_id: int) -> list[dict[str, Any]]:
    rows = connection.execute(
        select(wall_links).where(wall_links.c.wall_id == wall_id).order_by(wall_links.c.id)
    )
    return [
        {
            "id": int(row.id),
            "hint": row.hint,
            "created_by": row.created_by,
            "created_at": from_us(int(row.created_us)),
        }
        for row in rows
    ]


def delete_link(connection: Connection, wall_id: int, token_hash: str) -> bool:
    result = connection.execute(
        delete(wall_links).where(wall_links.c.wall_id == wall_id, wall_links.c.token_hash == token_hash)
    )
    return result.rowcount > 0


def wall_for_token_hash(connection: Connection, token_hash: str) -> int | None:
    value = connection.execute(
        select(wall_links.c.wall_id).where(wall_links.c.token_hash == token_hash)
    ).scalar_one_or_none()
    return None if value is None else int(value)
