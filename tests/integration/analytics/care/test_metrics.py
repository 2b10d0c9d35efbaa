"""Care metrics on SQLite and PostgreSQL against an independent plain-Python computation."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from veille.accounts import BrandAccount, import_accounts, list_accounts
from veille.analytics.care import care_figures, care_report, percentile, refresh_addressee_index
from veille.analytics.scope import Scope
from veille.model import Post
from veille.store.sql import SqlStore

from .dataset import ACCOUNTS, END, PREVIOUS_START, START, build_posts
from .oracle import expected_figures, inbound_times

FIGURES = ("inbound", "responded", "response_rate", "median_s", "mean_s", "p90_s", "within_sla")


@pytest.fixture
def loaded(store: SqlStore) -> tuple[SqlStore, list[BrandAccount], list[Post]]:
    import_accounts(store=store, specs=ACCOUNTS)
    posts = build_posts()
    store.upsert_posts(posts)
    return store, list_accounts(store=store), posts


def _assert_same(actual: dict[str, Any], expected: dict[str, Any], where: str) -> None:
    for name in FIGURES:
        want, got = expected[name], actual[name]
        if want is None:
            assert got is None, f"{where} {name}: {got} != None"
        else:
            assert got == pytest.approx(want, rel=1e-12, abs=1e-9), f"{where} {name}: {got} != {want}"


def _by_label(report: Any) -> dict[str, dict[str, Any]]:
    return {row["account"]: row for row in report.to_json_dict()["items"]}


@pytest.mark.parametrize("business_hours", [False, True])
def test_every_account_matches_the_plain_python_reading(
    loaded: tuple[SqlStore, list[BrandAccount], list[Post]], business_hours: bool
) -> None:
    store, accounts, posts = loaded
    report = care_report(store=store, scope=Scope(), start=START, end=END, business_hours=business_hours)
    rows = _by_label(report)
    assert set(rows) == {account.label for account in accounts}
    now = inbound_times(posts, accounts, start=START, end=END, business_hours=business_hours)
    before = inbound_times(posts, accounts, start=PREVIOUS_START, end=START, business_hours=business_hours)
    for account in accounts:
        row = rows[account.label]
        _assert_same(row, expected_figures(now[account.id]), account.label)
        _assert_same(row["previous"], expected_figures(before[account.id]), f"{account.label} (previous)")


def test_known_figures(loaded: tuple[SqlStore, list[BrandAccount], list[Post]]) -> None:
    """A few figures worked out by hand, so the oracle cannot be wrong in the same way as the code."""
    store = loaded[0]
    rows = _by_label(care_report(store=store, scope=Scope(), start=START, end=END))
    nova = rows["x:@NovaTelecom_FR"]
    # p1 600, p2 3960, p3 7200, p4 none, p6 3600, p7 42300, p10 231300 (answered after the window).
    times = sorted([600.0, 3960.0, 7200.0, 3600.0, 42300.0, 231300.0])
    assert (nova["inbound"], nova["responded"]) == (7, 6)
    assert nova["response_rate"] == pytest.approx(6 / 7)
    assert nova["median_s"] == pytest.approx((3960 + 7200) / 2)
    assert nova["within_sla"] == pytest.approx(2 / 7)  # 600 and exactly 3600
    assert nova["p90_s"] == pytest.approx(percentile(times, 90))
    assert nova["previous"]["inbound"] == 2 and nova["previous"]["responded"] == 1
    assert nova["previous"]["median_s"] == 5400
    assert nova["trend"]["inbound"] == "up"
    sirocco = rows["x:@SiroccoTelecom_SN"]
    assert (sirocco["inbound"], sirocco["responded"], sirocco["response_rate"], sirocco["within_sla"]) == (
        2,
        0,
        0.0,
        0.0,
    )
    assert sirocco["median_s"] is None and sirocco["mean_s"] is None and sirocco["p90_s"] is None
    orbis = rows["x:@OrbisMobile"]
    assert orbis["inbound"] == 0 and orbis["response_rate"] is None and orbis["within_sla"] is None
    assert rows["x:@NovaCare"]["inbound"] == 1 and rows["x:@NovaCare"]["median_s"] == 240
    assert rows["bluesky:@helixtelecom-fr.bsky.social"]["inbound"] == 1

    hours = _by_label(care_report(store=store, scope=Scope(), start=START, end=END, business_hours=True))
    # Friday 17:30 -> Monday 09:45 Paris: Helix opens 09:00-17:00 (2700 s), Nova 09:00-18:00 (4500 s).
    helix = hours["x:@HelixTelecom_FR"]
    # Nova's "@HelixTelecom_FR thanks!" is inbound for Helix too (another brand), never answered.
    assert (helix["inbound"], helix["responded"], helix["median_s"]) == (3, 2, (300 + 2700) / 2)
    # Sunday 23:00 -> Monday 10:45 Paris: 6300 s; the others fall inside opening hours.
    nova_hours = sorted([600.0, 3960.0, 7200.0, 3600.0, 6300.0, 4500.0])
    assert hours["x:@NovaTelecom_FR"]["median_s"] == pytest.approx((3960 + 4500) / 2)
    assert hours["x:@NovaTelecom_FR"]["p90_s"] == pytest.approx(percentile(nova_hours, 90))


def test_rollups_per_brand_and_country(loaded: tuple[SqlStore, list[BrandAccount], list[Post]]) -> None:
    store, accounts, posts = loaded
    now = inbound_times(posts, accounts, start=START, end=END)
    by_brand: dict[str, list[float | None]] = {}
    by_country: dict[tuple[str, str | None], list[float | None]] = {}
    for account in accounts:
        by_brand.setdefault(account.brand, []).extend(now[account.id])
        by_country.setdefault((account.brand, account.country), []).extend(now[account.id])
    brands = care_report(store=store, scope=Scope(), start=START, end=END, group_by="brand").to_json_dict()
    assert {row["brand"] for row in brands["items"]} == set(by_brand)
    for row in brands["items"]:
        _assert_same(row, expected_figures(by_brand[row["brand"]]), row["brand"])
    countries = care_report(
        store=store, scope=Scope(), start=START, end=END, group_by="country"
    ).to_json_dict()
    assert {(row["brand"], row["country"]) for row in countries["items"]} == set(by_country)
    for row in countries["items"]:
        _assert_same(row, expected_figures(by_country[(row["brand"], row["country"])]), str(row))


@pytest.mark.parametrize(
    "scope",
    [
        Scope.of(sources=["bluesky"]),
        Scope.of(countries=["BE"]),
        Scope.of(countries=["FR", "SN"]),
        Scope.of(topics=["outage"]),
        Scope.of(countries=[]),
    ],
    ids=["bluesky", "BE", "FR+SN", "topic", "nothing"],
)
def test_scope_keeps_only_its_posts(
    loaded: tuple[SqlStore, list[BrandAccount], list[Post]], scope: Scope
) -> None:
    store, accounts, posts = loaded
    now = inbound_times(
        posts,
        accounts,
        start=START,
        end=END,
        countries=None if scope.countries is None else set(scope.countries),
        sources=None if scope.sources is None else set(scope.sources),
        topics=None if scope.topics is None else set(scope.topics),
    )
    rows = _by_label(care_report(store=store, scope=scope, start=START, end=END))
    for account in accounts:
        if account.label in rows:
            _assert_same(rows[account.label], expected_figures(now[account.id]), account.label)
        else:
            assert now[account.id] == [], account.label
    if scope.sources == {"bluesky"}:
        assert set(rows) == {"bluesky:@helixtelecom-fr.bsky.social"}
    if scope.countries == {"BE"}:  # a post from Belgium to the French account
        assert rows["x:@NovaTelecom_FR"]["inbound"] == 1
    if scope.topics == {"outage"}:
        assert rows["x:@NovaTelecom_FR"]["inbound"] == 2


def test_sla_and_figures_edge_cases() -> None:
    assert care_figures([], sla_s=60).response_rate is None
    figures = care_figures([60.0, None, 61.0, 0.0], sla_s=60)
    assert (figures.inbound, figures.responded, figures.within_sla) == (4, 3, 0.5)
    assert figures.median_s == 60.0 and figures.mean_s == pytest.approx(121 / 3)


def test_refusals(store: SqlStore) -> None:
    with pytest.raises(ValueError, match="to: must come after from"):
        care_report(store=store, scope=Scope(), start=END, end=START)
    with pytest.raises(ValueError, match="group_by"):
        care_report(store=store, scope=Scope(), start=START, end=END, group_by="city")  # type: ignore[arg-type]
    empty = care_report(store=store, scope=Scope(), start=START, end=END)
    assert empty.rows == []


def test_mention_index_follows_new_and_restored_posts(store: SqlStore) -> None:
    import_accounts(store=store, specs=ACCOUNTS)
    base: dict[str, Any] = {"source": "x", "author": {"handle": "zoe"}, "created_at": "2026-11-03T10:00:00Z"}
    first = Post.model_validate(base | {"id": "x:a", "text": "@NovaTelecom_FR hello"})
    store.upsert_posts([first])

    def nova_inbound() -> int:
        rows = _by_label(care_report(store=store, scope=Scope(), start=START, end=END))
        return int(rows["x:@NovaTelecom_FR"]["inbound"])

    assert nova_inbound() == 1
    # Posts are indexed as they are written: there is nothing for a report to catch up.
    assert refresh_addressee_index(store) == 0
    # A later post is read by the next report; a post stored again with new text loses its mention.
    store.upsert_posts([Post.model_validate(base | {"id": "x:b", "text": "cc @novatelecom_fr @NovaCare"})])
    assert nova_inbound() == 2
    store.upsert_posts([Post.model_validate(base | {"id": "x:a", "text": "never mind"})])
    assert nova_inbound() == 1
    indexed = store.execute_text("SELECT post_id, handle FROM post_addressees ORDER BY post_id, handle")
    assert [(row["post_id"], row["handle"]) for row in indexed] == [
        ("x:b", "novacare"),
        ("x:b", "novatelecom_fr"),
    ]
    # A reply stored (and indexed) before the post it answers is addressed once that post arrives.
    store.upsert_posts([Post.model_validate(base | {"id": "x:c", "text": "so?", "reply_to": "x:p"})])
    rows = _by_label(care_report(store=store, scope=Scope(), start=START, end=END))
    assert rows["x:@NovaCare"]["inbound"] == 1  # x:b only
    parent = base | {"id": "x:p", "text": "Shops open Sunday", "author": {"handle": "NovaCare"}}
    store.upsert_posts([Post.model_validate(parent | {"created_at": "2026-11-03T09:00:00Z"})])
    rows = _by_label(care_report(store=store, scope=Scope(), start=START, end=END))
    assert rows["x:@NovaCare"]["inbound"] == 2


def _addressees(store: SqlStore) -> list[tuple[str, str, str, int, str, str | None]]:
    rows = store.execute_text(
        "SELECT post_id, handle, source, created_us, author_handle, country FROM post_addressees"
        " ORDER BY post_id, handle"
    )
    return [
        (
            row["post_id"],
            row["handle"],
            row["source"],
            int(row["created_us"]),
            row["author_handle"],
            row["country"],
        )
        for row in rows
    ]


def test_written_with_the_posts_in_any_order(store: SqlStore) -> None:
    """upsert_posts indexes whom posts address, in batches of one (replies before their parents)
    exactly as in one batch, and as the catch-up of a store whose posts predate the index does."""
    posts = build_posts()
    for post in reversed(posts):
        store.upsert_posts([post])
    one_by_one = _addressees(store)
    assert one_by_one, "the dataset addresses brand accounts"
    assert any(handle == "novatelecom_fr" for _, handle, *_ in one_by_one)
    # As if every post had been stored before migration 0050: the first report catches them up.
    last = int(store.execute_text("SELECT max(seq) AS last FROM posts")[0]["last"])
    with store.engine.begin() as connection:
        connection.execute(text("DELETE FROM post_addressees"))
        connection.execute(text("DELETE FROM checkpoints WHERE source LIKE 'index:post_addressees%'"))
        connection.execute(
            text(
                "INSERT INTO checkpoints (source, checkpoint, updated_us)"
                " VALUES ('index:post_addressees:written_from', :last, 0)"
            ),
            {"last": str(last)},
        )
    assert refresh_addressee_index(store) == len(posts)
    assert _addressees(store) == one_by_one
    assert refresh_addressee_index(store) == 0
