"""One store per engine loaded once per module: the analytics tests only read it; ``loaded_live`` serves
it over HTTP and ``loaded_api`` is an authenticated client of that hub."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from tests.conftest import POSTGRES_URL
from tests.support.live_server import LiveHub, serve_hub
from veille.model import Post
from veille.settings import Settings
from veille.store.sql import SqlStore, open_store

from .dataset import build_posts


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def loaded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[SqlStore, list[Post]]]:
    schema = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('analytics') / 'veille.db'}"
    else:
        admin: SqlStore = request.getfixturevalue("postgres_admin")
        schema = f"t_{uuid.uuid4().hex[:12]}"
        with admin.engine.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    store = open_store(url)
    posts = build_posts()
    for start in range(0, len(posts), 150):  # several batches, as the pipeline writes
        store.upsert_posts(posts[start : start + 150])
    yield store, posts
    store.close()
    if schema is not None:
        with admin.engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))


@pytest.fixture(scope="module")
def loaded_live(loaded: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveHub]:
    store, _posts = loaded
    url = str(store.engine.url.render_as_string(hide_password=False))
    settings = Settings(data_dir=tmp_path_factory.mktemp("hub"))
    if not url.startswith("sqlite"):
        url = url.replace("postgresql+psycopg", "postgresql")
    with serve_hub(settings.model_copy(update={"database_url": url})) as hub:
        yield hub


@pytest.fixture(scope="module")
def loaded_api(loaded_live: LiveHub) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=loaded_live.base_url, headers=loaded_live.auth_headers, timeout=30) as client:
        yield client
