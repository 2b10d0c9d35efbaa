"""Sharing, generated over every kind × visibility × role × team: who sees each object (in its
list, by id, in the catalogue) and who may change it; no object outside a caller's view appears
in any list. Objects are made by an analyst of team ``fr`` (accounts, an admin's, for ``fr``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.support.live_server import LiveHub
from veille.sharing import VISIBILITIES
from veille.teams import create_team

# caller -> (role, team)
CALLERS = {
    "admin": ("admin", None),
    "analyst-fr": ("analyst", "fr"),
    "viewer-fr": ("viewer", "fr"),
    "analyst-be": ("analyst", "be"),
    "viewer-be": ("viewer", "be"),
    "loner": ("analyst", None),
}


@dataclass(frozen=True)
class Kind:
    name: str
    creator: str
    list_path: str
    one_path: Callable[[dict[str, Any]], str]
    key: Callable[[dict[str, Any]], str]
    body: Callable[[str], dict[str, Any]]
    edit_method: str
    edit_body: Callable[[str], dict[str, Any]]


KINDS = [
    Kind(
        "topic",
        "analyst-fr",
        "/api/v1/topics",
        lambda item: f"/api/v1/topics/{item['name']}",
        lambda item: item["name"],
        lambda vis: {"name": f"topic_{vis}", "query": f"panne {vis}", "visibility": vis},
        "PATCH",
        lambda vis: {"label": "Changed"},
    ),
    Kind(
        "dashboard",
        "analyst-fr",
        "/api/v1/dashboards",
        lambda item: f"/api/v1/dashboards/{item['id']}",
        lambda item: str(item["id"]),
        lambda vis: {"name": f"dashboard {vis}", "visibility": vis},
        "PUT",
        lambda vis: {"name": f"dashboard {vis} changed"},
    ),
    Kind(
        "wall",
        "analyst-fr",
        "/api/v1/walls",
        lambda item: f"/api/v1/walls/{item['id']}",
        lambda item: str(item["id"]),
        lambda vis: {"name": f"wall {vis}", "visibility": vis},
        "PUT",
        lambda vis: {"name": f"wall {vis} changed"},
    ),
    Kind(
        "alert_rule",
        "analyst-fr",
        "/api/v1/alerts/rules",
        lambda item: f"/api/v1/alerts/rules/{item['id']}",
        lambda item: str(item["id"]),
        lambda vis: {"name": f"rule {vis}", "kind": "volume_threshold", "query": "panne", "visibility": vis},
        "PUT",
        lambda vis: {"name": f"rule {vis} changed", "kind": "volume_threshold", "query": "panne"},
    ),
    Kind(
        "account",
        "admin",
        "/api/v1/accounts",
        lambda item: f"/api/v1/accounts/{item['id']}",
        lambda item: str(item["id"]),
        lambda vis: {
            "platform": "x",
            "handle": f"nova_{vis}",
            "brand": "Nova",
            "owner_team": "fr",
            "visibility": vis,
        },
        "PUT",
        lambda vis: {"platform": "x", "handle": f"nova_{vis}", "brand": "Nova Telecom"},
    ),
]

# Roles that may call each kind's change route at all (web/authz.py POLICY).
_WRITERS = {"account": {"admin"}}


def sees(caller: str, creator: str, visibility: str) -> bool:
    role, team = CALLERS[caller]
    return (
        role == "admin"
        or visibility == "organisation"
        or caller == creator
        or (visibility == "team" and team == "fr")
    )


def may_change(kind: str, caller: str) -> bool:
    role, team = CALLERS[caller]
    if role not in _WRITERS.get(kind, {"admin", "analyst"}):
        return False
    return role == "admin" or team == "fr"


@pytest.fixture
def clients(live: LiveHub) -> Iterator[dict[str, httpx.Client]]:
    access = live.hub.access
    for team in ("fr", "be"):
        create_team(store=live.hub.store, spec={"name": team}, actor="tests")
    made: dict[str, httpx.Client] = {}
    for caller, (role, team) in CALLERS.items():
        teams = [team] if team else []
        user_id = access.add_user(caller, "long enough password", role=role, teams=teams)
        token = access.create_token(caller, user_id=user_id, role=role, teams=teams)
        made[caller] = httpx.Client(
            base_url=live.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )
    yield made
    for client in made.values():
        client.close()


def _keys(client: httpx.Client, path: str, key: Callable[[dict[str, Any]], str]) -> set[str]:
    response = client.get(path)
    assert response.status_code == 200, (path, response.text)
    return {key(item) for item in response.json()["items"]}


def test_every_kind_visibility_role_and_team(clients: dict[str, httpx.Client]) -> None:
    for kind in KINDS:
        made: dict[str, dict[str, Any]] = {}
        for visibility in VISIBILITIES:
            created = clients[kind.creator].post(kind.list_path, json=kind.body(visibility))
            assert created.status_code == 201, (kind.name, visibility, created.text)
            body = created.json()
            assert body["visibility"] == visibility and body["owner_team"] == "fr", (kind.name, body)
            made[visibility] = body
        for caller, client in clients.items():
            listed = _keys(client, kind.list_path, kind.key)
            expected = {kind.key(made[vis]) for vis in VISIBILITIES if sees(caller, kind.creator, vis)}
            outside = {kind.key(made[vis]) for vis in VISIBILITIES} - expected
            assert expected <= listed and not (outside & listed), (kind.name, caller, listed)
            catalogue = client.get("/api/v1/catalogue", params={"kind": kind.name}).json()["items"]
            in_catalogue = {item["id"] for item in catalogue}
            assert expected <= in_catalogue and not (outside & in_catalogue), (kind.name, caller)
            for visibility, item in made.items():
                one = client.get(kind.one_path(item))
                visible = sees(caller, kind.creator, visibility)
                assert one.status_code == (200 if visible else 404), (kind.name, visibility, caller, one.text)
                changed = client.request(
                    kind.edit_method, kind.one_path(item), json=kind.edit_body(visibility)
                )
                if not visible and CALLERS[caller][0] in _WRITERS.get(kind.name, {"admin", "analyst"}):
                    assert changed.status_code == 404, (kind.name, visibility, caller, changed.text)
                elif may_change(kind.name, caller):
                    assert changed.status_code == 200, (kind.name, visibility, caller, changed.text)
                    assert changed.json()["visibility"] == visibility, "an update without sharing keeps it"
                else:
                    assert changed.status_code == 403, (kind.name, visibility, caller, changed.text)
                    detail = changed.json()["detail"]
                    if CALLERS[caller][0] in _WRITERS.get(kind.name, {"admin", "analyst"}):
                        assert "owner_team" in detail and "'fr'" in detail, detail
                    else:
                        assert "role" in detail, detail


def test_an_analyst_shares_only_with_their_teams(clients: dict[str, httpx.Client], api: httpx.Client) -> None:
    analyst = clients["analyst-fr"]
    refused = analyst.post("/api/v1/topics", json={"name": "other", "query": "x", "owner_team": "be"})
    assert refused.status_code == 403 and "not in team 'be'" in refused.json()["detail"]
    wrong = analyst.post("/api/v1/dashboards", json={"name": "d", "visibility": "everyone"})
    assert wrong.status_code == 422
    no_team = clients["loner"].post(
        "/api/v1/topics", json={"name": "alone", "query": "x", "visibility": "team"}
    )
    assert no_team.status_code == 422 and "owner_team" in no_team.json()["detail"]
    mine = clients["loner"].post(
        "/api/v1/topics", json={"name": "alone", "query": "x", "visibility": "private"}
    )
    assert mine.status_code == 201 and mine.json()["owner_team"] is None
    assert clients["loner"].patch("/api/v1/topics/alone", json={"label": "Mine"}).status_code == 200
    # Given away to another team by an admin, it is no longer the loner's to change.
    assert (
        api.patch("/api/v1/topics/alone", json={"owner_team": "be", "visibility": "team"}).status_code == 200
    )
    assert clients["loner"].get("/api/v1/topics/alone").status_code == 200  # its creator still sees it
    assert clients["loner"].patch("/api/v1/topics/alone", json={"label": "x"}).status_code == 403
    assert clients["analyst-be"].patch("/api/v1/topics/alone", json={"label": "Ours"}).status_code == 200


def test_sharing_changes_are_audited(clients: dict[str, httpx.Client], api: httpx.Client) -> None:
    analyst = clients["analyst-fr"]
    created = analyst.post("/api/v1/dashboards", json={"name": "Board", "visibility": "team"})
    assert created.status_code == 201
    dashboard_id = created.json()["id"]
    assert (
        analyst.put(
            f"/api/v1/dashboards/{dashboard_id}", json={"name": "Board", "visibility": "organisation"}
        ).status_code
        == 200
    )
    entries = api.get("/api/v1/audit", params={"kind": "dashboard"}).json()["items"]
    shares = [
        entry for entry in entries if entry["action"] == "share" and entry["object_id"] == str(dashboard_id)
    ]
    assert [(entry["before"] or {}).get("visibility") for entry in shares] == ["team", None]
    assert shares[0]["after"]["visibility"] == "organisation" and shares[0]["actor"] == "analyst-fr"


def test_the_catalogue_searches_name_query_team_and_kind(
    clients: dict[str, httpx.Client], api: httpx.Client
) -> None:
    analyst = clients["analyst-fr"]
    assert (
        analyst.post(
            "/api/v1/topics",
            json={"name": "fibre_outage", "label": "Fibre outages", "query": "fibre AND panne"},
        ).status_code
        == 201
    )
    assert analyst.post("/api/v1/dashboards", json={"name": "Fibre board"}).status_code == 201
    assert (
        api.post(
            "/api/v1/topics", json={"name": "mobile", "query": "réseau mobile", "owner_team": "be"}
        ).status_code
        == 201
    )
    viewer = clients["viewer-be"]

    def names(params: dict[str, str]) -> list[tuple[str, str]]:
        answer = viewer.get("/api/v1/catalogue", params=params).json()["items"]
        return [(item["kind"], item["name"]) for item in answer]

    assert names({"q": "fibre"}) == [("topic", "Fibre outages"), ("dashboard", "Fibre board")]
    assert names({"q": "panne"}) == [("topic", "Fibre outages")]  # the query text
    assert names({"q": "be"}) == [("topic", "mobile")]  # the owner team
    assert names({"q": "fibre", "kind": "dashboard"}) == [("dashboard", "Fibre board")]
    assert names({"q": "dashboard fibre"}) == [("dashboard", "Fibre board")]  # the kind, every word
    refused = viewer.get("/api/v1/catalogue", params={"kind": "spaceship"})
    assert refused.status_code == 422 and refused.json()["field"] == "kind"


def test_the_overlap_warning_names_visible_topics_only(
    clients: dict[str, httpx.Client], api: httpx.Client
) -> None:
    assert (
        api.post(
            "/api/v1/topics",
            json={
                "name": "fr_outage",
                "query": "fibre panne internet",
                "owner_team": "fr",
                "visibility": "team",
            },
        ).status_code
        == 201
    )
    assert (
        api.post(
            "/api/v1/topics",
            json={
                "name": "be_outage",
                "query": "fibre panne internet",
                "owner_team": "be",
                "visibility": "private",
            },
        ).status_code
        == 201
    )
    preview = clients["analyst-fr"].post(
        "/api/v1/query/preview", json={"query": "panne fibre internet", "days": 1}
    )
    assert preview.status_code == 200, preview.text
    similar = preview.json()["similar"]
    assert [(item["topic"], item["owner_team"]) for item in similar] == [("fr_outage", "fr")]
    outsider = clients["analyst-be"].post(
        "/api/v1/query/preview", json={"query": "panne fibre internet", "days": 1}
    )
    assert outsider.json()["similar"] == []  # fr's team topic and be's private one (not theirs): unseen
