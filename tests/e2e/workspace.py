"""Helpers of the widget and dashboard browser tests: a served hub with simulated history pushed
through the real pipeline, a trend pushed on top, dashboards created through the API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from tests.e2e.conftest import log_in
from tests.support.live_server import LiveHub
from tests.support.workspace import history_posts, push_posts, serve_workspace
from veille.settings import Settings

__all__ = [
    "ALL_WIDGETS",
    "TREND_TAG",
    "create_dashboard",
    "open_dashboard",
    "served_workspace",
    "settled",
    "widget_states",
]

TREND_TAG = "pannefibre"

# One widget of every type, each set up so that the simulated history gives it something to show.
ALL_WIDGETS: list[dict[str, Any]] = [
    {"type": "kpi", "x": 0, "y": 0, "w": 3, "h": 2, "options": {"metric": "posts"}},
    {"type": "kpi", "x": 3, "y": 0, "w": 3, "h": 2, "options": {"metric": "net_sentiment"}},
    {"type": "volume", "x": 6, "y": 0, "w": 6, "h": 4, "options": {"group_by": "sentiment"}},
    {"type": "sentiment", "x": 0, "y": 2, "w": 6, "h": 4, "options": {}},
    {
        "type": "share_of_voice",
        "x": 6,
        "y": 4,
        "w": 6,
        "h": 4,
        "options": {"topics": ["nova", "helix", "orbis", "sirocco"]},
    },
    {"type": "map", "x": 0, "y": 6, "w": 6, "h": 4, "options": {}},
    {"type": "trends", "x": 6, "y": 8, "w": 6, "h": 4, "options": {"kind": "hashtags", "window": 1800}},
    {"type": "influencers", "x": 0, "y": 10, "w": 6, "h": 5, "options": {"limit": 5}},
    {"type": "top_posts", "x": 6, "y": 12, "w": 6, "h": 5, "options": {"limit": 5}},
    {"type": "feed", "x": 0, "y": 15, "w": 6, "h": 5, "options": {"limit": 10}},
    {"type": "care", "x": 6, "y": 17, "w": 6, "h": 4, "options": {"group_by": "brand"}},
    {"type": "content", "x": 0, "y": 20, "w": 6, "h": 4, "options": {"group_by": "format"}},
    {
        "type": "text",
        "x": 6,
        "y": 21,
        "w": 6,
        "h": 2,
        "options": {"text": "Read me first.\n\n<b>Not bold</b>: text stays text."},
    },
]


def trend_posts(count: int = 24) -> list[dict[str, Any]]:
    """A burst of complaints with one hashtag in the last 20 minutes: a trend against the hour before."""
    now = datetime.now(UTC)
    return [
        {
            "id": f"x:trend-{index}",
            "source": "x",
            "created_at": (now - timedelta(seconds=60 + index * 40)).isoformat().replace("+00:00", "Z"),
            "text": f"Encore une coupure de la fibre ce soir, numéro {index} #PanneFibre @NovaTelecom_FR",
            "lang": "fr",
            "country": "FR",
            "author": {"handle": f"client_{index}", "name": f"Client {index}", "followers": 100 + index},
            "metrics": {"likes": index, "reposts": 0, "replies": 1},
        }
        for index in range(count)
    ]


def served_workspace(data_dir: Path, *, hours: float = 8, count: int = 2000) -> Iterator[LiveHub]:
    """A hub with the demo taxonomy and accounts, ``count`` simulated posts of the last ``hours`` and
    a hashtag trend, all pushed through the push API (the pipeline enriches and stores them)."""
    settings = Settings(data_dir=data_dir)
    with serve_workspace(settings) as live:
        accepted = push_posts(live, history_posts(hours=hours, count=count))
        assert accepted == count
        push_posts(live, trend_posts())
        yield live


def create_dashboard(live: LiveHub, body: dict[str, Any]) -> dict[str, Any]:
    response = httpx.post(
        f"{live.base_url}/api/v1/dashboards", json=body, headers=live.auth_headers, timeout=10
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def widget_states(page: Any) -> list[tuple[str, str]]:
    return [
        (item["type"], item["state"])
        for item in page.evaluate(
            "() => [...document.querySelectorAll('[data-widget]')].map(e => ({type: e.dataset.widget, state: e.dataset.state}))"
        )
    ]


def settled(page: Any, timeout: float = 30_000) -> None:
    """Every widget has left its loading state."""
    page.wait_for_function(
        "() => { const found = [...document.querySelectorAll('[data-widget]')];"
        " return found.length > 0 && found.every((e) => e.dataset.state !== 'loading'); }",
        timeout=timeout,
    )


def open_dashboard(page: Any, live: LiveHub, dashboard_id: int, query: str = "") -> None:
    log_in(page, live, f"/dashboards/{dashboard_id}{query}")
    settled(page)
