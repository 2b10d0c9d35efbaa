"""A curated influencer: what an analyst states about one account (journalist, blogger, elected
representative, media outlet, brand or other), whatever its profile says.

:class:`InfluencerSpec` is what a client gives (API body, one line of an import file);
:class:`CuratedInfluencer` is a stored entry and :class:`InfluencerRead` its JSON.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from veille.clock import format_rfc3339
from veille.text import handle_key

__all__ = ["CATEGORIES", "CSV_COLUMNS", "CuratedInfluencer", "InfluencerRead", "InfluencerSpec"]

CATEGORIES: tuple[str, ...] = ("journalist", "blogger", "elected", "media", "brand", "other")
# The fields of a spec, in the order of an import file's columns (country and name optional).
CSV_COLUMNS: tuple[str, ...] = ("platform", "handle", "category", "country", "name")
_PLATFORM_RE = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
_COUNTRY_RE = re.compile(r"^[A-Z]{2}$")


def _text(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class InfluencerSpec(BaseModel):
    """``{"platform", "handle", "category", "country"?, "name"?}``, normalised: platform and category
    lower case, handle without ``@``, country upper case, an empty country or name is none."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    platform: str = Field(description="the posts' source: x, bluesky, mastodon…")
    handle: str = Field(description="with or without @")
    category: str = Field(description=", ".join(CATEGORIES))
    country: str | None = Field(default=None, description="ISO 3166 code such as FR")
    name: str | None = None

    @field_validator("platform", mode="before")
    @classmethod
    def _platform(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        folded = value.strip().lower()
        if not _PLATFORM_RE.match(folded):
            raise ValueError(f"{value!r} is not a platform name (lower case, such as x or bluesky)")
        return folded

    @field_validator("handle", mode="before")
    @classmethod
    def _handle(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        handle = value.strip().removeprefix("@")
        if not handle_key(handle) or len(handle) > 200 or any(ch.isspace() for ch in handle):
            raise ValueError(f"{handle!r} is not a handle")
        return handle

    @field_validator("category", mode="before")
    @classmethod
    def _category(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        category = value.strip().lower()
        if category not in CATEGORIES:
            raise ValueError(f"{category!r} is not one of {', '.join(CATEGORIES)}")
        return category

    @field_validator("country", mode="before")
    @classmethod
    def _country(cls, value: Any) -> Any:
        value = _text(value)
        if value is None or value == "":
            return None
        if not isinstance(value, str) or not _COUNTRY_RE.match(value.upper()):
            raise ValueError(f"{value!r} is not an ISO 3166 code such as FR")
        return value.upper()

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, value: Any) -> Any:
        value = _text(value)
        if value == "":
            return None
        if isinstance(value, str) and len(value) > 200:
            raise ValueError("longer than 200 characters")
        return value

    @property
    def key(self) -> tuple[str, str]:
        """What makes an entry unique: the platform and the folded handle."""
        return self.platform, handle_key(self.handle)


class CuratedInfluencer(InfluencerSpec):
    """A stored entry."""

    id: int
    created_at: datetime
    updated_at: datetime

    def to_json_dict(self) -> dict[str, Any]:
        payload = self.model_dump(mode="json", exclude={"created_at", "updated_at"})
        payload["created_at"] = format_rfc3339(self.created_at)
        payload["updated_at"] = format_rfc3339(self.updated_at)
        return payload


class InfluencerRead(BaseModel):
    """A curated entry as the API shows it."""

    id: int
    platform: str
    handle: str
    category: str
    country: str | None
    name: str | None
    created_at: str = Field(description="RFC 3339, UTC")
    updated_at: str = Field(description="RFC 3339, UTC")
