"""A dashboard: shared filters and a grid of widgets, as clients send it and as it is stored.

The grid has 12 columns; a widget's ``x``/``w`` are columns and ``y``/``h`` rows. Widget types are
the front end's widget library (``web/static/lib/widgets/``): an unknown type is refused here, so a
saved dashboard always opens. ``options`` are the widget's own settings (a metric, a ``group_by``, a
limit…), read by the widget; only ``options.topics`` is checked against the store (the service).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from veille.query.view_filters import RANGE_PRESETS, CustomRange, DashboardFilters
from veille.sharing.models import Sharing

__all__ = [
    "GRID_COLUMNS",
    "RANGE_PRESETS",
    "VISIBILITIES",
    "WIDGET_TYPES",
    "CustomRange",
    "Dashboard",
    "DashboardFilters",
    "DashboardSpec",
    "WidgetSpec",
]

WidgetType = Literal[
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
    "alerts",
    "inbox",
    "radar",
]
WIDGET_TYPES: tuple[str, ...] = get_args(WidgetType)
Visibility = Literal["private", "team", "organisation"]
VISIBILITIES: tuple[str, ...] = get_args(Visibility)

GRID_COLUMNS = 12
MAX_GRID_ROWS = 200
MAX_WIDGETS = 48
MAX_OPTIONS_BYTES = 16_384


def _strict() -> ConfigDict:
    return ConfigDict(extra="forbid", str_strip_whitespace=True, populate_by_name=True)


class WidgetSpec(BaseModel):
    """One widget: its type, a title (empty: the type's own), its place on the 12-column grid, its options."""

    model_config = _strict()

    type: WidgetType
    title: str = Field(default="", max_length=200)
    x: int = Field(default=0, ge=0, lt=GRID_COLUMNS)
    y: int = Field(default=0, ge=0, le=MAX_GRID_ROWS)
    w: int = Field(default=4, ge=1, le=GRID_COLUMNS)
    h: int = Field(default=4, ge=1, le=24)
    options: dict[str, Any] = Field(default_factory=dict)

    @field_validator("options")
    @classmethod
    def _small(cls, value: dict[str, Any]) -> dict[str, Any]:
        if len(json.dumps(value)) > MAX_OPTIONS_BYTES:
            raise ValueError(f"more than {MAX_OPTIONS_BYTES} bytes of JSON")
        return value

    @model_validator(mode="after")
    def _inside_the_grid(self) -> WidgetSpec:
        if self.x + self.w > GRID_COLUMNS:
            raise ValueError(f"w: x + w must be at most {GRID_COLUMNS} (the grid's columns)")
        return self


class DashboardSpec(BaseModel):
    """What a client sends to create or replace a dashboard."""

    model_config = _strict()

    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=4000)
    filters: DashboardFilters = Field(default_factory=DashboardFilters)
    widgets: list[WidgetSpec] = Field(default_factory=list, max_length=MAX_WIDGETS)
    visibility: Visibility = "organisation"
    owner_team: str | None = Field(default=None, max_length=128, description="the team that owns it")


class Dashboard(DashboardSpec):
    """A stored dashboard: its id, who created it (``owner``), when."""

    id: int
    owner: str
    created_at: datetime
    updated_at: datetime

    def to_json_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = self.model_dump(mode="json", by_alias=True)
        return data

    def sharing(self) -> Sharing:
        return Sharing(owner_team=self.owner_team, visibility=self.visibility, created_by=self.owner)
