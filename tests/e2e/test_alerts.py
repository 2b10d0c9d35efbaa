"""The alerts page, the crisis room and the alerts widget in Chromium, in English and French, on a
hub whose demo alert rules watched an outage pushed through the real pipeline.

Screenshots (tests/e2e/screenshots/): alerts-list-en.png, alerts-list-fr.png, crisis-room-en.png,
crisis-room-fr.png, alerts-widget.png.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import at_rest, log_in
from tests.e2e.workspace import create_dashboard
from tests.support.live_server import LiveHub, serve_hub
from tests.support.workspace import history_posts, push_posts
from veille.demo.seed import ensure_demo_accounts, ensure_demo_alerts, ensure_demo_taxonomy
from veille.hub import Hub
from veille.settings import Settings
from veille.store import open_store

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveHub]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("alerts") / "veille-data")
    store = open_store(settings.sqlalchemy_url)
    try:
        ensure_demo_taxonomy(store)
        ensure_demo_accounts(store=store)
        assert ensure_demo_alerts(store=store) == 4
    finally:
        store.close()
    with serve_hub(settings, hub=Hub.build(settings)) as hub:
        push_posts(hub, history_posts(hours=6, count=4000, scenario="outage_crisis"))
        _wait_for_alerts(hub)
        yield hub


def _alerts(live: LiveHub, **query: Any) -> list[dict[str, Any]]:
    response = httpx.get(
        f"{live.base_url}/api/v1/alerts", params=query, headers=live.auth_headers, timeout=10
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def _wait_for_alerts(live: LiveHub) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if {"Outage: volume spike"} <= {item["rule"] for item in _alerts(live)}:
            return
        time.sleep(0.2)
    raise AssertionError(f"the outage raised no spike alert: {_alerts(live)}")


def test_the_alerts_page_lists_filters_and_acknowledges(
    page: Any, live: LiveHub, screenshots: Path, problems: Any
) -> None:
    log_in(page, live, "/alerts")
    try:
        page.wait_for_selector("[data-screen=alerts][data-state=ready]")
    finally:
        assert problems.errors == []
    rows = page.locator(".alert-row")
    assert rows.count() == len(_alerts(live, status="open")) >= 1
    assert "Outage: volume spike" in page.inner_text(".alerts-list")
    page.screenshot(path=str(screenshots / "alerts-list-en.png"), full_page=True)
    first = rows.first
    alert_id = first.get_attribute("data-alert-id")
    first.locator("[data-action=acknowledge]").click()
    page.wait_for_function(f"() => !document.querySelector('.alert-row[data-alert-id=\"{alert_id}\"]')")
    page.click("[data-filter=acknowledged]")
    page.wait_for_selector(f".alert-row[data-alert-id='{alert_id}'][data-status=acknowledged]")
    page.goto(f"{live.base_url}/alerts?lang=fr")
    page.wait_for_selector("[data-screen=alerts][data-state=ready]")
    assert "Alertes" in page.inner_text("h1") and "Prendre en charge" in page.inner_text(".alerts-list")
    page.screenshot(path=str(screenshots / "alerts-list-fr.png"), full_page=True)


def test_the_crisis_room_follows_the_alert(page: Any, live: LiveHub, screenshots: Path) -> None:
    spike = next(item for item in _alerts(live) if item["rule"] == "Outage: volume spike")
    log_in(page, live, f"/crisis/{spike['id']}")
    page.wait_for_selector("[data-screen=crisis][data-state=ready]")
    for widget in ("volume", "sentiment", "feed", "influencers", "map"):
        page.wait_for_selector(
            f"[data-widget={widget}]:is([data-state=ready], [data-state=empty])", timeout=30_000
        )
    assert page.get_attribute("[data-widget=volume]", "data-state") == "ready"
    assert page.locator("[data-widget=feed] [data-post-id]").count() >= 1
    # A playbook tick and a note go into the timeline, with who did them.
    page.locator("[data-panel=playbook] input[data-step='0']").check()
    page.wait_for_selector("[data-panel=timeline] li[data-action=playbook]")
    page.fill(
        "[data-panel=notes] input[name=note]", "Network team confirms: fibre cut in Lyon <b>not bold</b>"
    )
    page.click("[data-panel=notes] button[type=submit]")
    page.wait_for_selector("[data-panel=timeline] li[data-action=note]")
    assert "<b>not bold</b>" in page.inner_text("[data-panel=notes]")  # a note is text, never HTML
    at_rest(page)  # the charts are drawn
    page.screenshot(path=str(screenshots / "crisis-room-en.png"), full_page=True)
    timeline = httpx.get(
        f"{live.base_url}/api/v1/alerts/{spike['id']}", headers=live.auth_headers, timeout=10
    ).json()["timeline"]
    assert [e["action"] for e in timeline if e["who"] == live.username] == ["playbook", "note"]
    page.goto(f"{live.base_url}/crisis/{spike['id']}?lang=fr")
    page.wait_for_selector("[data-screen=crisis][data-state=ready]")
    page.wait_for_selector("[data-widget=volume][data-state=ready]", timeout=30_000)
    assert "Salle de crise" in page.inner_text(".crisis__head") and "Procédure" in page.inner_text(
        "[data-panel=playbook]"
    )
    at_rest(page)
    page.screenshot(path=str(screenshots / "crisis-room-fr.png"), full_page=True)
    report = httpx.get(
        f"{live.base_url}/api/v1/alerts/{spike['id']}/report",
        params={"format": "html"},
        headers=live.auth_headers,
        timeout=10,
    )
    assert (
        report.status_code == 200
        and "fibre cut in Lyon" in report.text
        and "<b>not bold</b>" not in report.text
    )


def test_the_alerts_widget_on_a_dashboard(page: Any, live: LiveHub, screenshots: Path) -> None:
    dashboard = create_dashboard(
        live,
        {
            "name": "Crisis wall",
            "widgets": [{"type": "alerts", "x": 0, "y": 0, "w": 6, "h": 6, "options": {"limit": 5}}],
        },
    )
    log_in(page, live, f"/dashboards/{dashboard['id']}")
    page.wait_for_selector("[data-widget=alerts][data-state=ready]", timeout=30_000)
    items = page.locator("[data-widget=alerts] [data-alert-id]")
    assert 1 <= items.count() <= 5
    assert items.first.get_attribute("data-severity") in {"info", "warning", "critical"}
    page.screenshot(path=str(screenshots / "alerts-widget.png"))


def test_the_topic_crisis_room(page: Any, live: LiveHub, screenshots: Path, problems: Any) -> None:
    """/crisis/topic/outage: the topic's live widgets, its open alerts with playbooks and notes, the
    merged timeline and the topic's report. Screenshots: crisis-topic-en.png, crisis-topic-fr-light.png."""
    active = [
        item
        for item in _alerts(live)
        if item["topic"] == "outage" and item["status"] in ("open", "acknowledged")
    ]
    assert active
    log_in(page, live, "/crisis/topic/outage")
    page.wait_for_selector("[data-screen=crisis-topic][data-state=ready]")
    for widget in ("volume", "sentiment", "feed", "influencers", "map"):
        page.wait_for_selector(
            f"[data-widget={widget}]:is([data-state=ready], [data-state=empty])", timeout=30_000
        )
    assert page.get_attribute("[data-widget=volume]", "data-state") == "ready"
    assert page.locator("[data-widget=feed] [data-post-id]").count() >= 1
    shown = {
        int(value)
        for value in page.locator("[data-panel=alerts] [data-alert-id]").evaluate_all(
            "els => els.map(e => e.dataset.alertId)"
        )
    }
    assert shown == {item["id"] for item in active}
    assert page.locator("[data-panel=timeline] li").count() >= len(active)
    report = page.get_attribute("[data-screen=crisis-topic] .crisis__report a", "href")
    assert report == "/api/v1/alerts/topic/outage/report?format=html"
    at_rest(page)  # the charts are drawn
    page.screenshot(path=str(screenshots / "crisis-topic-en.png"), full_page=True)
    page.goto(f"{live.base_url}/crisis/topic/outage?lang=fr&theme=light")
    page.wait_for_selector("[data-screen=crisis-topic][data-state=ready]")
    page.wait_for_selector("[data-widget=volume][data-state=ready]", timeout=30_000)
    assert "Salle de crise" in page.inner_text(".crisis__head")
    at_rest(page)
    page.screenshot(path=str(screenshots / "crisis-topic-fr-light.png"), full_page=True)
    assert problems.errors == []
