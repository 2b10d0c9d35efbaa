"""The posts behind a figure: ``GET /api/v1/posts`` with the dashboards' filters lists exactly the posts
the analytics count (a drill-down from a chart shows what it counted), on both engines."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from veille.model import Post

RANGE = {"from": "2026-03-27T06:07:13", "to": "2026-03-31T20:00:00", "tz": "Europe/Paris"}

NARROWINGS: list[dict[str, Any]] = [
    {},
    {"topic": "nova"},
    {"topic": "nova,helix"},
    {"country": "FR"},
    {"sentiment": "negative"},
    {"sentiment": "positive", "country": "ES,DE", "source": "x"},
    {"lang": "fr", "include_duplicates": "false"},
    {"topic": "outage", "sentiment": "neutral", "include_duplicates": "false"},
]


def _all_ids(api: httpx.Client, params: dict[str, Any]) -> list[str]:
    ids: list[str] = []
    cursor = None
    while True:
        page = api.get(
            "/api/v1/posts", params={**params, "limit": 37, **({"cursor": cursor} if cursor else {})}
        )
        assert page.status_code == 200, page.text
        body = page.json()
        ids += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return ids


@pytest.mark.parametrize("narrowing", NARROWINGS, ids=lambda narrowing: ",".join(narrowing) or "none")
def test_posts_listed_are_exactly_those_counted(loaded_api: httpx.Client, narrowing: dict[str, Any]) -> None:
    params = {**RANGE, **narrowing}
    counted = loaded_api.get("/api/v1/analytics/volume", params={**params, "interval": "day"})
    assert counted.status_code == 200, counted.text
    total = sum(row["posts"] for row in counted.json()["rows"])
    ids = _all_ids(loaded_api, params)
    assert len(ids) == len(set(ids)) == total
    assert total > 0


def test_filters_mean_what_they_say(loaded_api: httpx.Client, loaded: tuple[Any, list[Post]]) -> None:
    _store, posts = loaded
    ids = set(_all_ids(loaded_api, {**RANGE, "topic": "helix", "sentiment": "negative", "country": "FR"}))
    expected = {
        post.id
        for post in posts
        if any(match.name == "helix" for match in post.topics)
        and post.sentiment is not None
        and post.sentiment.label == "negative"
        and post.country == "FR"
        and "2026-03-27T05:07:13+00:00" <= post.created_at.isoformat() < "2026-03-31T18:00:00+00:00"
    }
    assert ids == expected and ids


def test_query_language_and_highlights(loaded_api: httpx.Client, loaded: tuple[Any, list[Post]]) -> None:
    _store, posts = loaded
    page = loaded_api.get(
        "/api/v1/posts", params={**RANGE, "query": "#panne AND NOT #wifi", "limit": 500}
    ).json()
    found = {item["id"] for item in page["items"]}
    assert found
    for item in page["items"]:
        (start, end), *_ = item["highlights"]
        assert item["text"][start:end].lower() == "#panne"
    # Every post of the range with the hashtag and without the other, none else.
    in_range = set(_all_ids(loaded_api, RANGE))
    expected = {
        post.id
        for post in posts
        if post.id in in_range and "#Panne" in post.text.split() and "#wifi" not in post.text.split()
    }
    assert found == expected
    # A topic filter alone highlights the topic's stored spans.
    topical = loaded_api.get("/api/v1/posts", params={**RANGE, "topic": "nova", "limit": 3}).json()
    assert all(item["highlights"] == [[0, 4]] for item in topical["items"])


def test_unknown_values_are_refused_naming_them(loaded_api: httpx.Client) -> None:
    cases = {
        "topic": ("helx", "helx"),
        "sentiment": ("angry", "angry"),
        "country": ("FRA", "FRA"),
        "lang": ("french", "french"),
        "source": ("twitter", "twitter"),
    }
    for name, (value, named) in cases.items():
        refused = loaded_api.get("/api/v1/posts", params={name: value})
        assert refused.status_code == 422, name
        assert refused.json()["field"] == name and named in refused.json()["detail"]
    bad = loaded_api.get("/api/v1/posts", params={"query": "panne AND ("})
    assert bad.status_code == 422 and bad.json()["field"] == "query" and bad.json()["column"] == 12
    unknown_topic = loaded_api.get("/api/v1/posts", params={"query": "topic:nope"})
    assert unknown_topic.status_code == 422 and "nope" in unknown_topic.json()["detail"]
    both = loaded_api.get("/api/v1/posts", params={"from": "2026-03-27", "since": "2026-03-27T00:00:00Z"})
    assert both.status_code == 422 and both.json()["field"] == "from"
