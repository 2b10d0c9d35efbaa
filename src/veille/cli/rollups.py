"""``veille rollups rebuild``: recompute the analytics counters from the stored posts."""

from __future__ import annotations

from typing import Annotated

import typer

from veille.cli._options import ConfigOption, DataOption, err, fail, opened_store
from veille.settings import DEFAULT_DATA_DIR

__all__ = ["app"]

app = typer.Typer(help="Analytics counters (per-minute and per-hour rollups).", no_args_is_help=True)


@app.command("rebuild")
def rebuild_command(
    data: DataOption = DEFAULT_DATA_DIR,
    config: ConfigOption = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Only from this ISO date or date-time (UTC when no offset).")
    ] = None,
) -> None:
    """Recompute the rollups from the stored posts (all, or from the hour holding --since)."""
    from zoneinfo import ZoneInfo

    from veille.clock import parse_moment
    from veille.store.rollups import rebuild

    try:
        since_at = None if since is None else parse_moment("since", since, ZoneInfo("UTC"))
    except ValueError as error:
        raise fail(str(error)) from None
    with opened_store(data, config) as store, err.status("recomputing rollups…"):
        report = rebuild(store, since=since_at)
    err.print(f"rollups rebuilt: {report['rollup_minute']} minute rows, {report['rollup_hour']} hour rows")
