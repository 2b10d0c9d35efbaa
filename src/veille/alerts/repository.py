"""Rules, alerts, timelines and deliveries in the store (SQLAlchemy Core on the store's engine)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from veille.alerts.models import Alert, AlertEvent, Delivery, Rule, RuleSpec
from veille.clock import from_us, now_us
from veille.store.schema import alert_deliveries, alert_events, alert_rules, alerts

__all__ = [
    "add_delivery",
    "add_event",
    "delete_rule",
    "due_deliveries",
    "get_alert",
    "get_rule",
    "insert_alert",
    "insert_rule",
    "list_alerts",
    "list_rules",
    "mask_url",
    "update_alert",
    "update_delivery",
    "update_rule",
]


def mask_url(url: str) -> str:
    """An Apprise URL as it may be shown: the scheme and host, no credentials, path or token."""
    scheme, _sep, rest = url.partition("://")
    host = rest.split("/", 1)[0].rsplit("@", 1)[-1]
    return f"{scheme}://{host}/…" if "/" in rest or "@" in rest else f"{scheme}://{host}"


# -- rules ---------------------------------------------------------------------------------------


def _rule(row: Any) -> Rule:
    return Rule.model_validate(
        {
            **row.spec,
            "owner_team": row.owner_team,
            "visibility": row.visibility or "organisation",
            "created_by": row.created_by,
            "id": int(row.id),
            "created_at": from_us(int(row.created_us)),
            "updated_at": from_us(int(row.updated_us)),
        }
    )


def list_rules(connection: Connection) -> list[Rule]:
    rows = connection.execute(select(alert_rules).order_by(alert_rules.c.name, alert_rules.c.id))
    return [_rule(row) for row in rows]


def get_rule(connection: Connection, rule_id: int) -> Rule | None:
    row = connection.execute(select(alert_rules).where(alert_rules.c.id == rule_id)).first()
    return None if row is None else _rule(row)


def _rule_values(spec: RuleSpec) -> dict[str, Any]:
    return {
        "name": spec.name,
        "kind": spec.kind,
        "enabled": spec.enabled,
        "spec": spec.model_dump(mode="json"),
        "owner_team": spec.owner_team,
        "visibility": spec.visibility,
    }


def insert_rule(connection: Connection, spec: RuleSpec, *, created_by: str | None = None) -> int:
    moment = now_us()
    result = connection.execute(
        insert(alert_rules).values(
            **_rule_values(spec), created_by=created_by, created_us=moment, updated_us=moment
        )
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def update_rule(connection: Connection, rule_id: int, spec: RuleSpec) -> bool:
    result = connection.execute(
        update(alert_rules)
        .where(alert_rules.c.id == rule_id)
        .values(**_rule_values(spec), updated_us=now_us())
    )
    return result.rowcount > 0


def delete_rule(connection: Connection, rule_id: int) -> bool:
    connection.execute(update(alerts).where(alerts.c.rule_id == rule_id).values(rule_id=None))
    result = connection.execute(delete(alert_rules).where(alert_rules.c.id == rule_id))
    return result.rowcount > 0


# -- alerts --------------------------------------------------------------------------------------


def _event(row: Any) -> AlertEvent:
    return AlertEvent(
        at=from_us(int(row.at_us)), who=row.who, action=row.action, text=row.text, data=row.data or {}
    )


def _delivery(row: Any) -> Delivery:
    return Delivery(
        id=int(row.id),
        target=row.target,
        reason=row.reason,
        status=row.status,
        attempts=int(row.attempts),
        last_error=row.last_error,
        next_attempt_at=None if row.next_attempt_us is None else from_us(int(row.next_attempt_us)),
        delivered_at=None if row.delivered_us is None else from_us(int(row.delivered_us)),
    )


def _alert(
    row: Any, events: list[AlertEvent] | None = None, deliveries: list[Delivery] | None = None
) -> Alert:
    return Alert(
        id=int(row.id),
        rule=row.rule_name,
        rule_id=row.rule_id,
        kind=row.kind,
        topic=row.topic,
        severity=row.severity,
        status=row.status,
        opened_at=from_us(int(row.opened_us)),
        updated_at=from_us(int(row.updated_us)),
        posts=int(row.posts),
        summary=row.summary,
        figures={**(row.figures or {}), "window_s": int(row.window_s), "query": row.query},
        assignee=row.assignee,
        timeline=events or [],
        deliveries=deliveries or [],
        playbook=list(row.playbook or []),
        checked=list(row.checked or []),
    )


def list_alerts(
    connection: Connection, *, statuses: list[str] | None = None, limit: int = 200
) -> list[Alert]:
    query = select(alerts).order_by(alerts.c.opened_us.desc(), alerts.c.id.desc()).limit(limit)
    if statuses:
        query = query.where(alerts.c.status.in_(statuses))
    return [_alert(row) for row in connection.execute(query)]


def get_alert(connection: Connection, alert_id: int, *, whole: bool = True) -> Alert | None:
    row = connection.execute(select(alerts).where(alerts.c.id == alert_id)).first()
    if row is None:
        return None
    if not whole:
        return _alert(row)
    events = [
        _event(item)
        for item in connection.execute(
            select(alert_events)
            .where(alert_events.c.alert_id == alert_id)
            .order_by(alert_events.c.at_us, alert_events.c.id)
        )
    ]
    deliveries = [
        _delivery(item)
        for item in connection.execute(
            select(alert_deliveries)
            .where(alert_deliveries.c.alert_id == alert_id)
            .order_by(alert_deliveries.c.id)
        )
    ]
    return _alert(row, events, deliveries)


def insert_alert(connection: Connection, values: dict[str, Any]) -> int:
    result = connection.execute(insert(alerts).values(**values))
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def update_alert(connection: Connection, alert_id: int, values: dict[str, Any]) -> bool:
    result = connection.execute(update(alerts).where(alerts.c.id == alert_id).values(**values))
    return result.rowcount > 0


def add_event(
    connection: Connection,
    alert_id: int,
    *,
    who: str,
    action: str,
    text: str = "",
    data: dict[str, Any] | None = None,
    at_us: int | None = None,
) -> None:
    connection.execute(
        insert(alert_events).values(
            alert_id=alert_id, at_us=at_us or now_us(), who=who, action=action, text=text, data=data or {}
        )
    )


def add_delivery(
    connection: Connection, alert_id: int, *, url: str, reason: str, title: str, body: str
) -> int:
    moment = now_us()
    result = connection.execute(
        insert(alert_deliveries).values(
            alert_id=alert_id,
            url=url,
            target=mask_url(url),
            reason=reason,
            status="pending",
            attempts=0,
            title=title,
            body=body,
            next_attempt_us=moment,
            created_us=moment,
        )
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def due_deliveries(connection: Connection, *, at_us: int) -> list[Any]:
    """Pending deliveries whose next attempt has come (rows with the URL, title and body)."""
    return list(
        connection.execute(
            select(alert_deliveries)
            .where(alert_deliveries.c.status == "pending", alert_deliveries.c.next_attempt_us <= at_us)
            .order_by(alert_deliveries.c.next_attempt_us, alert_deliveries.c.id)
        )
    )


def update_delivery(connection: Connection, delivery_id: int, values: dict[str, Any]) -> None:
    connection.execute(update(alert_deliveries).where(alert_deliveries.c.id == delivery_id).values(**values))
