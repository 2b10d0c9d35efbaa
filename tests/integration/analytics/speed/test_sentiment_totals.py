"""``sentiment(totals=True)`` (the map's one request): per country over the whole range, read from the
day rollups, equal to the same figure from the posts and to the sum of the bucketed rows, on both
engines and in a time zone whose days are not UTC's."""

from __future__ import annotations

from typing import Any

from veille.analytics.filters import AnalyticsFilter
from veille.analytics.scope import Scope
from veille.analytics.sentiment import LABELS, sentiment
from veille.store.sql import SqlStore

from ..dataset import ODD_END, ODD_START, build_posts


def test_totals_per_country_equal_the_posts_and_the_buckets(store: SqlStore) -> None:
    store.upsert_posts(build_posts(500, seed=11))
    for given in ({}, {"topics": ["nova"]}, {"include_duplicates": False, "languages": ["fr", "en"]}):
        filters = AnalyticsFilter.of(start=ODD_START, end=ODD_END, tz="Europe/Paris", **given)
        for scope in (Scope(), Scope.of(countries=["FR", "ES"])):
            totals = sentiment(store, filters=filters, scope=scope, group_by="country", totals=True)
            assert "bucket" not in totals.columns
            from_posts = sentiment(
                store, filters=filters, scope=scope, group_by="country", totals=True, source="posts"
            )
            assert totals.rows == from_posts.rows, (given, scope)
            bucketed = sentiment(store, filters=filters, scope=scope, group_by="country")
            summed: dict[Any, dict[str, int]] = {}
            for row in bucketed.rows:
                counts = summed.setdefault(row["country"], dict.fromkeys((*LABELS, "posts"), 0))
                for name in counts:
                    counts[name] += row[name]
            assert {
                row["country"]: {name: row[name] for name in (*LABELS, "posts")} for row in totals.rows
            } == summed
            assert totals.meta["breakdown"] == bucketed.meta["breakdown"]
    assert any(row["posts"] for row in totals.rows)
