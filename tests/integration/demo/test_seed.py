"""`seed_demo`: the admin, the taxonomy and the brand accounts on one store, each only where missing."""

from __future__ import annotations

import stat
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from veille.access import UserAccess
from veille.accounts import AccountSpec, import_accounts, list_accounts
from veille.cli import build_app
from veille.dashboards import list_dashboards
from veille.demo.seed import CREDENTIALS_FILE, DEMO_USER, demo_accounts, demo_taxonomy, seed_demo
from veille.store.schema import users
from veille.store.sql import SqlStore
from veille.topics import LiveTopics, TopicSpec, list_topics, load_topics


def test_a_first_run_creates_everything_and_a_second_nothing(store: SqlStore, tmp_path: Path) -> None:
    live = LiveTopics()
    first = seed_demo(store, data_dir=tmp_path, live_topics=live)
    assert first.username == DEMO_USER and first.password
    assert set(first.topics) == {spec.name for spec in demo_taxonomy()} == set(live.names())
    assert first.accounts == len(demo_accounts()) == len(list_accounts(store=store))
    assert UserAccess(store).check_password(DEMO_USER, first.password) is not None
    with store.engine.connect() as connection:
        assert connection.execute(select(users.c.is_admin).where(users.c.username == DEMO_USER)).scalar_one()
    credentials = tmp_path / CREDENTIALS_FILE
    assert credentials.read_text() == f"{DEMO_USER}:{first.password}\n"
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600

    again = seed_demo(store, data_dir=tmp_path)
    assert (again.username, again.password) == (first.username, first.password)
    assert again.topics == () and again.accounts == 0
    assert len(list_topics(store=store)) == len(first.topics)


def test_a_lost_password_is_replaced_and_saved(store: SqlStore, tmp_path: Path) -> None:
    first = seed_demo(store, data_dir=tmp_path)
    UserAccess(store).set_password(DEMO_USER, "changed by someone")
    second = seed_demo(store, data_dir=tmp_path)
    assert second.password != first.password
    assert UserAccess(store).check_password(DEMO_USER, second.password) is not None
    assert (tmp_path / CREDENTIALS_FILE).read_text() == f"{DEMO_USER}:{second.password}\n"


def test_a_users_own_topics_and_accounts_are_left_alone(store: SqlStore, tmp_path: Path) -> None:
    load_topics(store=store, specs=[TopicSpec(name="mine", query="panne*")])
    import_accounts(store=store, specs=[AccountSpec(platform="x", handle="Me", brand="Me", ours=True)])
    seeded = seed_demo(store, data_dir=tmp_path)
    assert seeded.topics == () and seeded.accounts == 0
    assert [topic.name for topic in list_topics(store=store)] == ["mine"]
    assert [account.handle for account in list_accounts(store=store)] == ["Me"]
    # Only the demo dashboards that name no demo topic fit a user's own taxonomy.
    assert seeded.dashboards == ("Overview", "Country monitor", "Customer care")


def test_the_demo_dashboards_are_created_once(store: SqlStore, tmp_path: Path) -> None:
    seeded = seed_demo(store, data_dir=tmp_path)
    names = ("Overview", "Competitor benchmark", "Country monitor", "Customer care")
    assert seeded.dashboards == names
    stored = {dashboard.name: dashboard for dashboard in list_dashboards(store=store)}
    assert set(stored) == set(names)
    assert {dashboard.owner for dashboard in stored.values()} == {seeded.username}
    benchmark = stored["Competitor benchmark"]
    assert benchmark.filters.topics == ["nova", "helix", "orbis", "sirocco"]
    assert {widget.type for widget in benchmark.widgets} >= {"share_of_voice", "volume", "care", "kpi"}
    every_type = {widget.type for dashboard in stored.values() for widget in dashboard.widgets}
    assert every_type == {
        "volume", "sentiment", "share_of_voice", "map", "trends", "influencers",
        "top_posts", "feed", "care", "kpi", "content", "text",
    }  # fmt: skip
    again = seed_demo(store, data_dir=tmp_path)
    assert again.dashboards == () and len(list_dashboards(store=store)) == 4


def test_the_demo_walls_are_created_once(store: SqlStore, tmp_path: Path) -> None:
    from veille.walls import service as walls

    seed_demo(store, data_dir=tmp_path)
    stored = {wall.name: wall for wall in walls.list_walls(store=store)}
    assert set(stored) == {"Supervision room (3 × 2)", "Reception hall (public)"}
    room = stored["Supervision room (3 × 2)"]
    assert (room.screens.columns, room.screens.rows) == (3, 2) and len(room.scenes) == 2
    # Widgets cross the screens' borders (12 cells a screen): the video wall acts as one screen.
    assert any(w.x < 12 < w.x + w.w or w.y < 12 < w.y + w.h for w in room.scenes[0].widgets)
    hall = stored["Reception hall (public)"]
    assert hall.moderation.hide_links and "arnaque" in hall.moderation.blocklist
    seed_demo(store, data_dir=tmp_path)
    assert len(walls.list_walls(store=store)) == 2


def test_the_live_demo_registers_no_accounts(store: SqlStore, tmp_path: Path) -> None:
    seeded = seed_demo(store, data_dir=tmp_path, accounts=False)
    assert seeded.topics and seeded.accounts == 0 and list_accounts(store=store) == []


def test_the_demo_command_refuses_an_unknown_scenario(tmp_path: Path) -> None:
    result = CliRunner().invoke(build_app(), ["demo", "--scenario", "nope", "--data", str(tmp_path)])
    assert result.exit_code == 2
    assert "error: no scenario 'nope'; known: quiet_day" in result.output
    assert not (tmp_path / CREDENTIALS_FILE).exists()  # refused before the store is touched
