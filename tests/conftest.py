"""Fixtures shared by every test: settings in a temporary data folder, a store on each engine."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from veille.settings import Settings
from veille.store.sql import SqlStore, open_store

POSTGRES_URL = os.environ.get("VEILLE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REQUIRE_SERVICES = os.environ.get("VEILLE_REQUIRE_SERVICES") == "1"


def pytest_configure(config: pytest.Config) -> None:
    # The fakes of the test suite listen on 127.0.0.1, which the hub's outbound policy refuses by
    # default (veille.security): the tests allow it explicitly, through the operator's setting.
    os.environ.setdefault("VEILLE_OUTBOUND_ALLOW", '["127.0.0.1"]')
    # The hub's stages in a thread (one child process per hub, loading its models, would add ~3
    # CPU-seconds to every hub test); the tests of the preparing process ask for it by name, and
    # VEILLE_PREPARE_PROCESSES=1 runs the whole suite that way.
    os.environ.setdefault("VEILLE_PREPARE_PROCESSES", "0")


def services_required() -> bool:
    return REQUIRE_SERVICES


def unavailable(what: str, error: Exception) -> None:
    """Skip, or fail under CI (VEILLE_REQUIRE_SERVICES=1), when a real service is not reachable."""
    message = f"{what} is not reachable: {error}"
    if REQUIRE_SERVICES:
        pytest.fail(message + " (VEILLE_REQUIRE_SERVICES=1)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty SQLite store at the newest migration, made once per test run: each test's data
    folder starts from a copy (running the ~20 migrations took ~0.5 s per test)."""
    database = tmp_path_factory.mktemp("migrated") / "veille.sqlite3"
    open_store(f"sqlite:///{database}").close()
    return database


@pytest.fixture
def settings(tmp_path: Path, migrated_sqlite: Path) -> Settings:
    data_dir = tmp_path / "veille-data"
    data_dir.mkdir(mode=0o700)
    shutil.copyfile(migrated_sqlite, data_dir / "veille.sqlite3")
    return Settings(data_dir=data_dir)


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[SqlStore]:
    try:
        admin = open_store(POSTGRES_URL, migrate=False)
        with admin.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # any driver error means "not reachable" here
        unavailable("PostgreSQL at 127.0.0.1:5432", error)
    yield admin
    admin.close()


@pytest.fixture
def postgres_url(postgres_admin: SqlStore) -> Iterator[str]:
    """A fresh schema in the `test` database, dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with postgres_admin.engine.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    with postgres_admin.engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, settings: Settings) -> str:
    if request.param == "sqlite":
        return settings.sqlalchemy_url
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def store(store_url: str) -> Iterator[SqlStore]:
    the_store = open_store(store_url)
    yield the_store
    the_store.close()


@pytest.fixture
def hub_settings(store_url: str, settings: Settings) -> Settings:
    """Settings whose database is the parametrised engine (SQLite or PostgreSQL)."""
    if store_url.startswith("sqlite"):
        return settings
    return settings.model_copy(update={"database_url": store_url.replace("postgresql+psycopg", "postgresql")})
