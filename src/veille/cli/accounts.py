"""``veille accounts``: import and list the registry of official brand accounts.

These commands work on the store directly; the figures they feed are computed at query time, so a
running hub sees an import at once.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from veille.cli._options import ConfigOption, DataOption, fail, opened_store
from veille.settings import DEFAULT_DATA_DIR

__all__ = ["app"]

app = typer.Typer(
    help="Official brand accounts (ours and competitors') for the care indicators.", no_args_is_help=True
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


@app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="CSV with columns platform,handle,brand,country,ours.")],
    data: DataOption = DEFAULT_DATA_DIR,
    config: ConfigOption = None,
) -> None:
    """Register the accounts of a CSV file (optional columns timezone,days,start,end: business hours).

    All or nothing: an error names its line and column and nothing is imported. An account already
    registered (same platform and handle) is updated, so importing a file twice changes nothing.
    """
    from veille.accounts import AccountError, import_accounts, parse_accounts_csv

    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise fail(f"{file}: {error}") from None
    try:
        specs = parse_accounts_csv(text)
    except AccountError as error:
        raise fail(f"{file}: {error}") from None
    with opened_store(data, config) as store:
        result = import_accounts(store=store, specs=specs)
    err.print(f"{result.created} account(s) registered, {result.updated} updated", markup=False)


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
