"""A wall: a canvas of C × R screens, its filters, its moderation and its scenes, as clients send it.

The canvas of a wall is ``screens.columns`` × ``screens.rows`` screens, each screen 12 × 12 grid
cells; a widget's ``x``/``y``/``w``/``h`` are cells on the whole canvas, so a widget may span the
border between two screens (the service checks that it stays on the canvas and names the field).
Widget types are the workspace's (:data:`veille.dashboards.WIDGET_TYPES`) plus three made for
screens: ``carousel`` (one post at a time, big), ``clock`` and ``alerts`` (a ticker).
"""

from __future__ import annotations

import json
import unicodedata
from datetime import datetime
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

from veille.query.view_filters import DashboardFilters
from veille.sharing.models import Sharing, Visibility

__all__ = [
    "CELLS_PER_SCREEN",
    "MODERATION_ACTIONS",
    "MODERATION_MODES",
    "WALL_WIDGET_TYPES",
    "Moderation",
    "Scene",
    "Screens",
    "Wall",
    "WallSpec",
    "WallWidget",
]

WallWidgetType = Literal[
    "volume",
    "sentiment",
    "share_of_voice",
    "map",
    "trends",
    "influencers",
    "top_posts",
    "feed",
    "care",
    "kpi",
    "content",
    "text",
    "carousel",
    "clock",
    "alerts",
    "inbox",
]
WALL_WIDGET_TYPES: tuple[str, ...] = get_args(WallWidgetType)
ModerationMode = Literal["post", "pre"]
MODERATION_MODES: tuple[str, ...] = get_args(ModerationMode)
ModerationAction = Literal["approve", "hide", "pin"]
MODERATION_ACTIONS: tuple[str, ...] = get_args(ModerationAction)

CELLS_PER_SCREEN = 12
MAX_SCREENS_PER_SIDE = 8
MAX_SCENES = 24
MAX_WIDGETS = 64
MAX_OPTIONS_BYTES = 16_384
MAX_BLOCKED_TERMS = 500


def _strict() -> ConfigDict:
    return ConfigDict(extra="forbid", str_strip_whitespace=True)


class Screens(BaseModel):
    """How many screens the canvas has, across (``columns``) and down (``rows``)."""

    model_config = _strict()

    columns: int = Field(default=1, ge=1, le=MAX_SCREENS_PER_SIDE)
    rows: int = Field(default=1, ge=1, le=MAX_SCREENS_PER_SIDE)

    @property
    def count(self) -> int:
        return self.columns * self.rows


class Moderation(BaseModel):
    """What a wall shown in public lets through.

    ``post``: everything that passes the rules is shown, and a moderator may hide it afterwards;
    ``pre``: a post is shown only once a moderator approved (or pinned) it. The rules: ``blocklist``
    (terms in any language, matched without case or accents), ``hide_links``, ``min_followers``,
    ``hide_reposts``, ``hide_duplicates``. A moderator's approval overrides the rules.
    """

    model_config = _strict()

    mode: ModerationMode = "post"
    blocklist: list[str] = Field(default_factory=list, max_length=MAX_BLOCKED_TERMS)
    hide_links: bool = False
    min_followers: int = Field(default=0, ge=0, le=1_000_000_000)
    hide_reposts: bool = False
    hide_duplicates: bool = False

    @field_validator("blocklist")
    @classmethod
    def _terms(cls, value: list[str]) -> list[str]:
        terms = [unicodedata.normalize("NFC", term.strip()) for term in value]
        if any(not term or len(term) > 100 for term in terms):
            raise ValueError("terms are 1 to 100 characters")
        return list(dict.fromkeys(terms))


class WallWidget(BaseModel):
    """One widget on the canvas: its type, a title (empty: the type's own), its cells, its options."""

    model_config = _strict()

    type: WallWidgetType
    title: str = Field(default="", max_length=200)
    x: int = Field(default=0, ge=0)
    y: int = Field(default=0, ge=0)
    w: int = Field(default=4, ge=1)
    h: int = Field(default=4, ge=1)
    options: dict[str, Any] = Field(default_factory=dict)

    @field_validator("options")
    @classmethod
    def _small(cls, value: dict[str, Any]) -> dict[str, Any]:
        if len(json.dumps(value)) > MAX_OPTIONS_BYTES:
            raise ValueError(f"more than {MAX_OPTIONS_BYTES} bytes of JSON")
        return value


class Scene(BaseModel):
    """One scene of the playlist: what the screens show for ``duration_s`` seconds."""

    model_config = _strict()

    name: str = Field(default="", max_length=200)
    duration_s: int = Field(default=60, ge=5, le=86_400)
    widgets: list[WallWidget] = Field(default_factory=list, max_length=MAX_WIDGETS)


def _one_scene() -> list[Scene]:
    return [Scene()]


class WallSpec(BaseModel):
    """What a client sends to create or replace a wall."""

    model_config = _strict()

    name: str = Field(min_length=1, max_length=200)
    screens: Screens = Field(default_factory=Screens)
    filters: DashboardFilters = Field(default_factory=lambda: DashboardFilters(range="24h"))
    moderation: Moderation = Field(default_factory=Moderation)
    scenes: list[Scene] = Field(default_factory=_one_scene, min_length=1, max_length=MAX_SCENES)
    owner_team: str | None = Field(default=None, max_length=128, description="the team that owns it")
    visibility: Visibility = "organisation"


class Wall(WallSpec):
    """A stored wall: its id, who created it, when, and its ``version`` (one more at every save)."""

    id: int
    owner: str
    version: int
    created_at: datetime
    updated_at: datetime

    def to_json_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = self.model_dump(mode="json", by_alias=True)
        return data

    def sharing(self) -> Sharing:
        return Sharing(owner_team=self.owner_team, visibility=self.visibility, created_by=self.owner)
