"""The alert engine: rules evaluated over a stream of processed posts, in event time (pure, no I/O).

Posts go in (:meth:`AlertEngine.observe`) in the order they arrive; every rule is evaluated at each
event-time second the stream passes (the greatest ``created_at`` seen so far), so a replay of the
same posts gives the same alerts whatever the batches were. :meth:`AlertEngine.flush` evaluates the
current second too (the live engine calls it after each batch so that an alert needs no later
post to be raised; it can only raise an alert the next second's evaluation would raise at the same
``opened_at``).

Grouping: one rule has at most one incident at a time. An incident opens when the condition turns
true, is *updated* while it stays true (figures refreshed, no notification), *escalates* when its
severity rises (a notification), sends a *reminder* once ``cooldown_s`` has passed since the last
notification while still true, and *ends* once the condition has been false for ``cooldown_s``
(at least one window): the next time it turns true is a new incident.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from veille.alerts.detectors import CareSla, Detector, Reading, make_detector
from veille.alerts.models import SEVERITIES, RuleSpec, severity_rank
from veille.model import Post
from veille.query import compile_tester, parse_query, view_post

__all__ = ["AlertEngine", "Change", "EngineRule"]

ChangeKind = Literal["opened", "updated", "escalated", "reminder", "ended"]
NOTIFYING = frozenset({"opened", "escalated", "reminder"})
UPDATE_EVERY_S = 30


@dataclass(frozen=True, slots=True)
class EngineRule:
    """A rule as the engine runs it: the spec, and a key (the stored id, or the rule's name)."""

    key: int | str
    spec: RuleSpec


@dataclass(slots=True)
class Change:
    """Something that happened to an incident, at an event-time moment (``at``)."""

    kind: ChangeKind
    rule: EngineRule
    incident: int  # the engine's incident number (stable for one engine run)
    at: datetime
    opened_at: datetime
    severity: str
    posts: int
    figures: dict[str, Any]

    @property
    def notifies(self) -> bool:
        return self.kind in NOTIFYING

    def to_json_dict(self) -> dict[str, Any]:
        """The line ``veille alerts replay`` prints for an opening; updates add ``event`` and ``at``."""
        data: dict[str, Any] = {
            "rule": self.rule.spec.name,
            "opened_at": self.opened_at.isoformat().replace("+00:00", "Z"),
            "severity": self.severity,
            "posts": self.posts,
        }
        if self.kind != "opened":
            data = {"event": self.kind, "at": self.at.isoformat().replace("+00:00", "Z"), **data}
        return data


@dataclass(slots=True)
class _Incident:
    number: int
    opened_s: int
    severity: str
    posts: int
    last_notified_s: int
    last_update_s: int
    last_true_s: int
    figures: dict[str, Any] = field(default_factory=dict)
    posts_at_update: int = 0


def _moment(second: int) -> datetime:
    return datetime.fromtimestamp(second, UTC)


def _severity(base: str, magnitude: float) -> str:
    """The rule's severity, one step up at 3× its trigger level and two at 10×."""
    steps = 2 if magnitude >= 10 else 1 if magnitude >= 3 else 0
    return SEVERITIES[min(len(SEVERITIES) - 1, severity_rank(base) + steps)]


class _RuleState:
    def __init__(self, rule: EngineRule, detector: Detector, matches: Callable[[Post], bool]) -> None:
        self.rule = rule
        self.detector = detector
        self.matches = matches
        self.incident: _Incident | None = None
        self.last_evaluated_s: int | None = None


class AlertEngine:
    """Rules over a stream of processed posts; see the module docstring."""

    def __init__(
        self,
        rules: Iterable[EngineRule],
        *,
        curated: Mapping[tuple[str, str], str] | None = None,
        accounts: Iterable[tuple[str, str]] = (),
        topic_queries: Mapping[str, str] | None = None,
    ) -> None:
        self.curated = dict(curated or {})
        self.accounts = set(accounts)
        self.topic_queries = dict(topic_queries or {})
        self._post_topics: frozenset[str] = frozenset()
        self._viewed: Post | None = None
        self._view: Any = None
        self._states: list[_RuleState] = []
        self._incidents = 0
        self.watermark_s: int | None = None  # the greatest created_at second seen
        self._evaluated_s: int | None = None
        for rule in rules:
            self.add_rule(rule)

    # -- rules -------------------------------------------------------------------------------
    def _matcher(self, spec: RuleSpec) -> Callable[[Post], bool]:
        if spec.topic:
            name = spec.topic
            return lambda post: any(match.name == name for match in post.topics)
        if spec.query:
            # A topic: reference inside a rule's query means "the pipeline matched that topic".
            def topic_tester(name: str) -> Callable[[Any], bool]:
                return lambda _view: name in self._post_topics

            tester = compile_tester(parse_query(spec.query).root, topic_tester)

            def matches(post: Post) -> bool:
                return bool(tester(self._view_of(post)))

            return matches
        return lambda _post: True

    def _view_of(self, post: Post) -> Any:
        """The post as queries read it, built once per post whatever the number of query rules."""
        if self._viewed is not post:
            self._viewed = post
            self._view = view_post(post)
            self._post_topics = frozenset(match.name for match in post.topics)
        return self._view

    def add_rule(self, rule: EngineRule) -> None:
        """Start evaluating ``rule`` (a rule of the same key is replaced, its history forgotten)."""
        self.remove_rule(rule.key)
        if not rule.spec.enabled:
            return
        detector = make_detector(rule.spec, curated=self.curated, accounts=self._accounts_for(rule.spec))
        self._states.append(_RuleState(rule, detector, self._matcher(rule.spec)))

    def _accounts_for(self, spec: RuleSpec) -> set[tuple[str, str]]:
        if spec.account:
            platform, _sep, handle = spec.account.partition(":")
            return {(platform.strip().lower(), handle.strip().removeprefix("@").lower())}
        return self.accounts

    def remove_rule(self, key: int | str) -> None:
        self._states = [state for state in self._states if state.rule.key != key]

    @property
    def rules(self) -> list[EngineRule]:
        return [state.rule for state in self._states]

    def detector(self, key: int | str) -> Detector | None:
        return next((state.detector for state in self._states if state.rule.key == key), None)

    def end_incident(self, key: int | str) -> None:
        """Forget the rule's incident (closed by a person): the next true condition opens a new one."""
        for state in self._states:
            if state.rule.key == key:
                state.incident = None

    # -- input -------------------------------------------------------------------------------
    def observe(self, posts: Iterable[Post]) -> list[Change]:
        """Feed posts in arrival order; returns what changed at the seconds the stream passed."""
        changes: list[Change] = []
        for post in posts:
            second = int(post.created_at.timestamp())
            if self.watermark_s is not None and second > self.watermark_s:
                # Every second up to the previous watermark is complete: evaluate it once.
                changes.extend(self._evaluate(self.watermark_s))
            if self.watermark_s is None or second > self.watermark_s:
                self.watermark_s = second
            for state in self._states:
                detector = state.detector
                if isinstance(detector, CareSla):
                    detector.add_any(post, second)
                if not state.matches(post):
                    continue
                detector.add(post, second)
                reading = detector.observe_post(post, second)
                if reading is not None:
                    changes.extend(self._apply(state, reading, second))
        return changes

    def flush(self) -> list[Change]:
        """Evaluate at the watermark now (the live engine, after each batch; replay, at the end)."""
        if self.watermark_s is None:
            return []
        return self._evaluate(self.watermark_s)

    def _evaluate(self, second: int) -> list[Change]:
        changes: list[Change] = []
        for state in self._states:
            if state.rule.spec.kind == "influencer":
                changes.extend(self._expire(state, second))
                continue
            detector = state.detector
            every = detector.every_s
            if (
                every > 1
                and state.last_evaluated_s is not None
                and second // every == state.last_evaluated_s // every
            ):
                continue
            state.last_evaluated_s = second
            detector.prune(second)
            found = self._apply(state, detector.evaluate(second), second)
            if found and state.rule.spec.kind != "care_sla":
                found[-1].figures.update(detector.explain(second))
            changes.extend(found)
        self._evaluated_s = second
        return changes

    # -- incidents ---------------------------------------------------------------------------
    def _change(self, kind: ChangeKind, state: _RuleState, incident: _Incident, second: int) -> Change:
        return Change(
            kind=kind,
            rule=state.rule,
            incident=incident.number,
            at=_moment(second),
            opened_at=_moment(incident.opened_s),
            severity=incident.severity,
            posts=incident.posts,
            figures=incident.figures,
        )

    def _quiet_after(self, spec: RuleSpec) -> int:
        return max(spec.cooldown_s, spec.window_s)

    def _expire(self, state: _RuleState, second: int) -> list[Change]:
        incident = state.incident
        if incident is not None and second - incident.last_true_s >= self._quiet_after(state.rule.spec):
            state.incident = None
            return [self._change("ended", state, incident, second)]
        return []

    def _apply(self, state: _RuleState, reading: Reading, second: int) -> list[Change]:
        spec = state.rule.spec
        incident = state.incident
        if not reading.active:
            return self._expire(state, second)
        severity = _severity(spec.severity, reading.magnitude)
        if incident is None:
            self._incidents += 1
            incident = _Incident(
                number=self._incidents,
                opened_s=second,
                severity=severity,
                posts=reading.posts,
                last_notified_s=second,
                last_update_s=second,
                last_true_s=second,
                figures=reading.figures,
                posts_at_update=reading.posts,
            )
            state.incident = incident
            return [self._change("opened", state, incident, second)]
        incident.last_true_s = second
        incident.figures = reading.figures
        if spec.kind == "influencer":
            incident.posts = reading.posts
        else:
            incident.posts = max(incident.posts, reading.posts)
        if severity_rank(severity) > severity_rank(incident.severity):
            incident.severity = severity
            incident.last_notified_s = incident.last_update_s = second
            return [self._change("escalated", state, incident, second)]
        if spec.cooldown_s and second - incident.last_notified_s >= spec.cooldown_s:
            incident.last_notified_s = incident.last_update_s = second
            return [self._change("reminder", state, incident, second)]
        grown = incident.posts >= incident.posts_at_update * 1.1 + 1
        if grown or second - incident.last_update_s >= UPDATE_EVERY_S or spec.kind == "influencer":
            incident.last_update_s = second
            incident.posts_at_update = incident.posts
            return [self._change("updated", state, incident, second)]
        return []
