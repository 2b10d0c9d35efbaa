"""The inbox's vocabulary: statuses and how they move, dispositions, request bodies, saved replies,
desk settings and the item a desk sees."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator

from veille.clock import rfc3339_from_us

__all__ = [
    "DEFAULT_SLA_S",
    "DISPOSITIONS",
    "LOCK_SECONDS",
    "OPEN_STATUSES",
    "STATUSES",
    "VARIABLES",
    "AssignBody",
    "CloseBody",
    "DeskSettingsSpec",
    "InboxItem",
    "Lock",
    "ReplyBody",
    "SavedReply",
    "SavedReplySpec",
    "ScopeLike",
    "StatusBody",
    "TagsBody",
]

# Seconds an account has to answer when its desk settings give none (the care metrics' default SLA).
DEFAULT_SLA_S = 3600.0
STATUSES: tuple[str, ...] = ("new", "assigned", "waiting", "replied", "closed")
OPEN_STATUSES: frozenset[str] = frozenset({"new", "assigned", "waiting"})
DISPOSITIONS: tuple[str, ...] = (
    "resolved",
    "answered",
    "no_action",
    "escalated",
    "duplicate",
    "spam",
    "deleted",
)
# A lock is a lease: it ends by itself so that a person who leaves does not hold a post forever.
LOCK_SECONDS = 300
# What a saved reply (or any reply) may say with braces, filled in for each post.
VARIABLES: tuple[str, ...] = ("author", "first_name", "account", "brand", "agent")
_TAG_RE = re.compile(r"^[\w][\w .:/-]{0,47}$", re.UNICODE)
_LANG_RE = re.compile(r"^[a-z]{2}$")


class ScopeLike(Protocol):
    """What the inbox needs of the caller's scope (:class:`veille.analytics.scope.Scope`): the
    topics, countries and sources it allows (``None``: all), and the test of one post."""

    @property
    def topics(self) -> frozenset[str] | None: ...

    @property
    def countries(self) -> frozenset[str] | None: ...

    @property
    def sources(self) -> frozenset[str] | None: ...

    def allows_post(self, *, source: str, country: str | None, topics: Iterable[str]) -> bool: ...


class AssignBody(BaseModel):
    """``{"assignee": "alice"}`` (a person), ``{"team": "care-fr"}`` (a team), or both; ``{}``
    with both null gives the post back to the queue."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    assignee: str | None = Field(default=None, max_length=128)
    team: str | None = Field(default=None, max_length=128)


class ReplyBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=5000)

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the reply is empty")
        return value.strip()


class CloseBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    disposition: Literal["resolved", "answered", "no_action", "escalated", "duplicate", "spam", "deleted"]
    note: str | None = Field(default=None, max_length=2000)


class StatusBody(BaseModel):
    """Move a post by hand: ``waiting`` (we wait for the customer), ``new`` (back to the queue, or
    reopen a closed post)."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["waiting", "new"]


class TagsBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tags: list[str] = Field(max_length=20)

    @field_validator("tags")
    @classmethod
    def _tags(cls, values: list[str]) -> list[str]:
        cleaned: list[str] = []
        for index, value in enumerate(values):
            tag = value.strip().lower()
            if not _TAG_RE.match(tag):
                raise ValueError(f"tag {index} {value!r}: letters, digits, spaces and . : / - (at most 48)")
            if tag not in cleaned:
                cleaned.append(tag)
        return cleaned


class SavedReplySpec(BaseModel):
    """A saved reply (``kind: reply``) or a holding statement (``kind: holding``) in one language."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    kind: Literal["reply", "holding"] = "reply"
    lang: str = Field(min_length=2, max_length=2)
    text: str = Field(min_length=1, max_length=5000)

    @field_validator("lang")
    @classmethod
    def _lang(cls, value: str) -> str:
        folded = value.lower()
        if not _LANG_RE.match(folded):
            raise ValueError(f"{value!r} is not an ISO 639-1 language code such as 'fr' or 'en'")
        return folded

    @field_validator("text")
    @classmethod
    def _known_variables(cls, value: str) -> str:
        for name in re.findall(r"\{([^{}]*)\}", value):
            if name not in VARIABLES:
                raise ValueError(
                    f"unknown variable {{{name}}}; known: " + ", ".join(f"{{{v}}}" for v in VARIABLES)
                )
        return value


@dataclass(frozen=True, slots=True)
class SavedReply:
    id: int
    name: str
    kind: str
    lang: str
    text: str
    created_by: str
    created_us: int
    updated_us: int

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "lang": self.lang,
            "text": self.text,
            "variables": [v for v in VARIABLES if "{" + v + "}" in self.text],
            "created_by": self.created_by,
            "created_at": rfc3339_from_us(self.created_us),
            "updated_at": rfc3339_from_us(self.updated_us),
        }


class DeskSettingsSpec(BaseModel):
    """An account's desk settings: its SLA, its platform's API endpoint and write credentials.

    ``credentials`` replaces the stored ones when given (``{}`` removes them); they are sealed at
    rest and never shown again (the API says which fields are set, not their values).
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    sla_s: float = Field(default=3600.0, gt=0, le=30 * 86400)
    endpoint: str | None = Field(default=None, max_length=500)
    credentials: dict[str, str] | None = None

    @field_validator("endpoint")
    @classmethod
    def _endpoint(cls, value: str | None) -> str | None:
        if value is None or not value:
            return None
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError(f"{value!r} is not an http(s) address such as 'https://mastodon.social'")
        return value.rstrip("/")


@dataclass(frozen=True, slots=True)
class Lock:
    holder: str
    until_us: int

    def to_json_dict(self) -> dict[str, Any]:
        return {"holder": self.holder, "until": rfc3339_from_us(self.until_us)}


@dataclass(slots=True)
class InboxItem:
    """One inbound post as a desk sees it."""

    post_id: str
    post: dict[str, Any]
    account: dict[str, Any]
    status: str
    priority: dict[str, Any]
    sla: dict[str, Any]
    created_us: int
    waited_s: float
    assignee: str | None = None
    team: str | None = None
    lock: Lock | None = None
    tags: list[str] = field(default_factory=list)
    disposition: str | None = None
    first_response_us: int | None = None
    reply_post_id: str | None = None
    last_error: str | None = None
    updated_by: str | None = None
    updated_us: int | None = None

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "post_id": self.post_id,
            "post": self.post,
            "account": self.account,
            "status": self.status,
            "priority": self.priority,
            "sla": self.sla,
            "waited_s": self.waited_s,
            "assignee": self.assignee,
            "team": self.team,
            "lock": self.lock.to_json_dict() if self.lock else None,
            "tags": self.tags,
            "disposition": self.disposition,
            "first_response_at": rfc3339_from_us(self.first_response_us) if self.first_response_us else None,
            "reply_post_id": self.reply_post_id,
            "last_error": self.last_error,
            "updated_by": self.updated_by,
            "updated_at": rfc3339_from_us(self.updated_us) if self.updated_us else None,
        }
