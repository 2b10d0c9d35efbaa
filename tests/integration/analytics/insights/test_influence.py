"""Influencers and the author page on both engines: PageRank against a hand-solved graph and against
networkx on edges rebuilt here from the posts, scores and categories against plain Python."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from datetime import timedelta

import networkx as nx
import pytest

from veille.analytics.filters import AnalyticsFilter
from veille.analytics.influence import AuthorNotFound, Weights, author_page, influencers, pagerank
from veille.analytics.scope import Scope
from veille.influencers.categories import profile_category
from veille.model import Post
from veille.store.sql import SqlStore
from veille.text import extract_mentions, fold

from .dataset import GRAPH_START

RANGE = AnalyticsFilter.of(start=GRAPH_START, end=GRAPH_START + timedelta(hours=1), interval="hour")


def test_pagerank_of_a_hand_solved_graph() -> None:
    # a -> b <- c, b dangling (its rank is spread evenly): by symmetry x = PR(a) = PR(c), y = PR(b),
    # 2x + y = 1 and x = (1 - d)/3 + d*y/3, so y = (1 + 2d) / (3 + 2d).
    d = 0.85
    ranks = pagerank({(("x", "a"), ("x", "b")): 1.0, (("x", "c"), ("x", "b")): 1.0})
    assert ranks[("x", "b")] == pytest.approx((1 + 2 * d) / (3 + 2 * d), abs=1e-8)
    assert ranks[("x", "a")] == pytest.approx(ranks[("x", "c")]) == pytest.approx((1 - ranks[("x", "b")]) / 2)
    assert pagerank({}) == {}


def _oracle(posts: list[Post], filters: AnalyticsFilter) -> dict[tuple[str, str], dict[str, float]]:
    by_id = {post.id: post for post in posts}
    inside = [post for post in posts if filters.start <= post.created_at < filters.end]
    node = {post.id: (post.source, fold(post.author.handle)) for post in posts}
    edges: Counter[tuple[tuple[str, str], tuple[str, str]]] = Counter()
    stats: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: Counter())  # type: ignore[arg-type, return-value]
    for post in inside:
        me = node[post.id]
        stats[me]["posts"] += 1
        stats[me]["followers"] = max(stats[me]["followers"], post.author.followers or 0)
        targets = []
        if post.repost_of:
            targets.append(("reposts", post.repost_of))
        else:
            m = post.metrics
            stats[me]["engagement"] += (m.likes or 0) + (m.reposts or 0) + (m.replies or 0)
            for handle in {h for h, _ in extract_mentions(post.text)}:
                if (post.source, handle) != me:
                    edges[(me, (post.source, handle))] += 1
                    stats[(post.source, handle)]["mentions"] += 1
            targets += [("replies", post.reply_to), ("quotes", post.quote_of)]
        for kind, parent in targets:
            if parent in by_id and node[parent] != me:
                edges[(me, node[parent])] += 1
                stats[node[parent]][kind] += 1
    graph = nx.DiGraph()
    graph.add_nodes_from({node[post.id] for post in inside})
    for (a, b), weight in edges.items():
        graph.add_edge(a, b, weight=weight)
    ranks = nx.pagerank(graph, alpha=0.85, weight="weight")
    authors = {node[post.id] for post in inside}
    top_f = max(stats[a]["followers"] for a in authors)
    top_e = max(stats[a]["engagement"] for a in authors)
    top_r = max(ranks[a] for a in authors)
    for a in authors:
        s = stats[a]
        s["pagerank"] = ranks[a]
        s["score"] = 100 * (
            0.3 * math.log10(1 + s["followers"]) / math.log10(1 + top_f)
            + 0.3 * math.log10(1 + s["engagement"]) / math.log10(1 + top_e)
            + 0.4 * ranks[a] / top_r
        )
    return {a: stats[a] for a in authors}


def test_ranking_scores_and_categories(loaded: tuple[SqlStore, list[Post]]) -> None:
    store, posts = loaded
    result = influencers(store, filters=RANGE, scope=Scope(), limit=1000)
    expected = _oracle(posts, RANGE)
    rows = {(row["source"], row["handle"]): row for row in result.rows}
    assert set(rows) == set(expected)
    for key, row in rows.items():
        wanted = expected[key]
        assert row["posts"] == wanted["posts"] and row["followers"] == wanted["followers"], key
        assert row["engagement"] == wanted["engagement"], key
        assert row["pagerank"] == pytest.approx(wanted["pagerank"], rel=1e-5), key
        assert row["score"] == pytest.approx(wanted["score"], rel=1e-5), key
        assert (row["mentions_received"], row["reposts_received"], row["replies_received"]) == (
            wanted["mentions"], wanted["reposts"], wanted["replies"],
        ), key  # fmt: skip
    order = sorted(expected, key=lambda key: (-expected[key]["score"], key))
    assert [(row["source"], row["handle"]) for row in result.rows] == order
    assert result.rows[0]["handle"] == "alice" and result.rows[0]["rank"] == 1
    alice = rows[("x", "alice")]
    assert (alice["reposts_received"], alice["replies_received"], alice["mentions_received"]) == (2, 1, 2)
    assert ("bluesky", "alice") not in rows  # only mentioned there, never posted
    categories = {key[1]: (row["category"], row["category_evidence"]) for key, row in rows.items()}
    assert categories["alice"] == ("journalist", "profile")
    assert categories["carol"] == ("elected", "profile")
    assert categories["erin"] == ("journalist", "curated")  # the profile says "Blogueuse"
    assert categories["bob"] == ("other", "none")
    assert result.meta["posts_read"] == sum(1 for p in posts if RANGE.start <= p.created_at < RANGE.end)


def test_filters_category_weights_and_scope(loaded: tuple[SqlStore, list[Post]]) -> None:
    store, posts = loaded
    elected = influencers(store, filters=RANGE, scope=Scope(), category="elected")
    assert [row["handle"] for row in elected.rows] == ["carol"]
    reach_only = influencers(store, filters=RANGE, scope=Scope(), weights=Weights(1, 0, 0), limit=3)
    followers = sorted(
        {
            (p.author.followers or 0, fold(p.author.handle))
            for p in posts
            if RANGE.start <= p.created_at < RANGE.end
        },
        reverse=True,
    )
    assert [row["handle"] for row in reach_only.rows] == [handle for _, handle in followers[:3]]
    # Scope: Spain only keeps dave's Spanish post; alice is neither ranked nor lent by a French post.
    spain = influencers(store, filters=RANGE, scope=Scope.of(countries=["ES"]))
    handles = {row["handle"] for row in spain.rows}
    assert "dave" in handles and "alice" not in handles
    dave = next(row for row in spain.rows if row["handle"] == "dave")
    assert dave["posts"] == sum(
        1
        for p in posts
        if p.country == "ES" and fold(p.author.handle) == "dave" and RANGE.start <= p.created_at < RANGE.end
    )
    with pytest.raises(ValueError, match="category"):
        influencers(store, filters=RANGE, scope=Scope(), category="pundit")


def test_author_page(loaded: tuple[SqlStore, list[Post]]) -> None:
    store, posts = loaded
    page = author_page(store, handle="@ALICE", source="x", filters=RANGE, scope=Scope())
    assert page.author["category"] == "journalist" and page.author["followers"] == 90_000
    assert page.author["bio"] == "Journaliste tech au Quotidien."
    mine = [p for p in posts if p.source == "x" and fold(p.author.handle) == "alice"]
    assert page.author["posts"] == len(mine) == 1
    assert page.author["engagement"] == 400 + 80 + 12
    assert [row["id"] for row in page.posts.rows] == ["x:alice1"]
    assert [(row["posts"], row["engagement"]) for row in page.series.rows] == [(1, 492)]
    assert page.topics.rows == []
    json_page = page.to_json_dict()
    assert json_page["kind"] == "author" and json_page["posts"]["rows"][0]["id"] == "x:alice1"
    # Our account's page over the day of its posts: topics counted per topic, replies included.
    day = AnalyticsFilter.of(start=RANGE.start - timedelta(days=2), end=RANGE.end, interval="day")
    nova = author_page(store, handle="novatelecom_fr", source="x", filters=day, scope=Scope())
    ours = [p for p in posts if p.source == "x" and fold(p.author.handle) == "novatelecom_fr"]
    topics = Counter(t.name for p in ours for t in p.topics)
    assert {row["topic"]: row["posts"] for row in nova.topics.rows} == dict(topics)
    assert nova.author["category"] == "brand" and sum(r["posts"] for r in nova.series.rows) == len(ours)
    with pytest.raises(AuthorNotFound):
        author_page(store, handle="nobody", filters=RANGE, scope=Scope())
    with pytest.raises(AuthorNotFound):
        author_page(store, handle="alice", source="x", filters=RANGE, scope=Scope.of(countries=["ES"]))


def test_profile_keywords_in_several_languages() -> None:
    cases = {
        "Journaliste à Radio Info": "journalist",
        "Technikjournalist bei Netzwelt": "journalist",
        "Periodista de tecnología": "journalist",
        "Tech reporter, NYC": "journalist",
        "Député de la Gironde": "elected",
        "Maire de Villeneuve": "elected",
        "State senator, District 9": "elected",
        "Mitglied des Bundestages": "elected",
        "Member of Parliament for Leeds": "elected",
        "Blogueur high-tech": "blogger",
        "Bloggerin aus Hamburg": "blogger",
        "Bloguero tecnológico": "blogger",
        "Compte officiel de Nova": "brand",
        "Papa, fan de vélo": None,
        "Journalisme amateur": None,
    }
    for bio, category in cases.items():
        assert profile_category(bio) == category, bio
