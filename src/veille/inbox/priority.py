"""An inbound post's priority: a score from 0 to 100, and the reasons that make it up.

Four factors, each with a ceiling, so that no single one drowns the others and a desk can read
why a post is at the top:

- **influence** (≤ 30): the author's audience, ``7.5 × log10(followers)``: 1,000 followers give
  22.5 points, 10,000 and more the whole 30;
- **negative sentiment** (≤ 25): a post read as negative, weighted by how negative (score -1: 25);
- **sensitive topic** (25): the post matches a topic of kind ``sensitive`` (a crisis, a safety
  question, a legal matter);
- **waiting** (≤ 20): how much of its SLA the post has already waited; an overdue post gets all 20.

The level is ``urgent`` from 70, ``high`` from 45, ``normal`` from 20, else ``low``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

__all__ = ["LEVELS", "Priority", "Reason", "priority_of"]

LEVELS: tuple[tuple[str, float], ...] = (("urgent", 70.0), ("high", 45.0), ("normal", 20.0), ("low", 0.0))
INFLUENCE_MAX = 30.0
NEGATIVE_MAX = 25.0
SENSITIVE_POINTS = 25.0
WAITING_MAX = 20.0


@dataclass(frozen=True, slots=True)
class Reason:
    """One factor's points, a sentence saying why, and the figures behind it (``values``) for a page
    that words it in its own language."""

    factor: str
    points: float
    detail: str
    values: dict[str, Any] = field(default_factory=dict)

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "factor": self.factor,
            "points": round(self.points, 1),
            "detail": self.detail,
            "values": self.values,
        }


@dataclass(frozen=True, slots=True)
class Priority:
    score: float
    level: str
    reasons: list[Reason] = field(default_factory=list)

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "score": round(self.score, 1),
            "level": self.level,
            "reasons": [reason.to_json_dict() for reason in self.reasons],
        }


def _level(score: float) -> str:
    for name, floor in LEVELS:
        if score >= floor:
            return name
    return "low"


def priority_of(
    *,
    followers: int | None,
    sentiment_label: str | None,
    sentiment_score: float | None,
    sensitive_topics: list[str],
    waited_s: float,
    sla_s: float,
) -> Priority:
    """The priority of one post from its author's followers, its sentiment, its sensitive topics
    and how long it has waited (business seconds, against the SLA)."""
    reasons: list[Reason] = []
    if followers and followers > 1:
        points = min(INFLUENCE_MAX, 7.5 * math.log10(followers))
        reasons.append(Reason("influence", points, f"{followers:,} followers", {"followers": followers}))
    if sentiment_label == "negative":
        strength = abs(sentiment_score) if sentiment_score is not None else 1.0
        points = NEGATIVE_MAX * max(0.4, min(1.0, strength))
        reasons.append(
            Reason(
                "negative", points, f"negative sentiment ({strength:.2f})", {"strength": round(strength, 2)}
            )
        )
    if sensitive_topics:
        reasons.append(
            Reason("sensitive", SENSITIVE_POINTS, "sensitive topic: " + ", ".join(sensitive_topics))
        )
    if waited_s > 0 and sla_s > 0:
        share = waited_s / sla_s
        points = min(WAITING_MAX, WAITING_MAX * share)
        minutes = int(waited_s // 60)
        late = " (SLA passed)" if share >= 1 else ""
        reasons.append(
            Reason("waiting", points, f"waiting {minutes} min of a {int(sla_s // 60)} min SLA{late}")
        )
    score = min(100.0, sum(reason.points for reason in reasons))
    return Priority(score=score, level=_level(score), reasons=sorted(reasons, key=lambda r: -r.points))
