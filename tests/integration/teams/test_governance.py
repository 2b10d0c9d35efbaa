"""Official-account governance: the request's life (file, ask for changes, update, approve or
reject, with comments), who sees it, the account an approval registers for the care metrics, the
register with its last activity, and the audit log."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.live_server import LiveHub
from tests.support.posts import post_json
from veille.model import parse_post
from veille.teams import create_team

CALLERS = {"analyst-fr": ("analyst", "fr"), "viewer-fr": ("viewer", "fr"), "analyst-be": ("analyst", "be")}


def request_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "platform": "bluesky",
        "handle": "@nova-care-fr",
        "country": "fr",
        "target_audience": "French subscribers who ask for help on Bluesky",
        "why_not_addressed": "No account of ours answers on Bluesky; questions there go unanswered",
        "editorial_line": "Answers within the hour, plain words, no marketing",
        "resources": {"people": 2, "hours_per_week": 12.5},
        "goal": "Answer 90% of questions within an hour",
        "kpis": ["median first response time", "share answered", ""],
    }
    body.update(changes)
    return body


@pytest.fixture
def clients(live: LiveHub) -> Iterator[dict[str, httpx.Client]]:
    for team in ("fr", "be"):
        create_team(store=live.hub.store, spec={"name": team}, actor="tests")
    made = {}
    for caller, (role, team) in CALLERS.items():
        user_id = live.hub.access.add_user(caller, "long enough password", role=role, teams=[team])
        token = live.hub.access.create_token(caller, user_id=user_id, role=role, teams=[team])
        made[caller] = httpx.Client(
            base_url=live.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )
    yield made
    for client in made.values():
        client.close()


def test_a_request_from_filing_to_the_registry(
    live: LiveHub, api: httpx.Client, clients: dict[str, httpx.Client]
) -> None:
    analyst = clients["analyst-fr"]
    filed = analyst.post("/api/v1/governance/requests", json=request_body())
    assert filed.status_code == 201, filed.text
    request = filed.json()
    path = f"/api/v1/governance/requests/{request['id']}"
    assert (request["status"], request["owner_team"], request["handle"], request["country"]) == (
        "submitted",
        "fr",
        "nova-care-fr",
        "FR",
    )
    assert request["kpis"] == ["median first response time", "share answered"]
    assert request["requested_by"] == "analyst-fr" and request["comments"][0]["action"] == "filed"

    # Who sees it: the requester's team and the admins; not another team (404, absent from lists).
    assert clients["viewer-fr"].get(path).status_code == 200
    assert clients["analyst-be"].get(path).status_code == 404
    assert clients["analyst-be"].get("/api/v1/governance/requests").json()["items"] == []
    assert [item["id"] for item in api.get("/api/v1/governance/requests").json()["items"]] == [request["id"]]

    # Reviewers are admins; an analyst cannot approve even their own request.
    refused = analyst.post(f"{path}/approve", json={})
    assert refused.status_code == 403 and "admin" in refused.json()["detail"]
    # Nobody changes a request that nobody asked to change.
    early = analyst.put(path, json=request_body(goal="Sooner"))
    assert early.status_code == 409 and "submitted" in early.json()["detail"]

    no_reason = api.post(f"{path}/request-changes", json={})
    assert no_reason.status_code == 422 and no_reason.json()["field"] == "comment"
    asked = api.post(f"{path}/request-changes", json={"comment": "Say how nights and weekends are covered"})
    assert asked.status_code == 200 and asked.json()["status"] == "changes_requested"
    too_soon = api.post(f"{path}/approve", json={})
    assert too_soon.status_code == 409 and "changes_requested" in too_soon.json()["detail"]
    assert clients["analyst-be"].put(path, json=request_body()).status_code == 404
    assert clients["viewer-fr"].put(path, json=request_body()).status_code == 403

    changed = analyst.put(
        path, json=request_body(editorial_line="Answers within the hour, 8:00-22:00, every day")
    )
    assert changed.status_code == 200 and changed.json()["status"] == "submitted"
    assert analyst.post(f"{path}/comments", json={"text": "Nights go to the X account"}).status_code == 201

    approved = api.post(f"{path}/approve", json={"comment": "Go"})
    assert approved.status_code == 200, approved.text
    done = approved.json()
    assert done["status"] == "approved" and done["account_id"]
    assert [item["action"] for item in done["comments"]] == [
        "filed",
        "request-changes",
        "updated",
        "comment",
        "approve",
    ]
    assert api.post(f"{path}/reject", json={"comment": "late"}).status_code == 409

    # The account is in the registry the care metrics read: ours, owned by the request's team.
    account = api.get(f"/api/v1/accounts/{done['account_id']}").json()
    assert (account["platform"], account["handle"], account["ours"], account["owner_team"]) == (
        "bluesky",
        "nova-care-fr",
        True,
        "fr",
    )
    # Asking again for the same handle is refused, naming it.
    again = analyst.post("/api/v1/governance/requests", json=request_body())
    assert again.status_code == 409 and "bluesky:@nova-care-fr" in again.json()["detail"]

    register = {
        item["account"]: item
        for item in clients["viewer-fr"].get("/api/v1/governance/register").json()["items"]
    }
    entry = register["bluesky:@nova-care-fr"]
    assert (entry["status"], entry["owner_team"], entry["last_activity"]) == ("approved", "fr", None)
    live.hub.store.upsert_posts(
        [
            parse_post(
                post_json(
                    1,
                    id="bluesky:1",
                    source="bluesky",
                    author={"handle": "nova-care-fr", "name": "Nova care"},
                    created_at="2026-11-02T09:30:00Z",
                )
            )
        ]
    )
    register = {item["account"]: item for item in api.get("/api/v1/governance/register").json()["items"]}
    assert register["bluesky:@nova-care-fr"]["last_activity"] == "2026-11-02T09:30:00Z"

    audit = api.get("/api/v1/audit", params={"kind": "account_request"}).json()["items"]
    assert [entry["action"] for entry in audit] == ["approve", "update", "request-changes", "file"]
    assert audit[0]["before"] == {"status": "submitted"} and audit[0]["actor"] == "tests"


def test_a_rejected_request_is_final_and_bodies_are_checked(
    api: httpx.Client, clients: dict[str, httpx.Client]
) -> None:
    analyst = clients["analyst-fr"]
    missing = analyst.post("/api/v1/governance/requests", json=request_body(goal=""))
    assert missing.status_code == 422 and "goal" in missing.text
    bad_people = analyst.post(
        "/api/v1/governance/requests", json=request_body(resources={"people": 0, "hours_per_week": 3})
    )
    assert bad_people.status_code == 422 and "people" in bad_people.text
    bad_country = analyst.post("/api/v1/governance/requests", json=request_body(country="France"))
    assert bad_country.status_code == 422 and "country" in bad_country.text
    other_team = analyst.post("/api/v1/governance/requests", json=request_body(owner_team="be"))
    assert other_team.status_code == 403 and "not in team 'be'" in other_team.json()["detail"]
    filed = analyst.post("/api/v1/governance/requests", json=request_body())
    path = f"/api/v1/governance/requests/{filed.json()['id']}"
    assert clients["viewer-fr"].post("/api/v1/governance/requests", json=request_body()).status_code == 403
    rejected = api.post(f"{path}/reject", json={"comment": "The X care account covers it"})
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    for action in ("approve", "reject", "request-changes"):
        step = api.post(f"{path}/{action}", json={"comment": "again"})
        assert step.status_code == 409 and "rejected" in step.json()["detail"], action
    assert api.get("/api/v1/accounts").json()["items"] == []
    assert all(
        item["status"] != "rejected" for item in api.get("/api/v1/governance/register").json()["items"]
    )
    assert api.get("/api/v1/governance/requests", params={"status": "maybe"}).status_code == 422
