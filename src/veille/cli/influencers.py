"""``veille influencers``: import and list the curated influencer list analysts maintain; refresh
the kept influencer rankings (``refresh``).

These commands work on the store directly; categories are read at query time, so a running hub
uses an import at once.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from veille.cli._options import ConfigOption, DataOption, opened_store
from veille.cli._registry import add_import_command
from veille.settings import DEFAULT_DATA_DIR

__all__ = ["app"]

app = typer.Typer(
    help="The curated influencer list (journalists, bloggers, elected representatives…).",
    no_args_is_help=True,
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


add_import_command(
    app,
    service="veille.influencers",
    parse="parse_influencers_csv",
    save="import_influencers",
    file_help="CSV with columns platform,handle,category,country,name.",
    doc="""Add the entries of a CSV file (category: journalist, blogger, elected, media, brand or other).

    All or nothing: an error names its line and column and nothing is imported. An entry already
    listed (same platform and handle) is updated, so importing a file twice changes nothing.
    """,
    summary="{created} influencer(s) added, {updated} updated",
)


@app.command("list")
def list_command(
    data: DataOption = DEFAULT_DATA_DIR,
    config: ConfigOption = None,
    category: Annotated[str | None, typer.Option(help="Only this category.")] = None,
    country: Annotated[str | None, typer.Option(help="Only this country (ISO code).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """List the curated influencers by platform and handle."""
    from veille.influencers import list_influencers

    with opened_store(data, config) as store:
        found = list_influencers(store=store, category=category, country=country)
    if as_json:
        for item in found:
            sys.stdout.write(json.dumps(item.to_json_dict(), ensure_ascii=False) + "\n")
        return
    if not found:
        err.print("no curated influencers (add some with `veille influencers import FILE.csv`)")
        return
    table = Table(box=None, pad_edge=False)
    for column in ("id", "account", "category", "country", "name"):
        table.add_column(column, no_wrap=True)
    for item in found:
        table.add_row(
            str(item.id),
            f"{item.platform}:@{item.handle}",
            item.category,
            item.country or "",
            item.name or "",
        )
    # A pipe or file gets the whole table (rich would otherwise squeeze it into 80 columns).
    console = out if out.is_terminal else Console(soft_wrap=True, width=240)
    console.print(table, markup=False, highlight=False)


@app.command("refresh")
def refresh_command(
    data: DataOption = DEFAULT_DATA_DIR,
    config: ConfigOption = None,
    budget: Annotated[
        float, typer.Option(help="Seconds after which no new ranking is started.", min=0)
    ] = 600.0,
) -> None:
    """Compute the influencer rankings asked for and recompute the stale ones read lately.

    A running hub does this every few seconds; the command is for a store served by workers only,
    or to warm the rankings after a bulk import (``docs/performance.md``).
    """
    from veille.analytics.kept_rankings import refresh_rankings

    with opened_store(data, config) as store, err.status("ranking influencers…"):
        report = refresh_rankings(store, budget_s=budget)
    err.print(f"{report.computed} ranking(s) computed, {report.dropped} unused one(s) dropped")
