"""The scheduled reports page in Chromium, in English and French, dark and light: the reports listed
with their schedule and deliveries, a report scheduled through the form, a bad time zone refused
with the field named, and a report paused.

Screenshots (tests/e2e/screenshots/): reports-en-dark.png, reports-fr-light.png.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import log_in
from tests.e2e.workspace import create_dashboard
from tests.support.live_server import LiveHub

pytestmark = pytest.mark.browser


def _reports(live: LiveHub) -> list[dict[str, Any]]:
    answer = httpx.get(f"{live.base_url}/api/v1/reports", headers=live.auth_headers, timeout=10)
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


def test_the_reports_page_schedules_and_pauses(
    page: Any, live: LiveHub, screenshots: Path, problems: Any
) -> None:
    dashboard = create_dashboard(live, {"name": "Morning <b>brief</b>", "widgets": []})
    created = httpx.post(
        f"{live.base_url}/api/v1/reports",
        json={"name": "Weekly <i>digest</i>", "dashboard_id": dashboard["id"], "schedule": "weekly",
              "weekday": "friday", "at": "17:30", "timezone": "Europe/Paris",
              "notify": ["json://127.0.0.1:9/hook"]},
        headers=live.auth_headers, timeout=10,
    )  # fmt: skip
    assert created.status_code == 201, created.text
    log_in(page, live, "/reports")
    page.wait_for_selector("[data-screen=reports][data-state=ready]")
    card = page.locator(f"[data-report-id='{created.json()['id']}']")
    assert "Weekly <i>digest</i>" in card.inner_text()  # names are text, never HTML
    assert "Every Friday at 17:30 (Europe/Paris)" in card.inner_text()
    assert "Morning <b>brief</b>" in card.inner_text()
    # The form: a bad time zone is refused, the field named; then a good one schedules the report.
    page.fill("#report-name", "Daily brief")
    page.fill("#report-at", "07:15")
    page.fill("#report-timezone", "Europe/Atlantis")
    page.click("[data-form=report] button[type=submit]")
    error = page.wait_for_selector("[data-form=report] .field__error[data-field=timezone]")
    assert "timezone" in error.inner_text()
    page.fill("#report-timezone", "America/Montreal")
    page.click("[data-form=report] button[type=submit]")
    page.wait_for_function("() => document.querySelectorAll('[data-report-id]').length === 2")
    daily = next(item for item in _reports(live) if item["name"] == "Daily brief")
    assert (daily["schedule"], daily["at"], daily["timezone"]) == ("daily", "07:15", "America/Montreal")
    page.screenshot(path=str(screenshots / "reports-en-dark.png"), full_page=True)
    # Paused: no next run.
    page.locator(f"[data-report-id='{daily['id']}'] [data-action=toggle]").click()
    page.wait_for_selector(f"[data-report-id='{daily['id']}'][data-enabled=false]")
    assert next(item for item in _reports(live) if item["id"] == daily["id"])["next_run"] is None
    page.goto(f"{live.base_url}/reports?lang=fr&theme=light")
    page.wait_for_selector("[data-screen=reports][data-state=ready]")
    assert "Rapports programmés" in page.inner_text("h1")
    assert "Chaque vendredi à 17:30 (Europe/Paris)" in page.inner_text(".reports-list")
    assert "En pause" in page.inner_text(".reports-list")
    page.screenshot(path=str(screenshots / "reports-fr-light.png"), full_page=True)
    # The only console error is the browser's note of the refused (422) request.
    assert [error for error in problems.errors if "status of 422" not in error] == []
