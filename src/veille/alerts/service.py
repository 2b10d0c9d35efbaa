"""Rule and alert operations: plain functions with keyword-only arguments, shared by the API, the
live engine and the CLI.

Life of an alert: ``open`` → ``acknowledged`` → ``resolved`` or ``false_positive`` (an open alert
may be resolved at once). Every step, assignment, note and playbook tick is a line of the alert's
timeline with who and when.
"""

from __future__ import annotations

from veille.access import Principal
from veille.alerts import repository
from veille.alerts.engine import Change
from veille.alerts.messages import summary
from veille.alerts.models import Alert, Rule, RuleSpec
from veille.clock import format_rfc3339, now_us, to_us
from veille.errors import Conflict, Invalid, NotFound
from veille.query import QueryError, parse_query
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
    "AlertConflict",
    "AlertError",
    "AlertNotFound",
    "RuleNotFound",
    "acknowledge_alert",
    "add_note",
    "assign_alert",
    "check_rule",
    "create_rule",
    "delete_rule",
    "get_alert",
    "get_rule",
    "hidden_rule_ids",
    "list_alerts",
    "list_rules",
    "record_change",
    "resolve_alert",
    "tick_playbook",
    "update_rule",
]

ENGINE = "veille"
CLOSED = ("resolved", "false_positive")


class AlertError(Invalid):
    """A refused rule or alert change (HTTP 422); ``field`` names what is wrong."""


class RuleNotFound(AlertError, NotFound):
    def __init__(self, rule_id: int) -> None:
        super().__init__(f"no alert rule with id {rule_id}", field="id")


class AlertNotFound(AlertError, NotFound):
    def __init__(self, alert_id: int) -> None:
        super().__init__(f"no alert with id {alert_id}", field="id")


class AlertConflict(AlertError, Conflict):
    """A step the alert's status does not allow (acknowledging a resolved alert): HTTP 409."""


# -- rules ---------------------------------------------------------------------------------------


def check_rule(*, store: SqlStore, spec: RuleSpec) -> None:
    """Refuse a rule naming a topic the store does not have, or a query that does not parse."""
    if spec.topic is not None:
        known = {topic.name for topic in list_topics(store=store)}
        if spec.topic not in known:
            raise AlertError(f"topic: unknown topic {spec.topic!r}", field="topic")
    if spec.query is not None:
        try:
            parse_query(spec.query)
        except QueryError as error:
            raise AlertError(f"query: {error}", field="query") from None


def _asked(spec: RuleSpec) -> SharingFields:
    given = spec.model_fields_set
    return SharingFields.model_validate(
        {key: getattr(spec, key) for key in ("owner_team", "visibility") if key in given}
    )


def list_rules(*, store: SqlStore, viewer: Principal | None = None) -> list[Rule]:
    """The rules ``viewer`` may see (None: all: the engine runs every rule)."""
    with store.engine.connect() as connection:
        return visible(viewer, repository.list_rules(connection), Rule.sharing)


def hidden_rule_ids(*, store: SqlStore, viewer: Principal | None) -> frozenset[int]:
    """The rules ``viewer`` may not see: their alerts are hidden from ``viewer`` too (a private
    rule's incidents are seen by who may see the rule, on top of the team scope)."""
    if viewer is None or viewer.admin:
        return frozenset()
    with store.engine.connect() as connection:
        rules = repository.list_rules(connection)
    return frozenset(rule.id for rule in rules if not may_see(viewer, rule.sharing()))


def get_rule(*, store: SqlStore, rule_id: int, viewer: Principal | None = None) -> Rule:
    with store.engine.connect() as connection:
        found = repository.get_rule(connection, rule_id)
    if found is None or not may_see(viewer, found.sharing()):
        raise RuleNotFound(rule_id)
    return found


def create_rule(*, store: SqlStore, spec: RuleSpec, by: Principal | None = None) -> Rule:
    sharing = sharing_for_new(by, _asked(spec), store=store)
    spec = spec.model_copy(update={"owner_team": sharing.owner_team, "visibility": sharing.visibility})
    check_rule(store=store, spec=spec)
    with store.engine.begin() as connection:
        rule_id = repository.insert_rule(connection, spec, created_by=sharing.created_by)
        created = repository.get_rule(connection, rule_id)
        assert created is not None
        record_sharing(
            connection,
            actor=creator_of(by) or "cli",
            kind="alert_rule",
            object_id=rule_id,
            before=None,
            after=created.sharing(),
        )
    return created


def update_rule(*, store: SqlStore, rule_id: int, spec: RuleSpec, by: Principal | None = None) -> Rule:
    current = get_rule(store=store, rule_id=rule_id, viewer=by)
    check_edit(by, current.sharing(), what=f"alert rule {rule_id}")
    sharing = sharing_for_change(by, current.sharing(), _asked(spec), store=store)
    spec = spec.model_copy(update={"owner_team": sharing.owner_team, "visibility": sharing.visibility})
    check_rule(store=store, spec=spec)
    with store.engine.begin() as connection:
        if not repository.update_rule(connection, rule_id, spec):
            raise RuleNotFound(rule_id)
        updated = repository.get_rule(connection, rule_id)
        assert updated is not None
        record_sharing(
            connection,
            actor=creator_of(by) or "cli",
            kind="alert_rule",
            object_id=rule_id,
            before=current.sharing(),
            after=updated.sharing(),
        )
    return updated


def delete_rule(*, store: SqlStore, rule_id: int, by: Principal | None = None) -> None:
    current = get_rule(store=store, rule_id=rule_id, viewer=by)
    check_edit(by, current.sharing(), what=f"alert rule {rule_id}")
    with store.engine.begin() as connection:
        if not repository.delete_rule(connection, rule_id):
            raise RuleNotFound(rule_id)


# -- alerts --------------------------------------------------------------------------------------


def list_alerts(*, store: SqlStore, statuses: list[str] | None = None, limit: int = 200) -> list[Alert]:
    with store.engine.connect() as connection:
        return repository.list_alerts(connection, statuses=statuses, limit=limit)


def get_alert(*, store: SqlStore, alert_id: int) -> Alert:
    with store.engine.connect() as connection:
        found = repository.get_alert(connection, alert_id)
    if found is None:
        raise AlertNotFound(alert_id)
    return found


def record_change(*, store: SqlStore, change: Change, alert_id: int | None, language: str) -> int:
    """Store what the engine found: a new alert (``alert_id`` None) or the incident's new figures.

    Returns the alert's id. Updates refresh the figures, severity and count; the timeline keeps
    the openings, escalations and reminders (not every refresh).
    """
    spec = change.rule.spec
    line = summary(
        kind=spec.kind, topic=spec.topic, query=spec.query, figures=change.figures, language=language
    )
    moment = now_us()
    values = {
        "severity": change.severity,
        "posts": change.posts,
        "summary": line,
        "figures": change.figures,
        "updated_us": moment,
    }
    with store.engine.begin() as connection:
        if alert_id is None:
            rule_id = change.rule.key if isinstance(change.rule.key, int) else None
            alert_id = repository.insert_alert(
                connection,
                {
                    **values,
                    "rule_id": rule_id,
                    "rule_name": spec.name,
                    "kind": spec.kind,
                    "topic": spec.topic,
                    "status": "open",
                    "opened_us": to_us(change.opened_at),
                    "assignee": None,
                    "playbook": list(spec.playbook),
                    "checked": [],
                    "window_s": spec.window_s,
                    "query": spec.query,
                },
            )
            repository.add_event(
                connection,
                alert_id,
                who=ENGINE,
                action="opened",
                text=line,
                data={"at": format_rfc3339(change.at)},
            )
            return alert_id
        repository.update_alert(connection, alert_id, values)
        if change.kind in ("escalated", "reminder", "ended"):
            repository.add_event(
                connection,
                alert_id,
                who=ENGINE,
                action=change.kind,
                text=line,
                data={"at": format_rfc3339(change.at), "severity": change.severity, "posts": change.posts},
            )
    return alert_id


def _step(
    *, store: SqlStore, alert_id: int, who: str, action: str, text: str, values: dict[str, object]
) -> Alert:
    with store.engine.begin() as connection:
        if values and not repository.update_alert(connection, alert_id, {**values, "updated_us": now_us()}):
            raise AlertNotFound(alert_id)
        repository.add_event(connection, alert_id, who=who, action=action, text=text)
        found = repository.get_alert(connection, alert_id)
    assert found is not None
    return found


def _current(store: SqlStore, alert_id: int) -> Alert:
    with store.engine.connect() as connection:
        found = repository.get_alert(connection, alert_id, whole=False)
    if found is None:
        raise AlertNotFound(alert_id)
    return found


def acknowledge_alert(*, store: SqlStore, alert_id: int, who: str, note: str = "") -> Alert:
    alert = _current(store, alert_id)
    if alert.status != "open":
        raise AlertConflict(
            f"status: the alert is {alert.status}; only an open alert is acknowledged", field="status"
        )
    return _step(
        store=store,
        alert_id=alert_id,
        who=who,
        action="acknowledged",
        text=note,
        values={"status": "acknowledged"},
    )


def resolve_alert(*, store: SqlStore, alert_id: int, who: str, outcome: str, note: str = "") -> Alert:
    alert = _current(store, alert_id)
    if alert.status in CLOSED:
        raise AlertConflict(f"status: the alert is already {alert.status}", field="status")
    return _step(
        store=store, alert_id=alert_id, who=who, action=outcome, text=note, values={"status": outcome}
    )


def assign_alert(*, store: SqlStore, alert_id: int, who: str, assignee: str | None) -> Alert:
    _current(store, alert_id)
    return _step(
        store=store,
        alert_id=alert_id,
        who=who,
        action="assigned",
        text=assignee or "",
        values={"assignee": assignee},
    )


def add_note(*, store: SqlStore, alert_id: int, who: str, text: str) -> Alert:
    _current(store, alert_id)
    return _step(store=store, alert_id=alert_id, who=who, action="note", text=text, values={})


def tick_playbook(*, store: SqlStore, alert_id: int, who: str, step: int, done: bool) -> Alert:
    """Tick (or untick) step ``step`` (0-based) of the rule's playbook; the tick goes into the timeline."""
    alert = _current(store, alert_id)
    if not 0 <= step < len(alert.playbook):
        raise AlertError(
            f"step: the playbook has {len(alert.playbook)} steps (0 to {len(alert.playbook) - 1})",
            field="step",
        )
    checked = (
        sorted(set(alert.checked) | {step}) if done else [item for item in alert.checked if item != step]
    )
    action = "playbook" if done else "playbook_undone"
    return _step(
        store=store,
        alert_id=alert_id,
        who=who,
        action=action,
        text=alert.playbook[step],
        values={"checked": checked},
    )
