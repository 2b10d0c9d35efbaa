"""Full-text search on both engines: words inside URLs match only ``link:``, ``OR`` is an operator,
parentheses group; migration 0055 rebuilds the index of posts stored before it."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from tests.support.posts import post_json
from veille.errors import Invalid
from veille.model import parse_post
from veille.store import PostSearch
from veille.store.fulltext import (
    LINK_MARK,
    FullTextAll,
    FullTextAny,
    FullTextTerm,
    parse_full_text,
    searchable_text,
)
from veille.store.schema import posts
from veille.store.sql import SqlStore
from veille.text import folded_words

TEXTS = {
    0: "La fibre est en panne depuis ce matin",
    1: "Rien à signaler https://status.example.org/panne-fibre-nova",  # "panne" only in the URL
    2: "Coupure générale chez Nova, www.lemonde.fr/economie en parle",
    3: "Une panne de courant, voir https://status.example.org/ et le reste",
    4: "Le réseau ou la box ?",  # a lower-case "ou"/"or" is a word
    5: "Nothing or everything",
}


def _store_posts(store: SqlStore) -> None:
    items = [parse_post(post_json(index, text=text)) for index, text in TEXTS.items()]
    # A link the platform gave beside the text (a card, an expanded t.co) is a link too.
    items.append(parse_post(post_json(6, text="Lisez ceci", links=["https://blog.test/coupure-geante"])))
    store.upsert_posts(items)


def _ids(store: SqlStore, query: str) -> list[int]:
    found: list[int] = []
    cursor = None
    while True:
        page = store.search_posts(PostSearch(text=query, limit=500, cursor=cursor))
        found += [int(post.id.split(":")[1]) for post in page.items]
        if page.next_cursor is None:
            return sorted(found)
        cursor = page.next_cursor


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("panne", [0, 3]),  # not 1: its only "panne" is a URL slug
        ("link:panne", [1]),
        ("link:example", [1, 3]),
        ('link:"example.org/panne"', [1]),
        ("link:exam*", [1, 3]),
        ("lemonde", []),
        ("link:lemonde", [2]),
        ("link:coupure", [6]),  # from the post's links, not its text
        ("coupure", [2]),
        ("panne OR coupure", [0, 2, 3]),
        ("panne OR coupure nova", [0, 2, 3]),  # OR binds looser: panne OR (coupure AND nova)
        ("(panne OR coupure) fibre", [0]),
        ("(panne OR coupure) link:status", [3]),
        ("panne OR link:panne", [0, 1, 3]),
        ("ou", [4]),
        ("nothing or everything", [5]),  # lower-case or: three required words
        ("nothing OR rien", [1, 5]),
        ('"en panne" OR "de courant"', [0, 3]),
        ("pann* -", [0, 3]),
        ("LINK:lemonde", [2]),
    ],
)
def test_search_reads_text_outside_urls_links_and_operators(
    store: SqlStore, query: str, expected: list[int]
) -> None:
    _store_posts(store)
    assert _ids(store, query) == expected


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("OR panne", "q: OR needs a word on each side"),
        ("panne OR", "q: OR needs a word on each side"),
        ("panne OR OR fibre", "q: OR needs a word on each side"),
        ("(panne fibre", "q: a '(' is not closed"),
        ("panne)", "q: a ')' has no '(' before it"),
        ("() panne", "q: '( )' holds no word"),
        ("link: panne", 'q: link: needs a word or a "phrase"'),
        ("!!! ...", "q: no word to search for"),
    ],
)
def test_a_search_that_cannot_be_read_names_q(store: SqlStore, query: str, message: str) -> None:
    with pytest.raises(Invalid, match=message.replace("(", r"\(").replace(")", r"\)")) as refused:
        store.search_posts(PostSearch(text=query))
    assert refused.value.field == "q"


def test_the_search_tree() -> None:
    assert parse_full_text('a OR "b c" d*') == FullTextAny(
        (
            FullTextTerm(("a",)),
            FullTextAll((FullTextTerm(("b", "c")), FullTextTerm(("d",), prefix=True))),
        )
    )
    assert parse_full_text("link:Exemple.FR") == FullTextTerm(("exemple", "fr"), link=True)
    assert parse_full_text("l'opérateur") == FullTextTerm(("l", "operateur"))


def test_what_is_indexed_marks_link_words() -> None:
    post = parse_post(
        post_json(
            0,
            text="Panne ! https://ex.org/Panne-Fibre et www.b.fr",
            links=["https://ex.org/Panne-Fibre", "https://c.io/x"],
        )
    )
    words = searchable_text(post).split()
    assert words[:2] == ["panne", "et"]
    assert words[2:] == [
        LINK_MARK + word
        for word in ("https", "ex", "org", "panne", "fibre", "www", "b", "fr", "https", "c", "io", "x")
    ]
    plain = parse_post(post_json(1, text="Données sans lien"))
    assert searchable_text(plain) == "donnees sans lien"


def test_the_api_takes_the_same_syntax(api: httpx.Client) -> None:
    pushed = api.post(
        "/api/v1/posts",
        json=[post_json(index, text=text) for index, text in TEXTS.items()],
    )
    assert pushed.status_code == 200, pushed.text
    found = api.get("/api/v1/posts", params={"q": "panne OR coupure"}).json()["items"]
    assert sorted(item["id"] for item in found) == ["push:0", "push:2", "push:3"]
    assert [item["id"] for item in api.get("/api/v1/posts", params={"q": "link:panne"}).json()["items"]] == [
        "push:1"
    ]
    refused = api.get("/api/v1/posts", params={"q": "(panne"})
    assert refused.status_code == 422 and refused.json() == {"detail": "q: a '(' is not closed", "field": "q"}


def _alembic(store: SqlStore, action: str, target: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(Path(str(resources.files("veille.store") / "migrations"))))
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, action)(config, target)


def test_migration_0055_rebuilds_the_index_of_stored_posts(store: SqlStore) -> None:
    _alembic(store, "downgrade", "0055_search_outside_urls-1")
    _store_posts(store)
    many = [
        parse_post(post_json(100 + index, text=f"voir https://ex.org/panne-{index}")) for index in range(2500)
    ]
    store.upsert_posts(many)  # more than one batch of the migration
    with store.engine.begin() as connection:  # as a store written before 0055 holds them
        for seq, text in connection.execute(sa.select(posts.c.seq, posts.c.text)).fetchall():
            old = " ".join(folded_words(text))
            connection.execute(posts.update().where(posts.c.seq == seq).values(search_text=old))
    assert 1 in _ids(store, "panne") and _ids(store, "link:panne") == []

    _alembic(store, "upgrade", "head")
    assert _ids(store, "panne") == [0, 3]
    assert len(_ids(store, "link:panne")) == 2501
    assert _ids(store, "link:coupure") == [6]
    with store.engine.connect() as connection:
        stored = dict(connection.execute(sa.select(posts.c.id, posts.c.search_text)).fetchall())
    for post in [parse_post(post_json(index, text=text)) for index, text in TEXTS.items()]:
        assert stored[post.id] == searchable_text(post), post.id

    _alembic(store, "downgrade", "0055_search_outside_urls-1")  # back to every word of the text
    assert 1 in _ids(store, "panne") and _ids(store, "link:panne") == []
    _alembic(store, "upgrade", "head")
    assert 1 not in _ids(store, "panne")
