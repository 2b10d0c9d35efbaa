"""Walls: canvases of screens (C × R screens of 12 × 12 cells) with filters, moderation, scenes
played by the server's clock, versions and kiosk links.

- :class:`WallSpec`, :class:`Wall`, :class:`Moderation`, :class:`Scene`, :class:`WallWidget` — what
  a wall holds (:mod:`veille.walls.models`);
- :func:`admits` — whether a post reaches a wall's screens (:mod:`veille.walls.moderation`);
- :func:`scene_state` — which scene the screens show now (:mod:`veille.walls.scenes`);
- :mod:`veille.walls.service` — create, replace, delete, list, get, scenes, moderation, kiosk links.
"""

from veille.walls.models import (
    CELLS_PER_SCREEN,
    MODERATION_ACTIONS,
    MODERATION_MODES,
    WALL_WIDGET_TYPES,
    Moderation,
    Scene,
    Screens,
    Wall,
    WallSpec,
    WallWidget,
)
from veille.walls.moderation import admits, blocked_term, matches_filters, rule_reason
from veille.walls.scenes import SceneState, scene_state
from veille.walls.service import WallError, WallNotFound

__all__ = [
    "CELLS_PER_SCREEN",
    "MODERATION_ACTIONS",
    "MODERATION_MODES",
    "WALL_WIDGET_TYPES",
    "Moderation",
    "Scene",
    "SceneState",
    "Screens",
    "Wall",
    "WallError",
    "WallNotFound",
    "WallSpec",
    "WallWidget",
    "admits",
    "blocked_term",
    "matches_filters",
    "rule_reason",
    "scene_state",
]
