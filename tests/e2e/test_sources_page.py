"""The Sources page in a real browser, against a hub running fake Mastodon and Bluesky sources: it
lists them with the health the API reports, stops and starts them, shows a failed source's alert,
adds a source from the form (422 errors shown next to their field), deletes it, and never shows a
secret. Also the page's pure formatting rules, checked against values computed here."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import PageProblems, log_in
from tests.fakes import LocalServer
from tests.fakes.bluesky import FakeBluesky, make_post_event
from tests.fakes.mastodon import FakeMastodon, make_status
from tests.integration.sources.helpers import settings_with_toml, source_view, wait_for
from tests.support.live_server import LiveHub, serve_hub

pytestmark = pytest.mark.browser

MASTODON_TOKEN = "s3cret-mastodon-token"
WRONG_TOKEN = "wr0ng-t0ken-never-shown"
ADDED_TOKEN = "an0ther-s3cret-typed-in-the-form"
SECRETS = (MASTODON_TOKEN, WRONG_TOKEN, ADDED_TOKEN)
UI_TIMEOUT_MS = 8000


@dataclass
class SourcesHub:
    live: LiveHub
    api: httpx.Client
    mastodon_url: str


def _bluesky_event(time_us: int, text: str, created: datetime) -> dict[str, Any]:
    event = make_post_event(time_us, text)
    event["commit"]["record"]["createdAt"] = created.isoformat().replace("+00:00", "Z")
    return event


@pytest.fixture
def sources_hub(tmp_path: Path) -> Iterator[SourcesHub]:
    """A hub whose veille.toml declares a working Mastodon source, a Bluesky source with a query and
    a Mastodon source whose token the server refuses (a failed source, with its alert)."""
    now = datetime.now(UTC)
    mastodon = FakeMastodon(tokens=(MASTODON_TOKEN,))
    mastodon.scripts = [
        [
            ("update", make_status(501 + n, text="la livebox", tags=["livebox"], created_at=now))
            for n in range(3)
        ]
    ]
    bluesky = FakeBluesky()
    bluesky.scripts = [
        [
            ("event", _bluesky_event(int(now.timestamp() * 1e6), "Ma box wifi est en panne", now)),
            ("event", _bluesky_event(int(now.timestamp() * 1e6) + 1, "Une recette de crêpes", now)),
            ("raw", "{not json"),
        ]
    ]
    with LocalServer(mastodon.app) as masto_server, LocalServer(bluesky.app) as bsky_server:
        settings = settings_with_toml(
            tmp_path,
            f"""
[[sources]]
type = "mastodon"
name = "masto-livebox"
endpoint = "{masto_server.url}"
access_token = "{MASTODON_TOKEN}"
hashtags = ["livebox"]
initial_backfill = false

[[sources]]
type = "bluesky"
name = "bsky-wifi"
endpoint = "{bsky_server.ws_url}/subscribe"
query = "wifi"

[[sources]]
type = "mastodon"
name = "masto-refused"
endpoint = "{masto_server.url}"
access_token = "{WRONG_TOKEN}"
hashtags = ["orange"]
""",
        )
        with (
            serve_hub(settings) as live,
            httpx.Client(base_url=live.base_url, headers=live.auth_headers, timeout=10) as api,
        ):
            wait_for(lambda: source_view(api, "masto-livebox")["health"]["posts_total"] >= 3, what="statuses")
            wait_for(lambda: source_view(api, "bsky-wifi")["health"]["posts_total"] >= 1, what="bluesky")
            wait_for(lambda: source_view(api, "masto-refused")["alerts"], what="the failed alert")
            yield SourcesHub(live, api, masto_server.url)


def _row(page: Any, name: str) -> Any:
    return page.locator(f'tbody[data-source="{name}"]')


def _state(page: Any, name: str) -> str:
    return str(_row(page, name).locator("[data-state]").get_attribute("data-state"))


def _wait_state(page: Any, name: str, state: str) -> None:
    page.wait_for_selector(f'tbody[data-source="{name}"] [data-state="{state}"]', timeout=UI_TIMEOUT_MS)


def _assert_no_secret(page: Any) -> None:
    """Neither the markup nor any input's current value holds a secret."""
    markup = page.content()
    values = page.evaluate("() => [...document.querySelectorAll('input, textarea')].map(e => e.value)")
    for secret in SECRETS:
        assert secret not in markup, secret
        assert all(secret not in value for value in values), secret


def test_sources_page_lists_health_and_stops_then_starts(
    sources_hub: SourcesHub, page: Any, problems: PageProblems, screenshots: Path
) -> None:
    api = sources_hub.api
    log_in(page, sources_hub.live, "/sources")
    page.wait_for_selector('tbody[data-source="masto-refused"] [data-state="failed"]', timeout=UI_TIMEOUT_MS)
    _wait_state(page, "masto-livebox", "connected")
    _wait_state(page, "bsky-wifi", "connected")
    assert page.locator("nav a[aria-current=page]").inner_text() == "Sources"

    # Each row shows what the API says about that source.
    for name in ("masto-livebox", "bsky-wifi"):
        health = source_view(api, name)["health"]
        row = _row(page, name)
        assert row.locator("[data-cell=kept]").inner_text() == str(health["posts_total"])
        assert row.locator(".badge").inner_text().strip() == "Connected"
    assert _row(page, "masto-livebox").locator("[data-cell=kept]").inner_text() == "3"
    assert _row(page, "bsky-wifi").locator("[data-cell=kept]").inner_text() == "1"
    assert _row(page, "bsky-wifi").locator(".source__query").inner_text() == "wifi"
    assert _row(page, "bsky-wifi").locator("[data-cell=lag]").inner_text().endswith(" s")

    # The refused source: a failed badge, its error as text, the row and the summary highlighted.
    refused = _row(page, "masto-refused")
    assert "source--alert" in str(refused.get_attribute("class"))
    api_error = source_view(api, "masto-refused")["health"]["last_error"]
    assert api_error and "401" in api_error
    assert refused.locator("[data-cell=error]").inner_text() == api_error
    assert refused.locator("[data-row-alert=failed]").count() == 1
    assert page.locator("[data-alerts] [data-alert=failed]").count() == 1
    assert page.locator("[data-stat=alerts]").inner_text() == "1"
    assert page.locator("[data-stat=sources]").inner_text() == "3"  # platform sources; push is the hub's
    # Never connected: said in words under the badge.
    assert (
        refused.locator("[data-state-note]").inner_text()
        == "never connected; not retried: fix it, then Start"
    )
    # The push API is listed as one of the hub's own sources: read-only, listening, no actions.
    push = _row(page, "push")
    assert push.locator(".badge").inner_text().strip() == "Listening"
    assert push.locator("[data-origin=hub]").inner_text() == "hub"
    assert push.locator("[data-action=stop], [data-action=start], [data-action=delete]").count() == 0
    # The frame Bluesky sent that was not JSON: counted, kept, and shown in words with its reason.
    failed = _row(page, "bsky-wifi").locator("[data-failed]")
    failed.wait_for(timeout=UI_TIMEOUT_MS)
    assert failed.inner_text() == "1 item could not be read"
    assert source_view(api, "bsky-wifi")["failed"] == 1
    failed.locator("button").click()
    letters = _row(page, "bsky-wifi").locator("[data-dead-letters]")
    letters.wait_for(timeout=UI_TIMEOUT_MS)
    assert "veille sources replay-failed bsky-wifi" in letters.inner_text()
    [letter] = api.get("/api/v1/sources/bsky-wifi/failed").json()["items"]
    assert letters.locator(".dead-letter__reason").inner_text() == letter["reason"]
    assert letter["payload"] == "{not json"
    _row(page, "bsky-wifi").locator("[data-action=details]").click()
    # Sources from veille.toml cannot be deleted from the page (the file is their source of truth).
    assert refused.locator("[data-action=delete]").is_disabled()

    # Details: counters and the masked config, the secret shown as hidden.
    _row(page, "masto-livebox").locator("[data-action=details]").click()
    config = _row(page, "masto-livebox").locator("[data-config]")
    assert "•••• hidden" in config.inner_text()
    assert sources_hub.mastodon_url in config.inner_text()
    _assert_no_secret(page)
    page.screenshot(path=str(screenshots / "sources-page.png"), full_page=True)

    # Stop, then start, live: the page and the API agree.
    _row(page, "masto-livebox").locator("[data-action=stop]").click()
    _wait_state(page, "masto-livebox", "stopped")
    assert source_view(api, "masto-livebox")["running"] is False
    assert _row(page, "masto-livebox").locator("[data-action=start]").is_visible()
    _row(page, "masto-livebox").locator("[data-action=start]").click()
    _wait_state(page, "masto-livebox", "connected")
    assert wait_for(lambda: source_view(api, "masto-livebox")["running"], what="running again") is True
    page.wait_for_selector("[data-notice]", timeout=UI_TIMEOUT_MS)
    _assert_no_secret(page)
    assert problems.errors == [] and problems.dialogs == []


def test_add_source_form_shows_field_errors_then_adds_and_deletes(
    sources_hub: SourcesHub, page: Any, problems: PageProblems, screenshots: Path
) -> None:
    api = sources_hub.api
    log_in(page, sources_hub.live, "/sources")
    _wait_state(page, "masto-livebox", "connected")
    page.click("[data-action=open-add]")
    form = page.locator("[data-form=add-source]")
    form.wait_for(timeout=UI_TIMEOUT_MS)

    # The form follows the connector metadata: Bluesky's fields, the secret as a password input.
    form.locator("#field-type").select_option("bluesky")
    assert form.locator("[data-field=keywords] input").get_attribute("type") == "text"
    assert form.locator("[data-field=app_password] input").get_attribute("type") == "password"
    assert form.locator("[data-field=enabled] input").get_attribute("type") == "checkbox"
    assert form.locator("[data-field=stall_timeout_s] input").get_attribute("placeholder") == "60"

    # A value the hub refuses: its message appears next to that field, and nothing is added.
    form.locator("#field-name").fill("bsky-new")
    form.locator("#field-keywords").fill("fibre, wifi")
    form.locator("#field-stall_timeout_s").fill("soon")
    form.locator("[data-action=submit-add]").click()
    error = form.locator("[data-field=stall_timeout_s] .field__error")
    error.wait_for(timeout=UI_TIMEOUT_MS)
    assert error.inner_text() == "expected a number, got 'soon'"
    assert form.locator("#field-stall_timeout_s").get_attribute("aria-invalid") == "true"
    assert form.locator(".field__error").count() == 1
    page.screenshot(path=str(screenshots / "sources-add-error.png"))
    assert api.get("/api/v1/sources/bsky-new").status_code == 404

    # A bad name: the error moves to the name field.
    form.locator("#field-stall_timeout_s").fill("")
    form.locator("#field-name").fill("Bad Name")
    form.locator("[data-action=submit-add]").click()
    name_error = form.locator("[data-field=name] .field__error")
    name_error.wait_for(timeout=UI_TIMEOUT_MS)
    assert "lower-case letters" in name_error.inner_text()
    assert form.locator("[data-field=stall_timeout_s] .field__error").count() == 0

    # A taken name (409) is shown at the name field too.
    form.locator("#field-name").fill("bsky-wifi")
    form.locator("[data-action=submit-add]").click()
    page.wait_for_function(
        "() => document.querySelector('[data-field=name] .field__error')?.textContent.includes('already used')",
        timeout=UI_TIMEOUT_MS,
    )

    # A Mastodon source against the fake server, with a secret typed in: added, started, listed.
    form.locator("#field-type").select_option("mastodon")
    form.locator("#field-name").fill("masto-added")
    form.locator("#field-access_token").fill(ADDED_TOKEN)
    form.locator("#field-hashtags").fill("orange, livebox")
    form.locator("#field-initial_backfill").uncheck()
    form.locator("#field-endpoint").fill(sources_hub.mastodon_url)
    form.locator("[data-action=submit-add]").click()
    form.wait_for(state="detached", timeout=UI_TIMEOUT_MS)
    row = _row(page, "masto-added")
    row.wait_for(timeout=UI_TIMEOUT_MS)
    view = source_view(api, "masto-added")
    assert view["origin"] == "api"
    assert view["config"]["hashtags"] == ["orange", "livebox"]
    assert view["config"]["initial_backfill"] is False
    assert view["config"]["access_token"] == "***"
    # The fake refuses that token: the page shows the failure, without the token.
    page.wait_for_selector('tbody[data-source="masto-added"] [data-state="failed"]', timeout=UI_TIMEOUT_MS)
    _assert_no_secret(page)

    # Delete asks inline (no browser dialog), then the source is gone from the page and the hub.
    row.locator("[data-action=delete]").click()
    row.locator("[data-action=confirm-delete]").click()
    row.wait_for(state="detached", timeout=UI_TIMEOUT_MS)
    assert api.get("/api/v1/sources/masto-added").status_code == 404
    # Chromium logs each refused request (the 422s and the 409 above, on purpose); nothing else.
    unexpected = [
        error
        for error in problems.errors
        if not error.startswith("Failed to load resource: the server responded with a status of 4")
    ]
    assert unexpected == [] and problems.dialogs == []


def test_sources_page_needs_login_and_refreshes_health(
    sources_hub: SourcesHub, page: Any, screenshots: Path
) -> None:
    live = sources_hub.live
    response = httpx.get(f"{live.base_url}/sources", follow_redirects=False, timeout=30)
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/sources"
    log_in(page, live, "/sources")
    _wait_state(page, "masto-livebox", "connected")
    # Stopped behind the page's back (through the API): coming back to the tab shows it at once,
    # sooner than the 5 s poll would.
    stop = httpx.post(f"{live.base_url}/api/v1/sources/bsky-wifi/stop", headers=live.auth_headers, timeout=10)
    assert stop.is_success
    page.evaluate("() => window.dispatchEvent(new Event('focus'))")
    page.wait_for_selector('tbody[data-source="bsky-wifi"] [data-state="stopped"]', timeout=3000)
    # And without any event, the periodic refresh brings the next change.
    stop = httpx.post(
        f"{live.base_url}/api/v1/sources/masto-livebox/stop", headers=live.auth_headers, timeout=10
    )
    assert stop.is_success
    _wait_state(page, "masto-livebox", "stopped")
    # Cookie-authenticated writes without the page's header are refused: the page must send it.
    cookies = {cookie["name"]: cookie["value"] for cookie in page.context.cookies()}
    refused = httpx.post(f"{live.base_url}/api/v1/sources/bsky-wifi/start", cookies=cookies, timeout=10)
    assert refused.status_code == 403

    # The light theme, for offices: same page, the themes of veille.css.
    page.goto(f"{live.base_url}/sources?theme=light")
    _wait_state(page, "bsky-wifi", "stopped")
    assert "theme-light" in str(page.locator("body").get_attribute("class"))
    page.screenshot(path=str(screenshots / "sources-page-light.png"))


def test_source_strings_are_text_not_markup(tmp_path: Path, page: Any, problems: PageProblems) -> None:
    # A query holding markup (a phrase the query language accepts) is shown as the characters typed.
    markup_query = '"<img src=x onerror=alert(1)>" OR "<b>wifi</b>"'
    settings = settings_with_toml(
        tmp_path,
        f"""
[[sources]]
type = "bluesky"
name = "markup"
endpoint = "ws://127.0.0.1:9/subscribe"
query = {json.dumps(markup_query)}
""",
    )
    with serve_hub(settings) as live:
        log_in(page, live, "/sources")
        row = _row(page, "markup")
        row.wait_for(timeout=UI_TIMEOUT_MS)
        assert row.locator(".source__query").inner_text() == markup_query
        assert page.locator("#sources img, #sources b").count() == 0
        # Nothing listens on port 9: the source reconnects, and says why as text.
        page.wait_for_selector(
            'tbody[data-source="markup"] [data-state="backing_off"], tbody[data-source="markup"] [data-cell=error]',
            timeout=UI_TIMEOUT_MS,
        )
        time.sleep(0.2)
    assert problems.dialogs == []


def test_sources_formatting_rules(live: LiveHub, page: Any) -> None:
    page.goto(f"{live.base_url}/login")
    fields = [
        {"name": "name", "type": "str"},
        {"name": "keywords", "type": "list[str]"},
        {"name": "stall_timeout_s", "type": "float"},
        {"name": "backfill_pages", "type": "int"},
        {"name": "initial_backfill", "type": "bool"},
        {"name": "rules", "type": "dict[str,str]"},
        {"name": "endpoint", "type": "str"},
    ]
    results = page.evaluate(
        """async (fields) => {
          const f = await import('/static/admin/format.js');
          const shared = await import('veille/format.js');
          const names = fields.map(x => x.name);
          return {
            durations: [null, 0.4, 1, 59.9, 60, 3599, 3600, 86399, 86400 * 3].map(s => shared.formatDuration(s)),
            numbers: [0, 7, 1234, 1234567, null].map(n => shared.formatNumber(n)),
            states: ['connected', 'backing_off', 'failed', 'stopped', 'connecting', 'idle', 'running', 'listening', 'weird']
              .map(s => f.stateOf(s).label),
            notes: [
              {health: {state: 'failed', last_connected_at: null, next_retry_at: 1000 + 90}},
              {health: {state: 'failed', last_connected_at: 900, next_retry_at: null}},
              {health: {state: 'backing_off', last_connected_at: 900, next_retry_at: 1000 + 4000}},
              {health: {state: 'connecting', last_connected_at: null, next_retry_at: null}},
              {health: {state: 'connected', last_connected_at: 900, next_retry_at: null}},
              {read_only: true, health: {state: 'listening'}},
              {read_only: true, health: {state: 'running'}},
              {read_only: true, health: {state: 'stopped'}},
            ].map(source => f.stateNote(source, 1000 * 1000)),
            failed: [null, 0, 1, 1234].map(n => f.failedText(n)),
            platform: f.platformSources([{name: 'a'}, {name: 'push', read_only: true}]).map(s => s.name),
            good: f.tableFromForm('bluesky', fields, {
              name: ' bsky ', keywords: 'wifi, fibre ,\\n panne,,', stall_timeout_s: '2.5',
              backfill_pages: '7', initial_backfill: false, rules: 'a = x lang:fr\\n\\nb=y', endpoint: '',
            }),
            raw: f.tableFromForm('bluesky', fields, {stall_timeout_s: 'soon', backfill_pages: '1.5', keywords: ' '}),
            badDict: f.tableFromForm('x', fields, {rules: 'no equals sign'}),
            errors: [
              f.fieldError("source 'bsky': stall_timeout_s: expected a number, got 'soon'", 'bsky', names),
              f.fieldError("source 'it's': name: required, lower-case letters", "it's", names),
              f.fieldError("source 'q': query: unexpected ')' at column 4", 'q', names),
              f.fieldError("this hub runs no platform sources", '', names),
              f.fieldError([{loc: ['body', 'keywords'], msg: 'bad list'}], '', names),
            ],
          };
        }""",
        fields,
    )
    assert results["durations"] == ["—", "<1 s", "1 s", "59 s", "1 min", "59 min", "1 h", "23 h", "3 d"]
    assert results["numbers"] == ["0", "7", "1,234", "1,234,567", "—"]
    assert results["states"] == [
        "Connected",
        "Reconnecting",
        "Failed",
        "Stopped",
        "Connecting",
        "Idle",
        "Running",
        "Listening",
        "weird",
    ]
    assert results["notes"] == [
        "never connected; tries again in 1 min",
        "lost; not retried: fix it, then Start",
        "retry in 1 h",
        "not connected yet",
        "",
        "accepts posts sent to POST /api/v1/posts",
        "the hub's own source",
        "the hub's own source, not running",
    ]
    assert results["failed"] == [
        "",
        "every item read became a post",
        "1 item could not be read",
        "1,234 items could not be read",
    ]
    assert results["platform"] == ["a"]
    assert results["good"] == {
        "table": {
            "type": "bluesky",
            "name": "bsky",
            "keywords": ["wifi", "fibre", "panne"],
            "stall_timeout_s": 2.5,
            "backfill_pages": 7,
            "initial_backfill": False,
            "rules": {"a": "x lang:fr", "b": "y"},
        },
        "errors": {},
    }
    # Text that is not a number is sent as typed, so the hub names the field and what it expected.
    assert results["raw"] == {
        "table": {
            "type": "bluesky",
            "stall_timeout_s": "soon",
            "backfill_pages": "1.5",
            "initial_backfill": False,
        },
        "errors": {},
    }
    assert results["badDict"]["errors"] == {"rules": "line 1: expected 'name = value'"}
    assert results["errors"] == [
        {"field": "stall_timeout_s", "message": "expected a number, got 'soon'"},
        {"field": "name", "message": "required, lower-case letters"},
        {"field": None, "message": "query: unexpected ')' at column 4"},
        {"field": None, "message": "this hub runs no platform sources"},
        {"field": "keywords", "message": "bad list"},
    ]


def test_the_simulator_and_an_unreachable_feed_read_as_what_they_are(
    tmp_path: Path, page: Any, problems: PageProblems, screenshots: Path
) -> None:
    """The issue's two screens: "No sources yet" while the simulator fed the hub, and an RSS feed
    that cannot be reached shown "Connected — all quiet" with a network error."""
    from veille.demo.simulator import SimulatorSource
    from veille.hub import Hub

    settings = settings_with_toml(
        tmp_path,
        f'[[sources]]\ntype = "rss"\nname = "press"\nfeeds = ["http://127.0.0.1:{_closed_port()}/feed.xml"]\n',
    )
    hub = Hub.build(settings, sources=[SimulatorSource(rate_per_min=600, speed=20)])
    with (
        serve_hub(settings, hub=hub) as live,
        httpx.Client(base_url=live.base_url, headers=live.auth_headers, timeout=10) as api,
    ):
        wait_for(lambda: source_view(api, "simulator")["health"]["posts_total"] > 0, what="simulated posts")
        wait_for(lambda: source_view(api, "press")["health"]["state"] == "failed", what="the feed's failure")
        log_in(page, live, "/sources")
        _wait_state(page, "press", "failed")
        _wait_state(page, "simulator", "running")
        assert page.locator("[data-empty]").count() == 0  # no "No sources yet" while posts come in
        simulator = _row(page, "simulator")
        assert simulator.locator(".badge").inner_text().strip() == "Running"
        assert int(simulator.locator("[data-cell=kept]").inner_text().replace(",", "")) > 0
        press = _row(page, "press")
        assert press.locator(".badge").inner_text().strip() == "Failed"
        assert "network error" in press.locator("[data-cell=error]").inner_text()
        assert press.locator("[data-state-note]").inner_text().startswith("never connected; tries again in")
        assert page.locator("[data-stat=connected]").inner_text().startswith("0")
        page.wait_for_selector("[data-alerts] [data-alert=failed]", timeout=UI_TIMEOUT_MS)
        assert page.locator("[data-stat=alerts-hint]").inner_text() == "need attention"
        page.screenshot(path=str(screenshots / "sources-simulator-and-failed-feed.png"), full_page=True)
    assert problems.errors == [] and problems.dialogs == []


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
