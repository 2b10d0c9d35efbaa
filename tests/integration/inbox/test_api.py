"""``/api/v1/inbox`` over HTTP: the queue's JSON, the desk's actions, a reply through the fake
platform stored and counted, platform refusals in words (429 with Retry-After), two people and one
lock, credentials never echoed, and who may do what."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.fakes.replies import DEMO_TOKEN, ReplyPlatform, serve_replies
from tests.integration.inbox.helpers import customer_post, register_ours, write
from tests.support.live_server import LiveHub
from veille.teams import create_team


@pytest.fixture
def platform() -> Iterator[tuple[ReplyPlatform, str]]:
    with serve_replies() as served:
        yield served


@pytest.fixture
def desk(live: LiveHub, api: httpx.Client, platform: tuple[ReplyPlatform, str]) -> LiveHub:
    _fake, base = platform
    accounts = register_ours(live.hub.store)
    response = api.put(
        f"/api/v1/inbox/accounts/{accounts['x'].id}",
        json={"sla_s": 1800, "endpoint": f"{base}/x", "credentials": {"access_token": DEMO_TOKEN}},
    )
    assert response.status_code == 200, response.text
    assert DEMO_TOKEN not in response.text and response.json()["credentials_set"] == ["access_token"]
    access = live.hub.access
    create_team(store=live.hub.store, spec={"name": "care", "countries": ["FR", "GB"]}, actor="tests")
    create_team(store=live.hub.store, spec={"name": "care-gb", "countries": ["GB"]}, actor="tests")
    for name, role, teams in (
        ("alice", "analyst", ["care"]),
        ("bruno", "analyst", ["care"]),
        ("vera", "viewer", ["care"]),
        ("gary", "analyst", ["care-gb"]),
    ):
        access.add_user(name, "long enough password", role=role, teams=teams)
    return live


def _client(live: LiveHub, name: str) -> httpx.Client:
    user_id = next(user.id for user in live.hub.access.list_users() if user.username == name)
    token = live.hub.access.create_token(f"{name}-token", user_id=user_id)
    return httpx.Client(base_url=live.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30)


def test_the_queue_and_a_reply_end_to_end(
    desk: LiveHub, api: httpx.Client, platform: tuple[ReplyPlatform, str]
) -> None:
    fake, _base = platform
    post = customer_post(1, followers=5000, sentiment="negative", minutes_ago=10)
    write(desk.hub.store, post, customer_post(2, platform="reddit", to="NovaTelecom", country="GB"))
    listed = api.get("/api/v1/inbox").json()["items"]
    assert listed[0]["post_id"] == post.id
    first = listed[0]
    assert first["status"] == "new" and first["post"]["text"].startswith("@NovaCare")
    assert first["sla"]["breached"] is False and first["sla"]["sla_s"] == 1800
    assert first["priority"]["level"] in ("high", "urgent") and first["priority"]["reasons"]
    assert (
        api.get("/api/v1/inbox", params={"status": "new", "account": "x:@NovaCare"}).json()["items"][0][
            "post_id"
        ]
        == post.id
    )
    bad = api.get("/api/v1/inbox", params={"status": "open"})
    assert bad.status_code == 422 and bad.json()["field"] == "status"

    with _client(desk, "alice") as alice, _client(desk, "bruno") as bruno:
        assigned = alice.post(f"/api/v1/inbox/{post.id}/assign", json={"assignee": "alice"})
        assert assigned.status_code == 200 and assigned.json()["status"] == "assigned"
        assert alice.post(f"/api/v1/inbox/{post.id}/lock").json()["lock"]["holder"] == "alice"
        clash = bruno.post(f"/api/v1/inbox/{post.id}/reply", json={"text": "me too"})
        assert clash.status_code == 409 and "locked by alice" in clash.json()["detail"]
        fake.fail("x", "rate_limited")
        limited = alice.post(f"/api/v1/inbox/{post.id}/reply", json={"text": "Bonjour {first_name}"})
        assert limited.status_code == 429, limited.text
        assert int(limited.headers["retry-after"]) > 60
        assert "X rate limit reached" in limited.json()["detail"] and limited.json()["kind"] == "rate_limited"
        replied = alice.post(
            f"/api/v1/inbox/{post.id}/reply", json={"text": "Bonjour {first_name}, on s'en occupe."}
        )
        assert replied.status_code == 200, replied.text
        body = replied.json()
        assert body["status"] == "replied" and body["lock"] is None and body["last_error"] is None
        assert fake.replies[-1]["text"] == "Bonjour Camille, on s'en occupe."
        stored = api.get(f"/api/v1/posts/{body['reply_post_id']}").json()
        assert stored["reply_to"] == post.id and stored["author"]["handle"] == "NovaCare"
        closed = alice.post(f"/api/v1/inbox/{post.id}/close", json={"disposition": "answered"})
        assert closed.json()["status"] == "closed" and closed.json()["disposition"] == "answered"
        again = bruno.post(f"/api/v1/inbox/{post.id}/close", json={"disposition": "spam"})
        assert (
            again.status_code == 409
            and "already" not in again.json()["detail"]
            and "closed" in again.json()["detail"]
        )
        wrong = alice.post(f"/api/v1/inbox/{post.id}/close", json={"disposition": "whatever"})
        assert wrong.status_code == 422 and "disposition" in wrong.text

    start = (datetime.now(UTC) - timedelta(hours=3)).isoformat()
    end = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
    care = api.get("/api/v1/analytics/care", params={"from": start, "to": end}).json()
    assert "items" in care, care
    row = next(item for item in care["items"] if item["account"] == "x:@NovaCare")
    assert (row["inbound"], row["responded"], row["response_rate"]) == (1, 1, 1.0)

    thread = api.get(f"/api/v1/inbox/{post.id}/thread").json()
    assert [item["id"] for item in thread["items"]] == [post.id, body["reply_post_id"]]
    assert [item["ours"] for item in thread["items"]] == [False, True]
    assert [event["action"] for event in thread["events"]][:2] == ["assigned", "locked"]
    summary = api.get("/api/v1/inbox/summary").json()
    assert summary["queue"] == 1 and summary["oldest"]["post_id"] == customer_post(2, platform="reddit").id


def test_viewers_read_analysts_answer_and_teams_see_their_scope(desk: LiveHub) -> None:
    post = customer_post(3)
    gb = customer_post(4, platform="reddit", to="NovaTelecom", country="GB")
    write(desk.hub.store, post, gb)
    with _client(desk, "vera") as vera, _client(desk, "gary") as gary:
        assert len(vera.get("/api/v1/inbox").json()["items"]) == 2
        refused = vera.post(f"/api/v1/inbox/{post.id}/assign", json={"assignee": "vera"})
        assert refused.status_code == 403 and "analyst" in refused.json()["detail"]
        assert vera.put("/api/v1/inbox/accounts/1", json={"sla_s": 60}).status_code == 403
        assert [item["post_id"] for item in gary.get("/api/v1/inbox").json()["items"]] == [gb.id]
        assert gary.get(f"/api/v1/inbox/{post.id}").status_code == 404
        assert gary.post(f"/api/v1/inbox/{post.id}/lock").status_code == 404


def test_saved_replies_crud(desk: LiveHub, api: httpx.Client) -> None:
    made = api.post(
        "/api/v1/inbox/saved-replies",
        json={
            "name": "Incident",
            "kind": "holding",
            "lang": "en",
            "text": "Hi {first_name}, we are on it. {agent}",
        },
    )
    assert made.status_code == 201 and made.json()["variables"] == ["first_name", "agent"]
    bad = api.post("/api/v1/inbox/saved-replies", json={"name": "x", "lang": "english", "text": "hi"})
    assert bad.status_code == 422 and bad.json()["field"] == "lang"
    unknown = api.post("/api/v1/inbox/saved-replies", json={"name": "x", "lang": "en", "text": "hi {nom}"})
    assert unknown.status_code == 422 and "{nom}" in unknown.json()["detail"]
    reply_id = made.json()["id"]
    changed = api.put(
        f"/api/v1/inbox/saved-replies/{reply_id}",
        json={"name": "Incident", "kind": "holding", "lang": "en", "text": "Hello {author}"},
    )
    assert changed.json()["text"] == "Hello {author}"
    assert [
        item["id"] for item in api.get("/api/v1/inbox/saved-replies", params={"lang": "en"}).json()["items"]
    ] == [reply_id]
    assert api.delete(f"/api/v1/inbox/saved-replies/{reply_id}").status_code == 204
    assert api.delete(f"/api/v1/inbox/saved-replies/{reply_id}").status_code == 404


def test_credentials_for_the_wrong_platform_are_named(desk: LiveHub, api: httpx.Client) -> None:
    accounts = {item["platform"]: item for item in api.get("/api/v1/inbox/accounts").json()["items"]}
    refused = api.put(
        f"/api/v1/inbox/accounts/{accounts['bluesky']['account_id']}",
        json={"credentials": {"access_token": "t"}},
    )
    assert refused.status_code == 422 and refused.json()["field"] == "credentials.access_token"
    assert "identifier, app_password" in refused.json()["detail"]
