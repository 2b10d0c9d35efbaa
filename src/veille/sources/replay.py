"""A JSONL file of posts as a :class:`~veille.contracts.Source` (``veille ingest``, the ingest benchmark).

Each line is one post in the canonical JSON form. Lines are read in batches of validated posts;
a line that is not JSON, or not a valid post, is refused with its 1-based line number as the
``index`` of its :class:`~veille.model.PostRejected` (its reason names the field). The checkpoint
of a batch is the number of the last line it covers, so a consumer that commits it with the batch
(the store does, in the same transaction) can resume after that line: ``batches("1500")`` starts
at line 1501. Blank lines are skipped.

The source only reads: what becomes of its batches (stages, store, progress display) is the
consumer's business (``veille.cli.ingest``, the pipeline).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from veille.contracts import SourceBatch
from veille.model import Post, PostRejected, parse_posts

__all__ = ["ReplayBatch", "ReplaySource", "read_jsonl_batches"]


@dataclass(slots=True)
class ReplayBatch(SourceBatch):
    """A :class:`SourceBatch` that also says how far into the file it reaches."""

    last_line: int = 0  # the 1-based number of the last line read (also the checkpoint)
    bytes_read: int = 0  # bytes of the file read so far, skipped lines included (progress)


class ReplaySource:
    """The posts of a JSONL file, in batches of ``batch_size`` valid posts.

    ``name`` defaults to ``file:<absolute path>``: the name under which a store keeps the
    checkpoint, so a file keeps its checkpoint whatever directory it is replayed from.
    """

    def __init__(self, path: Path, *, batch_size: int = 1000, name: str | None = None) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size: expected a positive number of posts, got {batch_size}")
        self.path = path
        self.batch_size = batch_size
        self.name = name or f"file:{path.resolve()}"

    def read(self, checkpoint: str | None = None) -> Generator[ReplayBatch, None, None]:
        """The batches after ``checkpoint`` (a line number), read synchronously."""
        skip = _line_of(checkpoint)
        with self.path.open(encoding="utf-8", errors="replace") as handle:
            yield from read_jsonl_batches(handle, batch_size=self.batch_size, skip_lines=skip)

    async def batches(self, checkpoint: str | None) -> AsyncIterator[ReplayBatch]:
        """:meth:`read` for the event loop: each batch is read and validated in a worker thread."""
        reader = self.read(checkpoint)
        try:
            while True:
                batch = await asyncio.to_thread(next, reader, None)
                if batch is None:
                    return
                yield batch
        finally:
            # Cancelled while a worker thread runs the reader: it is closed (file included) when it is
            # collected, since a generator cannot be closed while it executes.
            with contextlib.suppress(ValueError):
                reader.close()


def _line_of(checkpoint: str | None) -> int:
    if checkpoint is None or checkpoint == "":
        return 0
    try:
        line = int(checkpoint)
    except ValueError:
        raise ValueError(f"checkpoint: expected a line number, got {checkpoint!r}") from None
    if line < 0:
        raise ValueError(f"checkpoint: expected a line number, got {checkpoint!r}")
    return line


def read_jsonl_batches(handle: TextIO, *, batch_size: int, skip_lines: int = 0) -> Iterator[ReplayBatch]:
    """Batches of validated posts from an open text stream; rejects carry their 1-based line number."""
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
) -> ReplayBatch:
    posts: list[Post] = []
    for line_number, item in items:
        accepted, refused = parse_posts([item], start=line_number)
        posts.extend(accepted)
        rejected.extend(refused)
    rejected.sort(key=lambda reject: reject.index)
    return ReplayBatch(
        posts=posts,
        checkpoint=str(last_line),
        rejected=rejected,
        last_line=last_line,
        bytes_read=bytes_read,
    )
