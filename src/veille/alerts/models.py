"""Alert rules and alerts, as clients send them and as they are stored.

A rule watches the posts of one topic (``topic``, a topic name) or of a query-language expression
(``query``); ``care_sla`` rules may watch neither (they follow brand accounts). What each kind
reads of the other fields is in ``docs/alerts.md``:

- ``window_s``: the sliding window, in event time (the posts' ``created_at``);
- ``threshold``: a count (``volume_threshold``, the minimum volume of a ``volume_spike`` or
  ``emerging_term``), a share (``negative_share``: how far above its baseline, 0.2 = 20 points),
  or seconds (``care_sla``: the median response time the accounts promise);
- ``sensitivity``: 0 (only the very unusual) to 1 (the slightly unusual), for the kinds that compare
  with a baseline;
- ``min_followers``: the audience that makes an author an influencer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from veille.sharing.models import Sharing, Visibility

__all__ = [
    "ALERT_STATUSES",
    "KINDS",
    "OUTCOMES",
    "SEVERITIES",
    "Alert",
    "AlertEvent",
    "Delivery",
    "Rule",
    "RuleSpec",
    "severity_rank",
]

Kind = Literal[
    "volume_threshold", "volume_spike", "negative_share", "influencer", "emerging_term", "care_sla"
]
KINDS: tuple[str, ...] = get_args(Kind)
Severity = Literal["info", "warning", "critical"]
SEVERITIES: tuple[str, ...] = get_args(Severity)
AlertStatus = Literal["open", "acknowledged", "resolved", "false_positive"]
ALERT_STATUSES: tuple[str, ...] = get_args(AlertStatus)
Outcome = Literal["resolved", "false_positive"]
OUTCOMES: tuple[str, ...] = get_args(Outcome)

# What a rule's threshold means when it is left out, per kind.
DEFAULT_THRESHOLDS: dict[str, float] = {
    "volume_threshold": 100.0,
    "volume_spike": 20.0,
    "negative_share": 0.2,
    "influencer": 0.0,
    "emerging_term": 15.0,
    "care_sla": 3600.0,
}
MAX_NOTIFY = 16
MAX_PLAYBOOK = 40


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity)


class RuleSpec(BaseModel):
    """What a client sends to create or replace a rule."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    kind: Kind
    topic: str | None = Field(default=None, max_length=64, description="a topic name")
    query: str | None = Field(default=None, max_length=4000, description="a query-language expression")
    window_s: int = Field(default=600, ge=10, le=7 * 86400, description="sliding window, event time")
    threshold: float | None = Field(default=None, ge=0, description="see docs/alerts.md, per kind")
    sensitivity: float = Field(
        default=0.5, ge=0, le=1, description="0: only the very unusual; 1: the slightly"
    )
    min_followers: int = Field(default=100_000, ge=0)
    severity: Severity = "warning"
    cooldown_s: int = Field(default=1800, ge=0, le=7 * 86400)
    notify: list[str] = Field(default_factory=list, max_length=MAX_NOTIFY, description="Apprise URLs")
    playbook: list[str] = Field(default_factory=list, max_length=MAX_PLAYBOOK)
    enabled: bool = True
    account: str | None = Field(
        default=None, max_length=240, description="care_sla: one account as platform:handle (default: ours)"
    )
    owner_team: str | None = Field(default=None, max_length=128, description="the team that owns it")
    visibility: Visibility = "organisation"
    min_response_rate: float = Field(
        default=0.8, ge=0, le=1, description="care_sla: the promised response rate"
    )

    @field_validator("playbook", mode="before")
    @classmethod
    def _lines(cls, value: Any) -> Any:
        """A playbook given as one text is a checklist of its non-empty lines."""
        if isinstance(value, str):
            return [line.strip() for line in value.splitlines() if line.strip()]
        return value

    @field_validator("playbook")
    @classmethod
    def _steps(cls, value: list[str]) -> list[str]:
        steps = [step.strip() for step in value]
        if any(not step or len(step) > 500 for step in steps):
            raise ValueError("each step is 1 to 500 characters")
        return steps

    @field_validator("notify")
    @classmethod
    def _urls(cls, value: list[str]) -> list[str]:
        urls = [url.strip() for url in value]
        for url in urls:
            scheme, separator, rest = url.partition("://")
            if not separator or not scheme or not rest or len(url) > 2000:
                raise ValueError(f"{url[:80]!r} is not an Apprise URL such as json://host/path")
        return urls

    @field_validator("topic", "query", "account")
    @classmethod
    def _empty_is_none(cls, value: str | None) -> str | None:
        return value or None

    @model_validator(mode="after")
    def _scope(self) -> RuleSpec:
        if self.topic and self.query:
            raise ValueError("give a topic or a query, not both")
        if not (self.topic or self.query) and self.kind != "care_sla":
            raise ValueError(f"a {self.kind} rule needs a topic (a topic name) or a query")
        if self.account is not None and ":" not in self.account:
            raise ValueError("account: expected platform:handle, such as x:@orange_care")
        return self

    @property
    def effective_threshold(self) -> float:
        return DEFAULT_THRESHOLDS[self.kind] if self.threshold is None else self.threshold


class Rule(RuleSpec):
    """A stored rule: its id and when it was created and last changed."""

    id: int
    created_by: str | None = None
    created_at: datetime
    updated_at: datetime

    def to_json_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = self.model_dump(mode="json")
        return data

    def sharing(self) -> Sharing:
        return Sharing(owner_team=self.owner_team, visibility=self.visibility, created_by=self.created_by)


class AlertEvent(BaseModel):
    """One line of an alert's timeline: who did what, when (``who`` is ``veille`` for the engine)."""

    at: datetime
    who: str
    action: str  # opened, updated, escalated, notified, acknowledged, assigned, note, playbook, resolved…
    text: str = ""
    data: dict[str, Any] = Field(default_factory=dict)


class Delivery(BaseModel):
    """One notification of an alert to one Apprise URL (the URL masked) and how it went."""

    id: int
    target: str
    reason: str  # opened, escalated, reminder
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    last_error: str | None = None
    next_attempt_at: datetime | None = None
    delivered_at: datetime | None = None


class Alert(BaseModel):
    """An incident: one rule's condition, true from ``opened_at``, its latest figures and its life."""

    id: int
    rule: str
    rule_id: int | None
    kind: str
    topic: str | None
    severity: Severity
    status: AlertStatus
    opened_at: datetime
    updated_at: datetime
    posts: int
    summary: str
    figures: dict[str, Any] = Field(default_factory=dict)
    assignee: str | None = None
    timeline: list[AlertEvent] = Field(default_factory=list)
    deliveries: list[Delivery] = Field(default_factory=list)
    playbook: list[str] = Field(default_factory=list)
    checked: list[int] = Field(default_factory=list)

    def list_item(self) -> dict[str, Any]:
        """The shape of ``GET /api/v1/alerts``' items."""
        data = self.model_dump(
            mode="json",
            include={
                "id",
                "rule",
                "kind",
                "topic",
                "severity",
                "status",
                "opened_at",
                "updated_at",
                "posts",
                "summary",
            },
        )
        return data
