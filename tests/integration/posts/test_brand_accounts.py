"""``is_brand_account`` is set on ingestion from the brand-account registry (never trusted from a
client): a brand's care replies are not the public's posts."""

from __future__ import annotations

import httpx

from tests.support.live_server import LiveHub
from tests.support.posts import post_json
from veille.accounts.brand_stage import BrandAccountStage, RegistryKeys
from veille.model import Post
from veille.store.sql import SqlStore


def test_registered_accounts_posts_are_marked_on_ingestion(live: LiveHub, api: httpx.Client) -> None:
    # A post before the account is registered, claiming to be a brand's: the claim is not trusted.
    early = api.post(
        "/api/v1/posts", json=[post_json(1, author={"handle": "Nova_Care"}, is_brand_account=True)]
    )
    assert early.status_code == 200, early.text
    assert api.get("/api/v1/posts/push:1").json()["is_brand_account"] is False
    registered = api.post(
        "/api/v1/accounts", json={"platform": "push", "handle": "@nova_care", "brand": "Nova", "ours": True}
    )
    assert registered.status_code == 201, registered.text
    reply = post_json(2, author={"handle": "NOVA_care"}, reply_to="push:3", text="Hello, we're on it!")
    public = post_json(3, author={"handle": "angry_customer"}, text="@nova_care my line is down")
    # The registry is checked at most once a second: the stage's cache is aged by hand, not by sleeping.
    for stage in live.hub.pipeline.stages:
        if isinstance(stage, BrandAccountStage):
            keys = stage._keys
            assert isinstance(keys, RegistryKeys)
            keys._checked = None
    assert api.post("/api/v1/posts", json=[reply, public]).status_code == 200
    assert api.get("/api/v1/posts/push:2").json()["is_brand_account"] is True
    assert api.get("/api/v1/posts/push:3").json()["is_brand_account"] is False


def test_the_registry_is_reread_only_when_it_changed(store: SqlStore) -> None:
    moments = [0.0]
    keys = RegistryKeys(store, refresh_s=1.0, clock=lambda: moments[0])
    stage = BrandAccountStage(keys)
    post = Post.model_validate(post_json(1, source="x", id="x:1", author={"handle": "@Nova_FR"}))
    assert stage.process([post])[0].is_brand_account is False
    from veille.accounts import service
    from veille.accounts.models import AccountSpec

    service.create_account(store=store, spec=AccountSpec(platform="x", handle="nova_fr", brand="Nova"))
    assert stage.process([post])[0].is_brand_account is False  # within the second: the cached keys
    moments[0] = 1.5
    assert stage.process([post])[0].is_brand_account is True  # a competitor's account is a brand's too
    assert keys() == frozenset({("x", "nova_fr")})
