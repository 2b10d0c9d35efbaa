"""The shared front-end layer in a real browser: the import map, the API client (CSRF header, errors,
401 → login), the live-stream client (resume after the hub drops the stream, login when the session
ends), the shared formatting in two languages, ECharts and the world map, and the HTML error pages."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.e2e.conftest import PageProblems, log_in, make_post, push, wait_live
from tests.support.live_server import LiveHub
from veille.bus.memory import MemoryBus

pytestmark = pytest.mark.browser

ARRIVAL_TIMEOUT_MS = 3000


def _drop_every_stream(live: LiveHub) -> None:
    """End every open stream from the server side, as a hub restart or a proxy cut would."""
    assert isinstance(live.hub.bus, MemoryBus), "the test hub runs the in-process bus"
    asyncio.run_coroutine_threadsafe(live.hub.bus.close(), live.loop).result(timeout=5)


def test_api_client_sends_the_csrf_header_and_reads_errors(
    live: LiveHub, page: Any, problems: PageProblems
) -> None:
    log_in(page, live, "/wall?theme=light")
    result = page.evaluate(
        """async (post) => {
          const { api, ApiError, withQuery } = await import('veille/api.js');
          const caught = async (promise) => {
            try { await promise; return null; } catch (error) {
              return { isApiError: error instanceof ApiError, status: error.status, field: error.field,
                       column: error.column, message: error.message, detail: error.detail };
            }
          };
          return {
            // A cookie-authenticated write without X-Requested-With is refused (403): this one is accepted.
            pushed: await api.post('/api/v1/posts', [post]),
            listed: await api.get('/api/v1/posts', { query: { limit: 5, q: null } }),
            badQuery: await caught(api.post('/api/v1/query/test', { query: 'wifi AND (' })),
            tooShort: await caught(api.post('/api/v1/query/test', { query: '' })),
            missing: await caught(api.get('/api/v1/topics/no-such-topic')),
            url: withQuery('/api/v1/posts?limit=2', { topics: ['a b', 'c'], skip: undefined, after: 0 }),
          };
        }""",
        make_post("api-client-1", "Written by the shared API client"),
    )
    assert result["pushed"]["accepted"] == 1
    assert [item["id"] for item in result["listed"]["items"]] == ["push:api-client-1"]
    bad = result["badQuery"]
    assert bad["isApiError"] and bad["status"] == 422 and bad["field"] == "query"
    assert isinstance(bad["column"], int) and bad["column"] >= 1
    assert bad["message"] == bad["detail"] and bad["message"].startswith("query:")
    short = result["tooShort"]
    assert short["status"] == 422 and short["field"] == "query" and short["message"].startswith("query")
    assert result["missing"]["status"] == 404 and "no-such-topic" in result["missing"]["message"]
    assert result["url"] == "/api/v1/posts?limit=2&topics=a+b&topics=c&after=0"
    assert problems.dialogs == []


def test_api_client_sends_the_browser_to_login_on_401(live: LiveHub, page: Any) -> None:
    log_in(page, live, "/wall?theme=light")
    wait_live(page)  # the wall's own requests are done: the next 401 can only be the one asked for here
    page.context.clear_cookies()  # the session ends (logged out elsewhere, expired)
    page.evaluate(
        """() => { import('veille/api.js').then(({ api }) => api.get('/api/v1/posts').catch((error) =>
             sessionStorage.setItem('caught', JSON.stringify({ name: error.name, status: error.status })))); }"""
    )
    page.wait_for_url(lambda url: urlsplit(url).path == "/login", timeout=5000)
    assert parse_qs(urlsplit(page.url).query)["next"] == ["/wall?theme=light"]
    assert json.loads(page.evaluate("() => sessionStorage.getItem('caught')")) == {
        "name": "ApiError",
        "status": 401,
    }
    # Logging in again brings the person back to the page they were on.
    page.fill("input[name=username]", live.username)
    page.fill("input[name=password]", live.password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: urlsplit(url).path == "/wall" and "theme=light" in url)


def _open_test_stream(page: Any) -> None:
    page.evaluate(
        """async () => {
          const { openStream } = await import('veille/live.js');
          window.__seen = [];
          window.__statuses = [];
          window.__stream = openStream({
            on: { post: (post, event) => window.__seen.push([post.id, event.lastEventId]) },
            onStatus: (status) => window.__statuses.push(status),
            retryMs: 1500,
          });
        }"""
    )
    page.wait_for_function("() => window.__stream.status === 'live'", timeout=5000)


def test_live_client_resumes_after_the_hub_drops_the_stream(
    live: LiveHub, page: Any, problems: PageProblems
) -> None:
    log_in(page, live, "/wall?theme=light")
    wait_live(page)
    page.goto(f"{live.base_url}/no-stream-here")  # a page of the hub that opens no stream of its own
    stream_urls: list[str] = []
    page.on(
        "request",
        lambda request: stream_urls.append(request.url) if "/api/v1/stream" in request.url else None,
    )
    _open_test_stream(page)

    before = [make_post(f"before-{n}", f"Before the cut {n}", seconds_ago=30 - n) for n in range(3)]
    push(live, before)
    page.wait_for_function("() => window.__seen.length === 3", timeout=ARRIVAL_TIMEOUT_MS)
    last_seen_id = page.evaluate("() => window.__stream.lastEventId")
    assert last_seen_id == page.evaluate("() => window.__seen[2][1]")

    _drop_every_stream(live)
    page.wait_for_function("() => window.__stream.status === 'reconnecting'", timeout=5000)
    during = [make_post(f"during-{n}", f"Written while cut off {n}", seconds_ago=10 - n) for n in range(3)]
    push(live, during)
    # Still cut off (the next attempt waits at least 1.2 s): these can only come from the resume.
    assert page.evaluate("() => window.__seen.length") == 3

    page.wait_for_function("() => window.__seen.length === 6", timeout=ARRIVAL_TIMEOUT_MS + 2000)
    page.wait_for_function("() => window.__stream.status === 'live'", timeout=5000)
    after = make_post("after-0", "After the resume")
    push(live, [after])
    page.wait_for_function("() => window.__seen.length === 7", timeout=ARRIVAL_TIMEOUT_MS)

    seen = page.evaluate("() => window.__seen")
    assert [post_id for post_id, _ in seen] == [post["id"] for post in [*before, *during, after]]
    event_ids = [int(event_id) for _, event_id in seen]
    assert event_ids == sorted(set(event_ids)), "no post twice, in the hub's order"
    assert stream_urls[0].endswith("/api/v1/stream")
    assert any(url.endswith(f"/api/v1/stream?after={last_seen_id}") for url in stream_urls[1:]), stream_urls
    assert page.evaluate("() => window.__statuses") == ["connecting", "live", "reconnecting", "live"]
    page.evaluate("() => window.__stream.close()")
    # The page itself is a 404 page, which the browser reports; nothing else may be.
    assert [error for error in problems.errors if "404" not in error] == []
    assert problems.dialogs == []


def test_live_client_sends_the_browser_to_login_when_the_session_ends(live: LiveHub, page: Any) -> None:
    log_in(page, live, "/wall")
    wait_live(page)
    page.goto(f"{live.base_url}/no-stream-here?x=1")
    _open_test_stream(page)
    page.context.clear_cookies()
    _drop_every_stream(live)  # the next attempt is refused with a 401
    page.wait_for_url(lambda url: urlsplit(url).path == "/login", timeout=10_000)
    assert parse_qs(urlsplit(page.url).query)["next"] == ["/no-stream-here?x=1"]


def test_shared_formatting_follows_the_pages_language_and_time_zone(live: LiveHub, page: Any) -> None:
    page.goto(f"{live.base_url}/login")
    results = page.evaluate(
        """async () => {
          const f = await import('veille/format.js');
          const now = Date.parse('2026-03-01T12:00:00Z');
          const en = { locale: 'en', timeZone: 'UTC' };
          const fr = { locale: 'fr', timeZone: 'Europe/Paris' };
          const both = (call) => [call(en), call(fr)];
          document.documentElement.lang = 'fr';
          document.documentElement.dataset.timeZone = 'Asia/Tokyo';
          const fromPage = [f.pageLocale(), f.pageTimeZone(), f.formatNumber(1234.5, { maximumFractionDigits: 1 }),
                            f.formatTime(now)];
          document.documentElement.lang = 'not a language!';
          document.documentElement.dataset.timeZone = 'Mars/Olympus';
          const fallback = [f.formatNumber(1234), f.pageTimeZone() === Intl.DateTimeFormat().resolvedOptions().timeZone];
          return {
            numbers: both((o) => f.formatNumber(1234567, o)),
            percent: both((o) => f.formatPercent(0.4213, o)),
            counts: both((o) => [999, 12345, 1234567, 1.5e9].map((n) => f.formatCount(n, o))),
            durations: both((o) => [0.2, 42, 420, 3 * 3600, 12 * 86400].map((s) => f.formatDuration(s, o))),
            ages: both((o) => [10, 120, 7200, 2 * 86400, 10 * 86400].map((s) => f.formatAge(now - s * 1000, now, o))),
            relative: both((o) => [-300, -86400, 7200].map((s) => f.formatRelative(now + s * 1000, now, o))),
            clocks: both((o) => [f.formatClock(now - 3600 * 1000, now, o), f.formatClock(now - 13 * 3600 * 1000, now, o)]),
            dates: both((o) => f.formatDate('2026-03-01T23:30:00Z', o)),
            missing: [f.formatNumber(null), f.formatNumber('x'), f.formatCount(undefined), f.formatDate('nope'),
                      f.formatDuration(undefined), f.formatPercent(NaN)],
            fromPage,
            fallback,
          };
        }"""
    )
    assert results["numbers"] == ["1,234,567", "1\u202f234\u202f567"]
    assert results["percent"] == ["42.1%", "42,1\u00a0%"]
    assert results["counts"] == [["999", "12.3k", "1.2M", "1.5B"], ["999", "12,3 k", "1,2 M", "1,5 Md"]]
    assert results["durations"] == [
        ["<1 s", "42 s", "7 min", "3 h", "12 d"],
        ["<1 s", "42 s", "7 min", "3 h", "12 j"],
    ]
    assert results["ages"] == [
        ["now", "2 min", "2 h", "2 d", "Feb 19"],
        ["à l’instant", "2 min", "2 h", "2 j", "19 févr."],
    ]
    assert results["relative"] == [
        ["5 minutes ago", "yesterday", "in 2 hours"],
        ["il y a 5 minutes", "hier", "dans 2 heures"],
    ]
    # 11:00 UTC is today in UTC; 23:00 UTC the day before is 00:00 in Paris, 1 March: today there too.
    assert results["clocks"] == [["11:00:00", "Feb 28 23:00:00"], ["12:00:00", "00:00:00"]]
    assert results["dates"] == ["Mar 1, 2026", "2 mars 2026"]
    assert results["missing"] == ["—", "—", "", "", "—", "—"]
    assert results["fromPage"] == ["fr", "Asia/Tokyo", "1\u202f234,5", "21:00"]
    assert results["fallback"][1] is True and results["fallback"][0] in {"1,234", "1\u202f234", "1.234"}


def test_echarts_and_the_world_map_render_through_the_import_map(
    live: LiveHub, page: Any, problems: PageProblems, screenshots: Path
) -> None:
    page.goto(f"{live.base_url}/login")
    report = page.evaluate(
        """async () => {
          const echarts = await import('echarts');
          document.body.innerHTML = '';
          document.body.style.cssText = 'display:flex;gap:16px;padding:16px;background:#fff';
          const box = (width, height) => {
            const element = document.createElement('div');
            element.style.cssText = `width:${width}px;height:${height}px;background:#fff`;
            document.body.append(element);
            return element;
          };

          // A bar chart drawn as SVG: one <path> per bar, heights in proportion.
          const barBox = box(480, 360);
          const bars = echarts.init(barBox, null, { renderer: 'svg' });
          bars.setOption({
            animation: false,
            xAxis: { type: 'category', data: ['a', 'b', 'c'] },
            yAxis: { type: 'value', max: 8 },
            series: [{ type: 'bar', data: [3, 7, 5], itemStyle: { color: '#0369a1' } }],
          });
          const barPaths = [...barBox.querySelectorAll('svg path')]
            .filter((path) => (path.getAttribute('fill') || '').toLowerCase() === '#0369a1')
            .map((path) => path.getBoundingClientRect().height);

          // The world map drawn on a canvas: France red, everything else grey.
          const world = await (await fetch('/static/vendor/world-atlas/countries-50m.geo.json')).json();
          echarts.registerMap('world', world);
          const mapBox = box(960, 560);
          const map = echarts.init(mapBox, null, { renderer: 'canvas', devicePixelRatio: 1 });
          map.setOption({
            animation: false,
            series: [{
              type: 'map', map: 'world', roam: false, left: 0, top: 0, right: 0, bottom: 0,
              itemStyle: { areaColor: '#d1d5db', borderColor: '#ffffff', borderWidth: 0.5 },
              data: [{ name: 'France', value: 1, itemStyle: { areaColor: '#ff0000' } }],
            }],
          });
          const canvas = mapBox.querySelector('canvas');
          const pixel = (lonLat) => {
            const [x, y] = map.convertToPixel({ seriesIndex: 0 }, lonLat);
            return [...canvas.getContext('2d').getImageData(Math.round(x), Math.round(y), 1, 1).data];
          };
          return {
            version: echarts.version,
            barHeights: barPaths,
            features: world.features.length,
            names: ['France', 'Singapore', 'Malta'].map((name) => world.features.some((f) => f.properties.name === name)),
            // A ring that jumps across the antimeridian draws a stripe over the whole flat map.
            crossings: world.features.flatMap((f) => {
              const polygons = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
              return polygons.flat().flatMap((ring) => ring.slice(1).filter((point, i) => Math.abs(point[0] - ring[i][0]) > 180))
                .map(() => f.properties.name);
            }),
            paris: pixel([2.35, 48.86]),       // France
            madrid: pixel([-3.70, 40.42]),     // Spain
            atlantic: pixel([-40, 30]),        // the sea
          };
        }"""
    )
    assert report["version"] == "6.1.0"
    heights = report["barHeights"]
    assert len(heights) == 3 and heights[0] > 0
    assert heights[1] / heights[0] == pytest.approx(7 / 3, rel=0.03)
    assert heights[2] / heights[0] == pytest.approx(5 / 3, rel=0.03)
    assert report["features"] > 200 and report["names"] == [True, True, True]
    assert report["crossings"] == []
    red, green, blue, alpha = report["paris"]
    assert alpha == 255 and red > 200 and green < 60 and blue < 60, report["paris"]
    assert report["madrid"][:3] == [209, 213, 219], report["madrid"]  # #d1d5db: a country, not France
    assert report["atlantic"][3] == 0, report["atlantic"]  # nothing drawn on the sea
    page.screenshot(path=str(screenshots / "echarts-import-map.png"), full_page=True)
    assert problems.errors == [] and problems.dialogs == []


def test_error_pages_render_for_browser_paths_and_json_stays_json(
    live: LiveHub, page: Any, screenshots: Path
) -> None:
    response = page.goto(f"{live.base_url}/no/such/<page>?theme=light")
    assert response is not None and response.status == 404
    assert page.locator("h1").inner_text() == "Page not found"
    # The path is shown as text, not read as markup.
    assert page.locator(".error-page__path code").inner_text() == "/no/such/<page>"
    assert page.locator("main page").count() == 0
    page.screenshot(path=str(screenshots / "error-404.png"))

    api = page.goto(f"{live.base_url}/api/v1/no-such-route")
    assert api is not None and api.status == 404
    assert api.headers["content-type"] == "application/json"
    assert json.loads(page.locator("body").inner_text()) == {"detail": "Not Found", "field": None}

    log_in(page, live, "/wall")
    refused = page.goto(f"{live.base_url}/wall?theme=blue")
    assert refused is not None and refused.status == 422
    assert page.locator("[role=alert]").inner_text() == "theme: Input should be 'dark' or 'light'"
    page.screenshot(path=str(screenshots / "error-422.png"))
    # The same address asked for by a script (no text/html in Accept) is still JSON.
    scripted = httpx.get(f"{live.base_url}/wall?theme=blue", headers={"Accept": "*/*"}, timeout=30)
    assert scripted.status_code == 422 and scripted.headers["content-type"] == "application/json"


def test_live_client_shows_catching_up_then_live_without_loss(
    live: LiveHub, page: Any, problems: PageProblems
) -> None:
    log_in(page, live, "/wall?theme=light")
    wait_live(page)
    page.goto(f"{live.base_url}/no-stream-here")  # a page of the hub that opens no stream of its own
    _open_test_stream(page)
    push(live, [make_post("early-0", "Before falling behind")])
    page.wait_for_function("() => window.__seen.length === 1", timeout=ARRIVAL_TIMEOUT_MS)

    # The hub finds every stream behind (as when a screen's queue overflows): catching-up, the
    # missed posts from the store, caught-up.
    live.loop.call_soon_threadsafe(live.hub.streams.resync)
    page.wait_for_function(
        "() => window.__statuses.includes('catching-up') && window.__stream.status === 'live'",
        timeout=ARRIVAL_TIMEOUT_MS * 3,
    )
    push(live, [make_post("late-0", "After catching up")])
    page.wait_for_function("() => window.__seen.length === 2", timeout=ARRIVAL_TIMEOUT_MS)
    assert [post_id for post_id, _ in page.evaluate("() => window.__seen")] == ["push:early-0", "push:late-0"]
    assert page.evaluate("() => window.__statuses") == ["connecting", "live", "catching-up", "live"]
    page.evaluate("() => window.__stream.close()")
    assert [error for error in problems.errors if "404" not in error] == []
