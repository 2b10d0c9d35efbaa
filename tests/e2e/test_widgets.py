"""The widget library in Chromium, on real data: posts simulated for the last hours and pushed through
the push API, so the pipeline enriched them and the store's rollups count them (nothing is injected
into the page). Every widget type renders, follows the filter bar, ticks live, exports, and opens the
explorer on exactly the posts behind a point."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.e2e.conftest import PageProblems, log_in, make_post, push
from tests.e2e.workspace import (
    ALL_WIDGETS,
    TREND_TAG,
    create_dashboard,
    open_dashboard,
    served_workspace,
    settled,
)
from tests.support.live_server import LiveHub

pytestmark = pytest.mark.browser

DATA_WIDGETS = {widget["type"] for widget in ALL_WIDGETS} - {"text"}


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveHub]:
    yield from served_workspace(tmp_path_factory.mktemp("widgets") / "veille-data")


@pytest.fixture(scope="module")
def every_type(live: LiveHub) -> dict[str, Any]:
    return create_dashboard(
        live,
        {"name": "Every widget", "filters": {"range": "24h", "tz": "Europe/Paris"}, "widgets": ALL_WIDGETS},
    )


def _api(live: LiveHub, path: str, query: Any) -> Any:
    response = httpx.get(f"{live.base_url}{path}", params=query, headers=live.auth_headers, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def test_every_widget_type_renders_real_data(
    live: LiveHub, page: Any, every_type: dict[str, Any], problems: PageProblems
) -> None:
    open_dashboard(page, live, every_type["id"])
    states = dict(
        page.evaluate(
            "() => [...document.querySelectorAll('[data-widget]')].map(e => [e.dataset.widget + ':' + e.closest('[gs-id]').getAttribute('gs-id'), e.dataset.state])"
        )
    )
    assert len(states) == len(ALL_WIDGETS)
    assert set(states.values()) == {"ready"}, states
    rendered = {key.split(":")[0] for key in states}
    assert rendered == {widget["type"] for widget in ALL_WIDGETS}

    # Charts are drawn (a canvas each), tables have rows, posts carry their ids.
    for kind in ("volume", "sentiment", "share_of_voice", "map", "content"):
        assert page.locator(f"[data-widget={kind}] canvas").count() >= 1, kind
    for kind, minimum in (("influencers", 5), ("care", 4), ("trends", 1)):
        assert page.locator(f"[data-widget={kind}] tbody tr").count() >= minimum, kind
    assert page.locator(f"[data-widget=trends] tr[data-item={TREND_TAG}]").count() == 1
    assert page.locator("[data-widget=top_posts] [data-post-id]").count() == 5
    assert page.locator("[data-widget=feed] [data-post-id]").count() == 10

    # The key figure is the store's count: every post pushed is in the last 24 hours.
    shown = page.locator("[data-widget=kpi] .kpi__value").first.get_attribute("data-value")
    total = _api(
        live, "/api/v1/analytics/volume", {"from": "2000-01-01", "to": "2100-01-01", "interval": "week"}
    )
    assert int(shown) == total["totals"]["posts"] > 2000

    # The top posts are the API's, in its order.
    top = _api(
        live,
        "/api/v1/analytics/top-posts",
        {"from": "2000-01-01", "to": "2100-01-01", "limit": 5},
    )
    shown_ids = page.eval_on_selector_all(
        "[data-widget=top_posts] [data-post-id]", "(items) => items.map((i) => i.dataset.postId)"
    )
    assert shown_ids == [row["id"] for row in top["rows"]]

    # Post text and a note are text, never HTML.
    assert page.locator("[data-widget=text] b").count() == 0
    assert "<b>Not bold</b>" in page.locator("[data-widget=text]").inner_text()
    assert problems.errors == [] and problems.dialogs == []


def test_states_are_said_in_words(live: LiveHub, page: Any) -> None:
    dashboard = create_dashboard(
        live,
        {
            "name": "Empty and broken",
            "filters": {"range": {"from": "2001-01-01", "to": "2001-01-02"}, "tz": "UTC"},
            "widgets": [
                {"type": "volume", "x": 0, "y": 0, "w": 6, "h": 3},
                {"type": "share_of_voice", "x": 6, "y": 0, "w": 6, "h": 3},
                {"type": "top_posts", "x": 0, "y": 3, "w": 6, "h": 3},
            ],
        },
    )
    log_in(page, live, f"/dashboards/{dashboard['id']}")
    settled(page)
    volume = page.locator("[data-widget=volume]")
    assert volume.get_attribute("data-state") == "empty"
    assert "No posts match these filters in this period." in volume.inner_text()
    assert "Choose the topics to compare" in page.locator("[data-widget=share_of_voice]").inner_text()
    # An error is said too, and the widget can try again.
    page.route(
        "**/api/v1/analytics/top-posts*",
        lambda route: route.fulfill(status=503, json={"detail": "store: not reachable"}),
    )
    page.reload()
    settled(page)
    broken = page.locator("[data-widget=top_posts]")
    assert broken.get_attribute("data-state") == "error"
    assert "store: not reachable" in broken.inner_text()
    page.unroute("**/api/v1/analytics/top-posts*")
    broken.locator(".widget__retry").click()
    page.wait_for_function(
        "() => document.querySelector('[data-widget=top_posts]').dataset.state === 'empty'"
    )


def test_the_filter_bar_changes_every_widget(live: LiveHub, page: Any, every_type: dict[str, Any]) -> None:
    open_dashboard(page, live, every_type["id"])
    before = page.locator("[data-widget=kpi] .kpi__value").first.get_attribute("data-value")
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url) if "/api/v1/" in request.url else None)
    page.click("[data-filter=countries] summary")
    page.fill("[data-filter=countries] .chooser__search", "France")
    page.check("[data-filter=countries] input[value=FR]")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-widget]')].some((e) => e.dataset.state === 'loading')"
    )
    settled(page)
    # Every widget with data asked the API again, for France only.
    paths = {
        "kpi": "/analytics/volume",
        "volume": "/analytics/volume",
        "sentiment": "/analytics/sentiment",
        "share_of_voice": "/analytics/share-of-voice",
        "map": "/analytics/sentiment",  # one request: per country, totals=true
        "trends": "/analytics/trends",
        "influencers": "/analytics/influencers",
        "top_posts": "/analytics/top-posts",
        "feed": "/api/v1/posts",
        "care": "/analytics/care",
        "content": "/analytics/content-performance",
    }
    assert set(paths) == DATA_WIDGETS
    for kind, path in paths.items():
        matching = [
            url for url in asked if path in url and parse_qs(urlsplit(url).query).get("country") == ["FR"]
        ]
        assert matching, f"{kind}: no request to {path} with country=FR in {asked}"
    map_asked = [url for url in asked if parse_qs(urlsplit(url).query).get("totals") == ["true"]]
    assert any(parse_qs(urlsplit(url).query).get("country") == ["FR"] for url in map_asked), asked
    after = page.locator("[data-widget=kpi] .kpi__value").first.get_attribute("data-value")
    france = _api(
        live,
        "/api/v1/analytics/volume",
        {"from": "2000-01-01", "to": "2100-01-01", "interval": "week", "country": "FR"},
    )
    assert int(after) == france["totals"]["posts"] < int(before)
    for post in page.eval_on_selector_all(
        "[data-widget=feed] [data-post-id] .post__country", "(items) => items.map((i) => i.textContent)"
    ):
        assert post == "FR"

    # The other controls too: a preset, sentiment, near-duplicates, the time zone.
    asked.clear()
    page.click("[data-filter=range] [data-range='7d']")
    page.click("[data-filter=sentiment] [data-sentiment=negative]")
    page.uncheck("[data-filter=include_duplicates]")
    page.select_option("[data-filter=tz]", "America/New_York")
    settled(page)
    volume_asks = [
        parse_qs(urlsplit(url).query)
        for url in asked
        if "/analytics/volume" in url and "group_by=sentiment" in url
    ]
    assert volume_asks, asked
    last = volume_asks[-1]
    assert last["sentiment"] == ["negative"] and last["include_duplicates"] == ["false"]
    assert last["tz"] == ["America/New_York"] and last["country"] == ["FR"] and last["interval"] == ["hour"]
    assert page.get_attribute(".dashboard", "data-dirty") == "true"


def _bar_point(page: Any, kind: str, series_index: int) -> dict[str, Any]:
    """The screen point of the tallest bar of a series of a widget's chart, its index and value."""
    point: dict[str, Any] = page.evaluate(
        """async ([kind, seriesIndex]) => {
          const echarts = await import('echarts');
          const box = document.querySelector(`[data-widget=${kind}] .widget__chart`);
          const chart = echarts.getInstanceByDom(box);
          const values = chart.getOption().series[seriesIndex].data.map(Number);
          const index = values.indexOf(Math.max(...values));
          const stacked = chart.getModel().getSeriesByIndex(seriesIndex).getData().getItemLayout(index);
          const rect = box.getBoundingClientRect();
          return { x: rect.left + stacked.x + stacked.width / 2, y: rect.top + stacked.y + stacked.height / 2,
                   index, value: values[index] };
        }""",
        [kind, series_index],
    )
    return point


def test_a_drill_down_carries_exactly_the_filters_of_the_point(live: LiveHub, page: Any) -> None:
    dashboard = create_dashboard(
        live,
        {
            "name": "Drill",
            "filters": {
                "range": "24h",
                "tz": "Europe/Paris",
                "countries": ["FR"],
                "include_duplicates": False,
            },
            "widgets": [
                {"type": "volume", "x": 0, "y": 0, "w": 12, "h": 5, "options": {"group_by": "sentiment"}}
            ],
        },
    )
    asked: list[str] = []
    page.on(
        "request", lambda request: asked.append(request.url) if "/analytics/volume" in request.url else None
    )
    open_dashboard(page, live, dashboard["id"])
    series = page.evaluate(
        """async () => { const echarts = await import('echarts');
          const chart = echarts.getInstanceByDom(document.querySelector('[data-widget=volume] .widget__chart'));
          return chart.getOption().series.map((s) => s.name); }"""
    )
    negative = series.index("Negative")
    point = _bar_point(page, "volume", negative)
    assert point["value"] > 0
    page.mouse.click(point["x"], point["y"])
    page.wait_for_url(lambda url: urlsplit(url).path == "/explore", timeout=5000)
    query = parse_qs(urlsplit(page.url).query, keep_blank_values=True)

    # The bucket's bounds, from what the widget read.
    read = parse_qs(urlsplit(asked[-1]).query)
    answer = _api(live, "/api/v1/analytics/volume", {name: values for name, values in read.items()})
    buckets = sorted({row["bucket"] for row in answer["rows"]})
    start = buckets[point["index"]]
    end = buckets[point["index"] + 1] if point["index"] + 1 < len(buckets) else answer["filters"]["to"]
    assert query == {
        "from": [max(start, answer["filters"]["from"], key=_instant)],
        "to": [min(end, answer["filters"]["to"], key=_instant)],
        "tz": ["Europe/Paris"],
        "countries": ["FR"],
        "sentiment": ["negative"],
        "include_duplicates": ["false"],
    }
    # Those filters count exactly the posts of the bar.
    behind = _api(
        live,
        "/api/v1/analytics/volume",
        {
            "from": query["from"][0],
            "to": query["to"][0],
            "tz": "Europe/Paris",
            "interval": "week",
            "country": "FR",
            "sentiment": "negative",
            "include_duplicates": "false",
        },
    )
    assert behind["totals"]["posts"] == point["value"]


def _instant(moment: str) -> float:
    return datetime.fromisoformat(moment.replace("Z", "+00:00")).timestamp()


def test_rows_and_posts_link_to_their_posts(live: LiveHub, page: Any, every_type: dict[str, Any]) -> None:
    open_dashboard(page, live, every_type["id"])
    influencer = page.locator("[data-widget=influencers] tbody tr").first
    handle = influencer.get_attribute("data-author")
    href = parse_qs(urlsplit(influencer.locator("a[data-explore]").get_attribute("href")).query)
    assert href["q"] == [f"author:{handle}"] and href["tz"] == ["Europe/Paris"]
    trend = parse_qs(
        urlsplit(
            page.locator(f"[data-widget=trends] tr[data-item={TREND_TAG}] a").get_attribute("href")
        ).query
    )
    assert trend["q"] == [f"#{TREND_TAG}"]
    assert _instant(trend["to"][0]) - _instant(trend["from"][0]) == 1800
    post = page.locator("[data-widget=top_posts] [data-post-id]").first
    link = parse_qs(urlsplit(post.locator("a").get_attribute("href")).query)
    assert link["post"] == [post.get_attribute("data-post-id")]
    assert _instant(link["to"][0]) - _instant(link["from"][0]) == pytest.approx(0.001, abs=1e-5)
    care = page.locator("[data-widget=care] tbody tr[data-ours=true] a").first.get_attribute("href")
    assert "%40NovaTelecom" in care or "@NovaTelecom" in care


def test_volume_and_key_figures_tick_as_posts_arrive(
    live: LiveHub, page: Any, every_type: dict[str, Any]
) -> None:
    open_dashboard(page, live, every_type["id"])
    page.wait_for_selector("[data-widget=feed][data-state=ready]")
    time.sleep(1.5)  # the stream is open
    kpi = page.locator("[data-widget=kpi] .kpi__value").first
    before = int(kpi.get_attribute("data-value"))
    total_before = int(page.locator("[data-widget=volume] .widget__total").get_attribute("data-total"))
    reads: list[str] = []
    page.on(
        "request", lambda request: reads.append(request.url) if "/analytics/volume" in request.url else None
    )
    hostile = "<img src=x onerror=alert(1)> Panne chez Nova ce matin"
    posts = [
        make_post(f"tick-{index}", f"{hostile} {index}", source="x", handle=f"tick{index}")
        for index in range(3)
    ]
    push(live, posts)
    page.wait_for_function(
        f"() => Number(document.querySelector('[data-widget=kpi] .kpi__value').dataset.value) === {before + 3}",
        timeout=10_000,
    )
    page.wait_for_function(
        f"() => Number(document.querySelector('[data-widget=volume] .widget__total').dataset.total) === {total_before + 3}",
        timeout=10_000,
    )
    for post in posts:
        item = page.locator(f"[data-widget=feed] [data-post-id='{post['id']}']")
        item.wait_for(timeout=10_000)
        assert hostile in item.inner_text() and item.locator("img").count() == 0
    # Each post ticked the figures without reading them again.
    assert reads == []


def test_csv_and_png_exports(live: LiveHub, page: Any, every_type: dict[str, Any]) -> None:
    open_dashboard(page, live, every_type["id"])
    volume = page.locator("[data-widget=volume]")
    volume.hover()
    with page.expect_download() as csv_download:
        volume.locator("[data-action=csv]").click()
    csv_file = csv_download.value
    assert csv_file.suggested_filename == "volume.csv"
    with open(csv_file.path(), encoding="utf-8", newline="") as handle:
        lines = handle.read().split("\r\n")
    assert lines[0] == "bucket,sentiment,posts,engagement,likes,reposts,replies,views,reach"
    assert sum(int(line.split(",")[2]) for line in lines[1:] if line) == int(
        volume.locator(".widget__total").get_attribute("data-total")
    )
    with page.expect_download() as png_download:
        volume.locator("[data-action=png]").click()
    with open(png_download.value.path(), "rb") as handle:
        image = handle.read()
    assert png_download.value.suggested_filename == "volume.png" and image[:8] == b"\x89PNG\r\n\x1a\n"
    # A table exports its rows, with a formula-looking cell defused.
    influencers = page.locator("[data-widget=influencers]")
    influencers.hover()
    with page.expect_download() as table_download:
        influencers.locator("[data-action=csv]").click()
    with open(table_download.value.path(), encoding="utf-8") as handle:
        header = handle.readline().strip()
    assert header.startswith("rank,source,handle,name,category")
    assert influencers.locator("[data-action=png]").count() == 0


def test_a_widget_works_outside_a_dashboard(live: LiveHub, page: Any) -> None:
    """A wall or any page mounts a widget with its own filters and options (not the page's address)."""
    log_in(page, live, "/sources?countries=DE")
    state = page.evaluate(
        """async () => {
          const { mountWidget } = await import('veille/widgets/index.js');
          const host = document.createElement('div');
          host.style.height = '300px';
          document.body.append(host);
          mountWidget(host, { type: 'kpi', filters: { range: '24h', tz: 'UTC', countries: ['FR'] }, options: { metric: 'posts' } });
          for (let i = 0; i < 100; i += 1) {
            const root = host.querySelector('[data-widget=kpi]');
            if (root && root.dataset.state !== 'loading') return { state: root.dataset.state, value: root.querySelector('.kpi__value').dataset.value };
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
          return null;
        }"""
    )
    france = _api(
        live,
        "/api/v1/analytics/volume",
        {"from": "2000-01-01", "to": "2100-01-01", "interval": "week", "country": "FR"},
    )
    assert state == {"state": "ready", "value": str(france["totals"]["posts"])}
