"""``veille accounts``: import and list the registry of official brand accounts.

These commands work on the store directly; the figures they feed are computed at query time, so a
running hub sees an import at once.
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
    help="Official brand accounts (ours and competitors') for the care indicators.", no_args_is_help=True
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


add_import_command(
    app,
    service="veille.accounts",
    parse="parse_accounts_csv",
    save="import_accounts",
    file_help="CSV with columns platform,handle,brand,country,ours.",
    doc="""Register the accounts of a CSV file (optional columns timezone,days,start,end: business hours).

    All or nothing: an error names its line and column and nothing is imported. An account already
    registered (same platform and handle) is updated, so importing a file twice changes nothing.
    """,
    summary="{created} account(s) registered, {updated} updated",
)


@app.command("list")
def list_command(
    data: DataOption = DEFAULT_DATA_DIR,
    config: ConfigOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """List the registered accounts by brand."""
    from veille.accounts import list_accounts

    with opened_store(data, config) as store:
        accounts = list_accounts(store=store)
    if as_json:
        for account in accounts:
            sys.stdout.write(json.dumps(account.to_json_dict(), ensure_ascii=False) + "\n")
        return
    if not accounts:
        err.print("no brand accounts (register some with `veille accounts import FILE.csv`)")
        return
    table = Table(box=None, pad_edge=False)
    for column in ("id", "account", "brand", "country", "ours", "business hours"):
        table.add_column(column, no_wrap=True)
    for account in accounts:
        hours = account.business_hours
        shown_hours = (
            f"{','.join(hours.days)} {hours.start}-{hours.end} {hours.timezone}" if hours else "always"
        )
        table.add_row(
            str(account.id),
            account.label,
            account.brand,
            account.country or "(global)",
            "yes" if account.ours else "no",
            shown_hours,
        )
    # A pipe or file gets the whole table (rich would otherwise squeeze it into 80 columns).
    console = out if out.is_terminal else Console(soft_wrap=True, width=240)
    console.print(table, markup=False, highlight=False)
