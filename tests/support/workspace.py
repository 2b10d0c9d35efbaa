"""A hub with something to look at: the demo's taxonomy and brand accounts, and simulated posts of
the past hours pushed through the push API (so they go through the real pipeline: language,
country, sentiment, topics, near-duplicates, then the store and its rollups).

Used by the widget and dashboard browser tests and by the screenshots.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.support.live_server import LiveHub, serve_hub
from veille.demo.seed import ensure_demo_accounts, ensure_demo_dashboards, ensure_demo_taxonomy
from veille.demo.simulator import generate_history
from veille.hub import Hub
from veille.settings import Settings
from veille.store.sql import open_store

__all__ = ["history_posts", "push_posts", "serve_workspace"]


def history_posts(
    *,
    hours: float = 6,
    count: int = 1500,
    scenario: str = "outage_crisis",
    seed: int = 7,
    end: datetime | None = None,
) -> list[dict[str, Any]]:
    """Simulated posts of the last ``hours`` (ending a minute ago), as the push API takes them."""
    finish = end or datetime.now(UTC) - timedelta(minutes=1)
    start = finish - timedelta(hours=hours)
    posts = generate_history(start, finish, scenario=scenario, seed=seed, count=count)
    return [post.to_json_dict() for post in posts]


def push_posts(live: LiveHub, posts: list[dict[str, Any]], *, batch: int = 500) -> int:
    """Push ``posts`` through ``POST /api/v1/posts``; how many the hub accepted."""
    accepted = 0
    with httpx.Client(base_url=live.base_url, headers=live.auth_headers, timeout=120) as client:
        for index in range(0, len(posts), batch):
            response = client.post("/api/v1/posts", json=posts[index : index + batch])
            assert response.status_code == 200, response.text
            accepted += int(response.json()["accepted"])
    return accepted


@contextmanager
def serve_workspace(
    settings: Settings, *, taxonomy: bool = True, accounts: bool = True, dashboards: bool = False
) -> Iterator[LiveHub]:
    """A served hub whose store holds the demo taxonomy and accounts (before the hub reads them),
    and with ``dashboards`` the demo's dashboards (owned by the test user)."""
    store = open_store(settings.sqlalchemy_url)
    try:
        if taxonomy:
            ensure_demo_taxonomy(store)
        if accounts:
            ensure_demo_accounts(store=store)
        if dashboards:
            ensure_demo_dashboards(store, owner="tester")
    finally:
        store.close()
    hub = Hub.build(settings)
    with serve_hub(settings, hub=hub) as live:
        yield live
