"""Trends on both engines against plain-Python counts of the same posts (seasonal and trailing
baselines, hashtags, terms and topics, scope), relative to the volume (an item trends when its share
of the posts rises, not when its count follows a rising volume), and the Poisson score against SciPy."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

import pytest
from scipy.stats import poisson

from veille.analytics.filters import AnalyticsFilter
from veille.analytics.scope import Scope
from veille.analytics.trends import item_terms, poisson_surprise, trends
from veille.model import Post
from veille.store.sql import SqlStore
from veille.text import extract_hashtags

from .dataset import END, START

DAY = timedelta(days=1)


def _oracle(
    posts: list[Post],
    items_of: Callable[[Post], Iterable[str]],
    current: tuple[datetime, datetime],
    baseline: list[tuple[datetime, datetime]],
    *,
    keep: Callable[[Post], bool] = lambda post: True,
    min_count: int = 5,
    min_growth: float = 2.0,
    min_score: float = 3.0,
) -> dict[str, dict[str, float]]:
    def counts(start: datetime, end: datetime) -> Counter[str]:
        found: Counter[str] = Counter()
        for post in posts:
            if start <= post.created_at < end and keep(post):
                found.update(set(items_of(post)))
        return found

    def volume(start: datetime, end: datetime) -> int:
        return sum(1 for post in posts if start <= post.created_at < end and keep(post))

    now = counts(*current)
    past = [counts(*window) for window in baseline]
    # The share of the volume: the baseline's counts scaled to the current window's volume.
    ratio = volume(*current) / (sum(volume(*window) for window in baseline) / len(baseline))
    expected_rows = {}
    for item, count in now.items():
        total = sum(window[item] for window in past)
        mean = total / len(past)
        expected = (total + 0.5) / len(past) * ratio
        growth = (count + 1) / (mean * ratio + 1)
        score = -math.log10(poisson.sf(count - 1, expected))
        if count >= min_count and growth >= min_growth and score >= min_score:
            expected_rows[item] = {"count": count, "baseline_mean": mean, "growth": growth, "score": score}
    return expected_rows


def _hashtags(post: Post) -> set[str]:
    return {tag for tag, _ in extract_hashtags(post.text)}


def _check(result_rows: list[dict[str, Any]], expected: dict[str, dict[str, float]]) -> None:
    assert {row["item"] for row in result_rows} == set(expected)
    for row in result_rows:
        wanted = expected[row["item"]]
        assert row["count"] == wanted["count"]
        assert row["baseline_mean"] == pytest.approx(wanted["baseline_mean"])
        assert row["growth"] == pytest.approx(wanted["growth"])
        assert row["score"] == pytest.approx(wanted["score"], rel=1e-6)
    scores = [row["score"] for row in result_rows]
    assert scores == sorted(scores, reverse=True)


def test_hashtag_burst_against_the_same_hour_of_previous_days(loaded: tuple[SqlStore, list[Post]]) -> None:
    store, posts = loaded
    filters = AnalyticsFilter.of(start=START, end=END)
    result = trends(store, filters=filters, scope=Scope(), kind="hashtags", window=timedelta(hours=1))
    current = (END - timedelta(hours=1), END)
    seasonal = [(current[0] - DAY, current[1] - DAY), (current[0] - 2 * DAY, current[1] - 2 * DAY)]
    assert result.meta["baseline"] == "seasonal" and len(result.meta["baseline_windows"]) == 2
    expected = _oracle(posts, _hashtags, current, seasonal)
    # The burst posts carry #fibre too: its count is ×4.7 its usual one, but the hour's volume is
    # ×2.3 too, so its share is not twice its usual share: only #PanneNova trends.
    assert set(expected) == {"pannenova"}
    _check(result.rows, expected)
    ratio = result.meta["volume_ratio"]
    assert ratio == pytest.approx(
        result.meta["current"]["posts"] / (sum(w["posts"] for w in result.meta["baseline_windows"]) / 2)
    )
    assert 2 < ratio < 2.5
    assert result.rows[0]["item"] == "pannenova"
    assert result.rows[0]["growth"] == pytest.approx(25 / (1.0 * ratio + 1))
    top = result.rows[0]
    assert len(top["example_ids"]) == 3 and all("#PanneNova" in text for text in top["example_texts"])
    engagement = {post.id: post.metrics.likes or 0 for post in posts}
    shown = [engagement[post_id] for post_id in top["example_ids"]]
    assert shown == sorted(shown, reverse=True) and shown[0] == 6  # likes = index % 7, the best first


def test_trailing_baseline_terms_and_scope(loaded: tuple[SqlStore, list[Post]]) -> None:
    store, posts = loaded
    filters = AnalyticsFilter.of(start=START, end=END)
    result = trends(store, filters=filters, scope=Scope(), kind="terms", baseline="trailing")
    current = (END - timedelta(hours=1), END)
    trailing = [
        (current[0] - k * timedelta(hours=1), current[1] - k * timedelta(hours=1)) for k in range(1, 25)
    ]
    assert result.meta["baseline"] == "trailing" and len(result.meta["baseline_windows"]) == 24
    expected = _oracle(posts, lambda post: item_terms(post.text, post.lang), current, trailing)
    assert {"coupure", "grosse", "matin"} <= set(
        expected
    ) and "pannenova" not in expected  # hashtags aren't terms
    assert "depuis" not in expected  # a stop-word
    _check(result.rows, expected)
    # A scope without France never sees the French burst.
    spain = trends(store, filters=filters, scope=Scope.of(countries=["ES"]), kind="hashtags")
    assert spain.rows == [] or all(row["item"] != "pannenova" for row in spain.rows)
    expected_es = _oracle(posts, _hashtags, current, trailing[:0] or [
        (current[0] - DAY, current[1] - DAY), (current[0] - 2 * DAY, current[1] - 2 * DAY)
    ], keep=lambda post: post.country == "ES")  # fmt: skip
    _check(spain.rows, expected_es)


def test_topic_trends_read_the_rollups(loaded: tuple[SqlStore, list[Post]]) -> None:
    store, posts = loaded
    start, end = (
        datetime.fromisoformat("2026-05-05T00:00:00+00:00"),
        datetime.fromisoformat("2026-05-05T22:00:00+00:00"),
    )
    filters = AnalyticsFilter.of(start=start, end=end)
    result = trends(
        store, filters=filters, scope=Scope(), kind="topics", window=timedelta(hours=2),
        min_count=1, min_growth=1.0, min_score=0.0,
    )  # fmt: skip
    current = (end - timedelta(hours=2), end)
    trailing = [
        (current[0] - k * timedelta(hours=2), current[1] - k * timedelta(hours=2)) for k in range(1, 11)
    ]
    assert result.meta["baseline"] == "trailing"
    expected = _oracle(
        posts, lambda post: [topic.name for topic in post.topics], current, trailing,
        min_count=1, min_growth=1.0, min_score=0.0,
    )  # fmt: skip
    assert set(expected) == {"nova"}
    _check(result.rows, expected)
    # Examples: the topic's posts of the window by engagement (both 1 like), then id.
    assert result.rows[0]["example_ids"] == ["bluesky:our-none", "x:our-reply"]


def test_bad_parameters_are_named(loaded: tuple[SqlStore, list[Post]]) -> None:
    store, _ = loaded
    filters = AnalyticsFilter.of(start=START, end=START + timedelta(hours=1))
    for kwargs, message in (
        ({"kind": "words"}, "kind"),
        ({"window": timedelta(seconds=10)}, "window"),
        ({"window": timedelta(hours=1)}, "window"),
        ({"baseline": "yearly"}, "baseline"),
        ({"limit": 0}, "limit"),
    ):
        with pytest.raises(ValueError, match=message):
            trends(store, filters=filters, scope=Scope(), **kwargs)


@pytest.mark.parametrize("count", [1, 2, 5, 10, 40, 200])
@pytest.mark.parametrize("expected", [0.05, 1.0, 3.3, 10.0, 150.0])
def test_poisson_surprise_is_scipy_tail(count: int, expected: float) -> None:
    tail = poisson.sf(count - 1, expected)
    if tail > 0:
        assert poisson_surprise(count, expected) == pytest.approx(-math.log10(tail), rel=1e-7, abs=1e-9)
    else:
        assert poisson_surprise(count, expected) > 300


def test_terms_read_elisions_and_contractions_by_language(store: SqlStore) -> None:
    """A French and an English burst: elided articles gone, ``aujourd'hui`` and ``don't`` whole."""
    start = datetime.fromisoformat("2026-06-01T00:00:00+00:00")
    batch: list[Post] = []

    def add(index: int, at: datetime, text: str, lang: str) -> None:
        batch.append(
            Post.model_validate(
                {
                    "id": f"x:{index}",
                    "source": "x",
                    "created_at": at,
                    "text": text,
                    "lang": lang,
                    "author": {"handle": f"user{index}"},
                }
            )
        )

    for hour in range(12):  # a quiet baseline: one post an hour
        add(hour, start + timedelta(hours=hour, minutes=5), f"Bonne journée {hour}", "fr")
    burst = start + timedelta(hours=12)
    for index in range(8):
        at = burst + timedelta(minutes=5 * index)
        add(100 + index, at, f"L'opérateur coupe l'accès aujourd'hui, qu'aujourd'hui {index}", "fr")
        add(200 + index, at, f"Don't trust Nova's network, it can't cope {index}", "en")
    store.upsert_posts(batch)
    filters = AnalyticsFilter.of(start=start, end=burst + timedelta(hours=1))
    found = trends(store, filters=filters, scope=Scope(), kind="terms", baseline="trailing", min_count=5)
    items = {row["item"] for row in found.rows}
    assert {"operateur", "acces", "aujourd'hui", "nova", "network", "cope", "trust"} <= items
    assert not items & {"aujourd", "hui", "l'operateur", "don", "don't", "can't", "nova's", "qu"}


def test_a_word_that_only_follows_the_volume_does_not_trend(store: SqlStore) -> None:
    """A crisis hour ten times busier: "network", in half the posts before and 90 % now, is 18 times
    more frequent but its share not even twice: it does not trend; "outage", new, does (by counts
    alone both would)."""
    start = datetime.fromisoformat("2026-06-01T00:00:00+00:00")
    batch: list[Post] = []

    def add(index: int, at: datetime, text: str) -> None:
        batch.append(
            Post.model_validate(
                {
                    "id": f"x:{index}",
                    "source": "x",
                    "created_at": at,
                    "text": text,
                    "lang": "en",
                    "author": {"handle": f"user{index % 50}"},
                }
            )
        )

    index = 0
    for hour in range(12):  # 20 posts an hour: half about the network, half about the weather
        for k in range(20):
            index += 1
            at = start + timedelta(hours=hour, minutes=k * 3)
            add(index, at, f"the network today {index}" if k % 2 else f"sunny weather today {index}")
    burst = start + timedelta(hours=12)
    for k in range(200):  # 10 times busier: still half the network, and a new word
        index += 1
        at = burst + timedelta(seconds=k * 18)
        text = f"the network today {index}" if k % 2 else f"network outage again {index}"
        if k % 10 == 0:
            text = f"sunny weather today {index}"
        add(index, at, text)
    store.upsert_posts(batch)
    filters = AnalyticsFilter.of(start=start, end=burst + timedelta(hours=1))
    found = trends(store, filters=filters, scope=Scope(), kind="terms", baseline="trailing")
    assert found.meta["volume_ratio"] == pytest.approx(10.0)
    items = {row["item"]: row for row in found.rows}
    assert "outage" in items and "network" not in items and "weather" not in items
    network_now = sum(1 for post in batch if post.created_at >= burst and "network" in post.text)
    assert network_now == 180  # ×18 its usual 10 an hour: a count-based trend would have listed it
    assert (network_now + 1) / (10 + 1) >= 2  # the plain count growth: over min_growth
    assert items["outage"]["count"] == 80
    assert items["outage"]["growth"] == pytest.approx((80 + 1) / (0 * 10 + 1))
