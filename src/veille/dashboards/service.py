"""Dashboard operations: plain functions with keyword-only arguments, shared by the API and the demo seed.

A dashboard is checked against the store before it is written: every topic it names (in its filters,
a widget's ``options.topics`` or its own narrowing ``options.filters.topics``) must exist, so a saved dashboard never asks the analytics for a
topic nobody can match. The rest of the checking is the models' (types, ranges, countries, grid).
"""

from __future__ import annotations

from collections.abc import Iterable

from veille.access import Principal
from veille.dashboards import repository
from veille.dashboards.models import Dashboard, DashboardSpec
from veille.errors import Invalid, NotFound
from veille.sharing import (
    SharingFields,
    check_edit,
    creator_of,
    may_see,
    record_sharing,
    sharing_for_change,
    sharing_for_new,
    visible,
)
from veille.store.sql import SqlStore
from veille.topics.service import list_topics

__all__ = [
    "DashboardError",
    "DashboardNotFound",
    "create_dashboard",
    "delete_dashboard",
    "get_dashboard",
    "list_dashboards",
    "update_dashboard",
]


class DashboardError(Invalid):
    """A refused dashboard (HTTP 422); ``field`` names what is wrong (``filters.topics``, ``widgets.2.options.topics``)."""


class DashboardNotFound(DashboardError, NotFound):
    """No dashboard with that id (HTTP 404)."""

    def __init__(self, dashboard_id: int) -> None:
        super().__init__(f"no dashboard with id {dashboard_id}", field="id")


def _topic_names(value: object) -> list[str] | None:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return list(value)
    return None


def _check_topics(field: str, names: Iterable[str], known: set[str]) -> None:
    unknown = [name for name in names if name not in known]
    if unknown:
        raise DashboardError(f"{field}: unknown topic {unknown[0]!r}", field=field)


def check_dashboard(*, store: SqlStore, spec: DashboardSpec) -> None:
    """Refuse a dashboard that names topics the store does not have (the field says where)."""
    known = {topic.name for topic in list_topics(store=store)}
    _check_topics("filters.topics", spec.filters.topics, known)
    for index, widget in enumerate(spec.widgets):
        narrowing = widget.options.get("filters") or {}
        if not isinstance(narrowing, dict):
            field = f"widgets.{index}.options.filters"
            raise DashboardError(f"{field}: expected an object of filters", field=field)
        for field, value in (
            (f"widgets.{index}.options.topics", widget.options.get("topics")),
            (f"widgets.{index}.options.filters.topics", narrowing.get("topics")),
        ):
            names = _topic_names(value)
            if names is None:
                raise DashboardError(f"{field}: expected a list of topic names", field=field)
            _check_topics(field, names, known)


def _asked(spec: DashboardSpec) -> SharingFields:
    given = spec.model_fields_set
    return SharingFields.model_validate(
        {key: getattr(spec, key) for key in ("owner_team", "visibility") if key in given}
    )


def list_dashboards(*, store: SqlStore, viewer: Principal | None = None) -> list[Dashboard]:
    """The dashboards ``viewer`` may see (None: all), by name."""
    return visible(viewer, repository.list_dashboards(store), Dashboard.sharing)


def get_dashboard(*, store: SqlStore, dashboard_id: int, viewer: Principal | None = None) -> Dashboard:
    with store.engine.connect() as connection:
        found = repository.get_dashboard(connection, dashboard_id)
    if found is None or not may_see(viewer, found.sharing()):
        raise DashboardNotFound(dashboard_id)
    return found


def create_dashboard(
    *, store: SqlStore, spec: DashboardSpec, owner: str, by: Principal | None = None
) -> Dashboard:
    """Save a new dashboard owned by ``owner`` (the creating user) and ``by``'s team (checked)."""
    sharing = sharing_for_new(by, _asked(spec), store=store)
    spec = spec.model_copy(update={"owner_team": sharing.owner_team, "visibility": sharing.visibility})
    check_dashboard(store=store, spec=spec)
    with store.engine.begin() as connection:
        dashboard_id = repository.insert_dashboard(connection, spec, owner=owner)
        created = repository.get_dashboard(connection, dashboard_id)
        assert created is not None
        record_sharing(
            connection,
            actor=creator_of(by) or owner,
            kind="dashboard",
            object_id=dashboard_id,
            before=None,
            after=created.sharing(),
        )
    return created


def update_dashboard(
    *, store: SqlStore, dashboard_id: int, spec: DashboardSpec, by: Principal | None = None
) -> Dashboard:
    """Replace a dashboard's name, description, filters, widgets and sharing (the owner stays);
    absent sharing fields stay as they were."""
    current = get_dashboard(store=store, dashboard_id=dashboard_id, viewer=by)
    check_edit(by, current.sharing(), what=f"dashboard {dashboard_id}")
    sharing = sharing_for_change(by, current.sharing(), _asked(spec), store=store)
    spec = spec.model_copy(update={"owner_team": sharing.owner_team, "visibility": sharing.visibility})
    check_dashboard(store=store, spec=spec)
    with store.engine.begin() as connection:
        if not repository.update_dashboard(connection, dashboard_id, spec):
            raise DashboardNotFound(dashboard_id)
        updated = repository.get_dashboard(connection, dashboard_id)
        assert updated is not None
        record_sharing(
            connection,
            actor=creator_of(by) or "cli",
            kind="dashboard",
            object_id=dashboard_id,
            before=current.sharing(),
            after=updated.sharing(),
        )
    return updated


def delete_dashboard(*, store: SqlStore, dashboard_id: int, by: Principal | None = None) -> None:
    current = get_dashboard(store=store, dashboard_id=dashboard_id, viewer=by)
    check_edit(by, current.sharing(), what=f"dashboard {dashboard_id}")
    with store.engine.begin() as connection:
        if not repository.delete_dashboard(connection, dashboard_id):
            raise DashboardNotFound(dashboard_id)
