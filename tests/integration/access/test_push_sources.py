"""Issue 14, item 5: the push API writes only posts of sources the caller may write (``push`` by
default): a token cannot overwrite a connector's post; an admin may grant a token more sources."""

from __future__ import annotations

import httpx
import pytest

from tests.support.live_server import LiveHub
from tests.support.posts import post_json
from veille.model import Post


def _client(live: LiveHub, token: str) -> httpx.Client:
    return httpx.Client(base_url=live.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30)


def _connector_post(live: LiveHub) -> dict[str, object]:
    """A post as the Mastodon connector stored it (written by the pipeline, not the push API)."""
    item = post_json(1, id="mastodon:1001", source="mastodon", text="Le vrai post du connecteur")
    live.hub.store.upsert_posts([Post.model_validate(item)])
    return item


def test_a_user_token_writes_push_only_and_cannot_overwrite_a_connector_post(live: LiveHub) -> None:
    original = _connector_post(live)
    user_id = live.hub.access.add_user("pusher", "long enough password", role="analyst")
    token = live.hub.access.create_token("pusher-token", user_id=user_id, role="analyst")
    with _client(live, token) as client:
        forged = {**original, "text": "Texte remplacé par un jeton"}
        disguised = post_json(2, id="mastodon:1001", text="même id, source push")
        answer = client.post("/api/v1/posts", json=[post_json(3), forged, disguised, post_json(4)])
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["accepted"] == 2
    assert body["stored_ids"] == ["push:3", "push:4"]
    by_index = {error["index"]: error["message"] for error in body["errors"]}
    assert set(by_index) == {1, 2}
    assert "source" in by_index[1] and "'mastodon'" in by_index[1]
    assert "mastodon:1001" in by_index[2] and "'mastodon'" in by_index[2]
    kept = live.hub.store.get_post("mastodon:1001")
    assert kept is not None and kept.text == "Le vrai post du connecteur" and kept.source == "mastodon"


def test_every_item_refused_is_a_422_naming_the_source(live: LiveHub) -> None:
    user_id = live.hub.access.add_user("pusher", "long enough password", role="admin")
    token = live.hub.access.create_token("pusher-token", user_id=user_id, role="admin")
    with _client(live, token) as client:
        answer = client.post("/api/v1/posts", json=[post_json(1, id="x:1", source="x")])
    assert answer.status_code == 422
    assert "'x'" in answer.json()["errors"][0]["message"]
    assert live.hub.store.get_post("x:1") is None


def test_an_admin_grants_a_token_more_sources(live: LiveHub, api: httpx.Client) -> None:
    original = _connector_post(live)
    admin_id = live.hub.access.add_user("boss", "long enough password", role="admin")
    admin_token = live.hub.access.create_token("boss-token", user_id=admin_id, role="admin")
    with _client(live, admin_token) as admin:
        created = admin.post(
            "/api/v1/tokens", json={"name": "bridge", "role": "analyst", "push_sources": ["mastodon", "push"]}
        )
    assert created.status_code == 201, created.text
    assert created.json()["push_sources"] == ["mastodon", "push"]
    with _client(live, created.json()["token"]) as bridge:
        answer = bridge.post(
            "/api/v1/posts",
            json=[{**original, "text": "corrigé par le pont"}, post_json(5, id="x:5", source="x")],
        )
    assert answer.status_code == 200, answer.text
    assert answer.json()["stored_ids"] == ["mastodon:1001"]
    assert "'x'" in answer.json()["errors"][0]["message"]
    stored = live.hub.store.get_post("mastodon:1001")
    assert stored is not None and stored.text == "corrigé par le pont"
    listed = {token["name"]: token["push_sources"] for token in api.get("/api/v1/tokens").json()["items"]}
    assert listed["bridge"] == ["mastodon", "push"]
    assert listed["boss-token"] == ["push"]


def test_only_an_admin_grants_other_sources(live: LiveHub) -> None:
    user_id = live.hub.access.add_user("ana", "long enough password", role="analyst")
    token = live.hub.access.create_token("ana-token", user_id=user_id, role="analyst")
    with _client(live, token) as client:
        refused = client.post(
            "/api/v1/tokens", json={"name": "sneaky", "role": "analyst", "push_sources": ["mastodon"]}
        )
        bad_name = client.post("/api/v1/tokens", json={"name": "odd", "push_sources": ["Not A Source"]})
        allowed = client.post("/api/v1/tokens", json={"name": "plain", "push_sources": ["push"]})
    assert refused.status_code == 403 and "push_sources" in refused.text
    assert bad_name.status_code == 422 and "push_sources" in bad_name.text
    assert allowed.status_code == 201 and allowed.json()["push_sources"] == ["push"]


@pytest.mark.parametrize("role", ["admin", "analyst"])
def test_operator_tokens_keep_every_source_unless_restricted(live: LiveHub, role: str) -> None:
    """`veille token create` (no user): an admin token writes every source by default."""
    default = live.hub.access.create_token(f"op-{role}", role=role)
    restricted = live.hub.access.create_token(f"op-{role}-restricted", role=role, push_sources=["push"])
    with _client(live, default) as client:
        answer = client.post("/api/v1/posts", json=[post_json(7, id="rss:7", source="rss")])
    assert answer.status_code == (200 if role == "admin" else 422)
    with _client(live, restricted) as client:
        assert client.post("/api/v1/posts", json=[post_json(8, id="rss:8", source="rss")]).status_code == 422
