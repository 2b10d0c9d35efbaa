"""The catalogue, governance and admin pages in Chromium, in English and French, dark and light:
what each shows, its forms working against the real API, and the admin pages closed to others."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import expect

from tests.e2e.conftest import FULL_HD, PageProblems, log_in
from tests.support.live_server import LiveHub
from veille.teams import create_team


def _api(live: LiveHub) -> httpx.Client:
    return httpx.Client(base_url=live.base_url, headers=live.auth_headers, timeout=30)


def test_the_catalogue_finds_what_is_shared(
    page: Any, live: LiveHub, screenshots: Path, problems: PageProblems
) -> None:
    create_team(store=live.hub.store, spec={"name": "care"}, actor="tests")
    with _api(live) as api:
        for body in (
            {
                "name": "fibre_outage",
                "label": "Fibre outages",
                "query": "fibre AND (panne OR coupure)",
                "owner_team": "care",
                "visibility": "team",
            },
            {"name": "roaming", "label": "Roaming", "query": "roaming OR itinérance", "owner_team": "care"},
        ):
            assert api.post("/api/v1/topics", json=body).status_code == 201
        assert (
            api.post("/api/v1/dashboards", json={"name": "Fibre weekly", "owner_team": "care"}).status_code
            == 201
        )
        assert api.post("/api/v1/walls", json={"name": "Care room"}).status_code == 201
    log_in(page, live, "/catalogue")
    page.wait_for_selector(".catalogue__table tbody tr")
    kinds = page.locator(".catalogue__table tbody tr").evaluate_all(
        "rows => rows.map(row => row.dataset.kind)"
    )
    assert [kind for kind in kinds if kind != "source"] == ["topic", "topic", "dashboard", "wall"]
    page.fill("input[name=q]", "fibre")
    expect(page.locator(".catalogue__table tbody tr")).to_have_count(2)
    assert page.locator("tr[data-kind=topic] td[data-owner-team]").first.inner_text() == "care"
    assert "q=fibre" in page.url
    page.screenshot(path=str(screenshots / "catalogue-en.png"), full_page=True)

    page.goto(f"{live.base_url}/catalogue?lang=fr&theme=light&kind=topic")
    page.wait_for_selector(".catalogue__table tbody tr")
    assert page.locator("h1.desk-title").inner_text() == "Catalogue"
    assert page.locator(".catalogue__table thead").inner_text().count("Équipe propriétaire") == 1
    assert page.locator(".catalogue__table tbody tr").count() == 2
    assert "2 éléments partagés" in page.locator(".catalogue__count").inner_text()
    page.screenshot(path=str(screenshots / "catalogue-fr-light.png"), full_page=True)
    assert problems.errors == []


def _fill_request(page: Any) -> None:
    page.fill("input[name=platform]", "bluesky")
    page.fill("input[name=handle]", "nova-care-fr")
    page.fill("input[name=country]", "FR")
    page.fill("textarea[name=target_audience]", "French subscribers asking for help on Bluesky")
    page.fill("textarea[name=why_not_addressed]", "No account of ours answers on Bluesky")
    page.fill("textarea[name=editorial_line]", "Answers within the hour, plain words")
    page.fill("input[name=people]", "2")
    page.fill("input[name=hours_per_week]", "12")
    page.fill("textarea[name=goal]", "Answer 90% of questions within an hour")
    page.fill("textarea[name=kpis]", "median first response\nshare answered")


def test_a_request_is_filed_reviewed_and_registered(
    page: Any, live: LiveHub, screenshots: Path, problems: PageProblems
) -> None:
    log_in(page, live, "/governance")
    page.click("[data-action=new-request]")
    _fill_request(page)
    page.click(".request-form button[type=submit]")
    page.wait_for_selector("article.request[data-status=submitted]")
    page.fill("textarea[name=review-comment]", "Say who covers the weekends")
    page.click("[data-action=request-changes]")
    page.wait_for_selector("article.request[data-status=changes_requested]")
    assert "Say who covers the weekends" in page.locator(".thread").inner_text()
    page.screenshot(path=str(screenshots / "governance-en.png"), full_page=True)

    page.goto(page.url + "&lang=fr")
    page.wait_for_selector("article.request[data-status=changes_requested]")
    assert "Modifications demandées" in page.locator(".request__head").inner_text()
    page.click("[data-action=edit]")
    page.fill("textarea[name=editorial_line]", "Réponses dans l'heure, 8 h – 22 h, tous les jours")
    page.click(".request-form button[type=submit]")
    page.wait_for_selector("article.request[data-status=submitted]")
    page.click("[data-action=approve]")
    page.wait_for_selector("article.request[data-status=approved]")
    page.screenshot(path=str(screenshots / "governance-fr.png"), full_page=True)

    page.goto(f"{live.base_url}/governance/register?lang=fr&theme=light")
    page.wait_for_selector("table.register tr[data-account='bluesky:@nova-care-fr'][data-status=approved]")
    assert "aucune publication vue" in page.locator("table.register").inner_text()
    page.screenshot(path=str(screenshots / "governance-register-fr-light.png"), full_page=True)
    with _api(live) as api:
        accounts = api.get("/api/v1/accounts").json()["items"]
    assert [(account["handle"], account["ours"]) for account in accounts] == [("nova-care-fr", True)]
    assert problems.errors == []


def test_admin_pages_manage_users_tokens_and_show_the_audit(
    browser: Any, live: LiveHub, screenshots: Path
) -> None:
    create_team(store=live.hub.store, spec={"name": "care", "countries": ["FR"]}, actor="tests")
    # A page of its own: revoking asks for a confirmation, which this test accepts.
    context = browser.new_context(viewport=FULL_HD)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, live, "/admin/users")
    page.fill("form[data-form=add-user] input[name=username]", "claire")
    page.fill("form[data-form=add-user] input[name=password]", "long enough password")
    page.select_option("form[data-form=add-user] select[name=role]", "viewer")
    page.fill("form[data-form=add-user] input[name=teams]", "care")
    page.click("form[data-form=add-user] button[type=submit]")
    page.wait_for_selector("tr[data-username=claire][data-role=viewer]")
    page.screenshot(path=str(screenshots / "admin-users-en.png"), full_page=True)

    page.goto(f"{live.base_url}/admin/teams?lang=fr")
    page.wait_for_selector("tr[data-team=care]")
    assert "claire" in page.locator("tr[data-team=care]").inner_text()
    page.screenshot(path=str(screenshots / "admin-teams-fr.png"), full_page=True)

    page.goto(f"{live.base_url}/admin/tokens?lang=fr&theme=light")
    page.fill("form[data-form=create-token] input[name=name]", "wall-screen")
    page.click("form[data-form=create-token] button[type=submit]")
    page.wait_for_selector("code[data-token]")
    secret = page.locator("code[data-token]").inner_text()
    assert (
        secret.startswith("vt_") and "n’est affiché qu’une fois" in page.locator(".token-once").inner_text()
    )
    page.wait_for_selector("tr[data-token-name=wall-screen]")
    page.screenshot(path=str(screenshots / "admin-tokens-fr-light.png"), full_page=True)
    page.click("tr[data-token-name=wall-screen] [data-action=revoke]")
    page.wait_for_selector("tr[data-token-name=wall-screen]", state="detached")
    assert (
        httpx.get(f"{live.base_url}/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code
        == 401
    )

    page.goto(f"{live.base_url}/admin/audit")
    page.wait_for_selector(".audit-table tr[data-kind=token][data-action=revoke]")
    page.select_option("select[name=kind]", "user")
    expect(page.locator(".audit-table tbody tr[data-kind=token]")).to_have_count(0)
    users = page.locator(".audit-table tbody tr[data-kind=user]").all_inner_texts()
    assert users and any("claire" in row for row in users)
    assert "kind=user" in page.locator("[data-action=export]").get_attribute("href")
    page.screenshot(path=str(screenshots / "admin-audit-en.png"), full_page=True)
    context.close()
    assert errors == []


def test_admin_pages_are_closed_to_others(page: Any, live: LiveHub, screenshots: Path) -> None:
    live.hub.access.add_user("vera", "long enough password", role="viewer")
    page.goto(f"{live.base_url}/login?next=/catalogue")
    page.fill("input[name=username]", "vera")
    page.fill("input[name=password]", "long enough password")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: url.endswith("/catalogue"))
    assert page.locator(".admin-nav").inner_text().count("Admin") == 0
    for path in ("/admin/users", "/admin/teams", "/admin/tokens", "/admin/audit"):
        response = page.goto(f"{live.base_url}{path}?lang=fr")
        assert response is not None and response.status == 403, path
        assert "admin" in page.locator(".error-page__message").inner_text()
    page.screenshot(path=str(screenshots / "admin-refused-fr.png"), full_page=True)


def test_the_topic_editor_names_a_visible_duplicate_only(
    page: Any, live: LiveHub, screenshots: Path, problems: PageProblems
) -> None:
    for team in ("care", "be"):
        create_team(store=live.hub.store, spec={"name": team}, actor="tests")
    live.hub.access.add_user("ana", "long enough password", role="analyst", teams=["care"])
    with _api(live) as api:
        for name, team in (("care_outage", "care"), ("be_outage", "be")):
            body = {
                "name": name,
                "query": "fibre AND panne AND internet",
                "owner_team": team,
                "visibility": "team",
            }
            assert api.post("/api/v1/topics", json=body).status_code == 201
    page.goto(f"{live.base_url}/login?next=/topics")
    page.fill("input[name=username]", "ana")
    page.fill("input[name=password]", "long enough password")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: url.endswith("/topics"))
    page.click("[data-action=new-topic]")
    page.fill("textarea.qe-input", "panne internet fibre")
    banner = page.locator("[data-similar=care_outage]")
    banner.wait_for()
    assert banner.get_attribute("data-owner-team") == "care" and "care" in banner.inner_text()
    assert page.locator("[data-similar=be_outage]").count() == 0
    page.screenshot(path=str(screenshots / "catalogue-topic-duplicate-en.png"), full_page=True)
    assert problems.errors == []
