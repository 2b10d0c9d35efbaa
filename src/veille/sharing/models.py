"""What sharing holds: the owner team, the visibility and who created the object."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Protocol, get_args

from pydantic import BaseModel, Field

__all__ = ["KINDS", "VISIBILITIES", "Principal", "Sharing", "SharingFields", "Visibility"]

Visibility = Literal["private", "team", "organisation"]
VISIBILITIES: tuple[str, ...] = get_args(Visibility)

# The kinds of shared objects, as the catalogue and the audit log name them.
KINDS = ("topic", "dashboard", "wall", "alert_rule", "source", "account")


class Principal(Protocol):
    """Who asks, as sharing reads it (:class:`veille.access.Principal` is one; sharing sits below
    the access layer, so it names only what it reads)."""

    @property
    def name(self) -> str: ...

    @property
    def role(self) -> str: ...

    @property
    def via(self) -> str: ...

    @property
    def username(self) -> str | None: ...

    @property
    def admin(self) -> bool: ...

    @property
    def teams(self) -> tuple[str, ...]: ...

    def may(self, role: str) -> bool: ...


@dataclass(frozen=True, slots=True)
class Sharing:
    """``owner_team``: the team in charge (None: no team, its creator's or the admins');
    ``visibility``: private (its creator and admins), team (the owner team's members, its creator
    and admins) or organisation (everyone); ``created_by``: the creating user (None: unknown)."""

    owner_team: str | None = None
    visibility: str = "organisation"
    created_by: str | None = None

    def to_json_dict(self) -> dict[str, Any]:
        return {"owner_team": self.owner_team, "visibility": self.visibility, "created_by": self.created_by}


class SharingFields(BaseModel):
    """The sharing fields a create or update body may carry; absent (None) means "as it was"
    on an update and the defaults on a creation (the caller's first team, ``organisation``)."""

    owner_team: str | None = Field(default=None, max_length=128, description="the team that owns it")
    visibility: Visibility | None = Field(
        default=None,
        description="private (creator and admins), team (the owner team), organisation (everyone)",
    )
