"""``veille report``: printable reports (``care``: response metrics of brand accounts)."""

from __future__ import annotations

import csv
import json
import sys
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from veille.cli._options import ConfigOption, DataOption, fail, settings_from_options
from veille.settings import DEFAULT_DATA_DIR

__all__ = ["CARE_COLUMNS", "app"]

app = typer.Typer(help="Reports over stored posts.", no_args_is_help=True)
out = Console(soft_wrap=True)

CARE_COLUMNS: tuple[str, ...] = (
    "account",
    "brand",
    "country",
    "inbound",
    "responded",
    "response_rate",
    "median_s",
    "mean_s",
    "p90_s",
    "within_sla",
)
_FORMATS = ("json", "csv", "table")


@app.command("care")
def care_command(
    from_: Annotated[str, typer.Option("--from", help="ISO date or date-time, inclusive (no offset: --tz).")],
    to: Annotated[str, typer.Option("--to", help="ISO date or date-time, exclusive.")],
    output_format: Annotated[str, typer.Option("--format", help="json, csv or table.")] = "table",
    business_hours: Annotated[
        bool,
        typer.Option("--business-hours", help="Count only seconds inside each account's business hours."),
    ] = False,
    sla: Annotated[float, typer.Option("--sla", help="SLA in seconds for within_sla.", min=0)] = 3600.0,
    tz: Annotated[str, typer.Option("--tz", help="Time zone of --from/--to without an offset.")] = "UTC",
    data: DataOption = DEFAULT_DATA_DIR,
    config: ConfigOption = None,
) -> None:
    """Response metrics per brand account for inbound posts created in [from, to); responses count
    whenever they come. JSON: a list of objects; rates in [0, 1], times in seconds, unrounded."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from veille.analytics.care import care_report
    from veille.analytics.scope import Scope
    from veille.clock import parse_moment
    from veille.store.sql import open_store

    if output_format not in _FORMATS:
        raise fail(f"--format: must be one of {', '.join(_FORMATS)}, not {output_format!r}")
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise fail(f"--tz: {tz!r} is not an IANA time zone such as 'Europe/Paris'") from None
    try:
        start = parse_moment("--from", from_, zone)
        end = parse_moment("--to", to, zone)
    except ValueError as error:
        raise fail(str(error)) from None
    settings = settings_from_options(data, config)
    store = open_store(settings.sqlalchemy_url)
    store.minute_rollup_days = settings.minute_rollup_days
    try:
        report = care_report(
            store=store, scope=Scope(), start=start, end=end, business_hours=business_hours, sla_s=sla
        )
    except ValueError as error:
        raise fail(str(error).replace("to:", "--to:", 1)) from None
    finally:
        store.close()
    rows = [{name: row.to_json_dict()[name] for name in CARE_COLUMNS} for row in report.rows]
    if output_format == "json":
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
    elif output_format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(CARE_COLUMNS)
        for row in rows:
            writer.writerow(["" if row[name] is None else _csv_value(row[name]) for name in CARE_COLUMNS])
    else:
        _print_table(rows)


def _csv_value(value: Any) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def _print_table(rows: list[dict[str, Any]]) -> None:
    if not rows:
        Console(stderr=True).print("no brand accounts (register some with `veille accounts import FILE.csv`)")
        return
    table = Table(box=None, pad_edge=False)
    for name in CARE_COLUMNS:
        table.add_column(
            name, no_wrap=True, justify="left" if name in ("account", "brand", "country") else "right"
        )
    for row in rows:
        table.add_row(*(_shown(name, row[name]) for name in CARE_COLUMNS))
    # A pipe or file gets the whole table (rich would otherwise squeeze it into 80 columns).
    console = out if out.is_terminal else Console(soft_wrap=True, width=240)
    console.print(table, markup=False, highlight=False)


def _shown(name: str, value: Any) -> str:
    """Table cells only are rounded (rates to 0.1 %, times to the second); JSON and CSV are not."""
    if value is None:
        return ""
    if name in ("response_rate", "within_sla"):
        return f"{value:.3f}"
    if name.endswith("_s"):
        return f"{value:.0f}"
    return str(value)
