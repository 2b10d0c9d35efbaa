"""What a wall lets through: blocklist terms in any language, the rules, decisions, pre-moderation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from veille.model import Post
from veille.query.view_filters import DashboardFilters
from veille.walls import Moderation, admits, blocked_term, matches_filters, rule_reason

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


def make(text: str = "Nova est top", **changes: Any) -> Post:
    data: dict[str, Any] = {
        "id": "x:1",
        "source": "x",
        "created_at": NOW - timedelta(minutes=5),
        "text": text,
        "lang": "fr",
        "country": "FR",
        "author": {"handle": "alice", "name": "Alice", "followers": 100},
    }
    data.update(changes)
    return Post.model_validate(data)


@pytest.mark.parametrize(
    ("text", "terms", "found"),
    [
        ("C'est une ARNAQUE", ["arnaque"], "arnaque"),
        ("Quelle arnaqué !", ["arnaque"], "arnaque"),  # accents do not matter
        ("a classic case", ["ass"], None),  # a term stands as a word in spaced scripts
        ("ass-kicking", ["ass"], "ass"),
        ("Это мошенничество!", ["мошенничество"], "мошенничество"),
        ("这家公司是骗子公司", ["骗子"], "骗子"),  # no spaces in Chinese: found inside
        ("詐欺だと思う", ["詐欺"], "詐欺"),
        ("บริษัทนี้โกงเงิน", ["โกง"], "โกง"),
        ("Tout va bien", ["arnaque", "scam"], None),
        ("🤬 scam alert", ["scam"], "scam"),
    ],
)
def test_blocklist_terms_in_any_language(text: str, terms: list[str], found: str | None) -> None:
    assert blocked_term(text, terms) == found


def test_rules_give_their_reason() -> None:
    rules = Moderation(
        blocklist=["concurrent"], hide_links=True, min_followers=50, hide_reposts=True, hide_duplicates=True
    )
    assert rule_reason(make(), rules) is None
    assert rule_reason(make("Allez chez Concurrent"), rules) == "blocklist: concurrent"
    assert rule_reason(make(author={"handle": "concurrent_fr"}), rules) == "blocklist: concurrent"
    assert rule_reason(make("voir https://example.org"), rules) == "links"
    assert rule_reason(make(links=["https://example.org"]), rules) == "links"
    assert rule_reason(make(author={"handle": "bob", "followers": 3}), rules) == "followers"
    assert rule_reason(make(author={"handle": "bob"}), rules) == "followers"  # unknown counts as none
    assert rule_reason(make(repost_of="x:0"), rules) == "repost"
    assert rule_reason(make(duplicate_of="x:0"), rules) == "duplicate"


def test_filters() -> None:
    filters = DashboardFilters(range="24h", languages=["fr"], countries=["FR"], sources=["x"])
    assert matches_filters(make(), filters, now=NOW)
    assert not matches_filters(make(lang="en"), filters, now=NOW)
    assert not matches_filters(make(country="ES"), filters, now=NOW)
    assert not matches_filters(make(source="bluesky"), filters, now=NOW)
    assert not matches_filters(make(created_at=NOW - timedelta(days=2)), filters, now=NOW)
    topics = DashboardFilters(topics=["nova"], sentiment=["negative"], include_duplicates=False)
    assert not matches_filters(make(), topics)
    tagged = make(topics=[{"name": "nova"}], sentiment={"label": "negative", "score": -0.5})
    assert matches_filters(tagged, topics)
    assert not matches_filters(
        make(topics=[{"name": "nova"}], sentiment={"label": "negative", "score": -0.5}, duplicate_of="x:0"),
        topics,
    )
    fixed = DashboardFilters(range={"from": "2026-12-07", "to": "2026-12-08"}, tz="Europe/Paris")
    assert matches_filters(make(), fixed)
    # The range is read in Paris: 23:30 UTC on the 6th is 00:30 on the 7th there (inside), 22:30 UTC
    # is 23:30 on the 6th (outside).
    assert matches_filters(make(created_at=datetime(2026, 12, 6, 23, 30, tzinfo=UTC)), fixed)
    assert not matches_filters(make(created_at=datetime(2026, 12, 6, 22, 30, tzinfo=UTC)), fixed)


def test_decisions_and_modes() -> None:
    filters = DashboardFilters(range="24h")
    post_mode = Moderation(blocklist=["arnaque"])
    pre_mode = Moderation(mode="pre")
    blocked = make("arnaque")
    assert admits(make(), filters=filters, moderation=post_mode, decision=None, now=NOW)
    assert not admits(blocked, filters=filters, moderation=post_mode, decision=None, now=NOW)
    assert admits(
        blocked, filters=filters, moderation=post_mode, decision="approved", now=NOW
    )  # a person overrides
    assert not admits(make(), filters=filters, moderation=post_mode, decision="hidden", now=NOW)
    assert not admits(make(), filters=filters, moderation=pre_mode, decision=None, now=NOW)
    assert admits(make(), filters=filters, moderation=pre_mode, decision="approved", now=NOW)
    assert admits(make(), filters=filters, moderation=pre_mode, decision="pinned", now=NOW)
    # Filters still apply to an approved post.
    french = DashboardFilters(range="24h", languages=["fr"])
    assert not admits(make(lang="en"), filters=french, moderation=pre_mode, decision="approved", now=NOW)
