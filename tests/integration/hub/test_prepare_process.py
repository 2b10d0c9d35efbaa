"""The hub with its stages in a child process (``[hub] prepare_processes = 1``), on SQLite and
PostgreSQL: a topic added through the API matches the next posts pushed, and a killed child is
replaced without losing what was acknowledged (issue 15, item 1)."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.live_server import LiveHub, serve_hub
from tests.support.posts import post_json
from veille.preparer import ProcessPreparer
from veille.settings import Settings


@pytest.fixture
def live(hub_settings: Settings) -> Iterator[LiveHub]:
    with serve_hub(hub_settings.model_copy(update={"prepare_processes": 1})) as hub:
        # The child loads its models in the background; on a busy machine that outlasts a request's
        # time-out, so the tests begin once it is up (the first push would wait for it otherwise).
        deadline = time.monotonic() + 300
        while _preparer(hub).pid is None:
            assert time.monotonic() < deadline, "the preparing process did not start"
            time.sleep(0.1)
        yield hub


def _preparer(live: LiveHub) -> ProcessPreparer:
    preparer = live.hub.pipeline.preparer
    assert isinstance(preparer, ProcessPreparer)
    return preparer


def _running(pid: int) -> bool:
    """The process exists and is not a zombie (killed, not yet reaped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
    except FileNotFoundError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def _topics_of(api: httpx.Client, post_id: str) -> list[str]:
    return sorted(topic["name"] for topic in api.get(f"/api/v1/posts/{post_id}").json()["topics"])


def test_a_topic_added_through_the_api_matches_the_next_pushed_posts(
    live: LiveHub, api: httpx.Client
) -> None:
    assert api.post("/api/v1/posts", json=[post_json(1, text="la fibre est en panne")]).status_code == 200
    child = _preparer(live).pid
    assert child is not None and child != os.getpid() and _running(child)
    assert _topics_of(api, "push:1") == []
    created = api.post("/api/v1/topics", json={"name": "outage", "query": "panne OR outage"})
    assert created.status_code == 201, created.text
    assert api.post("/api/v1/posts", json=[post_json(2, text="encore une panne")]).status_code == 200
    assert _topics_of(api, "push:2") == ["outage"]  # no wait, no poll: the very next batch
    changed = api.patch("/api/v1/topics/outage", json={"query": "fibre"})
    assert changed.status_code == 200, changed.text
    pushed = [post_json(3, text="encore une panne"), post_json(4, text="la fibre revient")]
    assert api.post("/api/v1/posts", json=pushed).status_code == 200
    assert _topics_of(api, "push:3") == [] and _topics_of(api, "push:4") == ["outage"]
    assert api.delete("/api/v1/topics/outage").status_code == 204
    assert api.post("/api/v1/posts", json=[post_json(5, text="la fibre")]).status_code == 200
    assert _topics_of(api, "push:5") == []
    assert _preparer(live).pid == child  # one child did all of it


def test_a_killed_preparing_process_is_replaced_and_nothing_acknowledged_is_lost(
    live: LiveHub, api: httpx.Client
) -> None:
    assert api.post("/api/v1/posts", json=[post_json(index) for index in range(1, 4)]).status_code == 200
    preparer = _preparer(live)
    child = preparer.pid
    assert child is not None
    os.kill(child, signal.SIGKILL)
    deadline = time.monotonic() + 60
    # Until every thread of the child ended (its main thread alone is a zombie sooner).
    while preparer.alive:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    # The next push starts a new child (its models loaded) and is stored.
    pushed = api.post("/api/v1/posts", json=[post_json(index) for index in range(4, 7)])
    assert pushed.status_code == 200, pushed.text
    assert preparer.restarts == 1 and preparer.pid not in (None, child)
    listed = api.get("/api/v1/posts", params={"limit": 50}).json()["items"]
    assert sorted(item["id"] for item in listed) == [f"push:{index}" for index in range(1, 7)]
