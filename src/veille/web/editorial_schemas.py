"""What the editorial API answers (``/api/v1/editorial``), declared for the OpenAPI document.

The radar's items carry the issue's fields, typed (docs/editorial.md gives each one's meaning and
unit), plus the figures behind them (``volume``, ``baseline``, ``engagement``, ``our_posts``,
``rank``), which stay open for additions.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["BriefListItemRead", "BriefRead", "RadarItemRead", "RadarRead"]


class RadarItemRead(BaseModel):
    model_config = ConfigDict(extra="allow")

    subtopic: str
    terms: list[str]
    questions: list[dict[str, Any]] = Field(description="example questions (posts), most engaging first")
    demand: float = Field(description="0-100: volume, growth and engagement together")
    growth: float = Field(description="(volume + 1) / (baseline + 1)")
    coverage: float = Field(description="0-1: how much our accounts published on it recently")
    gap: float = Field(description="demand × (1 − coverage): the order of the items")
    countries: list[dict[str, Any]]
    languages: list[dict[str, Any]]


class RadarRead(BaseModel):
    items: list[RadarItemRead]
    meta: dict[str, Any]


class BriefRead(BaseModel):
    """A brief (``from`` and ``to``: the radar range it was made from)."""

    model_config = ConfigDict(extra="allow")

    id: int
    topic: str
    subtopic: str
    title: str
    status: str
    notes: str
    terms: list[str]
    created_by: str
    created_at: str
    updated_at: str
    questions: list[dict[str, Any]]
    links: list[dict[str, Any]] = Field(default_factory=list)


class BriefListItemRead(BaseModel):
    """A brief in the list: its counts of questions and linked posts (``from``, ``to`` too)."""

    model_config = ConfigDict(extra="allow")

    id: int
    topic: str
    subtopic: str
    title: str
    status: str
    terms: list[str]
    questions: int
    links: int
    created_by: str
    created_at: str
    updated_at: str
