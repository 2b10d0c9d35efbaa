"""Topic operations: plain functions with keyword-only arguments, shared by the API and the CLI.

Every change is validated before it is written: the query must parse (the error names the
column), the parent must exist and not make a loop, ``topic:`` references must name existing
enabled topics and make no cycle. With ``live`` (the hub's running monitor) the change reaches
the pipeline at once; the monitor and the store change together or not at all.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from veille.errors import Conflict, Invalid, NotFound, invalid_from, validation_message
from veille.query import Monitor, Query, QueryError, parse_query
from veille.sharing import (
    SharingFields,
    check_edit,
    creator_of,
    record_sharing,
    sharing_for_change,
    sharing_for_new,
    visible,
)

# validation_message stays importable from here (topics.taxonomy, cli.topics use it).
from veille.sharing.models import Principal
from veille.store.sql import SqlStore
from veille.topics import repository
from veille.topics.live import LiveTopics, monitor_for
from veille.topics.models import Topic, TopicChanges, TopicSpec

__all__ = [
    "LoadResult",
    "TopicConflict",
    "TopicError",
    "TopicNotFound",
    "create_topic",
    "delete_topic",
    "get_topic",
    "list_topics",
    "load_topics",
    "update_topic",
    "validation_message",
]

# Serialises changes made without a live monitor (CLI): with one, its lock does it.
_CHANGES = threading.Lock()


class TopicError(Invalid):
    """A refused change (HTTP 422). ``field`` names the field at fault; ``column`` is 1-based in the query."""


class TopicNotFound(TopicError, NotFound):
    """No topic of that name (HTTP 404)."""

    def __init__(self, name: str) -> None:
        super().__init__(f"no topic named {name!r}", field="name")


class TopicConflict(TopicError, Conflict):
    """The change contradicts other topics: the name is taken, or others depend on it (HTTP 409)."""


@dataclass(slots=True)
class LoadResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


# -- reads ---------------------------------------------------------------------------------------


def list_topics(*, store: SqlStore, kind: str | None = None, viewer: Principal | None = None) -> list[Topic]:
    """Every topic (of ``kind``) ``viewer`` may see (None: every topic), by name."""
    found = visible(viewer, repository.list_topics(store), Topic.sharing)
    return [topic for topic in found if kind is None or topic.kind == kind]


def get_topic(*, store: SqlStore, name: str, viewer: Principal | None = None) -> Topic:
    """The topic, or :class:`TopicNotFound` (also when ``viewer`` may not see it)."""
    topic = repository.get_topic(store, name)
    if topic is None or not visible(viewer, [topic], Topic.sharing):
        raise TopicNotFound(name)
    return topic


# -- single changes ------------------------------------------------------------------------------


def create_topic(
    *, store: SqlStore, spec: TopicSpec, live: LiveTopics | None = None, by: Principal | None = None
) -> Topic:
    """Save a new topic. Raises :class:`TopicError` (bad query, parent, reference) or :class:`TopicConflict`.

    ``by`` (None: the operator) owns it through its team (its first by default) and must be in it."""
    asked = SharingFields(owner_team=spec.owner_team, visibility=spec.visibility)
    sharing = sharing_for_new(by, asked, store=store)
    spec = spec.model_copy(update={"owner_team": sharing.owner_team, "visibility": sharing.visibility})
    query = _parse(spec)
    with _changing(store, live) as monitor:
        existing = {topic.name: topic for topic in repository.list_topics(store)}
        if spec.name in existing:
            raise TopicConflict(f"topic {spec.name!r} already exists; update it instead", field="name")
        _check_parent(spec, existing)
        _check_references(spec, query, existing)
        undo = _monitor_apply(monitor, spec.name, None, spec, query)
        try:
            with store.engine.begin() as connection:
                repository.insert_topics(connection, [spec], created_by=sharing.created_by)
                record_sharing(
                    connection,
                    actor=creator_of(by) or "cli",
                    kind="topic",
                    object_id=spec.name,
                    before=None,
                    after=sharing,
                )
        except Exception:
            undo()
            raise
    return get_topic(store=store, name=spec.name)


def update_topic(
    *,
    store: SqlStore,
    name: str,
    changes: TopicChanges | Mapping[str, Any],
    live: LiveTopics | None = None,
    by: Principal | None = None,
) -> Topic:
    """Change some fields of a topic (the name cannot change); ``by`` must see it (else 404) and
    may change it only when one of their teams owns it (else 403)."""
    if not isinstance(changes, TopicChanges):
        try:
            changes = TopicChanges.model_validate(changes)
        except ValidationError as error:
            raise invalid_from(error, TopicError) from None
    given = changes.given()
    for required in ("query", "kind", "enabled", "visibility"):
        if required in given and given[required] is None:
            raise TopicError(f"{required}: must not be null", field=required)
    with _changing(store, live) as monitor:
        existing = {topic.name: topic for topic in repository.list_topics(store)}
        old = existing.get(name)
        if old is None or not visible(by, [old], Topic.sharing):
            raise TopicNotFound(name)
        check_edit(by, old.sharing(), what=f"topic {name!r}")
        asked = SharingFields.model_validate(
            {key: given[key] for key in ("owner_team", "visibility") if key in given}
        )
        sharing = sharing_for_change(by, old.sharing(), asked, store=store)
        given = {**given, "owner_team": sharing.owner_team, "visibility": sharing.visibility}
        try:
            spec = TopicSpec.model_validate({**old.spec().model_dump(), **given})
        except ValidationError as error:
            raise invalid_from(error, TopicError) from None
        query = _parse(spec)
        _check_parent(spec, existing)
        _check_references(spec, query, existing)
        if old.enabled and not spec.enabled:
            _check_not_referenced(name, existing, enabled_only=True)
        undo = _monitor_apply(monitor, name, old, spec, query)
        try:
            with store.engine.begin() as connection:
                repository.update_topic(connection, spec)
                record_sharing(
                    connection,
                    actor=creator_of(by) or "cli",
                    kind="topic",
                    object_id=name,
                    before=old.sharing(),
                    after=sharing,
                )
        except Exception:
            undo()
            raise
    return get_topic(store=store, name=name)


def delete_topic(
    *, store: SqlStore, name: str, live: LiveTopics | None = None, by: Principal | None = None
) -> None:
    """Delete a topic and its stored matches; refused while it has sub-topics or is referenced."""
    with _changing(store, live) as monitor:
        existing = {topic.name: topic for topic in repository.list_topics(store)}
        old = existing.get(name)
        if old is None or not visible(by, [old], Topic.sharing):
            raise TopicNotFound(name)
        check_edit(by, old.sharing(), what=f"topic {name!r}")
        children = sorted(topic.name for topic in existing.values() if topic.parent == name)
        if children:
            raise TopicConflict(
                f"topic {name!r} has sub-topics: {', '.join(children)}; move or delete them first",
                field="name",
            )
        _check_not_referenced(name, existing, enabled_only=False)
        undo = _monitor_apply(monitor, name, old, None, None)
        try:
            with store.engine.begin() as connection:
                repository.delete_topic(connection, name)
        except Exception:
            undo()
            raise


# -- many at once --------------------------------------------------------------------------------


def load_topics(*, store: SqlStore, specs: Sequence[TopicSpec], live: LiveTopics | None = None) -> LoadResult:
    """Create or update many topics at once (a taxonomy, ``[[topics]]`` of veille.toml).

    Topics not named are left alone. The whole resulting set is validated first, so the specs may
    come in any order (a parent after its children, a reference before its target); nothing is
    written when one is refused, and the error names which one.
    """
    seen: set[str] = set()
    for index, spec in enumerate(specs):
        if spec.name in seen:
            raise TopicError(f"topics[{index}] ({spec.name}): name: given twice", field="name")
        seen.add(spec.name)
    with _changing(store, live, build=False):
        existing = {topic.name: topic for topic in repository.list_topics(store)}
        after: dict[str, TopicSpec] = {name: topic.spec() for name, topic in existing.items()}
        after.update({spec.name: spec for spec in specs})
        for index, spec in enumerate(specs):
            prefix = f"topics[{index}] ({spec.name}): "
            try:
                query = _parse(spec)
                _check_parent(spec, after)
                _check_references(spec, query, after)
            except TopicError as error:
                raise TopicError(prefix + str(error), field=error.field, column=error.column) from None
        try:
            monitor = monitor_for(after.values())
        except QueryError as error:
            raise TopicError(f"topics: {error}", field="query") from None
        result = LoadResult()
        created = [spec for spec in specs if spec.name not in existing]
        changed = [spec for spec in specs if spec.name in existing and existing[spec.name].spec() != spec]
        with store.engine.begin() as connection:
            repository.insert_topics(connection, created)
            for spec in changed:
                repository.update_topic(connection, spec)
        if live is not None:
            live.replace(monitor)
        result.created = [spec.name for spec in created]
        result.updated = [spec.name for spec in changed]
        changed_names = set(result.created) | set(result.updated)
        result.unchanged = [spec.name for spec in specs if spec.name not in changed_names]
    return result


# -- validation ----------------------------------------------------------------------------------


@contextmanager
def _changing(store: SqlStore, live: LiveTopics | None, *, build: bool = True) -> Iterator[Monitor]:
    """Hold the change lock; yield the monitor that validates reference cycles and depth.

    With the hub's live monitor, that is the live one (changed in place). Without (the CLI), a
    monitor of the stored topics is built for the check and then dropped.
    """
    if live is not None:
        with live.lock:
            yield live.monitor
        return
    with _CHANGES:
        yield monitor_for(repository.list_topics(store)) if build else Monitor()


def _parse(spec: TopicSpec) -> Query:
    try:
        return parse_query(spec.query)
    except QueryError as error:
        raise TopicError(f"query: {error}", field="query", column=error.column) from None


def _check_parent(spec: TopicSpec, topics: Mapping[str, Topic | TopicSpec]) -> None:
    if spec.parent is None:
        return
    if spec.parent == spec.name:
        raise TopicError("parent: a topic cannot be its own parent", field="parent")
    if spec.parent not in topics:
        raise TopicError(f"parent: no topic named {spec.parent!r}", field="parent")
    path = [spec.name, spec.parent]
    current: str | None = topics[spec.parent].parent
    while current is not None:
        path.append(current)
        if current == spec.name:
            raise TopicError(f"parent: this would make a loop of parents: {' > '.join(path)}", field="parent")
        parent = topics.get(current)
        current = parent.parent if parent is not None else None


def _check_references(spec: TopicSpec, query: Query, topics: Mapping[str, Topic | TopicSpec]) -> None:
    for target in sorted(query.topics):
        if target == spec.name:
            raise TopicError(f"query: topic:{target} refers to the topic itself", field="query")
        referenced = topics.get(target)
        if referenced is None:
            raise TopicError(f"query: topic:{target}: no topic named {target!r}", field="query")
        if spec.enabled and not referenced.enabled:
            raise TopicError(f"query: topic:{target}: that topic is disabled; enable it first", field="query")


def _check_not_referenced(name: str, topics: Mapping[str, Topic], *, enabled_only: bool) -> None:
    users = []
    for topic in topics.values():
        if topic.name == name or (enabled_only and not topic.enabled) or name not in topic.query:
            continue  # the substring test skips parsing the many topics that cannot refer to it
        try:
            if name in parse_query(topic.query).topics:
                users.append(topic.name)
        except QueryError:
            continue
    if users:
        raise TopicConflict(f"topic {name!r} is used by topic: references in: {', '.join(sorted(users))}")


def _monitor_apply(
    monitor: Monitor, name: str, old: Topic | None, new: TopicSpec | None, query: Query | None
) -> Any:
    """Apply the change to the monitor (validating cycles and depth); return the function undoing it."""
    was = old is not None and old.enabled
    now = new is not None and new.enabled
    try:
        if was and now:
            assert old is not None and query is not None
            monitor.update(name, query)
            return lambda: monitor.update(name, old.query)
        if was:
            assert old is not None
            monitor.remove(name)
            return lambda: monitor.add(name, old.query)
        if now:
            assert query is not None
            monitor.add(name, query)
            return lambda: monitor.remove(name)
    except QueryError as error:
        raise TopicError(f"query: {error}", field="query", column=error.column) from None
    return lambda: None
