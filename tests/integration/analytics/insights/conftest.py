"""One store per engine, loaded once for the package with the hand-made posts, our accounts and one
curated influencer: the insights tests only read it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import text

from tests.conftest import POSTGRES_URL
from veille.accounts import create_account
from veille.influencers import InfluencerSpec, create_influencer
from veille.model import Post
from veille.store.sql import SqlStore, open_store

from .dataset import ACCOUNTS, build_posts


@contextmanager
def fresh_database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A new SQLite file or PostgreSQL schema (dropped afterwards), per ``request.param``."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('insights') / 'veille.db'}"
        return
    admin: SqlStore = request.getfixturevalue("postgres_admin")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with admin.engine.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))


ENGINES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="package", params=ENGINES)
def engine_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with fresh_database(request, tmp_path_factory) as url:
        yield url


@pytest.fixture(scope="package")
def loaded(engine_url: str) -> Iterator[tuple[SqlStore, list[Post]]]:
    store = open_store(engine_url)
    posts = build_posts()
    for start in range(0, len(posts), 200):
        store.upsert_posts(posts[start : start + 200])
    for spec in ACCOUNTS:
        create_account(store=store, spec=spec)
    # The profile says blogger; the analysts say journalist, and they win.
    create_influencer(store=store, spec=InfluencerSpec(platform="x", handle="@Erin", category="journalist"))
    yield store, posts
    store.close()
