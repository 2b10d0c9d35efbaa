"""Sharing in the browser (docs/sharing.md): the owner team and visibility shown on the dashboards,
walls, alert rules and accounts, the control that changes them for who may, in English and
French, and what another team then sees (or does not) in the lists and the catalogue."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import expect

from tests.e2e.conftest import FULL_HD, PageProblems, log_in
from tests.support.live_server import LiveHub
from veille.teams import create_team

PASSWORD = "long enough password"
WRITE = {"X-Requested-With": "veille"}


def _api(live: LiveHub) -> httpx.Client:
    return httpx.Client(base_url=live.base_url, headers=live.auth_headers, timeout=30)


def _people(live: LiveHub) -> None:
    """Team care with an analyst (ana), team press with a viewer (vic)."""
    for team in ("care", "press"):
        create_team(store=live.hub.store, spec={"name": team}, actor="tests")
    live.hub.access.add_user("ana", PASSWORD, role="analyst", teams=["care"])
    live.hub.access.add_user("vic", PASSWORD, role="viewer", teams=["press"])


def _session(browser: Any, live: LiveHub, username: str, target: str) -> tuple[Any, Any, list[str]]:
    """A browser context of its own, logged in as ``username`` through the form, at ``target``."""
    context = browser.new_context(viewport=FULL_HD)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live.base_url}/login?next={target}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: url.startswith(f"{live.base_url}{target.split('?')[0]}"))
    return context, page, errors


def test_an_analyst_shares_a_dashboard_and_a_viewer_of_another_team_then_sees_it(
    browser: Any, live: LiveHub, screenshots: Path
) -> None:
    _people(live)
    with _api(live) as api:
        created = api.post(
            "/api/v1/dashboards", json={"name": "Care weekly", "owner_team": "care", "visibility": "team"}
        )
        assert created.status_code == 201, created.text
        dashboard_id = created.json()["id"]
        # one the whole organisation sees, so that a list drawn is known to be drawn
        assert api.post("/api/v1/dashboards", json={"name": "Everyone's"}).status_code == 201

    # vic (press, viewer) does not see the care team's dashboard yet
    vic_context, vic, vic_errors = _session(browser, live, "vic", "/dashboards")
    vic.wait_for_selector(".dash-cards")
    assert vic.locator(f"[data-dashboard='{dashboard_id}']").count() == 0

    # ana (care, analyst) shares it with the organisation from the list
    ana_context, ana, ana_errors = _session(browser, live, "ana", "/dashboards")
    card = ana.locator(f"li[data-dashboard='{dashboard_id}'] [data-sharing=dashboard]")
    expect(card).to_have_attribute("data-editable", "true")
    assert card.get_attribute("data-visibility") == "team" and card.get_attribute("data-owner-team") == "care"
    card.locator("[data-action=share]").click()
    assert card.locator("select[name=owner_team] option").evaluate_all(
        "options => options.map(option => option.value)"
    ) == ["", "care"]
    card.locator("select[name=visibility]").select_option("organisation")
    card.locator("[data-action=save-sharing]").click()
    expect(card).to_have_attribute("data-visibility", "organisation")
    expect(card.locator("[data-sharing-saved]")).to_be_visible()
    ana.screenshot(path=str(screenshots / "sharing-dashboards-en.png"), full_page=True)
    with _api(live) as api:
        assert api.get(f"/api/v1/dashboards/{dashboard_id}").json()["visibility"] == "organisation"

    # vic now sees it, with its sharing in words and no control; and in the catalogue
    vic.reload()
    shown = vic.locator(f"li[data-dashboard='{dashboard_id}'] [data-sharing=dashboard]")
    expect(shown).to_have_attribute("data-visibility", "organisation")
    assert shown.get_attribute("data-editable") == "false"
    assert shown.locator("[data-action=share]").count() == 0
    assert "care" in shown.inner_text() and "Organisation" in shown.inner_text()
    vic.goto(f"{live.base_url}/catalogue?q=weekly")
    row = vic.locator(f"tr[data-kind=dashboard][data-id='{dashboard_id}']")
    expect(row).to_have_count(1)
    assert "Care weekly" in row.inner_text()
    vic.screenshot(path=str(screenshots / "sharing-catalogue-viewer-en.png"), full_page=True)

    # the dashboard page, in French: the same control; a refusal (the dashboard moved to another
    # team meanwhile) is shown in words naming what is missing
    ana.goto(f"{live.base_url}/dashboards/{dashboard_id}?lang=fr")
    head = ana.locator(".dashboard-head [data-sharing=dashboard]")
    expect(head).to_have_attribute("data-editable", "true")
    assert "Équipe propriétaire" in head.inner_text() and "Visibilité" in head.inner_text()
    head.locator("[data-action=share]").click()
    assert head.locator("select[name=visibility] option").all_inner_texts() == [
        "Organisation",
        "Équipe",
        "Privé",
    ]
    with _api(live) as api:
        moved = api.get(f"/api/v1/dashboards/{dashboard_id}").json()
        body = {key: moved[key] for key in ("name", "description", "filters", "widgets")}
        assert (
            api.put(
                f"/api/v1/dashboards/{dashboard_id}",
                json={**body, "owner_team": "press", "visibility": "organisation"},
            ).status_code
            == 200
        )
    head.locator("select[name=visibility]").select_option("private")
    head.locator("[data-action=save-sharing]").click()
    refusal = head.locator(".sharing__error")
    expect(refusal).to_contain_text("Vous ne pouvez pas modifier ceci")
    assert "press" in refusal.inner_text() and "owner_team" in refusal.inner_text()
    ana.screenshot(path=str(screenshots / "sharing-dashboard-fr.png"), full_page=True)
    with _api(live) as api:
        assert api.get(f"/api/v1/dashboards/{dashboard_id}").json()["visibility"] == "organisation"
    assert ana_errors == [] and vic_errors == []
    ana_context.close()
    vic_context.close()


def test_a_private_wall_is_invisible_to_another_team(browser: Any, live: LiveHub, screenshots: Path) -> None:
    _people(live)
    ana_context, ana, ana_errors = _session(browser, live, "ana", "/walls?lang=fr")
    made = ana.request.post(f"{live.base_url}/api/v1/walls", data={"name": "Salle care"}, headers=WRITE)
    assert made.status == 201, made.text()
    wall_id = made.json()["id"]
    assert made.json()["owner_team"] == "care" and made.json()["visibility"] == "organisation"
    ana.reload()
    control = ana.locator(f"li[data-wall-card='{wall_id}'] [data-sharing=wall]")
    expect(control).to_have_attribute("data-editable", "true")
    control.locator("[data-action=share]").click()
    control.locator("select[name=visibility]").select_option("private")
    control.locator("[data-action=save-sharing]").click()
    expect(control).to_have_attribute("data-visibility", "private")
    assert "Privé" in control.inner_text() and "Partage enregistré" in control.inner_text()
    ana.screenshot(path=str(screenshots / "sharing-walls-fr.png"), full_page=True)
    # the editor shows the same sharing
    ana.goto(f"{live.base_url}/walls/{wall_id}/edit")
    expect(ana.locator(".wall-editor [data-sharing=wall]")).to_have_attribute("data-visibility", "private")
    ana.screenshot(path=str(screenshots / "sharing-wall-editor-en.png"), full_page=True)

    with _api(live) as api:  # one the whole organisation sees, so that a list drawn is known to be drawn
        assert api.post("/api/v1/walls", json={"name": "Hall"}).status_code == 201
    vic_context, vic, vic_errors = _session(browser, live, "vic", "/walls")
    vic.wait_for_selector(".wall-cards")
    expect(vic.locator(f"[data-wall-card='{wall_id}']")).to_have_count(0)
    assert vic.request.get(f"{live.base_url}/api/v1/walls/{wall_id}").status == 404
    vic.goto(f"{live.base_url}/catalogue?kind=wall")
    vic.wait_for_selector("tr[data-kind=wall]")
    assert vic.locator("tr[data-kind=wall]").all_inner_texts()[0].count("Hall") == 1
    assert vic.locator(f"tr[data-kind=wall][data-id='{wall_id}']").count() == 0
    vic.screenshot(path=str(screenshots / "sharing-catalogue-walls-en.png"), full_page=True)
    assert ana_errors == [] and vic_errors == []
    ana_context.close()
    vic_context.close()


def test_alert_rules_and_accounts_show_their_sharing_in_both_languages(
    browser: Any, page: Any, live: LiveHub, screenshots: Path, problems: PageProblems
) -> None:
    _people(live)
    with _api(live) as api:
        assert api.post("/api/v1/topics", json={"name": "outage", "query": "panne"}).status_code == 201
        rule = api.post(
            "/api/v1/alerts/rules",
            json={
                "name": "Outage volume",
                "kind": "volume_threshold",
                "topic": "outage",
                "threshold": 5,
                "owner_team": "care",
                "visibility": "team",
            },
        )
        assert rule.status_code == 201, rule.text
        account = api.post(
            "/api/v1/accounts",
            json={"platform": "x", "handle": "NovaTelecom_FR", "brand": "Nova", "ours": True},
        )
        assert account.status_code == 201, account.text
    rule_id, account_id = rule.json()["id"], account.json()["id"]

    # ana (care) changes the rule's sharing on /alerts
    ana_context, ana, ana_errors = _session(browser, live, "ana", "/alerts")
    control = ana.locator(f"li[data-rule-id='{rule_id}'] [data-sharing=alert_rule]")
    expect(control).to_have_attribute("data-editable", "true")
    control.locator("[data-action=share]").click()
    control.locator("select[name=visibility]").select_option("organisation")
    control.locator("[data-action=save-sharing]").click()
    expect(control).to_have_attribute("data-visibility", "organisation")
    ana.screenshot(path=str(screenshots / "sharing-alerts-en.png"), full_page=True)
    # accounts are the admins': ana sees the values, no control
    ana.goto(f"{live.base_url}/governance/register?lang=fr")
    shown = ana.locator(f"tr[data-account-id='{account_id}'] [data-sharing=account]")
    expect(shown).to_have_attribute("data-editable", "false")
    assert "aucune équipe" in shown.inner_text()
    assert ana_errors == []
    ana_context.close()

    # the admin, in French, gives the account to the care team
    log_in(page, live, "/governance/register?lang=fr")
    control = page.locator(f"tr[data-account-id='{account_id}'] [data-sharing=account]")
    expect(control).to_have_attribute("data-editable", "true")
    control.locator("[data-action=share]").click()
    control.locator("select[name=owner_team]").select_option("care")
    control.locator("select[name=visibility]").select_option("team")
    control.locator("[data-action=save-sharing]").click()
    expect(control).to_have_attribute("data-owner-team", "care")
    assert "Modifier le partage" in control.inner_text()
    page.screenshot(path=str(screenshots / "sharing-accounts-fr.png"), full_page=True)
    with _api(live) as api:
        stored = api.get(f"/api/v1/accounts/{account_id}").json()
    assert (stored["owner_team"], stored["visibility"], stored["handle"]) == (
        "care",
        "team",
        "NovaTelecom_FR",
    )
    page.goto(f"{live.base_url}/alerts?lang=fr")
    expect(page.locator(f"li[data-rule-id='{rule_id}'] [data-sharing=alert_rule]")).to_contain_text(
        "Équipe propriétaire"
    )
    page.screenshot(path=str(screenshots / "sharing-alerts-fr.png"), full_page=True)
    assert problems.errors == []
