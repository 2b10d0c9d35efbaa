"""The boards in Chromium on a hub whose store holds simulated history pushed through the pipeline:
/care, /countries (a country clicked), /influencers and an author's page, /content — each showing
the store's figures (read back from the API and the store, not injected), in English and French,
and screenshots of every board in both languages, dark and light."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.e2e.conftest import PageProblems, at_rest, log_in
from tests.e2e.workspace import served_workspace
from tests.support.live_server import LiveHub
from veille.analytics.care import care_report
from veille.analytics.scope import Scope
from veille.clock import parse_rfc3339

pytestmark = pytest.mark.browser

BOARDS = ("care", "countries", "influencers", "content")
SETTLED = (
    "() => { const found = [...document.querySelectorAll('[data-widget], [data-panel]')];"
    " return found.length > 0 && found.every((e) => e.dataset.state !== 'loading'); }"
)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveHub]:
    yield from served_workspace(tmp_path_factory.mktemp("boards") / "veille-data", hours=20, count=2500)


def _settle(page: Any) -> None:
    page.wait_for_function(SETTLED, timeout=60_000)


def _states(page: Any) -> dict[str, list[str]]:
    found: list[dict[str, str]] = page.evaluate(
        "() => [...document.querySelectorAll('[data-widget], [data-panel]')].map((e) =>"
        " ({name: e.dataset.widget || e.dataset.panel, state: e.dataset.state}))"
    )
    states: dict[str, list[str]] = {}
    for item in found:
        states.setdefault(item["name"], []).append(item["state"])
    return states


def _api(live: LiveHub, path: str, **params: Any) -> Any:
    response = httpx.get(f"{live.base_url}{path}", params=params, headers=live.auth_headers, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def test_care_board_shows_the_stores_figures(live: LiveHub, page: Any, problems: PageProblems) -> None:
    log_in(page, live, "/care")
    with page.expect_response(
        lambda r: "/api/v1/analytics/care" in r.url and "group_by=country" in r.url
    ) as answer:
        _settle(page)
    report = answer.value.json()
    assert _states(page)["care"] == ["ready", "ready", "ready"]
    # The API answer the page drew equals the pairing computed from the stored posts.
    reference = care_report(
        store=live.hub.store,
        scope=Scope(),
        start=parse_rfc3339(report["from"]),
        end=parse_rfc3339(report["to"]),
        group_by="country",
        method="pairs",
    ).to_json_dict()
    assert report["items"] == json.loads(json.dumps(reference["items"]))
    assert sum(row["inbound"] for row in report["items"]) > 0
    country_rows = page.locator("[data-cell=countries] tr[data-brand]")
    assert country_rows.count() == len(report["items"])
    ours = page.locator("[data-cell=countries] tr[data-ours=true]").first
    assert ours.count() == 1
    assert problems.errors == []


def test_countries_board_opens_a_country(live: LiveHub, page: Any, problems: PageProblems) -> None:
    log_in(page, live, "/countries")
    _settle(page)
    states = _states(page)
    assert states["map"] == ["ready", "ready"] and states["country-table"] == ["ready"]
    rows = page.locator("[data-panel=country-table] tbody tr[data-country]")
    first = rows.first.get_attribute("data-country")
    listed = rows.evaluate_all("(rows) => rows.map((r) => r.dataset.country)")
    accounts = _api(live, "/api/v1/accounts")["items"]
    assert {account["country"] for account in accounts if account["country"]} <= set(listed)
    rows.first.click()
    page.wait_for_selector(f"[data-country-panel={first}]")
    _settle(page)
    states = _states(page)
    assert states["country-topics"] == ["ready"] and states["influencers"] == ["ready"]
    assert states["top_posts"] == ["ready"]
    assert page.locator("[data-cell=country-posts] [data-post-id]").count() > 0
    # The top topic's count is the store's: the volume API for that country.
    top = page.locator("[data-panel=country-topics] tbody tr").first
    topic = top.get_attribute("data-topic")
    shown = int(
        top.locator("td.num").first.inner_text().replace("\u202f", "").replace(",", "").replace(" ", "")
    )
    address = page.url
    assert f"country={first}" in address
    volume = page.evaluate(
        "async ([topic, country]) => { const filters = JSON.parse(new URLSearchParams(location.search).get('filters') || '{}');"
        " const { resolveRange } = await import('/static/lib/widgets/filters.js');"
        " const { analyticsQuery } = await import('/static/lib/widgets/filters.js');"
        " const range = resolveRange({...filters, countries: [country]});"
        " const q = analyticsQuery({...filters, countries: [country]}, range, {group_by: 'topic', interval: 'day'});"
        " const params = new URLSearchParams(); for (const [k, v] of Object.entries(q)) { if (v === null || v === undefined) continue;"
        " for (const item of [].concat(v)) params.append(k, item); }"
        " const r = await fetch('/api/v1/analytics/volume?' + params); const body = await r.json();"
        " return body.rows.filter((row) => row.topic === topic).reduce((s, row) => s + row.posts, 0); }",
        [topic, first],
    )
    assert shown == volume > 0
    assert problems.errors == []


def test_influencers_board_and_an_authors_page(live: LiveHub, page: Any, problems: PageProblems) -> None:
    log_in(page, live, "/influencers")
    _settle(page)
    assert _states(page)["influencers"] == ["ready"]
    first = page.locator("[data-cell=ranking] tr[data-author]").first
    handle = first.get_attribute("data-author")
    first.locator("a").first.click()
    page.wait_for_url(lambda url: f"/influencers/{quote(handle)}" in url)
    _settle(page)
    states = _states(page)
    assert states["profile"] == ["ready"] and states["author-posts"] == ["ready"]
    assert page.locator(f".profile[data-author='{handle}']").count() == 1
    shown = page.locator("[data-panel=author-posts] [data-post-id]").evaluate_all(
        "(items) => items.map((i) => i.dataset.postId)"
    )
    assert shown, "the author's posts"
    for post_id in shown[:5]:
        stored = live.hub.store.get_post(post_id)
        assert stored is not None and stored.author.handle.lower() == handle
    # A category chip narrows the ranking to that category.
    page.goto(f"{live.base_url}/influencers")
    _settle(page)
    page.click("[data-category=journalist]")
    page.wait_for_function("() => location.search.includes('category=journalist')")
    _settle(page)
    categories = page.locator("[data-cell=ranking] tr[data-author] td:nth-child(2)").all_inner_texts()
    assert all(text == "Journalist" for text in categories)
    assert problems.errors == []


def test_content_board(live: LiveHub, page: Any, problems: PageProblems) -> None:
    log_in(page, live, "/content")
    _settle(page)
    assert _states(page)["content"] == ["ready"] * 4
    assert problems.errors == []


def test_boards_in_french_and_screenshots(
    live: LiveHub, page: Any, problems: PageProblems, screenshots: Path
) -> None:
    log_in(page, live, "/care")
    author = _api(
        live, "/api/v1/analytics/influencers", **{"from": "2000-01-01", "to": "2100-01-01", "limit": 1}
    )["rows"][0]
    pages = [*BOARDS, f"influencers/{author['handle']}"]
    for lang in ("en", "fr"):
        for theme in ("dark", "light"):
            for board in pages:
                page.goto(f"{live.base_url}/{board}?lang={lang}&theme={theme}")
                _settle(page)
                assert page.evaluate("() => document.documentElement.lang") == lang
                name = "author" if "/" in board else board
                if board == "countries":
                    page.locator("[data-panel=country-table] tbody tr[data-country]").first.click()
                    _settle(page)
                page.evaluate("() => window.scrollTo(0, 0)")
                at_rest(page)  # chart animations end
                page.screenshot(path=str(screenshots / f"board-{name}-{lang}-{theme}.png"), full_page=True)
    page.goto(f"{live.base_url}/influencers?lang=fr")
    _settle(page)
    nav = page.locator(".admin-nav__links").inner_text()
    assert "Influenceurs" in nav and "Contenus" in nav
    assert page.locator("h1").inner_text() == "Influenceurs"
    assert problems.errors == []


def test_month_buckets_are_labelled_as_months(live: LiveHub, page: Any) -> None:
    """series.js: a month bucket reads as its month and year (it used to show midnight's time)."""
    labels: dict[str, str] = {}
    for lang in ("en", "fr"):
        page.goto(f"{live.base_url}/care?lang={lang}")
        if "/login" in page.url:
            log_in(page, live, f"/care?lang={lang}")
        labels |= page.evaluate(
            """async (lang) => {
              const { bucketLabel, bucketTitle } = await import('/static/lib/widgets/series.js');
              return { [lang]: bucketLabel('2026-11-01T00:00:00+01:00', 'month', 'Europe/Paris'),
                       [`${lang}_title`]: bucketTitle('2026-11-01T00:00:00+01:00', 'month', 'Europe/Paris'),
                       [`${lang}_day`]: bucketLabel('2026-11-01T00:00:00+01:00', 'day', 'Europe/Paris') };
            }""",
            lang,
        )
    assert labels["en"] == "Nov 2026" and labels["en_title"] == "November 2026"
    assert labels["fr"] == "nov. 2026" and labels["fr_title"] == "novembre 2026"
    assert labels["en_day"] == "Nov 1" and labels["fr_day"] == "1 nov."
