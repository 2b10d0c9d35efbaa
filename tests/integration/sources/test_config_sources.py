"""`[[sources]]` tables of veille.toml: a hub started with fake-server sources stores their posts and
shows their health; secrets stay masked; a bad table is refused with a message naming it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from tests.fakes import LocalServer
from tests.fakes.bluesky import FakeBluesky, make_post_event
from tests.fakes.mastodon import FakeMastodon, make_status
from tests.integration.sources.helpers import settings_with_toml, source_view, wait_for
from tests.support.live_server import serve_hub
from veille.cli import build_app
from veille.hub import Hub
from veille.sources.manager import SourceConfigError


@pytest.fixture
def bluesky() -> Iterator[tuple[FakeBluesky, LocalServer]]:
    fake = FakeBluesky()
    with LocalServer(fake.app) as server:
        yield fake, server


@pytest.fixture
def mastodon() -> Iterator[tuple[FakeMastodon, LocalServer]]:
    fake = FakeMastodon(tokens=("s3cret-mastodon-token",))
    with LocalServer(fake.app) as server:
        yield fake, server


def _stored_ids(api: httpx.Client, source: str) -> list[str]:
    return [item["id"] for item in api.get("/api/v1/posts", params={"source": source}).json()["items"]]


def test_bluesky_source_with_a_query_stores_matching_posts_and_shows_health(
    tmp_path: Path, bluesky: tuple[FakeBluesky, LocalServer]
) -> None:
    fake, server = bluesky
    fake.scripts = [
        [
            ("event", make_post_event(1_000_001, "Ma box wifi est en panne depuis ce matin")),
            ("event", make_post_event(1_000_002, "Rien à voir : une recette de crêpes")),
            ("raw", "{not json"),
            ("event", make_post_event(1_000_003, "Le WIFI revient enfin")),
        ]
    ]
    settings = settings_with_toml(
        tmp_path,
        f"""
[[sources]]
type = "bluesky"
name = "bsky-fake"
endpoint = "{server.ws_url}/subscribe"
query = "wifi"
""",
    )
    with serve_hub(settings) as live, httpx.Client(base_url=live.base_url, headers=live.auth_headers) as api:
        ids = wait_for(
            lambda: len(_stored_ids(api, "bluesky")) >= 2 and _stored_ids(api, "bluesky"), what="posts"
        )
        assert sorted(ids) == [
            "bluesky:at://did:plc:alice/app.bsky.feed.post/r1000001",
            "bluesky:at://did:plc:alice/app.bsky.feed.post/r1000003",
        ]
        view = source_view(api, "bsky-fake")
        assert view["origin"] == "config" and view["running"] is True and view["filter"] == "query"
        health = view["health"]
        assert health["connected"] is True and health["state"] == "connected"
        assert health["posts_total"] == 2 and health["filtered_total"] == 1 and health["malformed_total"] == 1
        assert health["posts_per_min"] == 2.0 and health["lag_s"] is not None and health["lag_s"] > 0
        assert view["alerts"] == []
        assert (
            view["config"]["query"] == "wifi" and view["config"]["endpoint"] == f"{server.ws_url}/subscribe"
        )
        # The checkpoint (greatest time_us) was committed with the batch.
        assert wait_for(lambda: live.hub.store.get_checkpoint("bsky-fake"), what="checkpoint") == "1000003"
        metrics = api.get("/metrics").text
        assert 'veille_source_connected{source="bsky-fake",type="bluesky"} 1.0' in metrics
        assert 'veille_source_posts_total{source="bsky-fake",type="bluesky"} 2.0' in metrics
        assert 'veille_source_errors_total{kind="malformed",source="bsky-fake",type="bluesky"} 1.0' in metrics
        assert 'veille_source_silent{source="bsky-fake",type="bluesky"} 0.0' in metrics
        assert 'veille_posts_stored_total{source="bsky-fake"} 2.0' in metrics


def test_mastodon_source_secret_from_the_file_is_masked_everywhere(
    tmp_path: Path, mastodon: tuple[FakeMastodon, LocalServer]
) -> None:
    fake, server = mastodon
    fake.scripts = [[("update", make_status(501, text="la livebox", tags=["livebox"]))]]
    settings = settings_with_toml(
        tmp_path,
        f"""
[[sources]]
type = "mastodon"
name = "masto"
endpoint = "{server.url}"
access_token = "s3cret-mastodon-token"
hashtags = ["livebox"]
initial_backfill = false
""",
    )
    with serve_hub(settings) as live, httpx.Client(base_url=live.base_url, headers=live.auth_headers) as api:
        wait_for(lambda: _stored_ids(api, "mastodon"), what="the status")
        listing = api.get("/api/v1/sources")
        assert "s3cret-mastodon-token" not in listing.text
        view = source_view(api, "masto")
        assert view["config"]["access_token"] == "***"
        assert view["health"]["connected"] is True
        assert "s3cret-mastodon-token" not in api.get("/api/v1/sources/masto").text
        assert "s3cret-mastodon-token" not in api.get("/metrics").text
        assert "s3cret-mastodon-token" not in repr(live.hub.source_manager.get("masto").connector)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            '[[sources]]\ntype = "bluesky"\nname = "ok"\n\n[[sources]]\ntype = "bluesky"\nname = "bad"\n'
            'keywords = "wifi"\nstall_timeout_s = "soon"\n',
            "[[sources]] #2: source 'bad': stall_timeout_s: expected a number, got 'soon'",
        ),
        (
            '[[sources]]\ntype = "mastodon"\nname = "masto"\nendpoint = "https://mastodon.example"\n',
            "[[sources]] #1: source 'masto': access_token: required",
        ),
        (
            '[[sources]]\ntype = "myspace"\nname = "old"\n',
            "[[sources]] #1: source 'old': type: unknown connector type 'myspace'",
        ),
        (
            '[[sources]]\ntype = "bluesky"\nname = "q"\nquery = "wifi AND ("\n',
            "[[sources]] #1: source 'q': query: ",
        ),
        (
            '[[sources]]\ntype = "bluesky"\nname = "same"\n[[sources]]\ntype = "bluesky"\nname = "same"\n',
            "[[sources]] #2: source 'same': name: used by another source",
        ),
        (
            '[[sources]]\ntype = "bluesky"\nname = "e"\nenabled = "yes"\n',
            "[[sources]] #1: source 'e': enabled: expected true or false",
        ),
    ],
)
def test_a_bad_table_is_refused_naming_the_table_and_the_field(
    tmp_path: Path, body: str, expected: str
) -> None:
    settings = settings_with_toml(tmp_path, body)
    with pytest.raises(SourceConfigError) as caught:
        Hub.build(settings)
    assert str(caught.value).startswith(expected), str(caught.value)


def test_serve_prints_the_bad_table_and_exits(tmp_path: Path) -> None:
    config = tmp_path / "veille.toml"
    config.write_text('[[sources]]\ntype = "x"\nname = "x-brands"\nbearer_token = "${NOT_SET_ANYWHERE_42}"\n')
    result = CliRunner().invoke(
        build_app(), ["serve", "--config", str(config), "--data", str(tmp_path / "data"), "--port", "0"]
    )
    assert result.exit_code == 2
    assert (
        "error: [[sources]] #1: source 'x-brands': bearer_token: "
        "environment variable NOT_SET_ANYWHERE_42 is not set" in result.output
    )
