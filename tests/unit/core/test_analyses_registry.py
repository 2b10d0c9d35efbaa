"""The analyses registry drives the API and ``veille export``: one route and one command per analysis,
with the same parameters, and the choices it lists are the analyses' own."""

from __future__ import annotations

import inspect
import tempfile

import typer

from veille.analytics import content, reader, top, trends
from veille.analytics.registry import ANALYSES, CATEGORIES, CONTENT_GROUPS, GROUPS, MAX_TOP_LIMIT, TREND_KINDS
from veille.cli import export
from veille.influencers.models import CATEGORIES as INFLUENCER_CATEGORIES
from veille.settings import Settings
from veille.web.app import create_app


def test_choices_are_the_analyses_own() -> None:
    assert GROUPS == reader.GROUPS
    assert TREND_KINDS == trends.KINDS
    assert (*content.CONTENT_GROUPS, "posts") == CONTENT_GROUPS
    assert CATEGORIES == INFLUENCER_CATEGORIES
    assert MAX_TOP_LIMIT == top.MAX_LIMIT


def test_every_analysis_runs_something_with_its_parameters() -> None:
    for analysis in ANALYSES.values():
        run = analysis.runner()
        accepted = inspect.signature(run).parameters
        takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in accepted.values())
        for param in analysis.params:
            assert takes_any or param.name in accepted, (analysis.name, param.name)


def test_every_analysis_has_a_route_and_an_export_command() -> None:
    document = create_app(Settings(data_dir=tempfile.mkdtemp())).openapi()
    for name, analysis in ANALYSES.items():
        operation = document["paths"][f"/api/v1/analytics/{name}"]["get"]
        query = {p["name"] for p in operation["parameters"] if p["in"] == "query"}
        assert {param.name for param in analysis.params} <= query, name
        assert {"from", "to", "interval", "tz", "topic", "format"} <= query, name
    # ``veille export posts`` exports matching posts themselves, not an analysis.
    commands = {command.name for command in export.app.registered_commands} - {"posts"}
    assert commands == set(ANALYSES) == set(export.EXPORT_KINDS)
    command = typer.main.get_command(export.app)
    top_posts = command.get_command(typer.Context(command), "top-posts")  # type: ignore[attr-defined]
    options = {option.name: option for option in top_posts.params}
    assert options["limit"].default == 20 and options["by"].default == "engagement"
