"""The same store suite on SQLite and PostgreSQL (parametrised `store` fixture)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.support.posts import BASE_TIME, post_json
from veille.model import parse_post
from veille.store import PostSearch
from veille.store.sql import SqlStore


def _posts(count: int, **overrides: object) -> list:
    return [parse_post(post_json(i, **overrides)) for i in range(count)]


def test_upsert_by_id_replaces_and_keeps_one_row(store: SqlStore) -> None:
    first = parse_post(post_json(1, metrics={"likes": 1}))
    again = parse_post(post_json(1, metrics={"likes": 50}))
    store.upsert_posts([first])
    store.upsert_posts([again, again])
    assert store.count_posts() == 1
    stored = store.get_post("push:1")
    assert stored is not None and stored.metrics.likes == 50


def test_the_canonical_record_round_trips(store: SqlStore) -> None:
    post = parse_post(post_json(3, extra_field={"nested": [1, 2]}, text="Données personnelles 😀 <b>x</b>"))
    store.upsert_posts([post])
    assert store.get_post(post.id) == post
    assert store.get_post("push:missing") is None


def test_newest_first_pagination_with_a_stable_cursor(store: SqlStore) -> None:
    posts = _posts(23)
    # Two posts share a timestamp: the id breaks the tie, so no page repeats or skips one.
    posts.append(parse_post(post_json(100, created_at=posts[10].to_json_dict()["created_at"])))
    store.upsert_posts(posts)
    seen: list[str] = []
    cursor = None
    while True:
        page = store.search_posts(PostSearch(limit=5, cursor=cursor))
        seen.extend(post.id for post in page.items)
        # Posts written while paging do not disturb the pages already handed out.
        store.upsert_posts(
            [parse_post(post_json(1000 + len(seen), created_at=datetime.now(UTC).isoformat()))]
        )
        cursor = page.next_cursor
        if cursor is None:
            break
    expected = sorted(posts, key=lambda p: (p.created_at, p.id), reverse=True)
    assert seen == [post.id for post in expected]


def test_filters_time_source_language_author(store: SqlStore) -> None:
    posts = [
        parse_post(post_json(1, source="bluesky", id="bluesky:1", lang="fr", author={"handle": "Alice"})),
        parse_post(post_json(2, source="mastodon", id="mastodon:2", lang="en", author={"handle": "bob"})),
        parse_post(post_json(3, source="bluesky", id="bluesky:3", lang="en", author={"handle": "alice"})),
    ]
    store.upsert_posts(posts)

    def ids(**filters: object) -> list[str]:
        return [p.id for p in store.search_posts(PostSearch(**filters)).items]  # type: ignore[arg-type]

    assert ids(sources=["bluesky"]) == ["bluesky:3", "bluesky:1"]
    assert ids(langs=["EN"]) == ["bluesky:3", "mastodon:2"]
    assert ids(authors=["@ALICE"]) == ["bluesky:3", "bluesky:1"]
    assert ids(since=BASE_TIME + timedelta(seconds=2)) == ["bluesky:3", "mastodon:2"]
    assert ids(until=BASE_TIME + timedelta(seconds=2)) == ["bluesky:1"]
    assert ids(sources=["bluesky"], langs=["en"]) == ["bluesky:3"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("panne", ["push:1", "push:0"]),
        ("PANNE fibre", ["push:0"]),
        ("donnees", ["push:2"]),
        ('"en panne"', ["push:1", "push:0"]),
        ('"panne en"', []),
        ("liveb*", ["push:1"]),
        ("example", []),  # a word inside a URL is found with link: only
        ("link:example", ["push:2"]),
    ],
)
def test_full_text_search_folds_case_and_accents(store: SqlStore, query: str, expected: list[str]) -> None:
    store.upsert_posts(
        [
            parse_post(post_json(0, text="La fibre est en panne")),
            parse_post(post_json(1, text="Ma Livebox en panne depuis hier")),
            parse_post(post_json(2, text="Protection des Données https://example.org/x")),
        ]
    )
    assert [p.id for p in store.search_posts(PostSearch(text=query)).items] == expected


def test_full_text_index_follows_updates(store: SqlStore) -> None:
    store.upsert_posts([parse_post(post_json(0, text="ancien texte"))])
    store.upsert_posts([parse_post(post_json(0, text="nouveau texte"))])
    assert store.search_posts(PostSearch(text="ancien")).items == []
    assert [p.id for p in store.search_posts(PostSearch(text="nouveau")).items] == ["push:0"]


def test_search_with_no_word_is_a_clear_error(store: SqlStore) -> None:
    with pytest.raises(ValueError, match="q: no word to search for"):
        store.search_posts(PostSearch(text="!!! ..."))


def test_checkpoint_is_committed_with_the_batch(store: SqlStore) -> None:
    assert store.get_checkpoint("file:a") is None
    store.upsert_posts(_posts(3), checkpoint=("file:a", "3"))
    assert store.get_checkpoint("file:a") == "3"
    store.upsert_posts([], checkpoint=("file:a", "7"))
    assert store.get_checkpoint("file:a") == "7"
    with pytest.raises(ValueError):
        # A bad post (the store refuses a naive timestamp) rolls the checkpoint back with the batch.
        bad = parse_post(post_json(9))
        object.__setattr__(bad, "created_at", datetime(2026, 1, 1))
        store.upsert_posts([bad], checkpoint=("file:a", "99"))
    assert store.get_checkpoint("file:a") == "7"


def test_write_sequence_orders_the_live_stream(store: SqlStore) -> None:
    first = store.upsert_posts(_posts(3))
    second = store.upsert_posts([parse_post(post_json(0, metrics={"likes": 9}))])
    assert [item.seq for item in first] == sorted(item.seq for item in first)
    assert second[0].seq > max(item.seq for item in first)
    after = store.posts_after(first[0].seq)
    # The updated post moved to the end of the stream; nothing is listed twice.
    assert [item.post.id for item in after] == ["push:1", "push:2", "push:0"]
    assert store.last_seq() == second[0].seq


def test_migrate_twice_is_harmless(store: SqlStore) -> None:
    store.upsert_posts(_posts(2))
    store.migrate()
    assert store.count_posts() == 2
