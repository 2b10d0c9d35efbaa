"""Every analytics figure on SQLite and PostgreSQL against the plain-Python reading of the same posts."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from veille.analytics.filters import AnalyticsFilter
from veille.analytics.scope import Scope
from veille.analytics.sentiment import sentiment
from veille.analytics.top import top_domains, top_hashtags, top_links, top_posts
from veille.analytics.voice import share_of_voice
from veille.analytics.volume import volume
from veille.model import Post
from veille.store.sql import SqlStore

from .dataset import END, ODD_END, ODD_START, START, TOPICS
from .oracle import Ask, bucket_label, domains_of, hashtags_of, links_of, measures, selected, volume_rows

CASES: list[dict[str, Any]] = [
    {},
    {"interval": "hour", "tz": "Europe/Paris"},
    {"interval": "day", "tz": "Europe/Paris"},
    {"interval": "week", "tz": "America/New_York"},
    {"interval": "day", "tz": "Asia/Kolkata"},  # half-hour offset: read from minutes
    {"interval": "hour", "tz": "Asia/Kathmandu", "countries": ["FR"]},
    {"topics": ["outage"], "include_duplicates": False},
    {"topics": ["nova", "helix"], "interval": "hour"},  # a post in both counts once
    {"countries": ["FR", "ES"], "languages": ["fr"], "sources": ["x", "bluesky"], "sentiments": ["negative"]},
    {"scope_topics": ["nova", "orbis"], "scope_countries": ["FR", "DE"], "scope_sources": ["x", "mastodon"]},
    {
        "topics": ["nova", "helix"],
        "scope_topics": ["helix", "orbis"],
        "countries": ["ES"],
        "scope_countries": ["FR"],
    },
    {"interval": "month"},  # calendar months in UTC: read from days
    {"interval": "month", "tz": "Europe/Paris", "topics": ["outage"]},  # March ends on summer time
    {"interval": "month", "tz": "Asia/Kolkata"},
]


def _filter_and_scope(
    case: dict[str, Any], start: datetime, end: datetime
) -> tuple[AnalyticsFilter, Scope, Ask]:
    asked = {key: value for key, value in case.items() if not key.startswith("scope_")}
    scope = Scope.of(
        topics=case.get("scope_topics"),
        countries=case.get("scope_countries"),
        sources=case.get("scope_sources"),
    )
    return AnalyticsFilter.of(start=start, end=end, **asked), scope, Ask(start, end, **case)


def _non_empty(rows: list[dict[str, Any]], group: str | None) -> dict[tuple[str, Any], dict[str, int]]:
    names = ("posts", "engagement", "likes", "reposts", "replies", "views", "reach")
    return {
        (row["bucket"], row[group] if group else None): {name: row[name] for name in names}
        for row in rows
        if row["posts"]
    }


@pytest.mark.parametrize("case", CASES, ids=[str(index) for index in range(len(CASES))])
def test_volume_series_matches_plain_python(
    loaded: tuple[SqlStore, list[Post]], case: dict[str, Any]
) -> None:
    store, posts = loaded
    filters, scope, ask = _filter_and_scope(case, ODD_START, ODD_END)
    for source in ("rollups", "posts"):
        result = volume(store, filters=filters, scope=scope, source=source).to_json_dict()
        assert _non_empty(result["rows"], None) == volume_rows(posts, ask), source
        assert result["totals"]["posts"] == len(selected(posts, ask))
    # Every bucket of the range is there, in order, even empty ones.
    buckets = [row["bucket"] for row in result["rows"]]
    assert buckets == sorted(set(buckets), key=buckets.index) and len(buckets) == len(set(buckets))


@pytest.mark.parametrize("group_by", ["topic", "country", "lang", "sentiment", "source"])
def test_volume_grouped_matches_plain_python(loaded: tuple[SqlStore, list[Post]], group_by: str) -> None:
    store, posts = loaded
    case = {"interval": "day", "tz": "Europe/Paris", "scope_countries": ["FR", "ES", "DE"]}
    filters, scope, ask = _filter_and_scope(case, ODD_START, ODD_END)
    result = volume(store, filters=filters, scope=scope, group_by=group_by).to_json_dict()
    assert _non_empty(result["rows"], group_by) == volume_rows(posts, ask, group_by)


def test_day_buckets_follow_the_time_zone(store: SqlStore) -> None:
    """23:30 UTC on 1 November is already 2 November in Paris (UTC+1 in winter)."""
    times = ["2026-11-01T22:59:59Z", "2026-11-01T23:00:00Z", "2026-11-01T23:30:00Z", "2026-11-02T10:00:00Z"]
    store.upsert_posts(
        [
            Post.model_validate(
                {
                    "id": f"x:{index}",
                    "source": "x",
                    "created_at": moment,
                    "text": "t",
                    "author": {"handle": "a"},
                }
            )
            for index, moment in enumerate(times)
        ]
    )
    start, end = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 3, tzinfo=UTC)
    utc = volume(store, filters=AnalyticsFilter.of(start=start, end=end), scope=Scope()).to_json_dict()
    assert [(row["bucket"], row["posts"]) for row in utc["rows"]] == [
        ("2026-11-01T00:00:00Z", 3),
        ("2026-11-02T00:00:00Z", 1),
    ]
    paris = AnalyticsFilter.of(start=start, end=end, tz="Europe/Paris")
    rows = volume(store, filters=paris, scope=Scope()).to_json_dict()["rows"]
    assert [(row["bucket"], row["posts"]) for row in rows] == [
        ("2026-11-01T00:00:00+01:00", 1),
        ("2026-11-02T00:00:00+01:00", 3),
        ("2026-11-03T00:00:00+01:00", 0),  # the range ends at 01:00 local on 3 November
    ]


def test_the_spring_forward_day_is_23_hours(loaded: tuple[SqlStore, list[Post]]) -> None:
    store, _posts = loaded
    filters = AnalyticsFilter.of(start=START, end=END, interval="hour", tz="Europe/Paris")
    labels = [row["bucket"] for row in volume(store, filters=filters, scope=Scope()).to_json_dict()["rows"]]
    on_the_day = [label for label in labels if label.startswith("2026-03-29")]
    assert (
        len(on_the_day) == 23
        and "2026-03-29T01:00:00+01:00" in labels
        and "2026-03-29T03:00:00+02:00" in labels
    )


@pytest.mark.parametrize(
    "case",
    CASES[:3] + CASES[8:11] + CASES[12:13],
    ids=["plain", "hour-paris", "day-paris", "filters", "scope", "meet", "month-paris"],
)
def test_sentiment_matches_plain_python(loaded: tuple[SqlStore, list[Post]], case: dict[str, Any]) -> None:
    store, posts = loaded
    filters, scope, ask = _filter_and_scope(case, ODD_START, ODD_END)
    result = sentiment(store, filters=filters, scope=scope).to_json_dict()
    expected: dict[str, Counter[str]] = {}
    for post in selected(posts, ask):
        label = bucket_label(post.created_at, ask.interval, ask.zone)
        expected.setdefault(label, Counter())[post.sentiment.label if post.sentiment else "unknown"] += 1
    got = {row["bucket"]: row for row in result["rows"] if row["posts"]}
    assert set(got) == set(expected)
    for label, counts in expected.items():
        row = got[label]
        assert {name: row[name] for name in ("positive", "neutral", "negative", "unknown")} == {
            name: counts[name] for name in ("positive", "neutral", "negative", "unknown")
        }
        scored = counts["positive"] + counts["neutral"] + counts["negative"]
        want = None if not scored else (counts["positive"] - counts["negative"]) / scored
        assert (
            row["net_sentiment"] == pytest.approx(want) if want is not None else row["net_sentiment"] is None
        )
    totals = Counter(post.sentiment.label if post.sentiment else "unknown" for post in selected(posts, ask))
    assert {item["sentiment"]: item["posts"] for item in result["breakdown"]} == {
        name: totals[name] for name in ("positive", "neutral", "negative", "unknown")
    }


@pytest.mark.parametrize("per_country", [False, True])
@pytest.mark.parametrize("scoped", [False, True])
def test_share_of_voice_matches_plain_python(
    loaded: tuple[SqlStore, list[Post]], per_country: bool, scoped: bool
) -> None:
    store, posts = loaded
    case: dict[str, Any] = {"topics": ["nova", "helix", "orbis"]}
    if scoped:
        case |= {"scope_topics": ["nova", "helix"], "scope_countries": ["FR", "ES"]}
    filters, scope, ask = _filter_and_scope(case, ODD_START, ODD_END)
    rows = share_of_voice(store, filters=filters, scope=scope, per_country=per_country).to_json_dict()["rows"]
    counts: Counter[tuple[Any, str]] = Counter()
    engagement: Counter[tuple[Any, str]] = Counter()
    for post in selected(posts, ask):
        for match in {match.name for match in post.topics} & (ask.topics or set()):
            key = (post.country if per_country else None, match)
            counts[key] += 1
            engagement[key] += measures(post)["engagement"]
    groups = sorted({country for country, _ in counts}, key=lambda value: (value is None, value or ""))
    expected = []
    for country in groups:
        total = sum(value for (c, _), value in counts.items() if c == country)
        total_engagement = sum(value for (c, _), value in engagement.items() if c == country)
        for topic in sorted(ask.topics or ()):
            row: dict[str, Any] = {"country": country} if per_country else {}
            row |= {
                "topic": topic,
                "posts": counts[(country, topic)],
                "share": counts[(country, topic)] / total if total else None,
                "engagement": engagement[(country, topic)],
                "engagement_share": engagement[(country, topic)] / total_engagement
                if total_engagement
                else None,
            }
            expected.append(row)
    assert rows == expected
    assert scoped is False or {row["topic"] for row in rows} == {"nova", "helix"}


@pytest.mark.parametrize("by", ["engagement", "reach"])
@pytest.mark.parametrize("case", [CASES[0], CASES[9], CASES[6]], ids=["all", "scope", "topic"])
def test_top_posts_match_plain_python(
    loaded: tuple[SqlStore, list[Post]], by: str, case: dict[str, Any]
) -> None:
    store, posts = loaded
    filters, scope, ask = _filter_and_scope(case, ODD_START, ODD_END)
    rows = top_posts(store, filters=filters, scope=scope, by=by, limit=15).to_json_dict()["rows"]  # type: ignore[arg-type]

    def metric(post: Post) -> int:
        return measures(post)["engagement"] if by == "engagement" else post.author.followers or 0

    expected = sorted(selected(posts, ask), key=lambda post: (-metric(post), post.id))[:15]
    assert [row["id"] for row in rows] == [post.id for post in expected]
    assert [row[by] for row in rows] == [metric(post) for post in expected]
    for row, post in zip(rows, expected, strict=True):
        names = {match.name for match in post.topics}
        assert row["topics"] == sorted(names if ask.topics is None else names & ask.topics)


@pytest.mark.parametrize(
    ("compute", "column", "items_of"),
    [
        (top_hashtags, "hashtag", hashtags_of),
        (top_links, "link", links_of),
        (top_domains, "domain", domains_of),
    ],
    ids=["hashtags", "links", "domains"],
)
@pytest.mark.parametrize("case", [CASES[0], CASES[9], CASES[8]], ids=["all", "scope", "filters"])
def test_top_items_match_plain_python(
    loaded: tuple[SqlStore, list[Post]], compute: Any, column: str, items_of: Any, case: dict[str, Any]
) -> None:
    store, posts = loaded
    filters, scope, ask = _filter_and_scope(case, ODD_START, ODD_END)
    result = compute(store, filters=filters, scope=scope, limit=4).to_json_dict()
    kept = selected(posts, ask)
    counts: Counter[str] = Counter()
    engagement: Counter[str] = Counter()
    for post in kept:
        for item in items_of(post):
            counts[item] += 1
            engagement[item] += measures(post)["engagement"]
    expected = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))[:4]
    assert [(row[column], row["posts"], row["engagement"]) for row in result["rows"]] == [
        (item, count, engagement[item]) for item, count in expected
    ]
    assert result["posts_scanned"] == len(kept)
    assert all(row["share"] == pytest.approx(row["posts"] / len(kept)) for row in result["rows"])


def test_an_empty_scope_sees_nothing(loaded: tuple[SqlStore, list[Post]]) -> None:
    store, _posts = loaded
    filters = AnalyticsFilter.of(start=START, end=END, topics=TOPICS)
    nothing = Scope.of(countries=[])
    assert all(row["posts"] == 0 for row in volume(store, filters=filters, scope=nothing).rows)
    assert top_posts(store, filters=filters, scope=nothing).rows == []
    assert top_hashtags(store, filters=filters, scope=nothing).rows == []
    assert all(row["posts"] == 0 for row in share_of_voice(store, filters=filters, scope=nothing).rows)


def test_bad_filters_name_the_parameter() -> None:
    start, end = START, END
    for kwargs, message in (
        ({"interval": "fortnight"}, "interval:"),
        ({"tz": "Mars/Olympus"}, "tz:"),
        ({"sentiments": ["angry"]}, "sentiment:"),
        ({"countries": [" "]}, "country:"),
        ({"interval": "minute", "end": start + timedelta(days=400)}, "interval:"),
        ({"end": start}, "from:"),
    ):
        with pytest.raises(ValueError, match=message):
            AnalyticsFilter.of(**({"start": start, "end": end} | kwargs))
