"""The desk page /inbox and the inbox widget in Chromium, in English and French, dark and light,
against a hub whose accounts answer through the fake write platform on 127.0.0.1.

Screenshots (tests/e2e/screenshots/): inbox-en.png (a reply sent, a rate limit shown),
inbox-fr.png (French, light theme), inbox-widget.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import log_in
from tests.e2e.workspace import create_dashboard
from tests.fakes.replies import ReplyPlatform, demo_credentials, serve_replies
from tests.integration.inbox.helpers import customer_post, register_ours, write
from tests.support.live_server import LiveHub, serve_hub
from veille.hub import Hub
from veille.settings import Settings
from veille.teams import create_team

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def platform() -> Iterator[tuple[ReplyPlatform, str]]:
    with serve_replies() as served:
        yield served


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, platform: tuple[ReplyPlatform, str]) -> Iterator[LiveHub]:
    _fake, base = platform
    settings = Settings(data_dir=tmp_path_factory.mktemp("inbox") / "veille-data")
    with serve_hub(settings, hub=Hub.build(settings)) as hub:
        accounts = register_ours(hub.hub.store)
        for name, account in accounts.items():
            response = httpx.put(
                f"{hub.base_url}/api/v1/inbox/accounts/{account.id}",
                json={"sla_s": 3600, "endpoint": f"{base}/{name}", "credentials": demo_credentials(name)},
                headers=hub.auth_headers,
                timeout=10,
            )
            assert response.status_code == 200, response.text
        write(
            hub.hub.store,
            customer_post(1, followers=180_000, sentiment="negative", minutes_ago=20),
            customer_post(2, minutes_ago=75, text="@NovaCare <b>facture</b> en double ce mois-ci ?"),
            customer_post(3, platform="mastodon", to="novatelecom", minutes_ago=5),
            customer_post(4, platform="bluesky", to="novatelecom.bsky.social", minutes_ago=40),
        )
        for body in (
            {
                "name": "Panne — attente",
                "kind": "holding",
                "lang": "fr",
                "text": "Bonjour {first_name}, nos équipes regardent votre ligne. {agent}",
            },
            {
                "name": "Outage holding",
                "kind": "holding",
                "lang": "en",
                "text": "Hi {first_name}, we are on it.",
            },
        ):
            made = httpx.post(
                f"{hub.base_url}/api/v1/inbox/saved-replies", json=body, headers=hub.auth_headers, timeout=10
            )
            assert made.status_code == 201, made.text
        yield hub


def _item(live: LiveHub, post_id: str) -> dict[str, Any]:
    response = httpx.get(f"{live.base_url}/api/v1/inbox/{post_id}", headers=live.auth_headers, timeout=10)
    assert response.status_code == 200, response.text
    item: dict[str, Any] = response.json()
    return item


def test_the_desk_answers_shows_platform_errors_and_locks(
    page: Any, live: LiveHub, platform: tuple[ReplyPlatform, str], screenshots: Path, problems: Any
) -> None:
    fake, _base = platform
    log_in(page, live, "/inbox")
    page.wait_for_selector("[data-screen=inbox][data-state=ready]")
    rows = page.locator(".inbox-row")
    assert rows.count() == 4
    # the influential, negative post first; the 75-minute-old one past its SLA
    first = customer_post(1).id
    assert rows.first.get_attribute("data-post-id") == first
    assert rows.first.get_attribute("data-priority") in {"high", "urgent"}
    late = page.locator(f".inbox-row[data-post-id='{customer_post(2).id}']")
    assert late.get_attribute("data-breached") == "true" and "SLA breached" in late.inner_text()
    assert "<b>facture</b>" in late.inner_text()  # post text is text, never HTML

    page.wait_for_selector(f".inbox-detail[data-post-id='{first}'][data-state=ready]")
    page.select_option("[data-control=saved-reply]", label="Holding · Panne — attente (fr)")
    preview = page.inner_text("[data-control=preview]")
    assert "Bonjour Camille, nos équipes regardent votre ligne. tester" in preview
    page.click("[data-action=send]")
    page.wait_for_selector(f".inbox-detail[data-post-id='{first}'] [data-control=status]:has-text('replied')")
    assert fake.replies[-1]["text"] == "Bonjour Camille, nos équipes regardent votre ligne. tester"
    assert _item(live, first)["status"] == "replied"
    page.wait_for_selector(f".inbox-detail[data-post-id='{first}'] .inbox-thread__post--ours")

    # X refuses the next reply: the person reads why and when to try again
    second = customer_post(2).id
    page.click(f".inbox-row[data-post-id='{second}'] .inbox-row__open")
    page.wait_for_selector(f".inbox-detail[data-post-id='{second}'][data-state=ready]")
    fake.fail("x", "rate_limited")
    page.fill("[data-control=reply-text]", "Bonjour {first_name}, on vérifie votre facture.")
    page.click("[data-action=send]")
    error = page.wait_for_selector("[data-control=error]")
    assert "X rate limit reached" in error.inner_text() and "try again in" in error.inner_text()
    assert _item(live, second)["status"] == "new"

    # someone else takes the Bluesky post: the desk says who answers it
    third = customer_post(4, platform="bluesky").id
    access = live.hub.access
    create_team(store=live.hub.store, spec={"name": "care-fr", "countries": ["FR"]}, actor="tests")
    user_id = access.add_user("bruno", "long enough password", role="analyst", teams=["care-fr"])
    token = access.create_token("bruno-token", user_id=user_id)
    locked = httpx.post(
        f"{live.base_url}/api/v1/inbox/{third}/lock", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert locked.status_code == 200, locked.text
    page.click(f".inbox-row[data-post-id='{third}'] .inbox-row__open")
    page.wait_for_selector(f".inbox-detail[data-post-id='{third}'] [data-control=locked]")
    assert "bruno is answering this post" in page.inner_text("[data-control=locked]")
    page.click(f".inbox-row[data-post-id='{second}'] .inbox-row__open")
    page.wait_for_selector(f".inbox-detail[data-post-id='{second}'][data-state=ready]")
    page.screenshot(path=str(screenshots / "inbox-en.png"), full_page=True)

    # close with a disposition
    page.select_option("[data-control=disposition]", "no_action")
    page.click("[data-action=close]")
    page.wait_for_selector(f".inbox-detail[data-post-id='{second}'] [data-control=status]:has-text('closed')")
    assert _item(live, second)["disposition"] == "no_action"
    # the browser logs the platform's 429 it was shown; nothing else went wrong
    assert [e for e in problems.errors if "status of 429" not in e] == []


def test_the_desk_in_french_and_light(page: Any, live: LiveHub, screenshots: Path, problems: Any) -> None:
    log_in(page, live, "/inbox?lang=fr&theme=light")
    page.wait_for_selector("[data-screen=inbox]:is([data-state=ready], [data-state=empty])")
    page.click("[data-filter=all]")
    page.wait_for_selector("[data-screen=inbox][data-state=ready]")
    page.wait_for_selector(".inbox-detail[data-state=ready]")
    text = page.inner_text("main")
    assert "Boîte de réception" in text and "Tous" in text and "Envoyer la réponse" in text
    page.screenshot(path=str(screenshots / "inbox-fr.png"), full_page=True)
    assert problems.errors == []


def test_the_inbox_widget_on_a_monitoring_screen(page: Any, live: LiveHub, screenshots: Path) -> None:
    write(live.hub.store, customer_post(5, minutes_ago=95, followers=40_000, sentiment="negative"))
    dashboard = create_dashboard(
        live,
        {
            "name": "Care room",
            "widgets": [{"type": "inbox", "x": 0, "y": 0, "w": 6, "h": 6, "options": {"limit": 5}}],
        },
    )
    log_in(page, live, f"/dashboards/{dashboard['id']}")
    page.wait_for_selector("[data-widget=inbox][data-state=ready]", timeout=30_000)
    summary = httpx.get(f"{live.base_url}/api/v1/inbox/summary", headers=live.auth_headers, timeout=10).json()
    assert page.inner_text("[data-widget=inbox] [data-figure=queue] dd") == str(summary["queue"])
    assert int(page.inner_text("[data-widget=inbox] [data-figure=breached] dd")) == summary["breached"] >= 1
    assert page.locator("[data-widget=inbox] [data-post-id]").count() == min(5, summary["queue"])
    page.screenshot(path=str(screenshots / "inbox-widget.png"))
