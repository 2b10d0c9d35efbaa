"""``GET /api/v1/dashboards/{id}/report.pdf``: Chromium prints the report page as the caller; without
Chromium the answer is a 503 that names it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.live_server import LiveHub, serve_hub
from veille.settings import Settings


@pytest.fixture
def live(settings: Settings) -> Iterator[LiveHub]:
    with serve_hub(settings) as hub:
        yield hub


@pytest.fixture
def browser(live: LiveHub) -> Iterator[httpx.Client]:
    """A user's session, as the dashboard page has it."""
    with httpx.Client(base_url=live.base_url, timeout=120, follow_redirects=False) as client:
        client.post("/login", data={"username": live.username, "password": live.password, "next": "/"})
        yield client


def _dashboard(live: LiveHub) -> int:
    body = {
        "name": "Printed",
        "filters": {"range": "24h"},
        "widgets": [{"type": "text", "x": 0, "y": 0, "w": 6, "h": 2, "options": {"text": "Printed note"}}],
    }
    created = httpx.post(
        f"{live.base_url}/api/v1/dashboards", json=body, headers=live.auth_headers, timeout=10
    )
    return int(created.json()["id"])


def test_without_chromium_the_answer_names_it(
    live: LiveHub, browser: httpx.Client, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    dashboard_id = _dashboard(live)
    monkeypatch.setenv("VEILLE_CHROMIUM", str(tmp_path / "no-chromium-here"))
    named = browser.get(f"/api/v1/dashboards/{dashboard_id}/report.pdf")
    assert named.status_code == 503 and named.json()["field"] == "chromium"
    assert "VEILLE_CHROMIUM" in named.json()["detail"]
    monkeypatch.delenv("VEILLE_CHROMIUM")
    monkeypatch.setenv("PATH", str(tmp_path))
    missing = browser.get(f"/api/v1/dashboards/{dashboard_id}/report.pdf")
    assert missing.status_code == 503
    assert missing.json()["detail"].startswith("chromium: no Chromium found")


def test_the_report_is_printed_for_a_user(live: LiveHub, browser: httpx.Client) -> None:
    dashboard_id = _dashboard(live)
    assert browser.get("/api/v1/dashboards/999/report.pdf").status_code == 404
    token = httpx.get(
        f"{live.base_url}/api/v1/dashboards/{dashboard_id}/report.pdf", headers=live.auth_headers, timeout=10
    )
    assert token.status_code == 403 and token.json()["field"] == "user"
    if shutil.which("chromium") is None:
        pytest.skip("no chromium on the PATH: the print itself is not tried")
    printed = browser.get(f"/api/v1/dashboards/{dashboard_id}/report.pdf")
    assert printed.status_code == 200, printed.text
    assert printed.headers["content-type"] == "application/pdf"
    assert printed.headers["content-disposition"] == f'attachment; filename="dashboard-{dashboard_id}.pdf"'
    assert printed.content.startswith(b"%PDF-")


def test_the_report_page_takes_a_print_session_once(live: LiveHub) -> None:
    """The print's session opens the report page (and sets the cookie for its widgets), nothing more."""
    dashboard_id = _dashboard(live)
    with httpx.Client(base_url=live.base_url, timeout=10, follow_redirects=False) as anonymous:
        assert anonymous.get(f"/dashboards/{dashboard_id}/report").status_code == 303  # to the login
        refused = anonymous.get(f"/dashboards/{dashboard_id}/report?print_session=made-up")
        assert refused.status_code == 303
        session_id = live.hub.access.open_session(
            live.hub.access.check_password(live.username, live.password),  # type: ignore[arg-type]
            seconds=60,
        )
        page = anonymous.get(f"/dashboards/{dashboard_id}/report?print_session={session_id}&lang=fr")
        assert (
            page.status_code == 200 and '<html lang="fr"' in page.text and 'data-mode="report"' in page.text
        )
        assert page.cookies.get("veille_session") == session_id
        live.hub.access.close_session(session_id)
        anonymous.cookies.clear()
        assert (
            anonymous.get(f"/dashboards/{dashboard_id}/report?print_session={session_id}").status_code == 303
        )
