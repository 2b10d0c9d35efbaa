"""Scenarios replayed through the alert engine with a controlled clock (event time only): the outage
raises the expected alerts, at the expected moments, grouped; the quiet day and the product launch
raise no crisis alert; the same posts in other batches give the same alerts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.alert_scenarios import SCENARIO_END, curated_influencers, scenario_posts
from veille.alerts import AlertEngine, Change, EngineRule, RuleSpec

HOURS = 5.0
STORY_START = SCENARIO_END - timedelta(hours=HOURS)
# The outage scenario's phases (minutes): normal 45, first signals 20, spike 40, amplification 45…
FIRST_SIGNALS = STORY_START + timedelta(minutes=45)
AMPLIFICATION_END = STORY_START + timedelta(minutes=45 + 20 + 40 + 45)

CRISIS_RULES = [
    RuleSpec(name="outage spike", kind="volume_spike", topic="outage", window_s=600, severity="warning"),
    RuleSpec(name="nova spike", kind="volume_spike", topic="nova", window_s=600, severity="warning"),
    RuleSpec(name="nova negative", kind="negative_share", topic="nova", window_s=900, threshold=0.2),
    RuleSpec(
        name="outage journalists", kind="influencer", topic="outage", min_followers=0, severity="warning"
    ),
    RuleSpec(name="nova terms", kind="emerging_term", topic="nova", window_s=900, severity="info"),
]


def _run(posts: list, rules: list[RuleSpec] = CRISIS_RULES, batch: int = 500) -> list[Change]:
    engine = AlertEngine([EngineRule(rule.name, rule) for rule in rules], curated=curated_influencers())
    changes: list[Change] = []
    for start in range(0, len(posts), batch):
        changes += engine.observe(posts[start : start + batch])
    return changes + engine.flush()


def _opened(changes: list[Change], rule: str) -> list[Change]:
    return [change for change in changes if change.kind == "opened" and change.rule.spec.name == rule]


@pytest.fixture(scope="module")
def outage() -> list[Change]:
    return _run(scenario_posts("outage_crisis", hours=HOURS))


def test_outage_raises_the_expected_alerts_during_the_crisis(outage: list[Change]) -> None:
    for rule in ("outage spike", "nova negative", "outage journalists", "nova terms"):
        opened = [change for change in _opened(outage, rule) if change.opened_at >= STORY_START]
        assert opened, f"{rule}: no alert during the outage"
        first = opened[0].opened_at
        assert FIRST_SIGNALS <= first <= AMPLIFICATION_END, f"{rule}: opened at {first}"
    spike = [c for c in _opened(outage, "outage spike") if c.opened_at >= STORY_START]
    assert len(spike) == 1, "one incident, one alert: the spike is not raised again while it lasts"
    escalations = [c for c in outage if c.rule.spec.name == "outage spike" and c.kind == "escalated"]
    assert escalations and escalations[-1].severity == "critical"
    updates = [
        c
        for c in outage
        if c.rule.spec.name == "outage spike" and c.kind == "updated" and c.opened_at >= STORY_START
    ]
    assert len(updates) >= 10 and {u.incident for u in updates} == {spike[0].incident}
    # The journalist beat: a curated journalist's post on the outage.
    journalist = _opened(outage, "outage journalists")[0]
    assert journalist.figures["category"] in {"journalist", "elected", "media"}
    # The explanation: how far above the baseline, with the top posts and authors.
    assert spike[0].figures["ratio"] >= 3 and spike[0].figures["baseline"] is not None
    assert spike[0].figures["top_posts"] and spike[0].figures["top_authors"]


def test_no_spike_or_negative_alert_before_the_outage(outage: list[Change]) -> None:
    calm = [
        change
        for change in outage
        if change.kind == "opened"
        and change.opened_at < FIRST_SIGNALS
        and change.rule.spec.kind in ("volume_spike", "negative_share")
    ]
    assert calm == []


def _crisis_alerts(changes: list[Change]) -> list[Change]:
    return [
        c for c in changes if c.kind == "opened" and c.rule.spec.kind in ("volume_spike", "negative_share")
    ]


def test_quiet_day_raises_no_crisis_alert() -> None:
    assert _crisis_alerts(_run(scenario_posts("quiet_day", hours=12.0))) == []


def test_product_launch_raises_no_crisis_alert() -> None:
    changes = _run(scenario_posts("product_launch", hours=HOURS))
    assert [
        c
        for c in _crisis_alerts(changes)
        if c.rule.spec.topic in ("outage", "nova") and c.rule.spec.kind == "negative_share"
    ] == []
    assert _opened(changes, "outage spike") == []


def test_the_same_posts_in_other_batches_give_the_same_alerts() -> None:
    posts = scenario_posts("outage_crisis", hours=HOURS)[-6_000:]
    rules = [CRISIS_RULES[0], CRISIS_RULES[2], CRISIS_RULES[3]]

    def openings(batch: int) -> list[tuple[str, str]]:
        return [
            (c.rule.spec.name, c.opened_at.isoformat())
            for c in _run(posts, rules, batch)
            if c.kind == "opened"
        ]

    assert openings(1) == openings(777) == openings(5000)
    assert openings(777)
