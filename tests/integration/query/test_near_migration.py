"""Migration 0052: stored queries written with the old NEAR count keep their meaning, on both engines."""

from __future__ import annotations

from importlib import import_module, resources
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from veille.query import match, rewrite_near_for_new_convention, view_text
from veille.query.rewrite import rewrite_near_for_old_convention
from veille.store.schema import topics
from veille.store.sql import SqlStore

# (query written the old way, the same meaning written today)
OLD_AND_NEW = [
    ("panne NEAR/1 fibre", "panne NEAR/0 fibre"),
    ("(down NEAR/3 (internet OR network OR broadband))", "(down NEAR/2 (internet OR network OR broadband))"),
    ("(débité* NEAR/3 fois) OR (hausse* NEAR/3 tarif*)", "(débité* NEAR/2 fois) OR (hausse* NEAR/2 tarif*)"),
    ('{"Orange Business"} NEAR/4f "NEAR/3" AND x', '{"Orange Business"} NEAR/3f "NEAR/3" AND x'),
    ("a NEAR/50F b", "a NEAR/49F b"),
    ('url:"x NEAR/2 y" AND (a NEAR/2 b)', 'url:"x NEAR/2 y" AND (a NEAR/1 b)'),
    ("no proximity here", "no proximity here"),
]


def _alembic(store: SqlStore, action: str, target: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(Path(str(resources.files("veille.store") / "migrations"))))
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, action)(config, target)


def _source_configs() -> sa.Table:
    return sa.table(
        "source_configs",
        sa.column("name"),
        sa.column("type"),
        sa.column("config", sa.JSON),
        sa.column("enabled"),
        sa.column("created_us"),
        sa.column("updated_us"),
    )


def test_the_migration_rewrites_topics_and_source_queries(store: SqlStore) -> None:
    _alembic(store, "downgrade", "0052_near_between-1")
    with store.engine.begin() as connection:
        for index, (old, _) in enumerate(OLD_AND_NEW):
            connection.execute(
                topics.insert().values(
                    name=f"t{index}", query=old, kind="theme", enabled=True, created_us=0, updated_us=0
                )
            )
        connection.execute(
            _source_configs()
            .insert()
            .values(
                name="feed",
                type="rss",
                config={"type": "rss", "name": "feed", "url": "https://x/feed", "query": "a NEAR/2f b"},
                enabled=True,
                created_us=0,
                updated_us=0,
            )
        )
        connection.execute(
            _source_configs()
            .insert()
            .values(
                name="plain",
                type="rss",
                config={"type": "rss", "name": "plain"},
                enabled=True,
                created_us=0,
                updated_us=0,
            )
        )
    store.migrate()
    with store.engine.connect() as connection:
        stored = dict(connection.execute(sa.select(topics.c.name, topics.c.query)).all())
        table = _source_configs()
        configs = dict(connection.execute(sa.select(table.c.name, table.c.config)).all())
    assert stored == {f"t{index}": new for index, (_, new) in enumerate(OLD_AND_NEW)}
    assert configs["feed"]["query"] == "a NEAR/1f b" and configs["feed"]["url"] == "https://x/feed"
    assert configs["plain"] == {"type": "rss", "name": "plain"}
    # The old NEAR/1 (adjacent) is still adjacent.
    assert match(stored["t0"], view_text("panne fibre")) is not None
    assert match(stored["t0"], view_text("panne de fibre")) is None
    # Downgrading gives the old texts back.
    _alembic(store, "downgrade", "0052_near_between-1")
    with store.engine.connect() as connection:
        assert dict(connection.execute(sa.select(topics.c.name, topics.c.query)).all()) == {
            f"t{index}": old for index, (old, _) in enumerate(OLD_AND_NEW)
        }
    store.migrate()


def test_the_migration_and_the_library_rewrite_alike() -> None:
    migration = import_module("veille.store.migrations.versions.0052_near_between")
    for old, new in OLD_AND_NEW:
        assert rewrite_near_for_new_convention(old) == new == migration.rewrite(old, -1)
        assert rewrite_near_for_old_convention(new) == migration.rewrite(new, +1)
    for untouched in ["a NEAR/0 b", '"NEAR/3"', "{NEAR/3}", "#near NEAR", "ONEAR/3"]:
        assert rewrite_near_for_new_convention(untouched) == untouched == migration.rewrite(untouched, -1)
