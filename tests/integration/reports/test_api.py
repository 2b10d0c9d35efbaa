"""``/api/v1/reports``: create (201 with ``id`` and ``next_run``), read, replace, delete, run now;
errors name their field; a report is seen inside its owner's teams only; a run prints the dashboard
with Chromium and sends it through Apprise's ``json://`` to a real local server."""

from __future__ import annotations

import base64
import shutil
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.live_server import LiveHub
from tests.support.webhook import webhook_server
from veille.teams import create_team


def _dashboard(api: httpx.Client) -> int:
    body = {
        "name": "Printed",
        "filters": {"range": "24h"},
        "widgets": [{"type": "text", "x": 0, "y": 0, "w": 6, "h": 2, "options": {"text": "Printed note"}}],
    }
    return int(api.post("/api/v1/dashboards", json=body).json()["id"])


def _user_client(live: LiveHub, name: str, role: str, team: str) -> httpx.Client:
    user_id = live.hub.access.add_user(name, "long enough password", role=role, teams=[team])
    token = live.hub.access.create_token(f"{name}-token", user_id=user_id, role=role, teams=[team])
    return httpx.Client(base_url=live.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=120)


@pytest.fixture
def teams(live: LiveHub) -> Iterator[dict[str, httpx.Client]]:
    for name, country in (("fr", "FR"), ("es", "ES")):
        create_team(store=live.hub.store, spec={"name": name, "countries": [country]}, actor="tests")
    clients = {
        "fr-analyst": _user_client(live, "fr-analyst", "analyst", "fr"),
        "fr-viewer": _user_client(live, "fr-viewer", "viewer", "fr"),
        "es-analyst": _user_client(live, "es-analyst", "analyst", "es"),
    }
    yield clients
    for client in clients.values():
        client.close()


def test_crud_and_named_errors(api: httpx.Client) -> None:
    dashboard_id = _dashboard(api)
    body: dict[str, Any] = {
        "name": "Weekly brief", "dashboard_id": dashboard_id, "schedule": "weekly", "at": "08:30",
        "weekday": "monday", "timezone": "Europe/Paris", "language": "fr",
        "notify": ["json://127.0.0.1:9/hook"], "enabled": True,
    }  # fmt: skip
    created = api.post("/api/v1/reports", json=body)
    assert created.status_code == 201, created.text
    report = created.json()
    assert report["id"] >= 1 and report["next_run"].endswith("Z") and report["owner"] == "tests"
    assert report["weekday"] == "monday" and report["runs"] == []
    assert [item["id"] for item in api.get("/api/v1/reports").json()["items"]] == [report["id"]]
    assert api.get(f"/api/v1/reports/{report['id']}").json()["name"] == "Weekly brief"
    changed = api.put(f"/api/v1/reports/{report['id']}", json={**body, "enabled": False, "at": "09:00"})
    assert (
        changed.status_code == 200 and changed.json()["next_run"] is None and changed.json()["at"] == "09:00"
    )
    for wrong, field in (
        ({"timezone": "Europe/Atlantis"}, "timezone"),
        ({"at": "8:30pm"}, "at"),
        ({"weekday": None}, "weekday"),
        ({"dashboard_id": 999}, "dashboard_id"),
        ({"language": "de"}, "language"),
    ):
        refused = api.post("/api/v1/reports", json={**body, **wrong})
        assert refused.status_code == 422, refused.text
        assert refused.json()["field"] == field, refused.json()
        assert field in refused.json()["detail"]
    assert api.delete(f"/api/v1/reports/{report['id']}").status_code == 204
    assert api.get(f"/api/v1/reports/{report['id']}").status_code == 404
    assert api.post(f"/api/v1/reports/{report['id']}/run").status_code == 404


def test_roles_and_team_scope(api: httpx.Client, teams: dict[str, httpx.Client]) -> None:
    dashboard_id = _dashboard(api)
    body = {"name": "FR daily", "dashboard_id": dashboard_id, "at": "07:00"}
    mine = teams["fr-analyst"].post("/api/v1/reports", json=body)
    assert mine.status_code == 201, mine.text
    report_id = mine.json()["id"]
    refused = teams["fr-viewer"].post("/api/v1/reports", json=body)
    assert refused.status_code == 403 and "analyst" in refused.json()["detail"]
    # The viewer of the same team reads it; the other team does not see it at all.
    assert teams["fr-viewer"].get(f"/api/v1/reports/{report_id}").status_code == 200
    assert [item["id"] for item in teams["fr-viewer"].get("/api/v1/reports").json()["items"]] == [report_id]
    assert teams["es-analyst"].get(f"/api/v1/reports/{report_id}").status_code == 404
    assert teams["es-analyst"].get("/api/v1/reports").json()["items"] == []
    assert teams["es-analyst"].delete(f"/api/v1/reports/{report_id}").status_code == 404
    assert api.get(f"/api/v1/reports/{report_id}").status_code == 200  # an admin sees every report


def test_run_now_prints_and_sends_through_apprise(live: LiveHub, api: httpx.Client) -> None:
    if shutil.which("chromium") is None:
        pytest.skip("no chromium on the PATH: the print itself is not tried")
    live.hub.access.add_user("printer-admin", "long enough password", role="admin")
    dashboard_id = _dashboard(api)
    with webhook_server() as hook:
        body = {
            "name": "Now",
            "dashboard_id": dashboard_id,
            "at": "07:00",
            "language": "en",
            "notify": [hook.url],
        }
        report_id = api.post("/api/v1/reports", json=body).json()["id"]
        ran = api.post(f"/api/v1/reports/{report_id}/run", timeout=180)
        assert ran.status_code == 202, ran.text
        run = ran.json()["runs"][0]
        assert run["trigger"] == "manual" and run["status"] == "printed", run
        [received] = hook.wait_for(1, timeout_s=60)
        deadline = time.monotonic() + 30
        while (
            api.get(f"/api/v1/reports/{report_id}").json()["runs"][0]["deliveries"][0]["status"]
            != "delivered"
        ):
            assert time.monotonic() < deadline
            time.sleep(0.1)
    assert received["title"] == "Report: Now"
    pdf = base64.b64decode(received["attachments"][0]["base64"])
    assert pdf.startswith(b"%PDF-")
    link = f"/api/v1/reports/{report_id}/runs/{run['id']}/pdf"
    assert link in received["message"]
    downloaded = api.get(link)
    assert downloaded.status_code == 200 and downloaded.content == pdf
