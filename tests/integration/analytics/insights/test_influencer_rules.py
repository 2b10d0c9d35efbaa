"""Who ranks as an influencer, on both engines: news outlets are ``media``, registered brand accounts
are left out unless asked for, and an author is placed in a country as a whole (curated, then the
profile as the geo stage read it, then the most frequent country of their posts)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from veille.accounts import AccountSpec, create_account
from veille.analytics.filters import AnalyticsFilter
from veille.analytics.influence import author_page, influencers
from veille.analytics.scope import Scope
from veille.influencers import InfluencerSpec, create_influencer
from veille.influencers.categories import classify, known_media, profile_category
from veille.model import Post
from veille.store.sql import SqlStore

START = datetime(2026, 7, 1, 8, 0, tzinfo=UTC)
RANGE = AnalyticsFilter.of(start=START, end=START + timedelta(hours=6))


def _post(index: int, handle: str, *, source: str = "x", **fields: Any) -> Post:
    author = {"handle": handle, "followers": fields.pop("followers", 1000)} | fields.pop("author", {})
    return Post.model_validate(
        {
            "id": f"{source}:{index}",
            "source": source,
            "created_at": START + timedelta(minutes=index),
            "text": fields.pop("text", f"La panne continue {index}"),
            "author": author,
            "metrics": {"likes": 10, "reposts": 2, "replies": 1},
        }
        | fields
    )


def _rows(store: SqlStore, **options: Any) -> dict[str, dict[str, Any]]:
    found = influencers(store, filters=options.pop("filters", RANGE), scope=Scope(), limit=1000, **options)
    return {row["handle"]: row for row in found.rows}


def test_news_outlets_are_media(store: SqlStore) -> None:
    store.upsert_posts(
        [
            _post(1, "quotidien_num", author={"bio": "L'actualité du numérique, chaque jour."}),
            _post(2, "lemondefr", author={"bio": "Compte officiel"}),  # a known outlet's X handle
            _post(3, "nytimes.com", source="bluesky"),  # a Bluesky handle on a news site's domain
            _post(4, "claire", author={"bio": "Journaliste au Quotidien Numérique"}),
            _post(5, "gazette_locale", source="mastodon", author={"url": "https://www.lemonde.fr/"}),
            _post(6, "papa_velo", author={"bio": "Papa, fan de vélo"}),
        ]
    )
    rows = _rows(store)
    assert (
        rows["quotidien_num"]["category"] == "media"
        and rows["quotidien_num"]["category_evidence"] == "profile"
    )
    assert (rows["lemondefr"]["category"], rows["lemondefr"]["category_evidence"]) == ("media", "known")
    assert (rows["nytimes.com"]["category"], rows["nytimes.com"]["category_evidence"]) == ("media", "known")
    assert rows["gazette_locale"]["category"] == "media"  # its profile website is a newspaper's
    assert rows["claire"]["category"] == "journalist"  # a person writing for an outlet
    assert rows["papa_velo"]["category"] == "other"
    assert set(_rows(store, category="media")) == {
        "quotidien_num",
        "lemondefr",
        "nytimes.com",
        "gazette_locale",
    }
    page = author_page(store, handle="lemondefr", filters=RANGE, scope=Scope())
    assert page.author["category"] == "media"


def test_curated_media_and_profile_keywords() -> None:
    curated = {("x", "afp_local"): "media"}
    found = classify(
        source="x",
        handle="afp_local",
        bio=None,
        name=None,
        brand_flag=False,
        curated=curated,
        registry=frozenset(),
    )
    assert (found.name, found.evidence) == ("media", "curated")
    assert profile_category("Tageszeitung aus Berlin") == "media"
    assert profile_category("Breaking news from around the world") == "media"
    assert profile_category("Periódico digital. Última hora") == "media"
    assert profile_category("Député, ancien journaliste") == "elected"
    assert profile_category("Journalisme amateur") is None
    assert not known_media(source="mastodon", handle="lemondefr")  # a handle names an X account only
    assert not known_media(source="bluesky", handle="notnytimes.com.example")


def test_registered_brand_accounts_are_left_out_unless_asked(store: SqlStore) -> None:
    create_account(
        store=store,
        spec=AccountSpec(
            platform="x", handle="NovaTelecom_FR", brand="Nova Telecom", country="FR", ours=True
        ),
    )
    # Curated as a journalist by mistake, and with a plain bio: still our account.
    create_influencer(
        store=store, spec=InfluencerSpec(platform="x", handle="NovaTelecom_FR", category="journalist")
    )
    posts = [_post(index, "NovaTelecom_FR", followers=900_000) for index in range(5)]
    posts += [
        _post(10 + index, f"customer{index}", text=f"@NovaTelecom_FR panne {index}") for index in range(5)
    ]
    store.upsert_posts(posts)
    assert "novatelecom_fr" not in _rows(store)
    assert "novatelecom_fr" not in _rows(store, category="journalist")
    with_brands = _rows(store, include_brands=True)
    assert with_brands["novatelecom_fr"]["rank"] == 1  # the most followed and the most mentioned
    # Leaving it out changes nobody's score.
    assert _rows(store)["customer0"]["score"] == with_brands["customer0"]["score"]


def test_an_author_is_placed_in_a_country_as_a_whole(store: SqlStore) -> None:
    posts = []
    # anne: one geotagged post in France, nine without a country.
    posts += [_post(index, "anne", country="FR" if index == 0 else None) for index in range(10)]
    # bruno: his profile says Spain (the geo stage read it), one post geotagged in France.
    from_profile = {"country": "ES", "entities": {"country_from": "location", "country_confidence": 0.9}}
    posts += [_post(20 + index, "bruno", **from_profile) for index in range(3)]
    posts.append(_post(23, "bruno", country="FR", entities={"country_from": "platform"}))
    # chloe: no country anywhere.
    posts += [_post(30 + index, "chloe") for index in range(4)]
    # dora: no country on her posts, but curated in Belgium.
    posts += [_post(40 + index, "dora") for index in range(2)]
    store.upsert_posts(posts)
    create_influencer(
        store=store, spec=InfluencerSpec(platform="x", handle="dora", category="blogger", country="BE")
    )

    everyone = _rows(store)
    assert {handle: row["country"] for handle, row in everyone.items()} == {
        "anne": "FR",
        "bruno": "ES",
        "chloe": None,
        "dora": "BE",
    }
    france = _rows(store, filters=AnalyticsFilter.of(start=RANGE.start, end=RANGE.end, countries=["FR"]))
    assert set(france) == {"anne"}
    assert france["anne"]["posts"] == 10  # all her posts, not only the geotagged one
    assert france["anne"]["score"] == pytest.approx(everyone["anne"]["score"])
    spain_belgium = _rows(
        store, filters=AnalyticsFilter.of(start=RANGE.start, end=RANGE.end, countries=["ES", "BE"])
    )
    assert set(spain_belgium) == {"bruno", "dora"} and spain_belgium["bruno"]["posts"] == 4
    # The scope still bounds the posts: a France-only scope never reads bruno's Spanish posts.
    scoped = influencers(store, filters=RANGE, scope=Scope.of(countries=["FR"]), limit=100)
    assert {row["handle"]: row["posts"] for row in scoped.rows} == {"anne": 1, "bruno": 1}
