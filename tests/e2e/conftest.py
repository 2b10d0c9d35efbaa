"""Browser tests: Debian's Chromium driven by Playwright against a real hub on 127.0.0.1.

No browser is ever downloaded. Without /usr/bin/chromium the tests skip with a clear message;
under CI (``CI=true``) they fail instead, so a broken CI image cannot pass silently.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.support.live_server import LiveHub, serve_hub
from veille.settings import Settings

CHROMIUM = Path(os.environ.get("VEILLE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).parent / "screenshots"
FULL_HD = {"width": 1920, "height": 1080}


def _chromium_missing(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: browser tests must run; install Debian's chromium package)")
    pytest.skip(f"{reason}: browser tests skipped (apt-get install chromium to run them)")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    # Module scope, not session: Playwright's sync API runs an event loop in this thread while it is
    # open, and the asyncio tests collected after the browser tests need the thread free again.
    if not CHROMIUM.exists() and shutil.which(str(CHROMIUM)) is None:
        _chromium_missing(f"no Chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        _chromium_missing(f"the playwright package is not installed ({error})")
    with sync_playwright() as playwright:
        the_browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield the_browser
        the_browser.close()


@pytest.fixture
def live(settings: Settings) -> Iterator[LiveHub]:
    with serve_hub(settings) as hub:
        yield hub


@pytest.fixture
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


class PageProblems:
    """JavaScript errors and dialogs seen by a page: a wall must raise neither."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.dialogs: list[str] = []

    def attach(self, page: Any) -> None:
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on(
            "console", lambda message: self.errors.append(message.text) if message.type == "error" else None
        )

        def on_dialog(dialog: Any) -> None:
            self.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        page.on("dialog", on_dialog)


@pytest.fixture
def problems() -> PageProblems:
    return PageProblems()


@pytest.fixture
def page(browser: Any, problems: PageProblems) -> Iterator[Any]:
    context = browser.new_context(viewport=FULL_HD, device_scale_factor=1, reduced_motion="no-preference")
    # A busy 2-core CI machine (the suite's two workers, a hub and Chromium each) can take more than
    # Playwright's default 30 s for a login (argon2 on one lane) or a first page: waits that have no
    # time-out of their own get 60 s.
    context.set_default_timeout(60_000)
    the_page = context.new_page()
    problems.attach(the_page)
    yield the_page
    context.close()


def log_in(page: Any, live: LiveHub, target: str = "/wall") -> None:
    """Through the login form, as a person would: the redirect brings the browser back to ``target``."""
    page.goto(f"{live.base_url}{target}")
    assert urlsplit(page.url).path == "/login", page.url
    page.fill("input[name=username]", live.username)
    page.fill("input[name=password]", live.password)
    page.click("button[type=submit]")
    wanted = urlsplit(target)
    page.wait_for_url(
        lambda url: (
            urlsplit(url).path == wanted.path and parse_qs(urlsplit(url).query) == parse_qs(wanted.query)
        )
    )


def make_post(
    post_id: str,
    text: str,
    *,
    seconds_ago: float = 0,
    source: str = "push",
    handle: str = "alice",
    name: str | None = "Alice Martin",
    followers: int | None = 1250,
    **extra: Any,
) -> dict[str, Any]:
    created = datetime.now(UTC) - timedelta(seconds=seconds_ago)
    author: dict[str, Any] = {"handle": handle, "followers": followers}
    if name is not None:
        author["name"] = name
    return {
        "id": f"{source}:{post_id}",
        "source": source,
        "created_at": created.isoformat().replace("+00:00", "Z"),
        "text": text,
        "author": author,
        **extra,
    }


def push(live: LiveHub, posts: list[dict[str, Any]]) -> dict[str, Any]:
    response = httpx.post(f"{live.base_url}/api/v1/posts", json=posts, headers=live.auth_headers, timeout=10)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["accepted"] == len(posts), body
    return body


def wait_live(page: Any) -> None:
    """The wall has read the newest posts and its stream is open."""
    page.wait_for_selector(".live[data-status=live]", timeout=5000)


def settle(page: Any) -> None:
    """Let entry animations finish so that positions are final."""
    page.wait_for_function(
        "() => document.getAnimations().filter(a => a.playState === 'running'"
        " && ['slot-open', 'card-in'].includes(a.animationName)).length === 0",
        timeout=5000,
    )


# True once no widget or panel is loading, no ECharts chart is animating and no finite CSS animation
# runs, for 150 ms in a row: what a screenshot waits for instead of a fixed pause.
_AT_REST = """async () => {
  const { getInstanceByDom } = await import('/static/vendor/echarts/echarts.esm.min.js');
  const charts = [...document.querySelectorAll('[_echarts_instance_]')].map((e) => getInstanceByDom(e));
  const busy =
    document.querySelector('[data-widget][data-state=loading], [data-panel][data-state=loading]') !== null ||
    charts.some((chart) => chart && !chart.getZr().animation.isFinished()) ||
    document.getAnimations().some(
      (a) => a.playState === 'running' && a.effect?.getComputedTiming().iterations !== Infinity,
    );
  if (busy) {
    window.__veilleQuietSince = undefined;
    return false;
  }
  window.__veilleQuietSince ??= performance.now();
  return performance.now() - window.__veilleQuietSince >= 150;
}"""


def at_rest(page: Any, timeout: float = 30_000) -> None:
    """Wait until the page's widgets have loaded and its charts and entry animations have finished."""
    page.wait_for_function(_AT_REST, timeout=timeout)
