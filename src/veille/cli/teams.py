"""``veille team``: teams and the scope (topics, countries, sources) their members see."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from veille.cli._options import ConfigOption, DataOption, err, opened_store, reported_errors
from veille.settings import DEFAULT_DATA_DIR

__all__ = ["app"]

app = typer.Typer(help="Teams and their scopes.", no_args_is_help=True)


def _split(values: str | None) -> list[str] | None:
    return None if values is None else [value.strip() for value in values.split(",") if value.strip()]


@app.command("add")
def team_add(
    name: Annotated[str, typer.Argument()],
    data: DataOption = DEFAULT_DATA_DIR,
    config: ConfigOption = None,
    topics: Annotated[
        str | None, typer.Option(help="Topic names, comma-separated (default: every topic).")
    ] = None,
    countries: Annotated[str | None, typer.Option(help="ISO codes, comma-separated, e.g. FR,BE.")] = None,
    sources: Annotated[str | None, typer.Option(help="Sources, comma-separated, e.g. x,bluesky.")] = None,
) -> None:
    """Add a team; a post is in its scope when it matches one of its topics (if listed), comes from one
    of its countries (if listed) and from one of its sources (if listed)."""
    from veille.teams import create_team

    spec = {
        "name": name,
        "topics": _split(topics),
        "countries": _split(countries),
        "sources": _split(sources),
    }
    with opened_store(data, config) as store, reported_errors():
        create_team(store=store, spec=spec, actor="cli")
    err.print(f"team {name} added", markup=False)


@app.command("list")
def team_list(data: DataOption = DEFAULT_DATA_DIR, config: ConfigOption = None) -> None:
    """Teams (tab-separated: name, topics, countries, sources, members; '*' for no restriction)."""
    from veille.teams import list_teams

    def shown(values: tuple[str, ...] | None) -> str:
        return "*" if values is None else ",".join(values) or "-"

    with opened_store(data, config) as store:
        for team in list_teams(store=store):
            sys.stdout.write(
                f"{team.name}\t{shown(team.topics)}\t{shown(team.countries)}\t{shown(team.sources)}"
                f"\t{','.join(team.members) or '-'}\n"
            )


@app.command("remove")
def team_remove(
    name: Annotated[str, typer.Argument()], data: DataOption = DEFAULT_DATA_DIR, config: ConfigOption = None
) -> None:
    """Remove a team; its members and tokens lose what it let them see."""
    from veille.teams import delete_team

    with opened_store(data, config) as store, reported_errors():
        delete_team(store=store, name=name, actor="cli")
    err.print(f"team {name} removed", markup=False)
