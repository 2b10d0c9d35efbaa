"""Walls in Chromium: a 3 × 2 video wall opened as six pages, each showing only its part (a widget
spanning a border shows its halves on the right screens), switching scenes within a second of each
other; a filtered wall showing only matching posts; a hidden post leaving every screen; a kiosk
link that reaches nothing else and stops when revoked. The six screens are composed side by side
into one screenshot (``walls-six-screens.png``)."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, PageProblems, at_rest, log_in, make_post, push
from tests.e2e.workspace import served_workspace
from tests.support.live_server import LiveHub

pytestmark = pytest.mark.browser

SCREEN = {"width": 1280, "height": 720}
SPANNING_TEXT = "Bienvenue au hub 👋 — welcome to the hub 🎉"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium as a video wall runs it: every screen in the foreground, its timers never slowed
    (a test opens six screens in one browser, where all but one would count as hidden)."""
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        the_browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                *CHROMIUM_ARGS,
                "--disable-background-timer-throttling",
                "--disable-renderer-backgrounding",
                "--disable-backgrounding-occluded-windows",
            ],
            headless=True,
        )
        yield the_browser
        the_browser.close()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveHub]:
    yield from served_workspace(tmp_path_factory.mktemp("walls") / "veille-data", hours=6, count=600)


def _api(live: LiveHub) -> httpx.Client:
    return httpx.Client(base_url=live.base_url, headers=live.auth_headers, timeout=15)


def _create(live: LiveHub, body: dict[str, Any]) -> dict[str, Any]:
    with _api(live) as api:
        answer = api.post("/api/v1/walls", json=body)
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    return created


def video_wall_body(durations: tuple[int, int] = (6, 300)) -> dict[str, Any]:
    return {
        "name": "Video wall",
        "screens": {"columns": 3, "rows": 2},
        "filters": {"range": "24h"},
        "scenes": [
            {
                "name": "Live",
                "duration_s": durations[0],
                "widgets": [
                    # Across the border of screens 1 and 2.
                    {
                        "type": "text",
                        "title": "Hub",
                        "x": 6,
                        "y": 1,
                        "w": 12,
                        "h": 4,
                        "options": {"text": SPANNING_TEXT},
                    },
                    {"type": "clock", "x": 26, "y": 0, "w": 10, "h": 5},
                    {"type": "kpi", "x": 0, "y": 6, "w": 5, "h": 5, "options": {"metric": "posts"}},
                    # Across the four screens' corner (2, 3, 5, 6 meet at x=24, y=12)… and 1, 2, 4, 5 at x=12.
                    {"type": "carousel", "x": 6, "y": 7, "w": 12, "h": 10},
                    {"type": "volume", "x": 20, "y": 8, "w": 14, "h": 8},
                    {"type": "feed", "x": 0, "y": 17, "w": 6, "h": 7},
                    {"type": "sentiment", "x": 26, "y": 17, "w": 10, "h": 7},
                ],
            },
            {
                "name": "Figures",
                "duration_s": durations[1],
                "widgets": [
                    {
                        "type": "text",
                        "title": "Scene 2",
                        "x": 0,
                        "y": 0,
                        "w": 36,
                        "h": 3,
                        "options": {"text": "Deuxième scène"},
                    },
                    {"type": "map", "x": 0, "y": 3, "w": 24, "h": 21},
                    {"type": "share_of_voice", "x": 24, "y": 3, "w": 12, "h": 21},
                ],
            },
        ],
    }


def _touches(widget: dict[str, Any], screen: int) -> bool:
    column, row = (screen - 1) % 3, (screen - 1) // 3
    x0, y0 = column * 12, row * 12
    return (
        widget["x"] < x0 + 12
        and widget["x"] + widget["w"] > x0
        and widget["y"] < y0 + 12
        and widget["y"] + widget["h"] > y0
    )


def _cells(page: Any) -> set[str]:
    return set(page.evaluate("() => [...document.querySelectorAll('.wall-cell')].map(e => e.dataset.cell)"))


def _scene(page: Any) -> str:
    return str(page.evaluate("() => document.getElementById('wall-screen').dataset.scene || ''"))


def _changed_at(page: Any) -> int:
    return int(page.evaluate("() => Number(document.getElementById('wall-screen').dataset.sceneChangedAt)"))


def _states(page: Any) -> dict[str, str]:
    return dict(
        page.evaluate(
            "() => [...document.querySelectorAll('[data-widget]')].map(e => [e.dataset.widget, e.dataset.state])"
        )
    )


def _until(condition: Any, what: Any, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not before the deadline: {what() if callable(what) else what}")
        time.sleep(0.1)


def _open_screens(
    browser: Any, cookies: list[dict[str, Any]], live: LiveHub, path: str, count: int
) -> list[Any]:
    """One browser context per screen, as on a real video wall (each screen is its own browser): a
    browser allows six connections per host, and each screen keeps one open for its stream."""
    pages = []
    for screen in range(1, count + 1):
        context = browser.new_context(viewport=SCREEN, device_scale_factor=1)
        context.add_cookies(cookies)
        page = context.new_page()
        page.goto(f"{live.base_url}{path}?screen={screen}")
        pages.append(page)
    for page in pages:
        page.wait_for_selector("#wall-screen[data-state=ready][data-stream=live]", timeout=30_000)
    return pages


def _session(browser: Any, live: LiveHub) -> list[dict[str, Any]]:
    """A logged-in session's cookies (through the login form)."""
    context = browser.new_context(viewport=SCREEN)
    page = context.new_page()
    log_in(page, live, "/walls")
    cookies: list[dict[str, Any]] = context.cookies()
    context.close()
    return cookies


def _close(pages: list[Any]) -> None:
    for page in pages:
        page.context.close()


def compose(browser: Any, shots: list[bytes], columns: int, out: Path, size: dict[str, int]) -> None:
    """The screens side by side, as the wall hangs (thin bezels between them), in one PNG."""
    images = "".join(f'<img src="data:image/png;base64,{base64.b64encode(shot).decode()}">' for shot in shots)
    rows = (len(shots) + columns - 1) // columns
    width, height = size["width"] // 2, size["height"] // 2
    markup = (
        "<html><body style='margin:0;background:#000'>"
        f"<div style='display:grid;grid-template-columns:repeat({columns},{width}px);gap:6px;padding:6px'>"
        f"{images}</div><style>img{{width:{width}px;height:{height}px}}</style></body></html>"
    )
    context = browser.new_context(
        viewport={"width": columns * (width + 6) + 6, "height": rows * (height + 6) + 6}
    )
    page = context.new_page()
    page.set_content(markup)
    page.wait_for_function("() => [...document.images].every(i => i.complete)")
    page.screenshot(path=str(out))
    context.close()


def test_six_screens_show_their_parts_and_switch_scenes_together(
    browser: Any, live: LiveHub, screenshots: Path
) -> None:
    wall = _create(live, video_wall_body())
    problems = PageProblems()
    pages = _open_screens(browser, _session(browser, live), live, f"/walls/{wall['id']}", 6)
    for page in pages:
        problems.attach(page)
    try:
        # All six show the same scene, named by the server.
        _until(lambda: len({_scene(page) for page in pages}) == 1, "the six screens show one scene")
        # Each screen shows exactly the widgets that touch it, in canvas cells.
        for scene_index in (0, 1):
            with _api(live) as api:
                api.post(f"/api/v1/walls/{wall['id']}/scene", json={"scene": scene_index, "hold": True})
            _until(
                lambda index=scene_index: all(_scene(page) == str(index) for page in pages),
                f"scene {scene_index}",
            )
            widgets = wall["scenes"][scene_index]["widgets"]
            for screen, page in enumerate(pages, start=1):
                expected = {f"{w['x']},{w['y']},{w['w']},{w['h']}" for w in widgets if _touches(w, screen)}
                _until(
                    lambda page=page, expected=expected: _cells(page) == expected,
                    f"screen {screen}'s widgets",
                )
        # The text widget across screens 1 and 2: its left half on 1, its right half on 2.
        with _api(live) as api:
            api.post(f"/api/v1/walls/{wall['id']}/scene", json={"scene": 0})
        _until(lambda: all(_scene(page) == "0" for page in pages), "scene 0 again")
        cell = "6,1,12,4"
        boxes = [page.locator(f'.wall-cell[data-cell="{cell}"]').bounding_box() for page in pages[:2]]
        cell_w = SCREEN["width"] / 12
        assert boxes[0]["x"] == pytest.approx(6 * cell_w, abs=1) and boxes[0]["width"] == pytest.approx(
            12 * cell_w, abs=1
        )
        assert boxes[1]["x"] == pytest.approx(-6 * cell_w, abs=1)
        assert (
            pages[0].locator(f'.wall-cell[data-cell="{cell}"] [data-widget=text]').get_attribute("data-state")
            == "ready"
        )
        assert pages[2].locator(f'.wall-cell[data-cell="{cell}"]').count() == 0
        # Switching by the playlist (the server's clock): the six switch within a second. Scene 1
        # lasts five minutes, so that the moments read below are those of this switch.
        with _api(live) as api:
            api.post(f"/api/v1/walls/{wall['id']}/scene", json={"hold": False})
        _until(lambda: all(_scene(page) == "1" for page in pages), "the playlist moved to scene 1", 30)
        moments = [_changed_at(page) for page in pages]
        print(f"playlist switch: the six screens within {max(moments) - min(moments)} ms")
        received = [
            page.evaluate("() => document.getElementById('wall-screen').dataset.stateAt") for page in pages
        ]
        assert max(moments) - min(moments) < 1000, (moments, received)
        # …and by the operator.
        with _api(live) as api:
            api.post(f"/api/v1/walls/{wall['id']}/scene", json={"scene": 0, "hold": True})
        _until(lambda: all(_scene(page) == "0" for page in pages), "the operator's jump to scene 0")
        moments = [_changed_at(page) for page in pages]
        print(f"operator's jump: the six screens within {max(moments) - min(moments)} ms")
        assert max(moments) - min(moments) < 1000, moments
        for page in pages:
            _until(
                lambda page=page: "loading" not in _states(page).values(),
                lambda page=page: f"widgets loaded: {_states(page)}",
            )
        for page in pages:
            at_rest(page)  # the scene's fade-in (700 ms) ends
        shots = [page.screenshot() for page in pages]
        for index, shot in enumerate(shots, start=1):
            (screenshots / f"walls-screen-{index}.png").write_bytes(shot)
        compose(browser, shots, 3, screenshots / "walls-six-screens.png", SCREEN)
        assert problems.errors == [], problems.errors
    finally:
        _close(pages)


def _post_ids(page: Any) -> set[str]:
    return set(
        page.evaluate("() => [...document.querySelectorAll('[data-post-id]')].map(e => e.dataset.postId)")
    )


def test_a_filtered_wall_shows_only_matching_posts(page: Any, live: LiveHub, problems: PageProblems) -> None:
    push(live, [make_post("fr-old", "Le réseau est revenu, merci", lang="fr", seconds_ago=30)])
    push(live, [make_post("en-old", "The network is back, thanks", lang="en", seconds_ago=30)])
    wall = _create(
        live,
        {
            "name": "French only",
            "filters": {"range": "24h", "languages": ["fr"]},
            "scenes": [
                {"widgets": [{"type": "feed", "x": 0, "y": 0, "w": 12, "h": 12, "options": {"limit": 50}}]}
            ],
        },
    )
    log_in(page, live, f"/walls/{wall['id']}?screen=1")
    page.wait_for_selector("#wall-screen[data-state=ready][data-stream=live]", timeout=30_000)
    _until(lambda: "push:fr-old" in _post_ids(page), "the French post")
    push(
        live,
        [
            make_post("en-new", "Another English post", lang="en"),
            make_post("fr-new", "Un nouveau message", lang="fr"),
        ],
    )
    _until(lambda: "push:fr-new" in _post_ids(page), "the new French post, live")
    shown = _post_ids(page)
    assert "push:en-old" not in shown and "push:en-new" not in shown
    with _api(live) as api:
        langs = {api.get(f"/api/v1/posts/{post_id}").json()["lang"] for post_id in shown}
    assert langs == {"fr"}
    assert problems.errors == [], problems.errors


def test_a_hidden_post_leaves_every_screen(browser: Any, live: LiveHub) -> None:
    wall = _create(
        live,
        {
            "name": "Event wall",
            "screens": {"columns": 2, "rows": 1},
            "filters": {"range": "24h"},
            "moderation": {"mode": "post"},
            "scenes": [
                {
                    "widgets": [
                        {"type": "feed", "x": 6, "y": 0, "w": 12, "h": 12, "options": {"limit": 20}},
                        {"type": "top_posts", "x": 0, "y": 0, "w": 6, "h": 12},
                        {"type": "feed", "x": 18, "y": 0, "w": 6, "h": 12},
                    ]
                }
            ],
        },
    )
    cookies = _session(browser, live)
    pages = _open_screens(browser, cookies, live, f"/walls/{wall['id']}", 2)
    try:
        push(live, [make_post("complaint", "Scandale, remboursez-moi !", lang="fr", followers=90_000)])
        _until(lambda: all("push:complaint" in _post_ids(page) for page in pages), "the post on both screens")
        with _api(live) as api:
            answer = api.post(
                f"/api/v1/walls/{wall['id']}/moderation/push:complaint", json={"action": "hide"}
            )
            assert answer.status_code == 200, answer.text
        _until(
            lambda: all("push:complaint" not in _post_ids(page) for page in pages),
            "the hidden post leaves",
            15,
        )
        # A page opened afterwards never gets it.
        pages += _open_screens(browser, cookies, live, f"/walls/{wall['id']}", 1)
        fresh = pages[-1]
        fresh.wait_for_function(
            "() => document.querySelectorAll('[data-widget=feed][data-state]').length > 0"
        )
        assert "push:complaint" not in _post_ids(fresh)
    finally:
        _close(pages)


def test_a_kiosk_link_reaches_nothing_else_and_stops_when_revoked(
    browser: Any, live: LiveHub, screenshots: Path
) -> None:
    wall = _create(
        live,
        {
            "name": "Lobby",
            "screens": {"columns": 2, "rows": 1},
            "filters": {"range": "24h"},
            "scenes": [
                {
                    "widgets": [
                        {"type": "carousel", "x": 0, "y": 0, "w": 16, "h": 12},
                        {"type": "clock", "x": 16, "y": 0, "w": 8, "h": 4},
                        {"type": "kpi", "x": 16, "y": 4, "w": 8, "h": 8, "options": {"metric": "posts"}},
                    ]
                }
            ],
        },
    )
    with _api(live) as api:
        link = api.post(f"/api/v1/walls/{wall['id']}/links").json()
    context = browser.new_context(viewport=SCREEN)  # no login
    try:
        page = context.new_page()
        page.goto(f"{live.base_url}{link['url']}?screen=2")
        page.wait_for_selector(
            f"#wall-screen[data-wall='{wall['id']}'][data-state=ready][data-stream=live]", timeout=30_000
        )
        page.wait_for_function(
            "() => document.querySelector('[data-widget=kpi]')?.dataset.state === 'ready'", timeout=30_000
        )
        page.screenshot(path=str(screenshots / "walls-kiosk.png"))
        for path in (
            "/api/v1/posts",
            "/api/v1/stream",
            "/api/v1/walls",
            "/api/v1/topics",
            f"/api/v1/walls/{wall['id']}/moderation",
        ):
            assert context.request.get(f"{live.base_url}{path}").status in (401, 403), path
        for path in ("/wall", "/walls", "/dashboards", f"/walls/{wall['id']}", f"/walls/{wall['id']}/edit"):
            answer = context.request.get(f"{live.base_url}{path}", max_redirects=0)
            assert answer.status in (401, 403), (path, answer.status)
        # An edit reaches the open screen live.
        edited = {key: wall[key] for key in ("name", "screens", "filters", "moderation", "scenes")}
        note = {"type": "text", "x": 16, "y": 0, "w": 8, "h": 4, "options": {"text": "Salle Turing, 14 h"}}
        edited["scenes"][0]["widgets"][1] = note
        with _api(live) as api:
            assert api.put(f"/api/v1/walls/{wall['id']}", json=edited).status_code == 200
        page.wait_for_selector("[data-widget=text]:has-text('Salle Turing, 14 h')", timeout=15_000)
        assert page.locator("[data-widget=clock]").count() == 0
        with _api(live) as api:
            assert api.delete(f"/api/v1/walls/{wall['id']}/links/{link['token']}").status_code == 204
        page.wait_for_selector("#wall-screen[data-state=revoked]", timeout=15_000)
        assert page.locator("[data-widget]").count() == 0
        assert context.request.get(f"{live.base_url}/api/v1/walls/{wall['id']}").status in (401, 403)
    finally:
        context.close()


def test_the_editor_moves_a_widget_across_a_border_and_saves(
    page: Any, live: LiveHub, problems: PageProblems, screenshots: Path
) -> None:
    wall = _create(
        live,
        {
            "name": "Editor wall",
            "screens": {"columns": 2, "rows": 1},
            "scenes": [
                {
                    "name": "One",
                    "duration_s": 30,
                    "widgets": [{"type": "carousel", "x": 2, "y": 2, "w": 6, "h": 6}],
                }
            ],
        },
    )
    log_in(page, live, f"/walls/{wall['id']}/edit")
    item = page.locator(".grid-stack-item[data-widget-type=carousel]")
    item.wait_for()
    bezels = page.locator(".wall-editor__bezel")
    assert bezels.count() == 1  # one border between two screens
    canvas = page.locator(".wall-editor__canvas").bounding_box()
    cell = canvas["width"] / 24
    box = item.bounding_box()
    start = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(start[0] + 4 * cell, start[1], steps=6)
    page.mouse.move(start[0] + 8 * cell, start[1], steps=6)
    page.mouse.up()
    page.locator("[data-moderation=hide_links]").check()
    page.click("[data-action=save]")
    page.wait_for_selector(".wall-editor__saved")
    with _api(live) as api:
        saved = api.get(f"/api/v1/walls/{wall['id']}").json()
    moved = saved["scenes"][0]["widgets"][0]
    assert moved["x"] >= 8 and moved["x"] < 12 < moved["x"] + moved["w"], moved  # across the border
    assert saved["moderation"]["hide_links"] is True and saved["version"] == 2
    # No page may be framed (frame-ancestors 'none'): the preview opens the screens in a tab.
    preview = page.locator("[data-action=preview]")
    assert (
        preview.get_attribute("href") == f"/walls/{wall['id']}"
        and preview.get_attribute("target") == "_blank"
    )
    assert page.locator("iframe").count() == 0
    page.screenshot(path=str(screenshots / "walls-editor.png"))
    assert problems.errors == [], problems.errors


def test_the_moderation_queue_hides_a_post(
    page: Any, live: LiveHub, problems: PageProblems, screenshots: Path
) -> None:
    push(live, [make_post("queue-1", "Une question sur la facture 🧾", lang="fr")])
    wall = _create(live, {"name": "Queue wall", "filters": {"range": "24h"}, "moderation": {"mode": "pre"}})
    log_in(page, live, f"/walls/{wall['id']}/moderation")
    row = page.locator('.moderation-item[data-post-id="push:queue-1"]')
    row.wait_for()
    assert row.get_attribute("data-shown") == "false"  # pre-moderation: not shown until approved
    row.locator("[data-action=approve]").click()
    page.wait_for_selector(
        '.moderation-item[data-post-id="push:queue-1"][data-status=approved][data-shown=true]'
    )
    page.screenshot(path=str(screenshots / "walls-moderation.png"))
    row.locator("[data-action=hide]").click()
    page.wait_for_selector('.moderation-item[data-post-id="push:queue-1"][data-status=hidden]')
    with _api(live) as api:
        shown = api.get(f"/api/v1/walls/{wall['id']}/posts").json()["items"]
    assert "push:queue-1" not in {post["id"] for post in shown}
    assert problems.errors == [], problems.errors


@pytest.mark.parametrize(
    ("size", "query", "name"),
    [
        ({"width": 1920, "height": 1080}, "theme=dark&lang=en", "walls-1080p-dark-en.png"),
        ({"width": 3840, "height": 2160}, "theme=light&lang=fr", "walls-4k-light-fr.png"),
    ],
)
def test_big_screens_dark_and_light_french_and_english(
    browser: Any, live: LiveHub, screenshots: Path, size: dict[str, int], query: str, name: str
) -> None:
    push(
        live,
        [
            make_post(
                "emoji", "Merci pour la fibre ultra rapide 🚀🔥😍 #NovaTelecom", lang="fr", followers=4200
            )
        ],
    )
    wall = _create(
        live,
        {
            "name": "Hall",
            "filters": {"range": "24h"},
            "scenes": [
                {
                    "widgets": [
                        {"type": "carousel", "x": 0, "y": 0, "w": 8, "h": 8, "options": {"limit": 1}},
                        {"type": "clock", "x": 8, "y": 0, "w": 4, "h": 3},
                        {"type": "kpi", "x": 8, "y": 3, "w": 4, "h": 5, "options": {"metric": "posts"}},
                        {"type": "alerts", "x": 0, "y": 8, "w": 8, "h": 4},
                        {"type": "sentiment", "x": 8, "y": 8, "w": 4, "h": 4},
                    ]
                }
            ],
        },
    )
    with _api(live) as api:
        link = api.post(f"/api/v1/walls/{wall['id']}/links").json()
    context = browser.new_context(viewport=size, device_scale_factor=1)
    try:
        page = context.new_page()
        page.goto(f"{live.base_url}{link['url']}?screen=1&{query}")
        page.wait_for_selector("#wall-screen[data-state=ready][data-stream=live]", timeout=30_000)
        _until(lambda: "loading" not in _states(page).values(), lambda: f"widgets loaded: {_states(page)}")
        language = query.rsplit("=", 1)[1]
        assert page.evaluate("() => document.documentElement.lang") == language
        alerts = page.locator("[data-widget=alerts]")
        assert alerts.get_attribute("data-state") == "empty"
        expected = "lien kiosque" if language == "fr" else "kiosk link"
        assert expected in alerts.inner_text()
        # Legible at five metres: the carousel's text is at least 4 % of the screen's height.
        text_px = page.evaluate(
            "() => parseFloat(getComputedStyle(document.querySelector('.carousel__text')).fontSize)"
            " * new DOMMatrix(getComputedStyle(document.querySelector('.wall-cell__inner')).transform).a"
        )
        assert text_px >= 0.04 * size["height"], text_px
        at_rest(page)
        page.screenshot(path=str(screenshots / name))
    finally:
        context.close()
