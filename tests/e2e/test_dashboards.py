"""The dashboards pages in Chromium: the list and a new dashboard, a dashboard edited on the page
(widgets added, moved, resized, set up; filters changed), saved and reopened identical, the French
UI, the PDF report, and screenshots of both pages in both languages, dark and light."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import PageProblems, at_rest, log_in
from tests.e2e.workspace import ALL_WIDGETS, create_dashboard, open_dashboard, served_workspace, settled
from tests.support.live_server import LiveHub
from veille.demo.seed import ensure_demo_dashboards

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveHub]:
    for hub in served_workspace(tmp_path_factory.mktemp("dashboards") / "veille-data"):
        ensure_demo_dashboards(hub.hub.store, owner=hub.username)
        yield hub


def _read(live: LiveHub, dashboard_id: int) -> dict[str, Any]:
    response = httpx.get(
        f"{live.base_url}/api/v1/dashboards/{dashboard_id}", headers=live.auth_headers, timeout=10
    )
    assert response.status_code == 200
    found: dict[str, Any] = response.json()
    return found


def _places(page: Any) -> list[dict[str, Any]]:
    """Each grid item's type and place as the page shows them, in the grid's order."""
    places: list[dict[str, Any]] = page.evaluate(
        """() => [...document.querySelectorAll('.grid-stack-item')].map((item) => ({
             type: item.dataset.widgetType, x: Number(item.getAttribute('gs-x') || 0),
             y: Number(item.getAttribute('gs-y') || 0), w: Number(item.getAttribute('gs-w') || 1),
             h: Number(item.getAttribute('gs-h') || 1),
             title: item.querySelector('.widget__title').textContent }))"""
    )
    return sorted(places, key=lambda place: (place["y"], place["x"]))


def _drag(page: Any, locator: Any, dx: float, dy: float) -> None:
    box = locator.bounding_box()
    start = (box["x"] + 40, box["y"] + box["height"] / 2)
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(start[0] + dx / 2, start[1] + dy / 2, steps=8)
    page.mouse.move(start[0] + dx, start[1] + dy, steps=8)
    page.mouse.up()


def test_the_list_shows_the_demo_dashboards_and_creates_one(
    live: LiveHub, page: Any, problems: PageProblems
) -> None:
    log_in(page, live, "/dashboards")
    page.wait_for_selector(".dash-card")
    names = page.eval_on_selector_all(".dash-card__name", "(items) => items.map((i) => i.textContent)")
    assert {"Overview", "Competitor benchmark", "Country monitor", "Customer care"} <= set(names)
    page.click("[data-action=new]")
    page.fill("input[name=name]", "Launch night")
    page.click(".new-dashboard button[type=submit]")
    page.wait_for_url(lambda url: "/dashboards/" in url and url.rstrip("/").split("/")[-1].isdigit())
    settled(page)
    dashboard_id = int(page.url.rstrip("/").split("/")[-1])
    created = _read(live, dashboard_id)
    assert created["name"] == "Launch night" and created["owner"] == live.username
    assert [place["type"] for place in _places(page)] == [
        widget["type"] for widget in sorted(created["widgets"], key=lambda w: (w["y"], w["x"]))
    ]
    assert problems.errors == []


def test_a_saved_dashboard_reopens_identical(live: LiveHub, page: Any) -> None:
    dashboard = create_dashboard(
        live,
        {
            "name": "Edited on the page",
            "filters": {"range": "24h", "tz": "Europe/Paris"},
            "widgets": [
                {"type": "kpi", "x": 0, "y": 0, "w": 3, "h": 2, "options": {"metric": "posts"}},
                {"type": "volume", "x": 3, "y": 0, "w": 9, "h": 4, "options": {}},
                {"type": "top_posts", "x": 0, "y": 4, "w": 6, "h": 5, "options": {"limit": 3}},
            ],
        },
    )
    open_dashboard(page, live, dashboard["id"])
    page.click("[data-action=edit]")

    # Add a widget and set it up.
    page.click("[data-action=add-widget]")
    page.click("[data-add-type=sentiment]")
    page.wait_for_selector("[data-widget-key] [data-widget=sentiment]")
    cell = page.locator(".grid-stack-item:has([data-widget=sentiment])")
    cell.locator("[data-action=settings]").click()
    page.fill("dialog [data-option=title]", "Mood, all day")
    page.select_option("dialog [data-option=view]", '"breakdown"')
    page.click("dialog [data-action=apply]")
    page.wait_for_function(
        "() => document.querySelector('[data-widget=sentiment] .widget__title').textContent.includes('Mood, all day')"
    )

    # Remove one, move one, resize one.
    page.locator(".grid-stack-item:has([data-widget=top_posts]) [data-action=remove]").click()
    page.wait_for_function("() => !document.querySelector('[data-widget=top_posts]')")
    kpi = page.locator(".grid-stack-item:has([data-widget=kpi])")
    before_kpi = dict(x=int(kpi.get_attribute("gs-x") or 0), y=int(kpi.get_attribute("gs-y") or 0))
    # Under the volume chart (the grid packs widgets upwards: straight down would float it back).
    _drag(page, kpi.locator(".widget__head"), 520, 480)
    page.wait_for_function(
        f"() => Number(document.querySelector('.grid-stack-item:has([data-widget=kpi])').getAttribute('gs-y') || 0) > {before_kpi['y']}"
    )
    volume = page.locator(".grid-stack-item:has([data-widget=volume])")
    volume.hover()  # the grid shows the resize handle of the widget under the pointer
    before_h = int(volume.get_attribute("gs-h"))
    box = volume.locator(".ui-resizable-se").bounding_box()
    corner = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # the handle is a turned square
    page.mouse.move(*corner)
    page.mouse.down()
    page.mouse.move(corner[0], corner[1] + 120, steps=10)
    page.mouse.move(corner[0], corner[1] + 200, steps=10)
    page.mouse.up()
    page.wait_for_function(
        f"() => Number(document.querySelector('.grid-stack-item:has([data-widget=volume])').getAttribute('gs-h')) > {before_h}"
    )

    # Change the filters, then save.
    page.click("[data-filter=range] [data-range='7d']")
    page.click("[data-filter=sentiment] [data-sentiment=negative]")
    page.select_option("[data-filter=tz]", "UTC")
    page.click("[data-action=done]")
    page.click("[data-action=save]")
    page.wait_for_selector("[data-save-state=saved]")
    shown = _places(page)

    saved = _read(live, dashboard["id"])
    assert saved["filters"]["range"] == "7d" and saved["filters"]["sentiment"] == ["negative"]
    assert saved["filters"]["tz"] == "UTC"
    saved_places = sorted(
        ({"type": w["type"], "x": w["x"], "y": w["y"], "w": w["w"], "h": w["h"]} for w in saved["widgets"]),
        key=lambda place: (place["y"], place["x"]),
    )
    assert saved_places == [{key: place[key] for key in ("type", "x", "y", "w", "h")} for place in shown]
    assert {w["type"] for w in saved["widgets"]} == {"kpi", "volume", "sentiment"}
    mood = next(w for w in saved["widgets"] if w["type"] == "sentiment")
    assert mood["title"] == "Mood, all day" and mood["options"]["view"] == "breakdown"

    # Reopened: the same grid, the same filters, the same widgets.
    page.reload()
    settled(page)
    assert _places(page) == shown
    assert page.get_attribute("[data-filter=range] [data-range='7d']", "aria-checked") == "true"
    assert page.get_attribute("[data-filter=sentiment] [data-sentiment=negative]", "aria-pressed") == "true"
    assert page.eval_on_selector("[data-filter=tz]", "(select) => select.value") == "UTC"
    assert page.get_attribute(".dashboard", "data-dirty") == "false"
    assert _read(live, dashboard["id"]) == saved


def test_the_french_ui(live: LiveHub, page: Any, problems: PageProblems) -> None:
    dashboard = create_dashboard(
        live, {"name": "Tableau", "filters": {"range": "24h", "tz": "Europe/Paris"}, "widgets": ALL_WIDGETS}
    )
    log_in(page, live, "/dashboards")
    # The user chooses French in the header's menu: the page comes back in French.
    page.click(".prefs summary")
    page.wait_for_selector("[data-preference=language]:not([disabled])")
    with page.expect_navigation():
        page.select_option("[data-preference=language]", "fr")
    assert page.get_attribute("html", "lang") == "fr"
    assert "Tableaux de bord" in page.inner_text(".admin-nav")
    page.goto(f"{live.base_url}/dashboards/{dashboard['id']}")
    settled(page)
    assert page.get_attribute("html", "lang") == "fr"
    titles = page.eval_on_selector_all(".widget__title", "(items) => items.map((i) => i.textContent.trim())")
    for french in (
        "Sentiment",
        "Part de voix",
        "Pays",
        "Tendances",
        "Influenceurs",
        "Meilleurs posts",
        "Fil en direct",
        "Service client",
        "Nos contenus",
        "Note",
    ):
        assert french in titles, (french, titles)
    assert page.inner_text("[data-filter=range] [data-range='24h']") == "24 heures"
    assert "Enregistrer" in page.inner_text("[data-action=save]")
    # Numbers in French: a narrow no-break space between thousands.
    value = page.inner_text("[data-widget=kpi] .kpi__value")
    assert "\u202f" in value or len(value) < 4
    assert "Abonnés" in page.text_content("[data-widget=influencers] thead")
    # The user's setting wins over the browser's language, and can be set back.
    me = page.evaluate(
        "async () => (await import('veille/api.js')).api.put('/api/v1/me', { language: null })"
    )
    assert me["language"] is None
    assert problems.errors == []


def test_the_pdf_report(live: LiveHub, page: Any) -> None:
    overview = next(
        item
        for item in httpx.get(f"{live.base_url}/api/v1/dashboards", headers=live.auth_headers).json()["items"]
        if item["name"] == "Overview"
    )
    log_in(page, live, f"/dashboards/{overview['id']}")
    response = page.request.get(
        f"{live.base_url}/api/v1/dashboards/{overview['id']}/report.pdf", timeout=120_000
    )
    assert response.status == 200, response.text()
    assert response.headers["content-type"] == "application/pdf"
    body = response.body()
    assert body[:5] == b"%PDF-" and len(body) > 20_000
    # The print session is closed after the print: its cookie opens nothing.
    report = page.goto(f"{live.base_url}/dashboards/{overview['id']}/report")
    assert report.status == 200
    settled(page)
    assert "Overview" in page.inner_text(".report-cover")
    assert page.locator(".report-widget").count() == len(overview["widgets"]) + 1  # and the top posts


SCREEN = {"width": 1600, "height": 1000}


@pytest.mark.parametrize("theme", ["dark", "light"])
@pytest.mark.parametrize("language", ["en", "fr"])
def test_screenshots(live: LiveHub, browser: Any, screenshots: Path, theme: str, language: str) -> None:
    """The two pages in both languages, dark and light (tests/e2e/screenshots/, looked at by people)."""
    context = browser.new_context(
        viewport=SCREEN,
        device_scale_factor=1,
        locale=language,
        extra_http_headers={"Accept-Language": language},
    )
    page = context.new_page()
    try:
        overview = next(
            item
            for item in httpx.get(f"{live.base_url}/api/v1/dashboards", headers=live.auth_headers).json()[
                "items"
            ]
            if item["name"] == "Overview"
        )
        log_in(page, live, f"/dashboards?theme={theme}")
        page.wait_for_selector(".dash-card")
        assert page.get_attribute("html", "lang") == language
        page.screenshot(path=str(screenshots / f"dashboards-list-{language}-{theme}.png"), full_page=True)
        page.goto(f"{live.base_url}/dashboards/{overview['id']}?theme={theme}")
        settled(page)
        at_rest(page)  # chart animations end
        page.screenshot(path=str(screenshots / f"dashboard-overview-{language}-{theme}.png"), full_page=True)
    finally:
        context.close()
