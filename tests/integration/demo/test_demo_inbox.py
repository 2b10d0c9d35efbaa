"""The demo's inbox end to end: simulated customers write to our accounts, the queue holds them,
and a reply goes to the fake platform the demo hub serves itself (/demo/platform), then into the
store as our account's post."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.support.live_server import LiveHub, serve_hub
from tests.support.workspace import history_posts, push_posts
from veille.demo.inbox import ensure_demo_inbox
from veille.demo.seed import ensure_demo_accounts
from veille.security.secrets import SecretBox
from veille.settings import Settings
from veille.store import open_store


@pytest.fixture
def demo(settings: Settings) -> Iterator[LiveHub]:
    settings = settings.model_copy(update={"demo_platform": True})
    store = open_store(settings.sqlalchemy_url)
    try:
        ensure_demo_accounts(store=store)
    finally:
        store.close()
    with serve_hub(settings) as live:
        answering = ensure_demo_inbox(
            store=live.hub.store, base_url=live.base_url, secrets=SecretBox.for_data_dir(settings.data_dir)
        )
        assert answering == 25  # our 9 X, 8 Bluesky and 8 Mastodon accounts (Facebook has no write API here)
        yield live


def test_simulated_customers_land_in_the_queue_and_get_an_answer(demo: LiveHub) -> None:
    assert push_posts(demo, history_posts(hours=3, count=2500, scenario="quiet_day", seed=11)) > 2000
    with httpx.Client(base_url=demo.base_url, headers=demo.auth_headers, timeout=60) as api:
        items = api.get("/api/v1/inbox", params={"limit": 1000}).json()["items"]
        assert len(items) >= 20
        platforms = {item["account"]["platform"] for item in items}
        assert {"x", "bluesky", "mastodon"} <= platforms
        statuses = {item["status"] for item in items}
        assert {"new", "replied"} <= statuses  # the simulated care team answered some, not all
        saved = api.get("/api/v1/inbox/saved-replies", params={"lang": "fr"}).json()["items"]
        assert {entry["kind"] for entry in saved} == {"reply", "holding"}
        for platform in ("x", "bluesky", "mastodon"):
            waiting = next(i for i in items if i["status"] == "new" and i["account"]["platform"] == platform)
            answer = api.post(
                f"/api/v1/inbox/{waiting['post_id']}/reply",
                json={"text": "Bonjour {first_name}, on regarde."},
            )
            assert answer.status_code == 200, answer.text
            body = answer.json()
            assert body["status"] == "replied" and body["reply_post_id"].startswith(f"{platform}:")
            ours = api.get(f"/api/v1/posts/{body['reply_post_id']}").json()
            assert (
                ours["reply_to"] == waiting["post_id"]
                and ours["author"]["handle"] == waiting["account"]["handle"]
            )
        facebook = next(
            (i for i in items if i["status"] == "new" and i["account"]["platform"] == "facebook"), None
        )
        if facebook is not None:
            refused = api.post(f"/api/v1/inbox/{facebook['post_id']}/reply", json={"text": "Bonjour"})
            assert refused.status_code == 422 and "answer on the platform itself" in refused.json()["detail"]
