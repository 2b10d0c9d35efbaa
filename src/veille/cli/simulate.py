"""``veille simulate``: scenario posts as JSONL files (benchmarks, tests) and the list of scenarios."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from veille.demo.simulator.profile import CompanyProfile

__all__ = ["app"]

app = typer.Typer(
    help="Generate simulated posts (scenarios of a fictional telecom company).", no_args_is_help=True
)


@app.command("scenarios")
def scenarios() -> None:
    """List the scenarios with a one-line description."""
    from veille.demo.simulator import scenario_descriptions
    from veille.demo.simulator.scenarios import SCENARIOS

    for name, description in scenario_descriptions().items():
        minutes = SCENARIOS[name].minutes
        typer.echo(f"{name:<16} {description} ({minutes / 60:g} h)")


def _parse_end(value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    from veille.model import parse_rfc3339

    try:
        return parse_rfc3339(value)
    except ValueError as error:
        raise typer.BadParameter(f"{value!r}: {error}", param_hint="--end") from None


@app.command("jsonl")
def jsonl(
    scenario: Annotated[
        str, typer.Option(help="Scenario name (see `veille simulate scenarios`).")
    ] = "quiet_day",
    seed: Annotated[int, typer.Option(help="Same seed and same --end: the same posts, ids included.")] = 1,
    count: Annotated[int, typer.Option(min=0, help="Exactly this many posts.")] = 10_000,
    out: Annotated[str, typer.Option("--out", "-o", help="Output file, or '-' for standard output.")] = "-",
    hours: Annotated[
        float | None,
        typer.Option(min=0.01, help="Length of the time range (default: the scenario's own length)."),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option(help="End of the range, RFC 3339 (default: now). Fix it for reproducible files."),
    ] = None,
    profile: Annotated[
        Path | None,
        typer.Option(help="TOML file with a company profile (whole file, or its [simulator.profile] table)."),
    ] = None,
) -> None:
    """Write COUNT posts of a scenario as JSONL (one Post JSON per line), ending now (or at --end)."""
    from veille.demo.simulator import generate_history
    from veille.demo.simulator.scenarios import get_scenario

    try:
        chosen = get_scenario(scenario)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--scenario") from None
    company = None
    if profile is not None:
        try:
            company = _load_profile(profile)
        except (OSError, ValueError) as error:
            raise typer.BadParameter(f"{profile}: {error}", param_hint="--profile") from None
    range_end = _parse_end(end)
    range_start = range_end - timedelta(hours=hours if hours is not None else chosen.minutes / 60)
    try:
        posts = generate_history(
            range_start, range_end, scenario=chosen.name, seed=seed, count=count, profile=company
        )
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None
    written = 0
    target: IO[str]
    with _open_out(out) as target:
        for post in posts:
            target.write(post.to_json())
            target.write("\n")
            written += 1
    typer.echo(
        f"{written} posts of {chosen.name} ({range_start:%Y-%m-%dT%H:%MZ} to {range_end:%Y-%m-%dT%H:%MZ})",
        err=True,
    )


def _load_profile(path: Path) -> CompanyProfile:
    from veille.demo.simulator.profile import load_profile

    try:
        return load_profile(path, table="simulator.profile")
    except ValueError as error:
        if "no [simulator.profile] table" not in str(error):
            raise
    return load_profile(path)


class _open_out:
    """Standard output for '-', else a file opened for writing (UTF-8, Unix newlines)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.handle: IO[str] | None = None

    def __enter__(self) -> IO[str]:
        if self.name == "-":
            return sys.stdout
        self.handle = open(self.name, "w", encoding="utf-8", newline="\n")
        return self.handle

    def __exit__(self, *exc_info: object) -> None:
        if self.handle is not None:
            self.handle.close()
