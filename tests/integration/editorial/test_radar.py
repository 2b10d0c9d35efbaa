"""The radar on planted conversations (English and French, both engines): the rising question
cluster our accounts never covered comes first, above steady ones, with its terms, growth and
audiences; covered sub-topics show their coverage."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from veille.accounts import create_account
from veille.analytics.editorial_figures import AnalyticsFigures
from veille.analytics.scope import Scope
from veille.editorial.planted import OUR_ACCOUNT, RISING, TOPIC, plant
from veille.editorial.radar import radar
from veille.store.sql import SqlStore

END = datetime(2026, 6, 1, tzinfo=UTC)
RISING_WORDS = {"en": {"esim", "transfer"}, "fr": {"esim", "transfert", "transferer"}}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_rising_uncovered_cluster_ranks_first(store: SqlStore, lang: str) -> None:
    planting = plant(lang=lang, seed=7, end=END)
    store.upsert_posts(planting.posts)
    create_account(store=store, spec=OUR_ACCOUNT)
    answer = radar(
        store,
        topic=TOPIC,
        start=planting.start,
        end=planting.end,
        figures=AnalyticsFigures(store, Scope()),
        member_ids=True,
    )
    items = answer["items"]
    assert len(items) >= 4
    top = items[0]
    rising_ids = planting.members[RISING]
    assert set(top["question_ids"]) <= rising_ids  # every question in it is a planted rising one
    assert len(set(top["question_ids"])) >= len(rising_ids) / 2
    assert RISING_WORDS[lang] & set(top["terms"])
    assert top["coverage"] == 0.0
    assert top["growth"] > 5
    assert top["gap"] == max(item["gap"] for item in items)
    steady = [
        item
        for item in items[1:]
        if set(item["question_ids"]) & (planting.members["wifi"] | planting.members["router"])
    ]
    assert steady
    for item in steady:
        assert item["gap"] < top["gap"]
        assert item["growth"] < 2
        assert item["coverage"] > 0  # our account posts on wifi and routers
    assert {row["country"] for row in top["countries"]} <= (
        {"FR", "BE", "CA"} if lang == "fr" else {"GB", "US", "IE"}
    )
    assert top["languages"][0]["language"] == lang
    assert [q["id"] for q in top["questions"]][:1] and all(q["id"] in rising_ids for q in top["questions"])
    assert answer["meta"]["baseline_periods"] == 3


def test_scope_and_caps(store: SqlStore) -> None:
    planting = plant(lang="en", seed=3, end=END)
    store.upsert_posts(planting.posts)
    outside = radar(
        store,
        topic=TOPIC,
        start=planting.start,
        end=planting.end,
        figures=AnalyticsFigures(store, Scope.of(topics=["other"])),
    )
    assert outside["items"] == []
    sampled = radar(
        store,
        topic=TOPIC,
        start=planting.start,
        end=planting.end,
        figures=AnalyticsFigures(store, Scope()),
        max_posts=50,
    )
    assert sampled["meta"]["sampled"] is True
    assert sampled["meta"]["posts_read"] <= 4 * 50
