"""Kept influencer rankings (``influencer_rankings``) are the ranking computed from the posts for the
same inputs, on SQLite and PostgreSQL: served when current, computed again when posts were written
(``upsert_posts`` or a prepared batch), served stale — and said so — only when recent and costly,
then recomputed by the background refresh."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from typer.testing import CliRunner

from veille.analytics.filters import AnalyticsFilter
from veille.analytics.kept_rankings import RankingInputs, ranked_influencers, refresh_rankings
from veille.analytics.scope import Scope
from veille.cli import build_app
from veille.settings import Settings
from veille.store.prepared import prepare_posts
from veille.store.rankings import influencer_rankings
from veille.store.sql import SqlStore, open_store

from ..insights.dataset import GRAPH_START, build_posts

END = GRAPH_START + timedelta(hours=1)


def _inputs(*, end: object = END, scope: Scope | None = None, limit: int = 5) -> RankingInputs:
    filters = AnalyticsFilter.of(start=GRAPH_START - timedelta(hours=30), end=end)  # type: ignore[arg-type]
    return RankingInputs(filters=filters, scope=scope or Scope(), limit=limit)


def _split() -> tuple[list, list]:  # type: ignore[type-arg]
    items = build_posts()
    graph = [post for post in items if post.created_at >= GRAPH_START]
    rest = [post for post in items if post.created_at < GRAPH_START]
    return rest, graph


def _rows_kept(store: SqlStore) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(influencer_rankings)).scalar_one())


def test_a_current_ranking_is_the_posts_computation_and_follows_every_write(store: SqlStore) -> None:
    before, graph = _split()
    store.upsert_posts(before)
    inputs = _inputs()
    first = ranked_influencers(store, inputs)
    ranking = first.meta.pop("ranking")
    assert ranking["stale"] is False and ranking["to"] == inputs.filters.to_json_dict()["to"]
    assert first.rows == inputs.compute(store).rows and first.rows
    again = ranked_influencers(store, inputs)  # read back from the table
    assert again.meta.pop("ranking")["computed_at"] == ranking["computed_at"]
    assert again.rows == first.rows and again.meta == first.meta
    # The graph posts through the prepared-batch write path: a new state, computed again.
    store.write_prepared(prepare_posts(graph))
    after = ranked_influencers(store, inputs)
    assert after.meta.pop("ranking")["stale"] is False
    assert after.rows == inputs.compute(store).rows
    assert after.rows != first.rows  # the mentions, replies and reposts moved the ranking
    for scope in (Scope.of(countries=["FR"]), Scope.of(sources=["x"])):
        scoped = _inputs(scope=scope)
        assert ranked_influencers(store, scoped).rows == scoped.compute(store).rows
    assert _rows_kept(store) == 3


def test_a_costly_stale_ranking_is_served_marked_then_refreshed_in_the_background(store: SqlStore) -> None:
    before, graph = _split()
    store.upsert_posts(before)
    inputs = _inputs()
    old_rows = ranked_influencers(store, inputs).rows
    store.upsert_posts(graph)
    # As if computing it took seconds: the kept one is served, marked stale, and queued.
    served = ranked_influencers(store, inputs, recompute_below_ms=0)
    assert served.meta["ranking"]["stale"] is True and served.rows == old_rows
    report = refresh_rankings(store)
    assert report.computed == 1
    fresh = ranked_influencers(store, inputs, recompute_below_ms=0)
    assert fresh.meta["ranking"]["stale"] is False and fresh.rows == inputs.compute(store).rows
    assert refresh_rankings(store).computed == 0  # nothing moved since
    # Too old to be served: computed now, even when costly.
    store.upsert_posts(graph[:1])
    now = ranked_influencers(store, inputs, recompute_below_ms=0, max_age_s=0)
    assert now.meta["ranking"]["stale"] is False and now.rows == inputs.compute(store).rows


def test_a_live_range_reads_its_family_latest_ranking_while_its_own_is_computed(store: SqlStore) -> None:
    before, graph = _split()
    store.upsert_posts(before + graph)
    earlier = _inputs(end=END - timedelta(minutes=20))
    kept = ranked_influencers(store, earlier)
    later = _inputs(end=END)
    served = ranked_influencers(store, later, recompute_below_ms=0)
    assert served.meta["ranking"]["stale"] is True
    assert served.meta["ranking"]["to"] == earlier.filters.to_json_dict()["to"]
    assert served.rows == kept.rows
    # Another limit is another family: computed now.
    other = ranked_influencers(store, _inputs(limit=3), recompute_below_ms=0)
    assert other.meta["ranking"]["stale"] is False and len(other.rows) == 3
    assert refresh_rankings(store).computed == 1
    own = ranked_influencers(store, later, recompute_below_ms=0)
    assert own.meta["ranking"]["stale"] is False and own.rows == later.compute(store).rows


def test_the_refresh_command_computes_the_queued_rankings(hub_settings: Settings) -> None:
    store = open_store(hub_settings.sqlalchemy_url)
    try:
        before, graph = _split()
        store.upsert_posts(before)
        inputs = _inputs()
        ranked_influencers(store, inputs)
        store.upsert_posts(graph)
        assert ranked_influencers(store, inputs, recompute_below_ms=0).meta["ranking"]["stale"] is True
        runner = CliRunner(env={"VEILLE_DATABASE_URL": hub_settings.database_url or ""})
        result = runner.invoke(build_app(), ["influencers", "refresh", "--data", str(hub_settings.data_dir)])
        assert result.exit_code == 0, result.output
        assert "1 ranking(s) computed" in result.output
        fresh = ranked_influencers(store, inputs, recompute_below_ms=0)
        assert fresh.meta["ranking"]["stale"] is False and fresh.rows == inputs.compute(store).rows
    finally:
        store.close()
