"""``veille ingest FILE.jsonl``: replay a file of posts into the store."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from veille.cli._options import ConfigOption, DataOption, err, fail, settings_from_options
from veille.settings import DEFAULT_DATA_DIR

__all__ = ["app"]

app = typer.Typer()


@app.command()
def ingest(
    file: Annotated[Path, typer.Argument(help="JSONL file of posts (one JSON object per line).")],
    data: DataOption = DEFAULT_DATA_DIR,
    config: ConfigOption = None,
    resume: Annotated[
        bool, typer.Option(help="Skip the lines a previous run of this file already stored.")
    ] = False,
    batch_size: Annotated[int, typer.Option(min=1, max=10_000, help="Posts per write.")] = 1000,
) -> None:
    """Replay a JSONL file into the store. Rejected lines go to stderr; the last stdout line is
    {"accepted": N, "rejected": M}. Running it again stores nothing twice."""
    from veille.sources.replay import ingest_file

    settings = settings_from_options(data, config)
    if not file.is_file():
        raise fail(f"{file}: no such file")
    summary = ingest_file(settings, file, resume=resume, batch_size=batch_size, console=err)
    sys.stdout.write(json.dumps({"accepted": summary.accepted, "rejected": summary.rejected}) + "\n")
