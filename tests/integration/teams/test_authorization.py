"""Roles and scopes, generated from the app: every API route has a rule, every role gets exactly
what its rule allows on every route, and no post outside a caller's teams leaves the hub."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.live_server import LiveHub
from tests.support.posts import post_json
from tests.support.sse import read_events
from veille.access import ROLES, role_at_least
from veille.teams import create_team
from veille.web.authz import POLICY

# Calls whose allowed form starts real work (a retrain) or never ends (the stream): for those the
# allowed roles are checked on the answer's status line only.
_STARTS_WORK = {"POST /api/v1/models/sentiment/retrain"}


def _api_operations(live: LiveHub) -> set[str]:
    from veille.web.app import create_app

    document = create_app(live.hub.settings, hub=live.hub).openapi()
    return {
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        if path.startswith("/api/v1/")
        for method in operations
    }


def test_every_api_route_has_exactly_one_rule(live: LiveHub) -> None:
    operations = _api_operations(live)
    assert operations - set(POLICY) == set(), (
        "routes without an authorization rule (add them to web/authz.py)"
    )
    assert set(POLICY) - operations == set(), "rules for routes that do not exist"
    assert set(POLICY.values()) <= set(ROLES)


@pytest.fixture
def role_clients(live: LiveHub) -> Iterator[dict[str, httpx.Client]]:
    """A client per role: users in team ``fr`` (analysts and viewers), their own tokens."""
    access = live.hub.access
    create_team(store=live.hub.store, spec={"name": "fr", "countries": ["FR"]}, actor="tests")
    clients: dict[str, httpx.Client] = {}
    for role in ROLES:
        user_id = access.add_user(f"{role}-user", "long enough password", role=role, teams=["fr"])
        token = access.create_token(f"{role}-token", user_id=user_id, role=role, teams=["fr"])
        clients[role] = httpx.Client(
            base_url=live.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )
    yield clients
    for client in clients.values():
        client.close()


def _concrete(path: str) -> str:
    # Names no object: an allowed role meets 404/422 from the route itself, never 403.
    return re.sub(r"\{[^}]+\}", lambda m: "999999" if m.group(0).endswith("id}") else "no-such-thing", path)


def test_each_role_gets_exactly_what_each_rule_allows(role_clients: dict[str, httpx.Client]) -> None:
    for rule, least in sorted(POLICY.items()):
        method, path = rule.split(" ", 1)
        url = _concrete(path)
        for role, client in role_clients.items():
            allowed = role_at_least(role, least)
            if allowed and (rule in _STARTS_WORK or path.endswith("/stream")):
                continue
            body: dict[str, Any] | None = {} if method in {"POST", "PUT", "PATCH"} else None
            response = client.request(method, url, json=body)
            if allowed:
                assert response.status_code != 403, (rule, role, response.text)
            else:
                assert response.status_code == 403, (rule, role, response.status_code)
                assert f"needs the {least} role" in response.json()["detail"], (rule, role)


def test_the_stream_opens_for_a_viewer(role_clients: dict[str, httpx.Client]) -> None:
    with role_clients["viewer"].stream("GET", "/api/v1/stream", params={"after": 0}) as response:
        assert response.status_code == 200


def test_a_team_sees_only_its_scope(
    live: LiveHub, api: httpx.Client, role_clients: dict[str, httpx.Client]
) -> None:
    pushed = api.post(
        "/api/v1/posts",
        json=[post_json(1, country="FR"), post_json(2, country="DE"), post_json(3)],
    )
    assert pushed.status_code in (200, 202), pushed.text
    viewer = role_clients["viewer"]
    listed = viewer.get("/api/v1/posts", params={"limit": 100}).json()["items"]
    assert [item["id"] for item in listed] == ["push:1"]
    assert viewer.get("/api/v1/posts/push:1").status_code == 200
    assert viewer.get("/api/v1/posts/push:2").status_code == 404
    assert viewer.get("/api/v1/posts/push:3").status_code == 404  # unknown country: outside a country scope
    admin_ids = {item["id"] for item in api.get("/api/v1/posts", params={"limit": 100}).json()["items"]}
    assert admin_ids == {"push:1", "push:2", "push:3"}
    window = {"from": "2026-11-01T00:00:00Z", "to": "2026-11-02T00:00:00Z", "interval": "day"}
    volume = viewer.get("/api/v1/analytics/volume", params=window).json()
    assert _total(volume) == 1
    assert _total(api.get("/api/v1/analytics/volume", params=window).json()) == 3
    exported = viewer.get("/api/v1/posts/export", params={"format": "jsonl"})
    assert exported.status_code == 200
    assert [line for line in exported.text.splitlines() if line] and "push:2" not in exported.text


def _total(volume: dict[str, Any]) -> int:
    return sum(int(row["posts"]) for row in volume["rows"])


def test_a_user_with_no_team_sees_no_post(live: LiveHub, api: httpx.Client) -> None:
    api.post("/api/v1/posts", json=[post_json(1, country="FR")])
    user_id = live.hub.access.add_user("loner", "long enough password", role="analyst")
    token = live.hub.access.create_token("loner", user_id=user_id, role="analyst")
    with httpx.Client(
        base_url=live.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as loner:
        assert loner.get("/api/v1/posts").json()["items"] == []


def test_a_token_never_carries_more_than_its_creator(
    role_clients: dict[str, httpx.Client], live: LiveHub
) -> None:
    viewer = role_clients["viewer"]
    refused = viewer.post("/api/v1/tokens", json={"name": "more", "role": "admin"})
    assert refused.status_code == 403 and "at most its creator's role" in refused.json()["detail"]
    create_team(store=live.hub.store, spec={"name": "be", "countries": ["BE"]}, actor="tests")
    other_team = viewer.post("/api/v1/tokens", json={"name": "be", "role": "viewer", "teams": ["be"]})
    assert other_team.status_code == 403 and "not in be" in other_team.json()["detail"]
    made = viewer.post("/api/v1/tokens", json={"name": "mine", "role": "viewer", "teams": ["fr"]})
    assert made.status_code == 201, made.text
    secret = made.json()["token"]
    with httpx.Client(
        base_url=live.base_url, headers={"Authorization": f"Bearer {secret}"}, timeout=30
    ) as mine:
        me = mine.get("/api/v1/me").json()
        assert (me["role"], me["teams"]) == ("viewer", ["fr"])
        assert mine.delete(f"/api/v1/tokens/{made.json()['id']}").status_code == 204
        assert mine.get("/api/v1/me").status_code == 401


def test_a_removed_user_is_locked_out_at_once(live: LiveHub, api: httpx.Client) -> None:
    created = api.post(
        "/api/v1/users", json={"username": "leaver", "password": "long enough password", "role": "analyst"}
    )
    assert created.status_code == 201, created.text
    login = httpx.post(
        f"{live.base_url}/login",
        data={"username": "leaver", "password": "long enough password"},
        follow_redirects=False,
        timeout=30,
    )
    session = login.cookies
    user_id = live.hub.access.list_users()[
        [u.username for u in live.hub.access.list_users()].index("leaver")
    ].id
    token = live.hub.access.create_token("leaver", user_id=user_id, role="analyst")
    headers = {"Authorization": f"Bearer {token}"}
    assert httpx.get(f"{live.base_url}/api/v1/me", headers=headers, timeout=30).status_code == 200
    assert httpx.get(f"{live.base_url}/api/v1/me", cookies=session, timeout=30).status_code == 200
    assert api.delete("/api/v1/users/leaver").status_code == 204
    assert httpx.get(f"{live.base_url}/api/v1/me", headers=headers, timeout=30).status_code == 401
    assert httpx.get(f"{live.base_url}/api/v1/me", cookies=session, timeout=30).status_code == 401


def test_a_new_password_ends_the_sessions(live: LiveHub, api: httpx.Client) -> None:
    live.hub.access.add_user("changer", "long enough password", role="viewer")
    login = httpx.post(
        f"{live.base_url}/login",
        data={"username": "changer", "password": "long enough password"},
        follow_redirects=False,
        timeout=30,
    )
    session = login.cookies
    assert httpx.get(f"{live.base_url}/api/v1/me", cookies=session, timeout=30).status_code == 200
    assert api.put("/api/v1/users/changer", json={"password": "another long password"}).status_code == 200
    assert httpx.get(f"{live.base_url}/api/v1/me", cookies=session, timeout=30).status_code == 401


def test_a_rotated_admin_token_stops_the_old_one(live: LiveHub) -> None:
    access = live.hub.access
    access.ensure_token("VEILLE_ADMIN_TOKEN", "vt_first-secret-value-long-enough")
    access.ensure_token("VEILLE_ADMIN_TOKEN", "vt_second-secret-value-long-enough")
    assert access.principal_for_token("vt_first-secret-value-long-enough") is None
    principal = access.principal_for_token("vt_second-secret-value-long-enough")
    assert principal is not None and principal.admin


def test_changes_are_in_the_audit_log(api: httpx.Client) -> None:
    assert api.post("/api/v1/teams", json={"name": "care", "sources": ["X"]}).status_code == 201
    assert (
        api.put("/api/v1/teams/care", json={"name": "care", "sources": ["x", "mastodon"]}).status_code == 200
    )
    api.post("/api/v1/users", json={"username": "ana", "password": "long enough password", "teams": ["care"]})
    entries = api.get("/api/v1/audit").json()["items"]
    kinds = [(entry["object_kind"], entry["action"], entry["object_id"]) for entry in entries]
    assert kinds[:3] == [("user", "create", "ana"), ("team", "update", "care"), ("team", "create", "care")]
    update = entries[1]
    assert update["before"]["sources"] == ["x"] and update["after"]["sources"] == ["mastodon", "x"]
    assert update["actor"] == "tests"
    exported = api.get("/api/v1/audit", params={"format": "csv"})
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.text.splitlines()[0] == "at,actor,action,object_kind,object_id,before,after"


def test_team_bodies_are_checked(api: httpx.Client) -> None:
    wrong = api.post("/api/v1/teams", json={"name": "x", "countries": ["France"]})
    assert wrong.status_code == 422 and "France" in wrong.json()["detail"]
    assert api.post("/api/v1/teams", json={"name": "x"}).status_code == 201
    assert api.post("/api/v1/teams", json={"name": "x"}).status_code == 409
    assert api.get("/api/v1/teams/nope").status_code == 404


def test_the_stream_follows_the_callers_scope(
    api: httpx.Client, role_clients: dict[str, httpx.Client]
) -> None:
    api.post(
        "/api/v1/posts",
        json=[post_json(1, country="FR"), post_json(2, country="DE"), post_json(3, country="FR")],
    )
    seen: list[str] = []
    with role_clients["viewer"].stream("GET", "/api/v1/stream", params={"after": 0}) as response:
        assert response.status_code == 200
        for event in read_events(response):
            if event.event == "post":
                seen.append(event.json()["id"])
                if event.json()["id"] == "push:3":
                    break
    assert seen == ["push:1", "push:3"]
