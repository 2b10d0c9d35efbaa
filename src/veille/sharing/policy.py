"""The rules: who sees a shared object, who may change it, what sharing a caller may give.

``principal`` None is the operator (the CLI, the demo seed, the hub itself): no restriction.
An admin sees and changes everything. Otherwise an object is seen when it is ``organisation``, or
``team`` and the caller is in its owner team, or the caller created it; an analyst changes it only
when one of their teams owns it (or, owned by no team, when they created it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from veille.errors import Forbidden, Invalid
from veille.sharing.models import VISIBILITIES, Principal, Sharing, SharingFields
from veille.store.sql import SqlStore

__all__ = [
    "check_edit",
    "creator_of",
    "may_edit",
    "may_see",
    "sharing_for_change",
    "sharing_for_new",
    "visible",
]

T = TypeVar("T")
_KIOSK = "kiosk"


def creator_of(principal: Principal | None) -> str | None:
    """Who creates: the user behind a session or a token, else the token's name."""
    if principal is None:
        return None
    return principal.username or principal.name


def may_see(principal: Principal | None, sharing: Sharing) -> bool:
    if principal is None or principal.admin or principal.via == _KIOSK:
        # A kiosk link is bounded by its wall's routes (veille.web.kiosk), never by sharing.
        return True
    if sharing.visibility == "organisation":
        return True
    if sharing.created_by is not None and sharing.created_by == creator_of(principal):
        return True
    return sharing.visibility == "team" and sharing.owner_team in principal.teams


def visible(principal: Principal | None, items: Iterable[T], sharing: Callable[[T], Sharing]) -> list[T]:
    """The items ``principal`` may see, in their order."""
    return [item for item in items if may_see(principal, sharing(item))]


def may_edit(principal: Principal | None, sharing: Sharing) -> str | None:
    """None when ``principal`` may change the object, else what is missing."""
    if principal is None or principal.admin:
        return None
    if not principal.may("analyst"):
        return f"role: changing it needs the analyst role (you are {principal.role})"
    if sharing.owner_team is None:
        if sharing.created_by is not None and sharing.created_by == creator_of(principal):
            return None
        return "owner_team: it belongs to no team; only its creator or an admin may change it"
    if sharing.owner_team in principal.teams:
        return None
    mine = ", ".join(principal.teams) or "none"
    return f"owner_team: it belongs to team {sharing.owner_team!r}; you are not in it (your teams: {mine})"


def check_edit(principal: Principal | None, sharing: Sharing, *, what: str) -> None:
    """Refuse (403) a change of ``what`` (``topic 'panne'``) the caller may not make."""
    missing = may_edit(principal, sharing)
    if missing is not None:
        field, reason = missing.split(": ", 1)
        raise Forbidden(f"{field}: cannot change {what}: {reason}", field=field)


def _check_owner(principal: Principal | None, store: SqlStore, owner_team: str | None) -> None:
    """An analyst gives only one of their teams; an admin (or the operator) any name, a team of
    ``veille.toml`` perhaps not created yet."""
    if owner_team is None or principal is None or principal.admin:
        return
    if owner_team not in principal.teams:
        mine = ", ".join(principal.teams) or "none"
        raise Forbidden(
            f"owner_team: you are not in team {owner_team!r} (your teams: {mine})", field="owner_team"
        )


def _check_visibility(visibility: str, owner_team: str | None) -> None:
    if visibility not in VISIBILITIES:
        raise Invalid(f"visibility: must be one of {', '.join(VISIBILITIES)}", field="visibility")
    if visibility == "team" and owner_team is None:
        raise Invalid("visibility: 'team' needs an owner_team", field="visibility")


def sharing_for_new(principal: Principal | None, fields: SharingFields | None, *, store: SqlStore) -> Sharing:
    """The sharing of a new object: what was asked, checked; by default the caller's first team
    (an admin's: none) and ``organisation``."""
    fields = fields or SharingFields()
    owner_team = fields.owner_team
    if owner_team is None and principal is not None and not principal.admin and principal.teams:
        owner_team = principal.teams[0]
    visibility = fields.visibility or "organisation"
    _check_owner(principal, store, owner_team)
    _check_visibility(visibility, owner_team)
    return Sharing(owner_team=owner_team, visibility=visibility, created_by=creator_of(principal))


def sharing_for_change(
    principal: Principal | None, current: Sharing, fields: SharingFields | None, *, store: SqlStore
) -> Sharing:
    """The sharing after an update: the fields given replace the current ones (``owner_team``
    given as ``""`` clears it), checked."""
    fields = fields or SharingFields()
    given = fields.model_fields_set
    owner_team = current.owner_team
    if "owner_team" in given:
        owner_team = fields.owner_team or None
        if owner_team != current.owner_team:
            _check_owner(principal, store, owner_team)
    visibility = fields.visibility if "visibility" in given and fields.visibility else current.visibility
    _check_visibility(visibility, owner_team)
    return Sharing(owner_team=owner_team, visibility=visibility, created_by=current.created_by)
