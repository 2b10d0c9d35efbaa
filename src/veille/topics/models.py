"""A topic: a named saved query with its place in the taxonomy (kind, parent) and how it is shown."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

from veille.sharing.models import Sharing, Visibility

__all__ = [
    "KINDS",
    "NAME_PATTERN",
    "Topic",
    "TopicChanges",
    "TopicDetail",
    "TopicKind",
    "TopicRead",
    "TopicSpec",
]

TopicKind = Literal["theme", "brand", "competitor", "product", "sensitive", "event"]
KINDS: tuple[str, ...] = get_args(TopicKind)
# Names are what `topic:` references and URLs use: keep them to a slug that needs no quoting.
NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
_NAME_RE = re.compile(NAME_PATTERN)
_COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")


def check_name(value: str, what: str = "name") -> str:
    if not _NAME_RE.match(value):
        raise ValueError(
            f"{what}: {value!r} is not a topic name (1 to 64 lower-case letters, digits, '_' or '-', "
            "starting with a letter or digit)"
        )
    return value


def _check_colour(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if not _COLOUR_RE.match(value):
        raise ValueError(f"colour: {value!r} is not a colour of the form #rrggbb")
    return value.lower()


class _Fields(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("parent", check_fields=False)
    @classmethod
    def _parent_is_a_name(cls, value: str | None) -> str | None:
        return None if value is None or value == "" else check_name(value, "parent")

    @field_validator("colour", check_fields=False)
    @classmethod
    def _colour(cls, value: str | None) -> str | None:
        return _check_colour(value)


class TopicSpec(_Fields):
    """What a client gives to create a topic (and what ``[[topics]]`` tables of veille.toml hold)."""

    name: str = Field(max_length=64)
    query: str = Field(min_length=1, max_length=4096)
    kind: TopicKind = "theme"
    label: str | None = Field(default=None, max_length=200)
    parent: str | None = None
    owner_team: str | None = Field(default=None, max_length=128)
    visibility: Visibility = "organisation"
    colour: str | None = None
    description: str | None = Field(default=None, max_length=4000)
    enabled: bool = True

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_name(value)


class TopicChanges(_Fields):
    """A partial update: only the fields given change (``null`` clears an optional field)."""

    query: str | None = Field(default=None, min_length=1, max_length=4096)
    kind: TopicKind | None = None
    label: str | None = Field(default=None, max_length=200)
    parent: str | None = None
    owner_team: str | None = Field(default=None, max_length=128)
    visibility: Visibility | None = None
    colour: str | None = None
    description: str | None = Field(default=None, max_length=4000)
    enabled: bool | None = None

    def given(self) -> dict[str, Any]:
        """The fields the client set (explicit nulls included)."""
        return {name: getattr(self, name) for name in self.model_fields_set}


class Topic(TopicSpec):
    """A stored topic."""

    created_by: str | None = None
    created_at: datetime
    updated_at: datetime

    def sharing(self) -> Sharing:
        return Sharing(owner_team=self.owner_team, visibility=self.visibility, created_by=self.created_by)

    def to_json_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = self.model_dump(mode="json")
        return data

    def spec(self) -> TopicSpec:
        return TopicSpec.model_validate(self.model_dump(exclude={"created_at", "updated_at", "created_by"}))


class TopicRead(BaseModel):
    """A topic as the API shows it."""

    name: str
    query: str
    kind: TopicKind
    label: str | None
    parent: str | None
    owner_team: str | None
    visibility: Visibility = Field(description="private, team or organisation")
    created_by: str | None = None
    colour: str | None = Field(description="#rrggbb, lower case")
    description: str | None
    enabled: bool
    created_at: str = Field(description="RFC 3339, UTC")
    updated_at: str = Field(description="RFC 3339, UTC")


class TopicDetail(TopicRead):
    """One topic with how many stored posts it matches."""

    matches: int
