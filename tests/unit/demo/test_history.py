"""The offline generator: determinism, validity, the crisis story, brand replies, rate scaling."""

from __future__ import annotations

import json
import statistics
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from veille.demo.simulator import default_profile, generate_history, scenario_names
from veille.model import Author, Metrics, Post, parse_post
from veille.text import extract_mentions, fold

END = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)


def _sim(post: Post) -> dict[str, str]:
    info: dict[str, str] = post.extra["simulator"]
    return info


@pytest.fixture(scope="module")
def crisis() -> list[Post]:
    start = END - timedelta(minutes=250)
    return list(generate_history(start, END, scenario="outage_crisis", seed=7, rate_per_min=20))


def test_scenario_names() -> None:
    assert scenario_names() == ["quiet_day", "product_launch", "live_event", "outage_crisis"]


def test_same_seed_and_start_give_the_same_posts() -> None:
    start = END - timedelta(hours=1)
    first = [
        p.to_json() for p in generate_history(start, END, scenario="product_launch", seed=3, rate_per_min=30)
    ]
    again = [
        p.to_json() for p in generate_history(start, END, scenario="product_launch", seed=3, rate_per_min=30)
    ]
    assert first and first == again
    other_seed = {
        p.id for p in generate_history(start, END, scenario="product_launch", seed=4, rate_per_min=30)
    }
    assert not other_seed & {json.loads(line)["id"] for line in first}
    shifted = END - timedelta(minutes=1)
    other_start = {
        p.id
        for p in generate_history(
            start - timedelta(minutes=1), shifted, scenario="product_launch", seed=3, rate_per_min=30
        )
    }
    assert not other_start & {json.loads(line)["id"] for line in first}


@pytest.mark.parametrize("scenario", ["quiet_day", "product_launch", "live_event", "outage_crisis"])
def test_every_post_round_trips_through_parse_post(scenario: str) -> None:
    start = END - timedelta(hours=2)
    posts = list(generate_history(start, END, scenario=scenario, seed=11, rate_per_min=15))
    assert len(posts) > 300
    ids = set()
    previous = start
    for post in posts:
        data = json.loads(post.to_json())
        parsed = parse_post(data)  # raises naming the field if anything is invalid
        assert parsed.to_json_dict() == {**data, "extra": data["extra"]}
        assert post.id.split(":", 1)[0] == post.source
        assert post.url is not None and post.url.startswith("https://")
        assert start <= post.created_at <= END
        assert post.created_at >= previous  # time order
        previous = post.created_at
        ids.add(post.id)
    assert len(ids) == len(posts)
    sources = Counter(p.source for p in posts)
    assert {"x", "bluesky", "mastodon", "facebook"} <= set(sources)


def test_fast_construction_sets_every_model_field(crisis: list[Post]) -> None:
    post = crisis[0]
    assert set(post.__dict__) == set(Post.model_fields)
    assert set(post.author.__dict__) == set(Author.model_fields)
    assert set(post.metrics.__dict__) == set(Metrics.model_fields)


def test_languages_and_variety() -> None:
    posts = list(
        generate_history(END - timedelta(hours=6), END, scenario="quiet_day", seed=2, rate_per_min=20)
    )
    langs = Counter(p.lang for p in posts)
    assert {"fr", "en", "es", "de"} <= set(langs)
    complaints = [p.text for p in posts if _sim(p)["kind"] == "complaint"]
    assert len(set(complaints)) > 0.9 * len(complaints)
    labels = Counter(
        _sim(p)["sentiment"] for p in posts if _sim(p)["kind"] in ("complaint", "praise", "question")
    )
    assert labels["negative"] and labels["positive"] and labels["neutral"]
    located = [p.author.location for p in posts if p.author.location]
    assert 0.3 < len(located) / len(posts) < 0.9
    assert any("," in place for place in located)
    assert any(p.links for p in posts)
    assert any(extract_mentions(p.text) for p in posts)


def _per_minute(posts: list[Post], phase: str, country: str, minutes: float) -> float:
    return sum(1 for p in posts if _sim(p)["phase"] == phase and _sim(p)["country"] == country) / minutes


def test_crisis_spikes_volume_and_negativity_in_its_country(crisis: list[Post]) -> None:
    country = default_profile().outage.country
    normal = _per_minute(crisis, "normal", country, 45)
    spike = _per_minute(crisis, "spike", country, 40)
    amplification = _per_minute(crisis, "amplification", country, 45)
    assert spike > 4 * normal and amplification > 6 * normal

    def negative_share(phases: set[str]) -> float:
        chosen = [p for p in crisis if _sim(p)["phase"] in phases and _sim(p)["country"] == country]
        return sum(_sim(p)["sentiment"] == "negative" for p in chosen) / len(chosen)

    assert negative_share({"spike", "amplification"}) > 0.6
    assert negative_share({"spike", "amplification"}) > negative_share({"normal"}) + 0.25


def test_crisis_features_the_journalist_and_their_reposts(crisis: list[Post]) -> None:
    profile = default_profile()
    journalists = [
        i for i in profile.influencers if i.category == "journalist" and i.country == profile.outage.country
    ]
    top = max(journalists, key=lambda i: i.followers)
    by_journalist = [
        p for p in crisis if p.author.handle == top.handle and _sim(p)["kind"] == "journalist_outage"
    ]
    assert by_journalist
    article = by_journalist[0]
    assert f"#{profile.outage.hashtags['fr']}" in article.text
    assert article.author.followers == top.followers
    reposts = [p for p in crisis if p.repost_of == article.id]
    assert len(reposts) >= 3
    assert all(p.created_at > article.created_at and p.source == article.source for p in reposts)
    assert (article.metrics.likes or 0) > 1000


def test_brand_replies_follow_existing_posts(crisis: list[Post]) -> None:
    profile = default_profile()
    brand_handles = {(row["platform"], row["handle"]) for row in profile.brand_accounts()}
    by_id = {p.id: p for p in crisis}
    replies = [p for p in crisis if _sim(p)["kind"] == "brand_reply"]
    assert len(replies) > 50
    for reply in replies:
        assert reply.reply_to in by_id
        inbound = by_id[reply.reply_to]
        assert reply.created_at > inbound.created_at
        assert reply.source == inbound.source
        assert (reply.source, reply.author.handle) in brand_handles
        assert fold(reply.author.handle) in {handle for handle, _ in extract_mentions(inbound.text)}
    # Some inbound posts are never answered.
    answered = {r.reply_to for r in replies}
    inbound_posts = [
        p for p in crisis if _sim(p)["kind"] in ("complaint", "outage") and extract_mentions(p.text)
    ]
    assert len(answered) < len(inbound_posts)


def test_our_replies_slow_down_during_the_crisis(crisis: list[Post]) -> None:
    country = default_profile().outage.country
    by_id = {p.id: p for p in crisis}
    delays: dict[str, list[float]] = {}
    for reply in crisis:
        if _sim(reply)["kind"] != "brand_reply" or _sim(reply)["country"] != country:
            continue
        inbound = by_id[reply.reply_to or ""]
        if not reply.author.handle.lower().startswith("novatelecom"):
            continue
        delays.setdefault(_sim(inbound)["phase"], []).append(
            (reply.created_at - inbound.created_at).total_seconds()
        )
    calm = delays["normal"] + delays.get("aftermath", [])
    assert statistics.median(delays["amplification"]) > 2 * statistics.median(calm)


def test_reposts_and_copies_point_to_earlier_posts(crisis: list[Post]) -> None:
    by_id = {p.id: p for p in crisis}
    reposts = [p for p in crisis if p.repost_of]
    assert reposts
    for repost in reposts:
        original = by_id[repost.repost_of or ""]
        assert original.created_at < repost.created_at
        assert original.text in repost.text
    copies = [p for p in crisis if _sim(p)["kind"] == "copy"]
    assert copies


def test_metrics_grow_with_followers(crisis: list[Post]) -> None:
    originals = [p for p in crisis if _sim(p)["kind"] in ("complaint", "outage", "news", "chatter")]
    small = [p.metrics.likes or 0 for p in originals if (p.author.followers or 0) < 100]
    large = [p.metrics.likes or 0 for p in originals if (p.author.followers or 0) > 5000]
    assert small and large
    assert statistics.mean(large) > 10 * statistics.mean(small)


def test_rate_scales_the_volume() -> None:
    start = END - timedelta(hours=3)
    slow = sum(1 for _ in generate_history(start, END, scenario="quiet_day", seed=5, rate_per_min=10))
    fast = sum(1 for _ in generate_history(start, END, scenario="quiet_day", seed=5, rate_per_min=30))
    assert 2.4 < fast / slow < 3.6


def test_count_gives_exactly_that_many_posts() -> None:
    posts = list(generate_history(END - timedelta(hours=2), END, scenario="live_event", seed=1, count=777))
    assert len(posts) == 777
    assert posts[-1].created_at > END - timedelta(minutes=30)


def test_bad_arguments_are_refused_when_called() -> None:
    with pytest.raises(ValueError, match="unknown scenario"):
        generate_history(END - timedelta(hours=1), END, scenario="nope")
    with pytest.raises(ValueError, match="end must be after start"):
        generate_history(END, END - timedelta(hours=1))
    with pytest.raises(ValueError, match="future"):
        generate_history(END, datetime.now(UTC) + timedelta(hours=1))
    with pytest.raises(ValueError, match="time zone"):
        generate_history(datetime(2026, 1, 1), datetime(2026, 1, 2))
