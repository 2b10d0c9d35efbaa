"""What a brief holds, and what a client sends to make, change or link one."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from veille.clock import parse_moment, zone_named
from veille.errors import NotFound
from veille.text import fold

__all__ = [
    "BRIEF_STATUSES",
    "Brief",
    "BriefChanges",
    "BriefLinkSpec",
    "BriefNotFound",
    "BriefSpec",
    "BriefStatus",
]

BriefStatus = Literal["draft", "commissioned", "published", "archived"]
BRIEF_STATUSES: tuple[str, ...] = get_args(BriefStatus)


class BriefNotFound(NotFound):
    def __init__(self, brief_id: int) -> None:
        super().__init__(f"brief: no brief with id {brief_id}", field="brief_id")


class BriefSpec(BaseModel):
    """``POST /api/v1/editorial/briefs``: a radar sub-topic (its topic, key terms and range)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    topic: str = Field(min_length=1, max_length=64)
    terms: list[str] = Field(min_length=1, max_length=12)
    subtopic: str | None = Field(default=None, max_length=200)
    title: str | None = Field(default=None, max_length=200)
    notes: str = Field(default="", max_length=20_000)
    from_: datetime | None = Field(default=None, alias="from")
    to: datetime | None = None
    tz: str = "UTC"

    @model_validator(mode="before")
    @classmethod
    def _moments(cls, data: Any) -> Any:
        """``from``/``to`` without an offset are read in ``tz`` (as the radar's query parameters)."""
        if not isinstance(data, dict):
            return data
        given = data.get("tz")
        zone_name = given if isinstance(given, str) else "UTC"
        try:
            zone = zone_named(zone_name)
        except Exception:
            return data  # the tz field's own check names it
        moments = dict(data)
        for name in ("from", "to"):
            value = moments.get(name)
            if isinstance(value, str) and value.strip():
                moments[name] = parse_moment(name, value.strip(), zone)
        return moments

    @field_validator("terms")
    @classmethod
    def _folded_terms(cls, value: list[str]) -> list[str]:
        terms: list[str] = []
        for raw in value:
            term = fold(raw.strip())
            if not term:
                raise ValueError("a term is empty")
            if len(term) > 64:
                raise ValueError(f"{raw[:20]!r}… is longer than 64 characters")
            if term not in terms:
                terms.append(term)
        return terms

    @field_validator("tz")
    @classmethod
    def _zone(cls, value: str) -> str:
        zone_named(value)
        return value

    @model_validator(mode="after")
    def _range(self) -> BriefSpec:
        for name, moment in (("from", self.from_), ("to", self.to)):
            if moment is not None and moment.tzinfo is None:
                raise ValueError(f"{name}: a time-zone offset is required")
        if self.from_ is not None and self.to is not None and self.from_ >= self.to:
            raise ValueError("from: must be before to")
        return self


class BriefChanges(BaseModel):
    """``PUT /api/v1/editorial/briefs/{id}``: the title, status and notes (the rest is what was read)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = Field(min_length=1, max_length=200)
    status: BriefStatus = "draft"
    notes: str = Field(default="", max_length=20_000)


class BriefLinkSpec(BaseModel):
    """``POST /api/v1/editorial/briefs/{id}/links``: one of ours, by ``post_id`` or by ``url``."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    post_id: str | None = Field(default=None, min_length=1, max_length=300)
    url: str | None = Field(default=None, min_length=1, max_length=2000)

    @model_validator(mode="after")
    def _one(self) -> BriefLinkSpec:
        if (self.post_id is None) == (self.url is None):
            raise ValueError("give post_id or url (one of them)")
        return self


class Brief(BaseModel):
    """A stored brief, with its links' performance when read."""

    id: int
    topic: str
    subtopic: str
    title: str
    status: str
    notes: str
    terms: list[str]
    tz: str
    range_from: str = Field(serialization_alias="from")
    range_to: str = Field(serialization_alias="to")
    created_by: str
    created_at: str
    updated_at: str
    demand: dict[str, Any]
    questions: list[dict[str, Any]]
    countries: list[dict[str, Any]]
    languages: list[dict[str, Any]]
    influencers: list[dict[str, Any]]
    formats: list[dict[str, Any]]
    hours: list[dict[str, Any]]
    links: list[dict[str, Any]] = Field(default_factory=list)
