"""Nothing lost at the edge: an item a connector refuses reaches the dead-letter table in the same
transaction as the checkpoint that passes it, is visible through the API, and is stored once the
mapping is fixed (``veille sources replay-failed``)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from tests.fakes import LocalServer, real_payload
from tests.fakes.hackernews import FakeHackerNews, story_hit
from tests.integration.sources.helpers import settings_with_toml, wait_for
from tests.support.live_server import serve_hub
from tests.support.posts import post_json
from veille.bus.memory import MemoryBus
from veille.cli import build_app
from veille.hub import Hub
from veille.model import Post, PostRejected
from veille.pipeline import Pipeline
from veille.sources.connectors import build_connector
from veille.sources.connectors.hackernews import HackerNewsConnector
from veille.sources.dead_letters import replay_dead_letters
from veille.sources.replay import ReplaySource
from veille.store import open_store
from veille.store.dead_letters import count_dead_letters, list_dead_letters
from veille.store.sql import SqlStore

NOW = int(datetime.now(UTC).timestamp())


def poll_option(object_id: int = 3786932, parent: int = 3786926) -> dict[str, Any]:
    """A Hacker News poll option as Algolia serves it: no title, the option in story_text."""
    return {
        "created_at": datetime.fromtimestamp(NOW - 60, UTC).isoformat().replace("+00:00", "Z"),
        "title": None,
        "url": None,
        "author": "michaelkscott",
        "points": 3042,
        "story_text": "10+ years",
        "comment_text": None,
        "num_comments": None,
        "parent_id": parent,
        "created_at_i": NOW - 60,
        "_tags": ["pollopt", "author_michaelkscott", f"story_{object_id}"],
        "objectID": str(object_id),
    }


class PollOptionsRefused(HackerNewsConnector):
    """The Hacker News connector as it was before poll options were mapped: a hit without a title
    that is no comment is refused ("title: missing on a story")."""

    def map_hit(self, hit: Any) -> Post:
        if isinstance(hit, dict) and "pollopt" in (hit.get("_tags") or []):
            raise ValueError("title: missing on a story")
        return super().map_hit(hit)


@pytest.fixture
def hacker_news() -> Iterator[tuple[FakeHackerNews, LocalServer]]:
    fake = FakeHackerNews()
    fake.hits += [
        story_hit(3786926, NOW - 120, title="Poll: how long have you been programming?"),
        poll_option(),
    ]
    with fake.serve() as server:
        yield fake, server


def _table(server: LocalServer) -> dict[str, Any]:
    return {"type": "hackernews", "name": "hn", "endpoint": server.url, "tags": "(story,pollopt)"}


async def test_a_refused_item_reaches_the_dead_letters_and_is_stored_after_the_fix(
    hacker_news: tuple[FakeHackerNews, LocalServer], store: SqlStore
) -> None:
    _, server = hacker_news
    async with httpx.AsyncClient() as client:
        fixed = build_connector(_table(server), http_client=client, environ={})
        assert isinstance(fixed, HackerNewsConnector)
        old = PollOptionsRefused(fixed.config, http_client=client)
        pipeline = Pipeline(store=store, bus=MemoryBus(), stages=[])
        await pipeline.start()
        pipeline.add_source(old)
        try:
            await asyncio.wait_for(_until(lambda: store.get_checkpoint("hn") is not None), timeout=10)
        finally:
            await pipeline.stop()
    # The poll's batch: the story stored, the poll option refused, the checkpoint past both.
    assert store.get_post("hackernews:3786926") is not None
    assert store.get_post("hackernews:3786932") is None
    mark = json.loads(store.get_checkpoint("hn") or "{}")["mark"]
    assert "3786932" in mark["seen"]  # the cursor moved past the refused item...
    with store.engine.connect() as connection:
        [letter] = list_dead_letters(connection, "hn")
    # ...and the item is not lost: it is kept with its payload, the reason and the source.
    assert letter.payload == poll_option() and letter.reason == "title: missing on a story"
    assert (letter.source, letter.attempts) == ("hn", 1)

    report = replay_dead_letters(store, old, [])  # the same old rule: still refused, one more attempt
    assert (report.stored, len(report.still_failing)) == (0, 1)
    with store.engine.connect() as connection:
        assert list_dead_letters(connection, "hn")[0].attempts == 2

    report = replay_dead_letters(store, fixed, [])  # the connector with the fixed rule
    assert report.to_json_dict() == {
        "source": "hn",
        "tried": 1,
        "stored": 1,
        "not_posts": 0,
        "filtered": 0,
        "still_failing": 0,
    }
    option = store.get_post("hackernews:3786932")
    assert option is not None and option.text == "10+ years"
    assert option.extra["poll_id"] == "hackernews:3786926"
    with store.engine.connect() as connection:
        assert count_dead_letters(connection) == {}


async def _until(check: Any) -> None:
    while not check():
        await asyncio.sleep(0.05)


def test_the_same_refused_item_twice_is_one_letter_and_the_write_shares_the_checkpoint(
    store: SqlStore,
) -> None:
    hit = real_payload("hackernews", "api_page_example.json")["hits"][0]
    refused = PostRejected(0, "created_at_i: missing or not a number", payload=hit)
    store.upsert_posts([], checkpoint=("hn", "1"), dead_letters=("hn", [refused]))
    reordered = dict(reversed(list(hit.items())))  # the same item, keys in another order
    store.upsert_posts(
        [], checkpoint=("hn", "2"), dead_letters=("hn", [PostRejected(3, "again", payload=reordered)])
    )
    with store.engine.connect() as connection:
        [letter] = list_dead_letters(connection, "hn")
    assert (letter.attempts, letter.reason, letter.payload) == (2, "again", hit)
    assert letter.last_attempt_us >= letter.first_failed_us
    assert store.get_checkpoint("hn") == "2"
    store.upsert_posts([], resolved_dead_letters=[letter.id])
    with store.engine.connect() as connection:
        assert count_dead_letters(connection) == {}


def test_veille_sources_replay_failed(tmp_path: Path) -> None:
    settings = settings_with_toml(
        tmp_path,
        '[[sources]]\ntype = "hackernews"\nname = "hn"\nendpoint = "http://127.0.0.1:9"\nenabled = false\n',
    )
    store = open_store(settings.sqlalchemy_url)
    api_example = real_payload("hackernews", "api_page_example.json")["hits"][0]
    try:
        store.upsert_posts(
            [],
            checkpoint=("hn", "{}"),
            dead_letters=(
                "hn",
                [
                    PostRejected(0, "title: missing on a story", payload=poll_option()),
                    PostRejected(1, "created_at_i: missing or not a number", payload=api_example),
                ],
            ),
        )
    finally:
        store.close()
    runner = CliRunner()
    args = ["--data", str(settings.data_dir), "--config", str(tmp_path / "veille.toml")]
    listed = runner.invoke(build_app(), ["sources", "failed", "hn", *args])
    assert listed.exit_code == 0, listed.output
    assert "title: missing on a story" in listed.stdout and "2 dead letter(s)" in listed.stderr
    result = runner.invoke(build_app(), ["sources", "replay-failed", "hn", *args])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary == {
        "source": "hn",
        "tried": 2,
        "stored": 1,
        "not_posts": 0,
        "filtered": 0,
        "still_failing": 1,
    }
    assert "created_at_i: missing or not a number" in result.stderr  # the one still refused, named
    store = open_store(settings.sqlalchemy_url)
    try:
        stored = store.get_post("hackernews:3786932")
        assert stored is not None and stored.sentiment is not None  # through the hub's stages
        with store.engine.connect() as connection:
            [left] = list_dead_letters(connection, "hn")
        assert left.payload == api_example and left.attempts == 2
    finally:
        store.close()
    unknown = runner.invoke(build_app(), ["sources", "replay-failed", "nope", *args])
    assert unknown.exit_code == 2 and "no such source" in unknown.stderr


def test_dead_letters_and_the_hubs_own_sources_through_the_api(tmp_path: Path) -> None:
    settings = settings_with_toml(
        tmp_path,
        '[[sources]]\ntype = "hackernews"\nname = "hn"\nendpoint = "http://127.0.0.1:9"\nenabled = false\n',
    )
    posts_file = tmp_path / "posts.jsonl"
    posts_file.write_text("\n".join(json.dumps(post_json(n)) for n in range(3)) + "\n")
    replay = ReplaySource(posts_file)
    hub = Hub.build(settings, sources=[replay])
    hub.store.upsert_posts(
        [], dead_letters=("hn", [PostRejected(0, "title: missing on a story", payload=poll_option())])
    )
    with (
        serve_hub(settings, hub=hub) as live,
        httpx.Client(base_url=live.base_url, headers=live.auth_headers, timeout=10) as api,
    ):
        page = api.get("/api/v1/sources/hn/failed").json()
        assert page["source"] == "hn" and page["total"] == 1 and page["next_after"] is None
        [item] = page["items"]
        assert item["reason"] == "title: missing on a story" and item["payload"] == poll_option()
        assert item["attempts"] == 1 and item["first_failed_at"] <= item["last_attempt_at"]
        assert api.get("/api/v1/sources/hn/failed", params={"after": item["id"]}).json()["items"] == []
        assert api.get("/api/v1/sources/nope/failed").status_code == 404
        assert api.get("/api/v1/sources/hn/failed", params={"limit": 0}).status_code == 422

        def listing() -> dict[str, dict[str, Any]] | None:
            items = {item["name"]: item for item in api.get("/api/v1/sources").json()["items"]}
            return items if items.get(replay.name, {}).get("health", {}).get("posts_total") == 3 else None

        items = wait_for(listing, what="the replayed file's posts counted")
        assert items["hn"]["failed"] == 1 and items["hn"]["read_only"] is False
        own = items[replay.name]
        assert (own["type"], own["read_only"], own["origin"], own["failed"]) == ("file", True, "hub", 0)
        push = items["push"]
        assert (push["type"], push["read_only"], push["running"], push["health"]["state"]) == (
            "push",
            True,
            True,
            "listening",
        )
        assert push["health"]["connected"] is False  # the push API is no connection to anything
        pushed = api.post("/api/v1/posts", json=[post_json(10)])
        assert pushed.status_code in (200, 201, 202), pushed.text
        assert api.get("/api/v1/sources/push").json()["health"]["posts_total"] == 1
