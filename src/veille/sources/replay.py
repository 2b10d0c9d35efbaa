"""JSONL file replay (``veille ingest``): validated, enriched by the pipeline's stages, stored.

Every valid line is upserted by id, so running the same file again, or again after a kill half-way,
stores each valid post exactly once. The checkpoint (the next line to read) is committed with each
batch; ``resume`` starts from it instead of from the top.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from veille.contracts import run_stages
from veille.hub import default_stages
from veille.model import Post, PostRejected, parse_posts
from veille.settings import Settings
from veille.store import open_store
from veille.topics import load_live_topics

__all__ = ["IngestSummary", "ingest_file", "read_jsonl_batches"]


@dataclass(slots=True)
class IngestSummary:
    accepted: int = 0
    rejected: int = 0
    stored: int = 0


@dataclass(slots=True)
class LineBatch:
    posts: list[Post]
    rejected: list[PostRejected]
    next_line: int
    bytes_read: int


def read_jsonl_batches(handle: TextIO, *, batch_size: int, skip_lines: int = 0) -> Iterator[LineBatch]:
    """Batches of validated posts; rejects carry their 1-based line number."""
    items: list[tuple[int, Any]] = []
    rejected: list[PostRejected] = []
    bytes_read = 0
    line_number = 0
    for line_number, line in enumerate(handle, start=1):
        bytes_read += len(line.encode("utf-8"))
        if line_number <= skip_lines or not line.strip():
            continue
        try:
            items.append((line_number, json.loads(line)))
        except json.JSONDecodeError as error:
            rejected.append(PostRejected(line_number, f"not valid JSON: {error.msg} (column {error.colno})"))
        if len(items) >= batch_size:
            yield _validate(items, rejected, line_number, bytes_read)
            items, rejected = [], []
    if items or rejected or line_number:
        yield _validate(items, rejected, line_number, bytes_read)


def _validate(
    items: list[tuple[int, Any]], rejected: list[PostRejected], last_line: int, bytes_read: int
) -> LineBatch:
    posts: list[Post] = []
    for line_number, item in items:
        accepted, refused = parse_posts([item], start=line_number)
        posts.extend(accepted)
        rejected.extend(refused)
    rejected.sort(key=lambda reject: reject.index)
    return LineBatch(posts=posts, rejected=rejected, next_line=last_line, bytes_read=bytes_read)


def ingest_file(
    settings: Settings, path: Path, *, resume: bool = False, batch_size: int = 1000, console: Console
) -> IngestSummary:
    store = open_store(settings.sqlalchemy_url)
    # The stored topics match the replayed posts, as in the hub (their post_topics rows are rewritten).
    stages = default_stages(settings, topics=load_live_topics(store, settings))
    source_name = f"file:{path.resolve()}"
    skip = int(store.get_checkpoint(source_name) or 0) if resume else 0
    summary = IngestSummary()
    columns = (
        TextColumn("[bold]ingest[/bold] {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("bytes · {task.fields[accepted]} accepted · {task.fields[rejected]} rejected"),
        TimeRemainingColumn(),
    )
    try:
        with (
            path.open(encoding="utf-8", errors="replace") as handle,
            Progress(*columns, console=console, transient=False) as progress,
        ):
            task = progress.add_task(path.name, total=path.stat().st_size, accepted=0, rejected=0)
            for batch in read_jsonl_batches(handle, batch_size=batch_size, skip_lines=skip):
                for reject in batch.rejected:
                    progress.console.print(reject.message(), markup=False, highlight=False)
                stored = store.upsert_posts(
                    run_stages(stages, batch.posts), checkpoint=(source_name, str(batch.next_line))
                )
                summary.accepted += len(batch.posts)
                summary.rejected += len(batch.rejected)
                summary.stored += len(stored)
                progress.update(
                    task, completed=batch.bytes_read, accepted=summary.accepted, rejected=summary.rejected
                )
    finally:
        store.close()
    return summary
