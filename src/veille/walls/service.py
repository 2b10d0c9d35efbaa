"""Wall operations: plain functions with keyword-only arguments, shared by the API, the pages and
the wall's live stream.

A wall is checked before it is written: every widget must stay on the canvas (C × R screens of
12 × 12 cells) and every topic it names must exist; the field of the refusal says where
(``scenes.1.widgets.3.w``). Which scene the screens show is computed from the server's clock
(:mod:`veille.walls.scenes`); what posts they show is decided by :func:`veille.walls.moderation.admits`.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from veille.access import Principal
from veille.clock import from_us, now_us
from veille.errors import Invalid, NotFound
from veille.model import Post
from veille.sharing import (
    SharingFields,
    check_edit,
    may_see,
    record_sharing,
    sharing_for_change,
    sharing_for_new,
    visible,
)
from veille.store.base import PostSearch
from veille.store.sql import SqlStore
from veille.topics.service import list_topics
from veille.walls import repository
from veille.walls.models import CELLS_PER_SCREEN, Wall, WallSpec
from veille.walls.moderation import Decision, admits, matches_filters, range_start, rule_reason
from veille.walls.repository import Playback, WallStamp
from veille.walls.scenes import SceneState, scene_state

__all__ = [
    "KIOSK_TOKEN_PREFIX",
    "ModerationItem",
    "WallError",
    "WallNotFound",
    "check_wall",
    "create_link",
    "create_wall",
    "decisions",
    "delete_wall",
    "get_wall",
    "list_links",
    "list_versions",
    "list_walls",
    "moderate",
    "moderation_queue",
    "revoke_link",
    "set_scene",
    "update_wall",
    "wall_for_token",
    "wall_posts",
    "wall_stamp",
    "wall_state",
]

KIOSK_TOKEN_PREFIX = "vk_"
_STATUS_OF_ACTION: dict[str, Decision] = {"approve": "approved", "hide": "hidden", "pin": "pinned"}
_SCAN_PAGE = 200
_SCAN_PAGES = 10
MAX_PINNED = 20


class WallError(Invalid):
    """A refused wall or wall operation (HTTP 422); ``field`` names what is wrong."""


class WallNotFound(WallError, NotFound):
    """No wall with that id (HTTP 404)."""

    def __init__(self, wall_id: int) -> None:
        super().__init__(f"no wall with id {wall_id}", field="id")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# -- checking and CRUD ---------------------------------------------------------------------------


def _topic_names(value: object) -> list[str] | None:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return list(value)
    return None


def _check_topics(field: str, names: Iterable[str], known: set[str]) -> None:
    unknown = [name for name in names if name not in known]
    if unknown:
        raise WallError(f"{field}: unknown topic {unknown[0]!r}", field=field)


def check_wall(*, store: SqlStore, spec: WallSpec) -> None:
    """Refuse a widget off the canvas or a topic the store does not have (the field says where)."""
    width = spec.screens.columns * CELLS_PER_SCREEN
    height = spec.screens.rows * CELLS_PER_SCREEN
    known = {topic.name for topic in list_topics(store=store)}
    _check_topics("filters.topics", spec.filters.topics, known)
    for scene_index, scene in enumerate(spec.scenes):
        for index, widget in enumerate(scene.widgets):
            where = f"scenes.{scene_index}.widgets.{index}"
            if widget.x >= width:
                raise WallError(
                    f"{where}.x: must be below {width} (the canvas's columns of cells)", field=f"{where}.x"
                )
            if widget.y >= height:
                raise WallError(
                    f"{where}.y: must be below {height} (the canvas's rows of cells)", field=f"{where}.y"
                )
            if widget.x + widget.w > width:
                raise WallError(
                    f"{where}.w: x + w must be at most {width} (the canvas's width in cells)",
                    field=f"{where}.w",
                )
            if widget.y + widget.h > height:
                raise WallError(
                    f"{where}.h: y + h must be at most {height} (the canvas's height in cells)",
                    field=f"{where}.h",
                )
            narrowing = widget.options.get("filters") or {}
            if not isinstance(narrowing, dict):
                raise WallError(
                    f"{where}.options.filters: expected an object of filters",
                    field=f"{where}.options.filters",
                )
            for field, value in (
                (f"{where}.options.topics", widget.options.get("topics")),
                (f"{where}.options.filters.topics", narrowing.get("topics")),
            ):
                names = _topic_names(value)
                if names is None:
                    raise WallError(f"{field}: expected a list of topic names", field=field)
                _check_topics(field, names, known)


def _asked(spec: WallSpec) -> SharingFields:
    given = spec.model_fields_set
    return SharingFields.model_validate(
        {key: getattr(spec, key) for key in ("owner_team", "visibility") if key in given}
    )


def list_walls(*, store: SqlStore, viewer: Principal | None = None) -> list[Wall]:
    """The walls ``viewer`` may see (None: all), by name."""
    return visible(viewer, repository.list_walls(store), Wall.sharing)


def get_wall(*, store: SqlStore, wall_id: int, viewer: Principal | None = None) -> Wall:
    """The wall, or :class:`WallNotFound` (also when ``viewer`` may not see it)."""
    with store.engine.connect() as connection:
        found = repository.get_wall(connection, wall_id)
    if found is None or not may_see(viewer, found.sharing()):
        raise WallNotFound(wall_id)
    return found


def check_wall_edit(*, store: SqlStore, wall_id: int, by: Principal | None) -> Wall:
    """The wall ``by`` may change (404 out of view, 403 when their teams do not own it)."""
    wall = get_wall(store=store, wall_id=wall_id, viewer=by)
    check_edit(by, wall.sharing(), what=f"wall {wall_id}")
    return wall


def create_wall(*, store: SqlStore, spec: WallSpec, owner: str, principal: Principal | None = None) -> Wall:
    sharing = sharing_for_new(principal, _asked(spec), store=store)
    spec = spec.model_copy(update={"owner_team": sharing.owner_team, "visibility": sharing.visibility})
    check_wall(store=store, spec=spec)
    with store.engine.begin() as connection:
        wall_id = repository.insert_wall(connection, spec, owner=owner)
        created = repository.get_wall(connection, wall_id)
        assert created is not None
        record_sharing(
            connection, actor=owner, kind="wall", object_id=wall_id, before=None, after=created.sharing()
        )
    return created


def update_wall(
    *, store: SqlStore, wall_id: int, spec: WallSpec, by: str, principal: Principal | None = None
) -> Wall:
    """Replace a wall (a new version; the owner, the playlist's clock and the decisions stay, and
    the sharing when the body does not give it)."""
    current = check_wall_edit(store=store, wall_id=wall_id, by=principal)
    sharing = sharing_for_change(principal, current.sharing(), _asked(spec), store=store)
    spec = spec.model_copy(update={"owner_team": sharing.owner_team, "visibility": sharing.visibility})
    check_wall(store=store, spec=spec)
    with store.engine.begin() as connection:
        if not repository.update_wall(connection, wall_id, spec, by=by):
            raise WallNotFound(wall_id)
        updated = repository.get_wall(connection, wall_id)
        assert updated is not None
        record_sharing(
            connection,
            actor=by,
            kind="wall",
            object_id=wall_id,
            before=current.sharing(),
            after=updated.sharing(),
        )
    return updated


def delete_wall(*, store: SqlStore, wall_id: int, principal: Principal | None = None) -> None:
    """Delete a wall with its versions, decisions and kiosk links (open screens stop)."""
    check_wall_edit(store=store, wall_id=wall_id, by=principal)
    with store.engine.begin() as connection:
        if not repository.delete_wall(connection, wall_id):
            raise WallNotFound(wall_id)


def list_versions(*, store: SqlStore, wall_id: int) -> list[dict[str, Any]]:
    with store.engine.connect() as connection:
        if repository.get_playback(connection, wall_id) is None:
            raise WallNotFound(wall_id)
        return repository.list_versions(connection, wall_id)


# -- scenes --------------------------------------------------------------------------------------


def _state(wall: Wall, playback: Playback, moment_us: int) -> SceneState:
    return scene_state(
        durations_s=[scene.duration_s for scene in wall.scenes],
        anchor_scene=playback.anchor_scene,
        anchor_us=playback.anchor_us,
        hold=playback.hold,
        now_us=moment_us,
    )


def wall_state(*, store: SqlStore, wall_id: int, moment_us: int | None = None) -> SceneState:
    """The scene every screen of the wall shows now (the server's clock decides)."""
    with store.engine.connect() as connection:
        wall = repository.get_wall(connection, wall_id)
        playback = repository.get_playback(connection, wall_id)
    if wall is None or playback is None:
        raise WallNotFound(wall_id)
    return _state(wall, playback, now_us() if moment_us is None else moment_us)


def set_scene(
    *, store: SqlStore, wall_id: int, scene: int | None = None, hold: bool | None = None
) -> SceneState:
    """Jump to ``scene`` (from now, for its whole duration), and/or hold (True) or resume (False)."""
    if scene is None and hold is None:
        raise WallError("body: give 'scene' (an index) or 'hold' (true or false)", field="scene")
    moment = now_us()
    with store.engine.begin() as connection:
        wall = repository.get_wall(connection, wall_id)
        playback = repository.get_playback(connection, wall_id)
        if wall is None or playback is None:
            raise WallNotFound(wall_id)
        if scene is not None and not 0 <= scene < len(wall.scenes):
            raise WallError(f"scene: must be between 0 and {len(wall.scenes) - 1}", field="scene")
        current = _state(wall, playback, moment)
        if scene is not None:
            anchored = Playback(scene, moment, playback.hold if hold is None else hold)
        else:
            # Hold or resume where the playlist is now: the scene shown does not change.
            anchored = Playback(current.scene, current.since_us, bool(hold))
            if not hold and playback.hold:
                anchored = Playback(current.scene, moment, False)
        repository.set_playback(connection, wall_id, anchored)
    return _state(wall, anchored, moment)


def wall_stamp(*, store: SqlStore, wall_id: int) -> WallStamp | None:
    """What tells a screen the wall changed (None: the wall is gone)."""
    with store.engine.connect() as connection:
        return repository.stamp(connection, wall_id)


# -- moderation ----------------------------------------------------------------------------------


def decisions(
    *, store: SqlStore, wall_id: int, post_ids: list[str] | None = None, after_us: int | None = None
) -> dict[str, tuple[str, int]]:
    with store.engine.connect() as connection:
        return repository.decisions(connection, wall_id, post_ids=post_ids, after_us=after_us)


def moderate(*, store: SqlStore, wall_id: int, post_id: str, action: str, by: str) -> dict[str, Any]:
    """Approve, hide or pin a post on a wall; a hidden post leaves every screen of the wall."""
    status = _STATUS_OF_ACTION.get(action)
    if status is None:
        raise WallError(f"action: expected one of {', '.join(_STATUS_OF_ACTION)}", field="action")
    if store.get_post(post_id) is None:
        raise NotFound(f"no post with id {post_id!r}", field="post_id")
    with store.engine.begin() as connection:
        if repository.get_playback(connection, wall_id) is None:
            raise WallNotFound(wall_id)
        moment = repository.set_decision(connection, wall_id, post_id, status, by=by)
    return {"post_id": post_id, "status": status, "decided_by": by, "decided_at": from_us(moment)}


def _scan(store: SqlStore, wall: Wall, moment: datetime) -> Iterable[Post]:
    """Recent posts of the wall's period, newest first, narrowed in SQL by source and language."""
    filters = wall.filters
    cursor: str | None = None
    until = None
    if not isinstance(filters.range, str):
        until = filters.range.bounds(ZoneInfo(filters.tz))[1]
    for _ in range(_SCAN_PAGES):
        page = store.search_posts(
            PostSearch(
                since=range_start(filters, moment),
                until=until,
                sources=filters.sources,
                langs=filters.languages,
                limit=_SCAN_PAGE,
                cursor=cursor,
            )
        )
        yield from page.items
        cursor = page.next_cursor
        if cursor is None:
            return


def wall_posts(*, store: SqlStore, wall: Wall, limit: int = 50) -> list[dict[str, Any]]:
    """The posts the wall's screens show now: pinned first, then the newest admitted ones.

    Each is the post record with ``wall_status`` (``pinned``, ``approved`` or null)."""
    moment = datetime.now(UTC)
    with store.engine.connect() as connection:
        decided = repository.decisions(connection, wall.id)
    shown: list[dict[str, Any]] = []
    pinned = sorted(
        (post_id for post_id, (status, _) in decided.items() if status == "pinned"),
        key=lambda post_id: -decided[post_id][1],
    )[:MAX_PINNED]
    taken: set[str] = set()
    for post_id in pinned:
        post = store.get_post(post_id)
        if post is not None and admits(
            post, filters=wall.filters, moderation=wall.moderation, decision="pinned", now=None
        ):
            shown.append({**post.to_json_dict(), "wall_status": "pinned"})
            taken.add(post_id)
    for post in _scan(store, wall, moment):
        if len(shown) >= limit:
            break
        if post.id in taken:
            continue
        status = decided.get(post.id, (None, 0))[0]
        if admits(post, filters=wall.filters, moderation=wall.moderation, decision=status, now=moment):  # type: ignore[arg-type]
            shown.append({**post.to_json_dict(), "wall_status": status})
    return shown[:limit]


@dataclass(frozen=True, slots=True)
class ModerationItem:
    post: Post
    status: str | None
    reason: str | None
    shown: bool


def moderation_queue(
    *, store: SqlStore, wall: Wall, limit: int = 50, status: str = "all"
) -> list[ModerationItem]:
    """Recent posts matching the wall's filters with their decision and the rule that keeps them
    off (``pending``: not decided yet; ``all``: every one)."""
    moment = datetime.now(UTC)
    with store.engine.connect() as connection:
        decided = repository.decisions(connection, wall.id)
    items: list[ModerationItem] = []
    for post in _scan(store, wall, moment):
        if len(items) >= limit:
            break
        if not matches_filters(post, wall.filters, now=moment):
            continue
        current = decided.get(post.id, (None, 0))[0]
        if status == "pending" and current is not None:
            continue
        reason = rule_reason(post, wall.moderation)
        shown = admits(post, filters=wall.filters, moderation=wall.moderation, decision=current, now=moment)  # type: ignore[arg-type]
        items.append(ModerationItem(post=post, status=current, reason=reason, shown=shown))
    return items


# -- kiosk links ---------------------------------------------------------------------------------


def create_link(*, store: SqlStore, wall_id: int, by: str) -> str:
    """A new kiosk token for the wall (shown once: only its SHA-256 is kept)."""
    token = KIOSK_TOKEN_PREFIX + secrets.token_urlsafe(24)
    with store.engine.begin() as connection:
        if repository.get_playback(connection, wall_id) is None:
            raise WallNotFound(wall_id)
        repository.insert_link(connection, wall_id, token_hash=_digest(token), hint=token[:8], by=by)
    return token


def list_links(*, store: SqlStore, wall_id: int) -> list[dict[str, Any]]:
    with store.engine.connect() as connection:
        return repository.list_links(connection, wall_id)


def revoke_link(*, store: SqlStore, wall_id: int, token: str) -> None:
    with store.engine.begin() as connection:
        if not repository.delete_link(connection, wall_id, _digest(token)):
            raise NotFound(f"no kiosk link {token[:8]}… on wall {wall_id}", field="token")


def wall_for_token(*, store: SqlStore, token: str) -> int | None:
    """The wall a kiosk token shows, or None (unknown or revoked)."""
    if not token.startswith(KIOSK_TOKEN_PREFIX) or len(token) > 200:
        return None
    with store.engine.connect() as connection:
        return repository.wall_for_token_hash(connection, _digest(token))
