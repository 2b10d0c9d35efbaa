"""Topic service, repository, stored matches and backfill, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support.posts import post_json
from veille.contracts import run_stages
from veille.enrich.entities import EntitiesStage
from veille.model import Post, TopicMatch, parse_post
from veille.store.sql import SqlStore
from veille.topics import (
    LiveTopics,
    TopicConflict,
    TopicError,
    TopicNotFound,
    TopicSpec,
    backfill_topic,
    create_topic,
    delete_topic,
    get_topic,
    list_topics,
    load_topics,
    update_topic,
)
from veille.topics.repository import latest_posts


def spec(name: str, query: str, **fields: Any) -> TopicSpec:
    return TopicSpec(name=name, query=query, **fields)


def post(index: int, text: str, **overrides: Any) -> Post:
    return parse_post(post_json(index, text=text, **overrides))


def stored_matches(store: SqlStore, topic: str | None = None) -> dict[tuple[str, str], list[list[int]]]:
    rows = store.execute_text("SELECT post_id, topic, spans FROM post_topics")
    found = {}
    for row in rows:
        spans = row["spans"]
        if isinstance(spans, str):  # SQLite hands JSON back as text
            spans = json.loads(spans)
        if topic is None or row["topic"] == topic:
            found[(row["post_id"], row["topic"])] = spans
    return found


# -- CRUD and validation ---------------------------------------------------------------------


def test_create_get_list_update_delete(store: SqlStore) -> None:
    created = create_topic(
        store=store,
        spec=spec("payment", "paiement OR payment", kind="theme", colour="#0969DA", owner_team="Marketing"),
    )
    assert created.name == "payment" and created.colour == "#0969da" and created.enabled
    assert created.created_at == created.updated_at
    create_topic(store=store, spec=spec("novapay", "novapay", kind="product", parent="payment"))
    assert [topic.name for topic in list_topics(store=store)] == ["novapay", "payment"]
    assert [topic.name for topic in list_topics(store=store, kind="product")] == ["novapay"]
    changed = update_topic(
        store=store, name="novapay", changes={"description": "the wallet", "kind": "brand"}
    )
    assert changed.description == "the wallet" and changed.kind == "brand" and changed.parent == "payment"
    assert changed.updated_at >= created.updated_at
    cleared = update_topic(store=store, name="novapay", changes={"parent": None})
    assert cleared.parent is None
    delete_topic(store=store, name="novapay")
    with pytest.raises(TopicNotFound):
        get_topic(store=store, name="novapay")
    with pytest.raises(TopicNotFound):
        delete_topic(store=store, name="novapay")


def test_a_bad_query_is_refused_with_its_column(store: SqlStore) -> None:
    with pytest.raises(TopicError) as refused:
        create_topic(store=store, spec=spec("broken", "livebox AND ("))
    assert refused.value.field == "query" and refused.value.column == 14
    assert str(refused.value) == "query: column 14: expected a term or '(' after '('"
    create_topic(store=store, spec=spec("fine", "livebox"))
    with pytest.raises(TopicError) as refused:
        update_topic(store=store, name="fine", changes={"query": "livebox OR"})
    assert refused.value.column == 11
    assert get_topic(store=store, name="fine").query == "livebox"
    assert list_topics(store=store)[0].name == "fine" and len(list_topics(store=store)) == 1


def test_names_kinds_and_colours_are_checked() -> None:
    for bad in ({"name": "Has Space"}, {"kind": "weather"}, {"colour": "red"}, {"parent": "Bad!"}):
        with pytest.raises(ValueError):
            TopicSpec.model_validate({"name": "ok", "query": "x", **bad})


def test_parents_must_exist_and_make_no_loop(store: SqlStore) -> None:
    with pytest.raises(TopicError, match="parent: no topic named 'nowhere'"):
        create_topic(store=store, spec=spec("child", "x", parent="nowhere"))
    create_topic(store=store, spec=spec("a", "aa"))
    create_topic(store=store, spec=spec("b", "bb", parent="a"))
    create_topic(store=store, spec=spec("c", "cc", parent="b"))
    with pytest.raises(TopicError, match="loop of parents: a > c > b > a"):
        update_topic(store=store, name="a", changes={"parent": "c"})
    with pytest.raises(TopicError, match="its own parent"):
        update_topic(store=store, name="a", changes={"parent": "a"})
    with pytest.raises(TopicConflict, match="sub-topics: b"):
        delete_topic(store=store, name="a")


def test_topic_references_must_exist_be_enabled_and_make_no_cycle(store: SqlStore) -> None:
    with pytest.raises(TopicError, match="topic:payment: no topic named 'payment'"):
        create_topic(store=store, spec=spec("mobile", "topic:payment AND mobile"))
    create_topic(store=store, spec=spec("payment", "paiement OR payment"))
    create_topic(store=store, spec=spec("mobile", "topic:payment AND mobile"))
    with pytest.raises(TopicError, match="cycle"):
        update_topic(store=store, name="payment", changes={"query": "paiement OR topic:mobile"})
    with pytest.raises(TopicConflict, match="topic: references in: mobile"):
        delete_topic(store=store, name="payment")
    with pytest.raises(TopicConflict, match="mobile"):
        update_topic(store=store, name="payment", changes={"enabled": False})
    create_topic(store=store, spec=spec("off", "offline", enabled=False))
    with pytest.raises(TopicError, match="disabled"):
        create_topic(store=store, spec=spec("uses_off", "topic:off"))
    # A disabled topic may refer to a disabled one, and still blocks its deletion.
    create_topic(store=store, spec=spec("uses_off", "topic:off", enabled=False))
    with pytest.raises(TopicConflict, match="uses_off"):
        delete_topic(store=store, name="off")


def test_the_live_monitor_follows_every_change(store: SqlStore) -> None:
    live = LiveTopics()
    stage = live.stage()

    def topics_of(text: str) -> list[str]:
        (matched,) = run_stages([EntitiesStage(), stage], [post(1, text)])
        return [match.name for match in matched.topics]

    create_topic(store=store, spec=spec("payment", "paiement OR payment"), live=live)
    create_topic(store=store, spec=spec("mobile", "topic:payment AND mobile"), live=live)
    assert topics_of("mobile payment is here") == ["payment", "mobile"]
    update_topic(store=store, name="payment", changes={"query": "wallet"}, live=live)
    assert topics_of("mobile payment is here") == []
    assert topics_of("a mobile wallet") == ["payment", "mobile"]
    update_topic(store=store, name="mobile", changes={"enabled": False}, live=live)
    assert topics_of("a mobile wallet") == ["payment"]
    # A refused change leaves the monitor as it was.
    with pytest.raises(TopicError):
        update_topic(store=store, name="payment", changes={"query": "wallet AND ("}, live=live)
    assert topics_of("a mobile wallet") == ["payment"]
    delete_topic(store=store, name="mobile", live=live)
    delete_topic(store=store, name="payment", live=live)
    assert topics_of("a mobile wallet") == [] and live.names() == []


def test_load_accepts_any_order_and_is_all_or_nothing(store: SqlStore) -> None:
    specs = [
        spec("essentials", "topic:home OR topic:payment"),
        spec("home", "fibre OR wifi", parent="essentials"),
        spec("payment", "paiement", parent="essentials"),
    ]
    live = LiveTopics()
    result = load_topics(store=store, specs=specs, live=live)
    assert sorted(result.created) == ["essentials", "home", "payment"] and not result.updated
    assert sorted(live.names()) == ["essentials", "home", "payment"]
    again = load_topics(
        store=store, specs=[spec("home", "fibre OR wifi OR box", parent="essentials")], live=live
    )
    assert again.updated == ["home"] and again.created == []
    assert get_topic(store=store, name="home").query == "fibre OR wifi OR box"
    with pytest.raises(TopicError, match=r"topics\[1\] \(bad\): query: column 6"):
        load_topics(store=store, specs=[spec("good", "good"), spec("bad", "bad (")], live=live)
    assert "good" not in [topic.name for topic in list_topics(store=store)] and "good" not in live.names()
    with pytest.raises(TopicError, match="cycle"):
        load_topics(store=store, specs=[spec("x", "topic:y"), spec("y", "topic:x")])


# -- stored matches --------------------------------------------------------------------------


def test_upsert_writes_and_replaces_post_topics(store: SqlStore) -> None:
    first = post(1, "Panne NovaBox")
    first.topics = [TopicMatch(name="outage", spans=[(0, 5)]), TopicMatch(name="novabox", spans=[(6, 13)])]
    second = post(2, "nothing")
    store.upsert_posts([first, second])
    assert stored_matches(store) == {("push:1", "outage"): [[0, 5]], ("push:1", "novabox"): [[6, 13]]}
    created = store.execute_text("SELECT created_us FROM post_topics WHERE topic = 'outage'")[0]["created_us"]
    assert created == int(first.created_at.timestamp()) * 1_000_000
    first.topics = [TopicMatch(name="novabox", spans=[(6, 13)])]
    second.topics = [TopicMatch(name="calm", spans=[])]
    store.upsert_posts([first, second])
    assert stored_matches(store) == {("push:1", "novabox"): [[6, 13]], ("push:2", "calm"): []}


def test_deleting_a_topic_takes_its_name_off_every_stored_post(store: SqlStore) -> None:
    from veille.analytics.filters import AnalyticsFilter
    from veille.analytics.scope import Scope
    from veille.analytics.volume import volume
    from veille.store.base import PostSearch

    create_topic(store=store, spec=spec("outage", "panne*", kind="sensitive"))
    create_topic(store=store, spec=spec("novabox", "novabox", kind="product"))
    posts = [post(index, f"Panne NovaBox {index}") for index in range(2500)]  # more than one batch
    for item in posts:
        item.topics = [TopicMatch(name="outage", spans=[(0, 5)]), TopicMatch(name="novabox", spans=[(6, 13)])]
    posts.append(post(9999, "rien"))
    store.upsert_posts(posts)
    delete_topic(store=store, name="outage")
    assert stored_matches(store, "outage") == {}
    assert len(stored_matches(store, "novabox")) == 2500
    stored = store.get_post("push:7")
    assert stored is not None and [match.name for match in stored.topics] == ["novabox"]
    page = store.search_posts(PostSearch(limit=500))
    assert all([match.name for match in item.topics] in (["novabox"], []) for item in page.items)
    assert store.get_post("push:9999") is not None  # a post without the topic is untouched
    filters = AnalyticsFilter.of(start=posts[0].created_at, end=posts[-1].created_at + timedelta(days=1))
    series = volume(store, filters=filters, scope=Scope(), group_by="topic")
    assert {row["topic"] for row in series.rows if row["posts"]} == {"novabox"}


# -- backfill --------------------------------------------------------------------------------


def _history(store: SqlStore) -> list[Post]:
    texts = [
        "Panne de la NovaBox à Lyon",  # 0: outage
        "La fibre marche bien",  # 1
        "Encore une coupure internet",  # 2: outage
        "NovaBox 8 annoncée",  # 3
        "panne générale ?",  # 4: outage
        "rien à signaler",  # 5
        "#panne depuis ce matin",  # 6: outage
    ]
    posts = [post(index, text) for index, text in enumerate(texts)]
    posts[1].topics = [TopicMatch(name="outage", spans=[(0, 2)])]  # a stale match, to be removed
    run_stages([EntitiesStage()], posts)
    store.upsert_posts(posts)
    return posts


def test_backfill_writes_the_topic_matches_and_reports_progress(store: SqlStore) -> None:
    _history(store)
    create_topic(store=store, spec=spec("outage", "panne* OR coupure*", kind="sensitive"))
    seen: list[tuple[int, int, int]] = []
    result = backfill_topic(
        store=store,
        name="outage",
        batch_size=3,
        progress=lambda p: seen.append((p.scanned, p.total, p.matched)),
    )
    assert seen == [(0, 7, 0), (3, 7, 2), (6, 7, 3), (7, 7, 4)]
    assert (result.scanned, result.matched, result.gained, result.lost) == (7, 4, 4, 1)
    matches = stored_matches(store, "outage")
    assert sorted(matches) == [
        ("push:0", "outage"),
        ("push:2", "outage"),
        ("push:4", "outage"),
        ("push:6", "outage"),
    ]
    assert matches[("push:0", "outage")] == [[0, 5]]
    assert matches[("push:6", "outage")] == [[1, 6]]  # the word, not the "#"
    # The posts' own records say so too (what the API returns).
    reread = store.get_post("push:2")
    assert reread is not None and [(m.name, m.spans) for m in reread.topics] == [("outage", [(11, 18)])]
    stale = store.get_post("push:1")
    assert stale is not None and stale.topics == []
    # Running it again changes nothing; an edited topic loses the posts it no longer matches.
    assert backfill_topic(store=store, name="outage").gained == 0
    update_topic(store=store, name="outage", changes={"query": "coupure*"})
    edited = backfill_topic(store=store, name="outage")
    assert (edited.matched, edited.gained, edited.lost) == (1, 0, 3)
    assert sorted(stored_matches(store, "outage")) == [("push:2", "outage")]


def test_backfill_resolves_references_and_respects_since(store: SqlStore) -> None:
    _history(store)
    create_topic(store=store, spec=spec("outage", "panne* OR coupure*"))
    create_topic(store=store, spec=spec("novabox_outage", "topic:outage AND novabox"))
    since = datetime(2026, 11, 1, 12, 0, tzinfo=UTC) + timedelta(seconds=1)
    result = backfill_topic(store=store, name="novabox_outage", since=since)
    assert result.total == 6 and result.matched == 0  # push:0 is before `since`
    assert backfill_topic(store=store, name="novabox_outage").matched == 1
    assert sorted(stored_matches(store, "novabox_outage")) == [("push:0", "novabox_outage")]


def test_backfill_refuses_unknown_and_disabled_topics(store: SqlStore) -> None:
    with pytest.raises(TopicNotFound):
        backfill_topic(store=store, name="nope")
    create_topic(store=store, spec=spec("off", "x", enabled=False))
    with pytest.raises(TopicError, match="disabled"):
        backfill_topic(store=store, name="off")


def test_latest_posts_are_newest_written_first(store: SqlStore) -> None:
    _history(store)
    assert [p.id for p in latest_posts(store, 3)] == ["push:6", "push:5", "push:4"]
