"""An unknown value in any filter is refused (422 naming the parameter and the value), never answered
with zeros: every analysis of the registry, the author page, the care report and the posts search,
for each filter they take, on both engines; ``veille export`` likewise (exit 2)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from veille.analytics.known import (
    check_countries,
    check_filter_values,
    check_languages,
    check_sources,
    check_topics,
)
from veille.analytics.registry import ANALYSES
from veille.cli import build_app
from veille.errors import Invalid
from veille.model import Post
from veille.query.fields import SOURCE_NAMES
from veille.settings import Settings
from veille.sources.connectors import registered_connectors
from veille.store.sql import SqlStore, open_store

RANGE = {"from": "2026-03-27T05:07:13Z", "to": "2026-03-31", "tz": "Europe/Paris"}
# Per filter: a value that names nothing, and the words the refusal must hold.
UNKNOWN = {
    "topic": ("helx", "no topic named 'helx'"),
    "country": ("XZ", "'XZ'"),
    "lang": ("xx", "'xx'"),
    "source": ("myspace", "no source named 'myspace'"),
}
# What each route needs besides the filter under test (share of voice needs topics to compare).
NEEDS: dict[str, dict[str, str]] = {"share-of-voice": {"topic": "nova"}}


def _with(base: dict[str, str], name: str, value: str) -> dict[str, str]:
    params = dict(base)
    # A known value next to the unknown one: the refusal must still come, naming only the bad one.
    params[name] = f"{params[name]},{value}" if name in params else value
    return params


def _refused(response: httpx.Response, name: str, words: str) -> None:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["field"] == name, body
    assert body["detail"].startswith(f"{name}:") and words in body["detail"], body


@pytest.mark.parametrize("name", sorted(UNKNOWN))
@pytest.mark.parametrize("analysis", sorted(ANALYSES))
def test_every_analysis_refuses_an_unknown_filter_value(
    loaded_api: httpx.Client, analysis: str, name: str
) -> None:
    base = RANGE | NEEDS.get(analysis, {})
    value, words = UNKNOWN[name]
    response = loaded_api.get(f"/api/v1/analytics/{analysis}", params=_with(base, name, value))
    _refused(response, name, words)
    # The same request with known values only is answered.
    assert loaded_api.get(f"/api/v1/analytics/{analysis}", params=base).status_code == 200


@pytest.mark.parametrize("name", sorted(UNKNOWN))
def test_the_author_page_refuses_an_unknown_filter_value(loaded_api: httpx.Client, name: str) -> None:
    value, words = UNKNOWN[name]
    response = loaded_api.get("/api/v1/analytics/authors/author1", params=_with(RANGE, name, value))
    _refused(response, name, words)
    refused = loaded_api.get("/api/v1/analytics/authors/author1", params=RANGE | {"platform": "myspace"})
    _refused(refused, "platform", "'myspace'")
    assert loaded_api.get("/api/v1/analytics/authors/author1", params=RANGE).status_code == 200


@pytest.mark.parametrize("name", ["topic", "country", "source"])
def test_the_care_report_refuses_an_unknown_filter_value(loaded_api: httpx.Client, name: str) -> None:
    value, words = UNKNOWN[name]
    response = loaded_api.get("/api/v1/analytics/care", params=_with(RANGE, name, value))
    _refused(response, name, words)


@pytest.mark.parametrize("name", ["lang", "source"])
def test_the_posts_search_refuses_an_unknown_filter_value(loaded_api: httpx.Client, name: str) -> None:
    value, words = UNKNOWN[name]
    _refused(loaded_api.get("/api/v1/posts", params={name: value}), name, words)
    known = {"lang": "fr", "source": "x"}[name]
    _refused(loaded_api.get("/api/v1/posts", params={"q": "post", name: f"{known},{value}"}), name, words)
    assert loaded_api.get("/api/v1/posts", params={"source": "x", "lang": "fr"}).status_code == 200


def test_a_misspelt_competitor_does_not_give_the_brand_every_share(loaded_api: httpx.Client) -> None:
    response = loaded_api.get("/api/v1/analytics/share-of-voice", params=RANGE | {"topic": "nova,helx"})
    _refused(response, "topic", "'helx'")
    assert "nova" not in response.json()["detail"]


def test_refusals_explain_what_was_meant(loaded: Any) -> None:
    store: SqlStore = loaded[0]
    with pytest.raises(Invalid, match=r"country: .*'France'.* \(did you mean FR\?\)"):
        check_countries(["France"])
    with pytest.raises(Invalid, match=r"'FRA'.*did you mean FR"):
        check_countries(["FRA"])
    with pytest.raises(Invalid, match=r"lang: .*'pt-br'.*'pt' matches every variant"):
        check_languages(["pt-br"])
    with pytest.raises(Invalid, match=r"'in' was withdrawn .* 'id'"):
        check_languages(["in"])
    with pytest.raises(Invalid, match=r"source: no source named 'twitter' \(did you mean 'x'\?\)"):
        check_sources(store, ["twitter"])
    with pytest.raises(Invalid, match=r"no topics named 'a', 'b'"):
        check_topics(store, ["b", "a"])
    check_countries(["fr", "GB", "US"])  # case does not matter: the filter upper-cases
    check_languages(["FR", "und"])
    check_topics(store, ["nova", "outage"])  # stored matches, though no topic of that name is defined


def test_a_source_is_known_from_its_connector_the_hub_or_a_stored_post(store: SqlStore) -> None:
    assert set(registered_connectors()) <= SOURCE_NAMES, "a connector's platform is a known source"
    check_sources(store, [*registered_connectors(), "push", "simulator"])
    with pytest.raises(Invalid, match="'facebook'"):
        check_sources(store, ["facebook"])
    post = {"id": "facebook:1", "source": "facebook", "created_at": "2026-03-28T10:00:00Z", "text": "hello"}
    store.upsert_posts([Post.model_validate(post | {"author": {"handle": "someone"}})])
    check_sources(store, ["facebook", "Facebook"])  # the simulator's platform, once a post came from it


def test_a_defined_topic_without_matches_is_known(store: SqlStore) -> None:
    from veille.topics import TopicSpec, service

    service.create_topic(store=store, spec=TopicSpec(name="launch", query="launch", kind="event"))
    check_topics(store, ["launch"])
    with pytest.raises(Invalid, match=r"no topic named 'lanch' \(did you mean 'launch'\?\)"):
        check_topics(store, ["lanch"])


def test_the_command_line_refuses_an_unknown_filter_value(hub_settings: Settings) -> None:
    store = open_store(hub_settings.sqlalchemy_url)
    store.close()
    runner = CliRunner(env={"VEILLE_DATABASE_URL": hub_settings.database_url or ""})
    args = ["--from", "2026-03-28", "--to", "2026-03-29", "--data", str(hub_settings.data_dir)]
    for kind in ("volume", "influencers"):
        result = runner.invoke(build_app(), ["export", kind, *args, "--country", "FR,Frnce"])
        assert result.exit_code == 2, result.output
        assert "country:" in result.output and "'FRNCE'" in result.output


def test_the_filter_check_reads_each_filter(loaded: Any) -> None:
    from veille.analytics.filters import AnalyticsFilter

    store: SqlStore = loaded[0]
    start, end = datetime(2026, 3, 27, tzinfo=UTC), datetime(2026, 3, 28, tzinfo=UTC)
    check_filter_values(store, AnalyticsFilter.of(start=start, end=end, countries=["fr"], sources=["x"]))
    for name, key in (
        ("topics", "topic"),
        ("countries", "country"),
        ("languages", "lang"),
        ("sources", "source"),
    ):
        with pytest.raises(Invalid) as refused:
            check_filter_values(store, AnalyticsFilter.of(start=start, end=end, **{name: ["qq"]}))
        assert refused.value.field == key


def test_a_topic_outside_the_callers_scope_is_unknown_to_that_caller(loaded: Any) -> None:
    from veille.analytics.filters import AnalyticsFilter
    from veille.analytics.scope import Scope

    store: SqlStore = loaded[0]
    start, end = datetime(2026, 3, 27, tzinfo=UTC), datetime(2026, 3, 28, tzinfo=UTC)
    team = Scope.of(topics=["nova"])
    check_filter_values(store, AnalyticsFilter.of(start=start, end=end, topics=["nova"]), team)
    # helix has matches, but not for this team: the same 422 as a topic nobody defined.
    with pytest.raises(Invalid, match=r"^topic: no topic named 'helix'$"):
        check_filter_values(store, AnalyticsFilter.of(start=start, end=end, topics=["nova", "helix"]), team)
    with pytest.raises(Invalid, match="'helix'"):
        ANALYSES["share-of-voice"].compute(
            store, filters=AnalyticsFilter.of(start=start, end=end, topics=["helix"]), scope=team
        )
