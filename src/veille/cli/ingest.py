"""``veille ingest FILE.jsonl``: replay a file of posts into the store.

The file is read by :class:`~veille.sources.replay.ReplaySource`; this command composes the rest:
each batch goes through the hub's stages (the stored topics included, so their ``post_topics`` rows
are rewritten as in the hub) and is upserted by id with the batch's checkpoint (its last line) in
the same transaction. Running the same file again, or again after a kill half-way, stores each
valid post exactly once; ``--resume`` starts after the committed checkpoint instead of the top.
A progress bar and the refused lines go to stderr.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from veille.cli._options import ConfigOption, DataOption, err, fail, settings_from_options
from veille.settings import DEFAULT_DATA_DIR, Settings

__all__ = ["IngestSummary", "app", "ingest_file"]

app = typer.Typer()


@dataclass(slots=True)
class IngestSummary:
    accepted: int = 0
    rejected: int = 0
    stored: int = 0


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
    settings = settings_from_options(data, config)
    if not file.is_file():
        raise fail(f"{file}: no such file")
    summary = ingest_file(settings, file, resume=resume, batch_size=batch_size, console=err)
    sys.stdout.write(json.dumps({"accepted": summary.accepted, "rejected": summary.rejected}) + "\n")


def ingest_file(
    settings: Settings, path: Path, *, resume: bool = False, batch_size: int = 1000, console: Console
) -> IngestSummary:
    """Replay ``path`` into the store of ``settings``, drawing progress on ``console``.

    Two processes (:func:`veille.ingest.ingest_jsonl`): one validates, enriches, matches and
    prepares the rows, this one writes them, each batch with its checkpoint. With the NATS bus,
    the validated posts are published to the work stream instead (:func:`veille.ingest.publish_jsonl`).
    """
    # Deferred: the store and the enrichment chain are heavy imports that other commands never need.
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from veille.ingest import IngestBatch, ingest_jsonl, publish_jsonl

    summary = IngestSummary()
    columns = (
        TextColumn("[bold]ingest[/bold] {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("bytes · {task.fields[accepted]} accepted · {task.fields[rejected]} rejected"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task(path.name, total=path.stat().st_size, accepted=0, rejected=0)

        def show(batch: IngestBatch, stored: int) -> None:
            for reject in batch.rejected:
                progress.console.print(reject.message(), markup=False, highlight=False)
            summary.accepted += batch.accepted
            summary.rejected += len(batch.rejected)
            summary.stored += stored
            progress.update(
                task, completed=batch.bytes_read, accepted=summary.accepted, rejected=summary.rejected
            )

        try:
            # With the NATS bus the posts go to the work stream, for the workers (and a running hub).
            run = publish_jsonl if settings.bus == "nats" else ingest_jsonl
            run(settings, path, resume=resume, batch_size=batch_size, on_batch=show)
        except RuntimeError as error:
            raise fail(str(error)) from None
    return summary
