"""Scripted scenarios: timelines of phases, each with a post rate, a mix of post kinds and beats.

A phase's ``rate`` multiplies the simulator's ``rate_per_min`` (ramping linearly to ``rate_end``
when given). ``mix`` weighs the kinds of original posts (see :data:`KINDS`); replies, reposts and
copy-pasted near-duplicates follow from them. Beats are scripted posts at a fixed point of a
phase: a journalist's article, an elected representative's statement, a brand announcement.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["BEATS", "KINDS", "SCENARIOS", "Beat", "Phase", "Scenario", "get_scenario", "scenario_names"]

KINDS = (
    "complaint",
    "praise",
    "question",
    "chatter",
    "news",
    "brand_post",
    "launch",
    "event",
    "outage",
    "outage_recovered",
)
BEATS = ("journalist_outage", "elected_outage", "brand_statement", "launch_announce", "event_start")

_EVERYDAY: dict[str, float] = {
    "complaint": 0.17,
    "praise": 0.12,
    "question": 0.13,
    "chatter": 0.33,
    "news": 0.08,
    "brand_post": 0.05,
}


def _mix(**changes: float) -> dict[str, float]:
    mixed = dict(_EVERYDAY)
    mixed.update(changes)
    return mixed


@dataclass(frozen=True, slots=True)
class Beat:
    at: float  # fraction of the phase, in [0, 1)
    kind: str


@dataclass(frozen=True, slots=True)
class Phase:
    name: str
    minutes: float
    mix: Mapping[str, float]
    rate: float = 1.0
    rate_end: float | None = None
    # Share of posts about our brand (the rest are about competitors) among complaints/praise/questions.
    ours_share: float = 0.5
    # Share of posts placed in the scenario's country (outage or event country); others follow weights.
    focus_share: float = 0.0
    # Sentiment split (positive, neutral, negative) of launch and event posts.
    sentiment: tuple[float, float, float] = (0.6, 0.3, 0.1)
    repost_rate: float = 0.05
    duplicate_rate: float = 0.01
    # Our care team in the focus country: delay multiplier and answer-rate multiplier.
    care_delay: float = 1.0
    care_answer: float = 1.0
    # Engagement multiplier of posts in this phase (a crisis gets more likes and reposts).
    heat: float = 1.0
    beats: tuple[Beat, ...] = ()

    def rate_at(self, fraction: float) -> float:
        if self.rate_end is None:
            return self.rate
        return self.rate + (self.rate_end - self.rate) * fraction

    @property
    def mean_rate(self) -> float:
        return self.rate if self.rate_end is None else (self.rate + self.rate_end) / 2


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    description: str
    phases: tuple[Phase, ...]
    focus: str = ""  # "outage" or "event": which profile country the phases' focus_share points at
    diurnal: bool = False  # follow the day/night rhythm when replayed over a past range
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def minutes(self) -> float:
        return sum(phase.minutes for phase in self.phases)

    def expected_primaries_per_rate(self) -> float:
        """Original posts over the whole scenario for ``rate_per_min == 1`` (day/night rhythm left out)."""
        return sum(phase.minutes * phase.mean_rate for phase in self.phases)


SCENARIOS: dict[str, Scenario] = {
    scenario.name: scenario
    for scenario in (
        Scenario(
            name="quiet_day",
            description="An ordinary day: complaints, praise, questions and chatter in every country.",
            phases=(Phase("day", 24 * 60, _mix()),),
            diurnal=True,
        ),
        Scenario(
            name="product_launch",
            description="The launch of a new box with its hashtag: enthusiasm first, then mixed reviews.",
            phases=(
                Phase("teaser", 30, _mix(launch=0.12)),
                Phase(
                    "launch",
                    60,
                    _mix(launch=1.2, chatter=0.2),
                    rate=2.6,
                    rate_end=2.0,
                    sentiment=(0.75, 0.2, 0.05),
                    repost_rate=0.12,
                    heat=2.0,
                    beats=(Beat(0.0, "launch_announce"),),
                ),
                Phase(
                    "first_reviews",
                    75,
                    _mix(launch=0.9, chatter=0.25),
                    rate=1.8,
                    rate_end=1.3,
                    sentiment=(0.35, 0.25, 0.4),
                    repost_rate=0.08,
                    heat=1.5,
                ),
                Phase("settling", 45, _mix(launch=0.25), rate=1.1, sentiment=(0.4, 0.3, 0.3)),
            ),
        ),
        Scenario(
            name="live_event",
            description="A sponsored live event whose hashtag peaks during the show, then fades.",
            phases=(
                Phase("before", 40, _mix(event=0.15), focus_share=0.3),
                Phase(
                    "opening",
                    30,
                    _mix(event=1.0, chatter=0.2),
                    rate=1.0,
                    rate_end=3.0,
                    focus_share=0.6,
                    sentiment=(0.6, 0.35, 0.05),
                    repost_rate=0.08,
                    heat=1.5,
                    beats=(Beat(0.0, "event_start"),),
                ),
                Phase(
                    "peak",
                    45,
                    _mix(event=2.5, chatter=0.15),
                    rate=4.5,
                    rate_end=4.0,
                    focus_share=0.75,
                    sentiment=(0.72, 0.2, 0.08),
                    repost_rate=0.12,
                    duplicate_rate=0.02,
                    heat=2.5,
                ),
                Phase(
                    "closing",
                    30,
                    _mix(event=1.0),
                    rate=3.0,
                    rate_end=1.3,
                    focus_share=0.5,
                    sentiment=(0.65, 0.25, 0.1),
                ),
                Phase("after", 45, _mix(event=0.15)),
            ),
            focus="event",
        ),
        Scenario(
            name="outage_crisis",
            description="A service outage in one country turns into a crisis: spike, anger, a journalist "
            "amplifying it, reposts, brand replies slowing down, then recovery.",
            phases=(
                Phase("normal", 45, _mix()),
                Phase(
                    "first_signals",
                    20,
                    _mix(outage=0.25),
                    rate=1.3,
                    focus_share=0.5,
                    ours_share=0.6,
                    care_delay=1.5,
                ),
                Phase(
                    "spike",
                    40,
                    _mix(outage=2.2, chatter=0.15, praise=0.04),
                    rate=2.0,
                    rate_end=5.0,
                    focus_share=0.8,
                    ours_share=0.8,
                    repost_rate=0.15,
                    duplicate_rate=0.06,
                    care_delay=3.0,
                    care_answer=0.6,
                    heat=2.0,
                ),
                Phase(
                    "amplification",
                    45,
                    _mix(outage=2.4, news=0.2, chatter=0.1, praise=0.03),
                    rate=6.0,
                    rate_end=4.0,
                    focus_share=0.85,
                    ours_share=0.85,
                    repost_rate=0.2,
                    duplicate_rate=0.08,
                    care_delay=4.0,
                    care_answer=0.5,
                    heat=3.0,
                    beats=(
                        Beat(0.05, "journalist_outage"),
                        Beat(0.25, "brand_statement"),
                        Beat(0.5, "elected_outage"),
                        Beat(0.6, "journalist_outage"),
                    ),
                ),
                Phase(
                    "recovery",
                    60,
                    _mix(outage=0.8, outage_recovered=0.5, chatter=0.2),
                    rate=4.0,
                    rate_end=1.5,
                    focus_share=0.7,
                    ours_share=0.7,
                    repost_rate=0.08,
                    duplicate_rate=0.03,
                    care_delay=2.0,
                    care_answer=0.8,
                    heat=1.5,
                    beats=(Beat(0.3, "brand_statement"),),
                ),
                Phase("aftermath", 40, _mix(outage=0.08, outage_recovered=0.08), rate=1.2, focus_share=0.3),
            ),
            focus="outage",
        ),
    )
}


def scenario_names() -> list[str]:
    return list(SCENARIOS)


def get_scenario(name: str) -> Scenario:
    try:
        return SCENARIOS[name]
    except KeyError:
        raise ValueError(f"unknown scenario {name!r}; choose one of {', '.join(SCENARIOS)}") from None
