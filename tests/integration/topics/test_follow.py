"""Topics changed by another process (the CLI, another serve) reach a running hub without a
restart (issue 15, item 4), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from tests.support.posts import post_json
from veille.hub import Hub
from veille.model import parse_post
from veille.settings import Settings
from veille.store.sql import open_store
from veille.topics import TopicSpec, create_topic, delete_topic


async def _until(condition: Callable[[], bool], what: str) -> None:
    deadline = asyncio.get_running_loop().time() + 120  # generous: a busy machine
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


async def test_a_topic_added_by_another_process_matches_the_next_posts(hub_settings: Settings) -> None:
    hub = Hub.build(hub_settings.model_copy(update={"topics_poll_s": 0.2}))
    other = open_store(hub_settings.sqlalchemy_url)  # what `veille topics add` opens
    await hub.start()
    try:
        await asyncio.sleep(0.5)  # the hub has read the topics once
        await asyncio.to_thread(
            create_topic, store=other, spec=TopicSpec(name="fibre_talk", query="fibre"), live=None
        )
        await _until(lambda: "fibre_talk" in hub.topics.names(), "the new topic in the running hub")
        stored = await hub.pipeline.submit([parse_post(post_json(1))])
        assert [match.name for match in stored[0].post.topics] == ["fibre_talk"]
        await asyncio.to_thread(delete_topic, store=other, name="fibre_talk", live=None)
        await _until(lambda: "fibre_talk" not in hub.topics.names(), "the topic gone from the running hub")
        stored = await hub.pipeline.submit([parse_post(post_json(2))])
        assert stored[0].post.topics == []
    finally:
        await hub.stop()
        other.close()
