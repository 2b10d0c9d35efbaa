"""Screenshots of the wall full of realistic posts (dark, light, 4K), kept for a person to look at.

The assertions check what a screenshot cannot prove by itself: the grid fills a 16:9 screen,
text is big enough to read from a distance, and cards do not overflow their columns.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import log_in, push, settle, wait_live
from tests.e2e.demo_posts import DEMO_POSTS, DemoSentimentStage
from tests.support.live_server import LiveHub, serve_hub
from veille.hub import Hub, default_stages
from veille.settings import Settings

pytestmark = pytest.mark.browser


def _timed(post: dict[str, Any]) -> dict[str, Any]:
    item = {key: value for key, value in post.items() if key != "minutes_ago"}
    created = datetime.now(UTC) - timedelta(minutes=post["minutes_ago"])
    item["created_at"] = created.isoformat().replace("+00:00", "Z")
    return item


@pytest.fixture
def demo_live(settings: Settings) -> Iterator[LiveHub]:
    hub = Hub.build(settings, stages=[*default_stages(settings), DemoSentimentStage()])
    with serve_hub(settings, hub=hub) as live:
        # Oldest first, so that the store's newest-first order matches the minutes.
        push(live, [_timed(post) for post in reversed(DEMO_POSTS[3:])])
        yield live


def _check_layout(page: Any, *, min_text_px: float) -> None:
    layout = page.evaluate(
        """() => {
          const grid = document.querySelector('.grid').getBoundingClientRect();
          const cards = [...document.querySelectorAll('.card')].map(c => c.getBoundingClientRect());
          const columns = new Set(cards.map(r => Math.round(r.left)));
          const text = parseFloat(getComputedStyle(document.querySelector('.card__text')).fontSize);
          const overflow = cards.filter(r => r.right > grid.right + 1 || r.left < grid.left - 1).length;
          return {width: grid.width, columns: columns.size, text, overflow, viewport: innerWidth};
        }"""
    )
    assert layout["columns"] >= 3, layout
    assert layout["width"] >= 0.95 * layout["viewport"], layout
    assert layout["overflow"] == 0, layout
    assert layout["text"] >= min_text_px, layout


def test_wall_screenshots_dark_light_and_4k(
    demo_live: LiveHub, browser: Any, page: Any, screenshots: Path, problems: Any
) -> None:
    log_in(page, demo_live, "/wall?title=VivaTech%202026%20%E2%80%94%20Social%20wall")
    wait_live(page)
    page.wait_for_selector(".card")
    # Three posts arrive live: they slide in at the top of the wall.
    push(demo_live, [_timed(post) for post in reversed(DEMO_POSTS[:3])])
    page.wait_for_selector(f'[data-id="{DEMO_POSTS[0]["id"]}"]', timeout=2000)
    page.wait_for_timeout(250)
    page.screenshot(path=str(screenshots / "wall-dark-arriving.png"))
    settle(page)
    _check_layout(page, min_text_px=20)
    page.screenshot(path=str(screenshots / "wall-dark-1080p.png"))

    page.goto(f"{demo_live.base_url}/wall?theme=light&title=VivaTech%202026%20%E2%80%94%20Social%20wall")
    wait_live(page)
    page.wait_for_selector(".card")
    settle(page)
    _check_layout(page, min_text_px=20)
    page.screenshot(path=str(screenshots / "wall-light-1080p.png"))

    cookies = page.context.cookies()
    context = browser.new_context(viewport={"width": 3840, "height": 2160}, device_scale_factor=1)
    context.add_cookies(cookies)
    big = context.new_page()
    problems.attach(big)
    big.goto(f"{demo_live.base_url}/wall?title=Veille%20live")
    wait_live(big)
    big.wait_for_selector(".card")
    settle(big)
    _check_layout(big, min_text_px=40)
    big.screenshot(path=str(screenshots / "wall-dark-4k.jpg"), type="jpeg", quality=85)  # PNG at 4K is slow
    context.close()

    assert problems.errors == [] and problems.dialogs == []
