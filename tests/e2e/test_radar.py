"""The editorial radar and a brief in Chromium, in English and French, dark and light: the planted
rising eSIM questions (which our account never covered) come first, "Make a brief" makes a brief
and opens its page. Screenshots: tests/e2e/screenshots/radar-*.png."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import PageProblems, log_in
from tests.support.live_server import LiveHub
from veille.accounts import create_account
from veille.editorial.planted import OUR_ACCOUNT, TOPIC, plant

pytestmark = pytest.mark.browser


def _load(live: LiveHub) -> None:
    planting = plant(lang="en", seed=5, end=datetime.now(UTC) - timedelta(minutes=1))
    live.hub.store.upsert_posts(planting.posts)
    create_account(store=live.hub.store, spec=OUR_ACCOUNT)
    for name, kind, query in ((TOPIC, "brand", "nova"), ("salon", "event", "salon")):
        answer = httpx.post(
            f"{live.base_url}/api/v1/topics",
            json={"name": name, "query": query, "kind": kind},
            headers=live.auth_headers,
            timeout=30,
        )
        assert answer.status_code == 201, answer.text


def _ready(page: Any, selector: str) -> None:
    page.wait_for_selector(f"{selector}[data-state=ready]", timeout=30_000)


def test_radar_and_brief_pages(live: LiveHub, page: Any, problems: PageProblems, screenshots: Path) -> None:
    _load(live)
    log_in(page, live, f"/radar?topic={TOPIC}")
    _ready(page, "[data-widget=radar]")
    first = page.locator(".radar-item").first
    assert "esim" in first.locator(".radar-term").all_inner_texts()
    assert first.get_attribute("data-rank") == "1"
    assert first.locator("[data-post-id]").count() >= 3
    assert all("esim" in text.lower() for text in first.locator(".radar-question__text").all_inner_texts())
    # The customer essentials first: the brand topic before the event.
    groups = page.locator("select[data-option=topic] optgroup").evaluate_all("(e) => e.map((g) => g.label)")
    assert groups == ["Brands", "Events"]
    page.screenshot(path=str(screenshots / "radar-en-dark.png"), full_page=False)

    page.goto(f"{live.base_url}/radar?topic={TOPIC}&theme=light&range=7d")
    _ready(page, "[data-widget=radar]")
    assert page.locator("[data-range='7d']").get_attribute("aria-checked") == "true"
    page.screenshot(path=str(screenshots / "radar-en-light.png"))

    page.goto(f"{live.base_url}/radar?topic={TOPIC}")
    _ready(page, "[data-widget=radar]")
    page.locator(".radar-item").first.locator("[data-action=brief]").click()
    page.wait_for_url(re.compile(r"/briefs/\d+$"), timeout=30_000)
    _ready(page, "[data-panel=brief]")
    assert page.locator("[data-section=questions] [data-post-id]").count() >= 3
    assert page.locator("[data-section=audiences] tbody tr").count() >= 2
    brief_path = page.url.split(live.base_url, 1)[1]
    page.screenshot(path=str(screenshots / "radar-brief-en.png"), full_page=True)

    page.goto(f"{live.base_url}/radar?topic={TOPIC}&lang=fr")
    _ready(page, "[data-widget=radar]")
    assert page.locator("h1").inner_text() == "Radar éditorial"
    assert page.locator(".radar-item").first.locator("[data-action=brief]").inner_text() == "Faire un brief"
    page.screenshot(path=str(screenshots / "radar-fr-dark.png"))

    page.goto(f"{live.base_url}{brief_path}?lang=fr&theme=light")
    _ready(page, "[data-panel=brief]")
    assert page.locator("[data-section=questions] h2").inner_text() == "Ce que les gens demandent"
    page.screenshot(path=str(screenshots / "radar-brief-fr-light.png"), full_page=True)
    assert problems.errors == [] and problems.dialogs == []
