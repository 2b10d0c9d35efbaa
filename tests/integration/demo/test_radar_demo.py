"""The demo's rising questions: the simulator's history, pushed through the real pipeline with the
demo's taxonomy and accounts, puts the sub-topic our accounts never cover (moving an eSIM to a new
phone) on top of the brand's editorial radar, and leaves it out before the rise starts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.support.live_server import LiveHub
from tests.support.workspace import push_posts, serve_workspace
from veille.demo.simulator import RisingQuestions, generate_history
from veille.settings import Settings

END = datetime.now(UTC) - timedelta(minutes=2)
RISE = END - timedelta(hours=10)


@pytest.fixture
def live(hub_settings: Settings) -> Iterator[LiveHub]:
    with serve_workspace(hub_settings) as hub:
        yield hub


@pytest.mark.slow
def test_the_rising_subtopic_tops_the_demo_radar(live: LiveHub, api: httpx.Client) -> None:
    posts = generate_history(
        END - timedelta(hours=36),
        END,
        scenario="quiet_day",
        seed=3,
        count=6000,
        rising=RisingQuestions(start=RISE),
    )
    assert push_posts(live, [post.to_json_dict() for post in posts]) > 5000
    window = {"topic": "nova", "from": (END - timedelta(hours=24)).isoformat(), "to": END.isoformat()}
    answer = api.get("/api/v1/editorial/radar", params=window)
    assert answer.status_code == 200, answer.text
    items = answer.json()["items"]
    assert len(items) >= 3
    top = items[0]
    assert "esim" in top["terms"] or "transfer" in top["terms"], [item["subtopic"] for item in items[:5]]
    assert top["coverage"] == 0 and top["growth"] > 2
    assert any(item["coverage"] == 0 or item["growth"] < 2 for item in items[1:])
    # A day before the rise, nothing about moving an eSIM leads.
    before = {**window, "from": (RISE - timedelta(hours=24)).isoformat(), "to": RISE.isoformat()}
    earlier = api.get("/api/v1/editorial/radar", params=before).json()["items"]
    assert not earlier or "transfer" not in earlier[0]["terms"]
