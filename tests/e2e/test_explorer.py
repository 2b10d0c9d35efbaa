"""The explorer and the topic editor in Chromium, on simulated history pushed through the real pipeline:
a query-language search with highlights and inline lint, a drill-down from a widget listing exactly
the posts it counted, the post drawer and a sentiment correction, the topic editor's lint, preview,
paste from another tool, save and backfill, the French UI, and screenshots (both languages, dark and
light)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.e2e.conftest import PageProblems, log_in
from tests.e2e.workspace import create_dashboard, served_workspace, settled
from tests.support.live_server import LiveHub

pytestmark = pytest.mark.browser

QUERY = "(nova* OR helix) AND NOT #pannefibre"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveHub]:
    yield from served_workspace(tmp_path_factory.mktemp("explorer") / "veille-data", hours=6, count=800)


def _api(live: LiveHub) -> httpx.Client:
    return httpx.Client(base_url=live.base_url, headers=live.auth_headers, timeout=30)


def _all_shown(page: Any) -> list[str]:
    """Every post the explorer lists, scrolling down (infinite scroll) until the last page."""
    page.wait_for_selector(".explorer:not([data-state=loading])")
    for _ in range(300):
        if page.get_attribute(".explore-count", "data-complete") == "true":
            break
        before = page.locator(".explore-list [data-post-id]").count()
        page.evaluate(
            "() => { const more = document.querySelector('.explore-more'); if (more) more.scrollIntoView(); }"
        )
        page.wait_for_function(
            "(before) => document.querySelectorAll('.explore-list [data-post-id]').length > before"
            " || document.querySelector('.explore-count').dataset.complete === 'true'",
            arg=before,
        )
    ids: list[str] = page.eval_on_selector_all(
        ".explore-list [data-post-id]", "(items) => items.map((i) => i.dataset.postId)"
    )
    return ids


def _api_ids(live: LiveHub, params: dict[str, Any]) -> list[str]:
    ids: list[str] = []
    cursor = None
    with _api(live) as client:
        while True:
            page = client.get(
                "/api/v1/posts", params={**params, "limit": 200, **({"cursor": cursor} if cursor else {})}
            )
            assert page.status_code == 200, page.text
            ids += [item["id"] for item in page.json()["items"]]
            cursor = page.json()["next_cursor"]
            if cursor is None:
                return ids


def test_search_with_the_query_language(live: LiveHub, page: Any, problems: PageProblems) -> None:
    log_in(page, live, "/explore?range=24h&tz=UTC")
    page.fill("[data-query-editor=query] textarea", "novabox AND (")
    page.wait_for_selector("[data-lint=error]")
    assert page.get_attribute("[data-lint=error]", "data-column") == "14"
    assert page.is_disabled("[data-action=search]")
    page.fill("[data-query-editor=query] textarea", QUERY)
    page.wait_for_selector("[data-action=search]:not([disabled])")
    page.click("[data-action=search]")
    page.wait_for_function("() => new URL(location.href).searchParams.get('q') !== null")
    shown = _all_shown(page)
    assert shown
    # The page's posts are the API's, highlights included, and no post text became HTML.
    assert shown == _api_ids(live, _search_params(page))
    marks = page.eval_on_selector_all(
        ".explore-list mark.hit", "(items) => items.map((i) => i.textContent.toLowerCase())"
    )
    assert marks and all(mark.startswith(("nova", "helix")) for mark in marks)
    # Exports carry the same search.
    href = page.get_attribute("[data-action=export-csv]", "href")
    assert href.startswith("/api/v1/posts/export?") and "format=csv" in href
    exported = page.request.get(f"{live.base_url}{href}")
    assert exported.status == 200 and exported.text().count("\n") - 1 >= len(shown) > 0
    assert problems.errors == []


def _search_params(page: Any) -> dict[str, Any]:
    """The API parameters the page sent for its current search (read back from the page's module)."""
    params: dict[str, Any] = page.evaluate(
        "async () => { const m = await import('/static/explore/explore.js');"
        " const s = m.searchFromAddress(location.search); return m.apiParams(s.query, s.filters); }"
    )
    return {name: value for name, value in params.items() if value is not None}


def test_a_drill_down_shows_exactly_the_posts_counted(
    live: LiveHub, page: Any, problems: PageProblems
) -> None:
    dashboard = create_dashboard(
        live,
        {
            "name": "Drill",
            "filters": {"range": "24h", "tz": "Europe/Paris", "sentiment": ["negative"], "countries": ["FR"]},
            "widgets": [{"type": "kpi", "x": 0, "y": 0, "w": 4, "h": 2, "options": {"metric": "posts"}}],
        },
    )
    log_in(page, live, f"/dashboards/{dashboard['id']}")
    settled(page)
    counted = int(page.get_attribute("[data-widget=kpi] .kpi__value", "data-value"))
    assert counted > 0
    with page.expect_navigation():
        page.click("[data-widget=kpi] a.kpi__value")
    assert page.url.split("?")[0].endswith("/explore")
    shown = _all_shown(page)
    assert len(shown) == len(set(shown)) == counted
    sentiments = page.eval_on_selector_all(
        ".explore-list [data-sentiment]", "(items) => items.map((i) => i.dataset.sentiment)"
    )
    assert set(sentiments) == {"negative"}
    assert problems.errors == []


def test_the_drawer_and_a_sentiment_correction(live: LiveHub, page: Any, problems: PageProblems) -> None:
    with _api(live) as client:
        target = client.get(
            "/api/v1/posts", params={"query": "nova*", "sentiment": "positive", "limit": 1}
        ).json()["items"][0]
    log_in(page, live, f"/explore?q=nova*&sentiment=positive&range=24h&tz=UTC&post={quote(target['id'])}")
    drawer = f".drawer[data-post-id='{target['id']}']"
    page.wait_for_selector(f"{drawer}[data-state=ready]")
    assert page.inner_text(f"{drawer} .drawer__text") == target["text"]
    assert page.locator(f"{drawer} .author-card").count() == 1
    page.wait_for_selector(f"{drawer} [data-category]:not([data-category=''])")
    # The category in words of the reader's language, never the raw key.
    category = page.get_attribute(f"{drawer} [data-category]", "data-category")
    labels = {"journalist": "Journalist", "blogger": "Blogger", "elected": "Elected official"}
    labels |= {"media": "Media", "brand": "Brand", "other": "Other"}
    assert page.inner_text(f"{drawer} [data-category]") == labels[str(category)]
    assert page.locator(f"{drawer} [data-topic]").count() == len(target["topics"])
    page.click(f"{drawer} [data-action=correct-sentiment][data-label=negative]")
    page.wait_for_selector(f"{drawer} [data-corrected=true]")
    assert page.get_attribute(f"{drawer} [data-field=sentiment]", "data-sentiment") == "negative"
    with _api(live) as client:
        assert client.get(f"/api/v1/posts/{target['id']}").json()["sentiment"]["label"] == "negative"
    # The list follows: the post now shows its corrected label.
    row = f".explore-list [data-post-id='{target['id']}'] [data-sentiment]"
    assert page.get_attribute(row, "data-sentiment") == "negative"
    page.click(f"{drawer} [data-action=close-drawer]")
    assert page.locator(".drawer").count() == 0
    assert problems.errors == []


def test_the_topic_editor(live: LiveHub, page: Any, problems: PageProblems) -> None:
    log_in(page, live, "/topics")
    page.wait_for_selector(".topics-page")
    kinds = page.eval_on_selector_all(".tree__kind", "(items) => items.map((i) => i.dataset.kind)")
    assert kinds == ["theme", "brand", "competitor", "product", "sensitive", "event"]
    assert page.locator(".tree__kind[data-kind=brand] [data-topic=nova]").count() == 1
    page.click("[data-action=new-topic]")
    page.fill("[data-field=name]", "nova_outage")
    editor = "[data-query-editor=query] textarea"
    page.fill(editor, "nova* AND (")
    page.wait_for_selector("[data-lint=error]")
    page.fill(editor, "no* OR nova*")
    page.wait_for_selector("[data-lint=warning][data-code=short-wildcard]")
    assert page.get_attribute("[data-lint=warning]", "data-column") == "1"
    assert page.locator(".qe-paint .qe-flag--warning").count() >= 1
    assert page.locator(".qe-paint .qe-operator").count() == 1
    # Paste from another tool: a Brandwatch query, converted and used.
    page.click("[data-action=paste]")
    page.select_option("[data-field=dialect]", "brandwatch")
    page.fill("[data-field=foreign-query]", "(nova OR novabox) AND panne")
    page.click("[data-action=convert]")
    page.wait_for_selector("[data-import]")
    converted = page.inner_text("[data-field=converted]")
    assert "nova" in converted and "panne" in converted
    page.click("[data-action=use-converted]")
    assert page.input_value(editor) == converted
    page.fill(editor, "nova* AND (panne* OR coupure*)")
    page.wait_for_selector(".preview[data-state=ready]")
    matched = int(page.get_attribute(".preview", "data-matched"))
    assert matched > 0 and page.locator(".bars__bar").count() == 31
    assert page.locator(".preview [data-post-id] mark.hit").count() > 0
    assert page.locator("[data-overlap=nova]").count() == 1  # every match is also under "nova"
    page.select_option("[data-field=kind]", "sensitive")
    page.click("[data-action=save]")
    page.wait_for_selector(".editor[data-topic=nova_outage]")
    page.wait_for_selector(".tree__kind[data-kind=sensitive] [data-topic=nova_outage]")
    page.click("[data-action=backfill]")
    page.wait_for_selector("[data-section=backfill][data-job-state=done]", timeout=60_000)
    with _api(live) as client:
        topic = client.get("/api/v1/topics/nova_outage").json()
    assert topic["kind"] == "sensitive" and topic["matches"] > 0
    assert problems.errors == []


def test_the_french_ui(live: LiveHub, page: Any, problems: PageProblems) -> None:
    log_in(page, live, "/explore?lang=fr&q=nova*&range=24h")
    page.wait_for_selector(".explorer:not([data-state=loading])")
    assert page.get_attribute("html", "lang") == "fr"
    assert "Explorateur" in page.inner_text("h1")
    assert "Rechercher" in page.inner_text("[data-action=search]")
    assert "Ajouter comme sujet" in page.inner_text("[data-action=add-topic]")
    page.goto(f"{live.base_url}/topics?lang=fr&topic=nova")
    page.wait_for_selector(".preview[data-state=ready]")
    assert "Marques" in page.text_content(".tree__kind[data-kind=brand] h2")
    assert "Coller depuis un autre outil" in page.inner_text("[data-action=paste]")
    assert "Aperçu" in page.text_content(".preview h3")
    assert problems.errors == []


SCREEN = {"width": 1600, "height": 1000}


@pytest.mark.parametrize("theme", ["dark", "light"])
@pytest.mark.parametrize("language", ["en", "fr"])
def test_screenshots(live: LiveHub, browser: Any, screenshots: Path, theme: str, language: str) -> None:
    context = browser.new_context(
        viewport=SCREEN,
        device_scale_factor=1,
        locale=language,
        extra_http_headers={"Accept-Language": language},
    )
    page = context.new_page()
    try:
        with _api(live) as client:
            first = client.get("/api/v1/posts", params={"query": "nova* AND panne*", "limit": 1}).json()[
                "items"
            ][0]
        log_in(
            page,
            live,
            f"/explore?theme={theme}&q={quote('nova* AND panne*')}&range=24h&post={quote(first['id'])}",
        )
        page.wait_for_selector(".drawer[data-state=ready]")
        page.wait_for_selector(".explorer:not([data-state=loading])")
        page.wait_for_timeout(500)
        page.screenshot(path=str(screenshots / f"explore-{language}-{theme}.png"))
        page.goto(f"{live.base_url}/topics?theme={theme}&topic=nova")
        page.wait_for_selector(".preview[data-state=ready]")
        page.click("[data-action=paste]")
        page.fill("[data-field=foreign-query]", 'nova NEAR/3 "panne fibre"')
        page.click("[data-action=convert]")
        page.wait_for_selector("[data-import]")
        page.fill("[data-query-editor=query] textarea", "nova* OR no* AND NOT #jeu")
        page.wait_for_selector("[data-lint=warning]")
        page.wait_for_selector(".preview[data-state=ready]")
        page.screenshot(path=str(screenshots / f"topics-{language}-{theme}.png"), full_page=True)
    finally:
        context.close()
