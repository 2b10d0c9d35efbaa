"""The contracts between the hub's parts: what a source gives and what a stage does.

Consumers own these (the bytewax way): the pipeline, the sources, the enrichment and topic stages
all import them from here, so none of them depends on another to learn the shape of a batch.

- :class:`SourceBatch` — posts read by a source, the items it refused, an opaque checkpoint;
- :class:`Source` — a named producer of batches that resumes from its last committed checkpoint;
- :class:`Stage` — a pure step over a batch of posts (no I/O, no clock);
- :func:`run_stages` — a batch through stages in order.
- :func:`stages_committed` — tell stages that remember what passed that the batch is stored.

The pipeline commits a batch's checkpoint only after the batch is stored, so a crash replays the
last batch and loses nothing. Stages are pure so that they are fast, testable and can run in
several worker processes; a stage may fill the enrichment fields of the posts it is given.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from veille.model import Post, PostRejected

__all__ = ["Source", "SourceBatch", "Stage", "run_stages", "stages_committed", "stages_pending"]


@dataclass(slots=True)
class SourceBatch:
    posts: list[Post]
    checkpoint: str | None = None
    rejected: list[PostRejected] = field(default_factory=list)


@runtime_checkable
class Source(Protocol):
    """A named producer of post batches that can resume from its last committed checkpoint."""

    name: str

    def batches(self, checkpoint: str | None) -> AsyncIterator[SourceBatch]:
        """Yield batches, starting after ``checkpoint`` (``None``: from the beginning/now)."""
        ...


@runtime_checkable
class Stage(Protocol):
    name: str

    def process(self, posts: list[Post]) -> list[Post]: ...


def run_stages(
    stages: Sequence[Stage],
    posts: list[Post],
    *,
    on_stage: Callable[[str, int, float], None] | None = None,
) -> list[Post]:
    """``posts`` through each stage in order; stops early once a stage leaves nothing.

    ``on_stage(name, posts given, seconds)`` is told each stage's work (the hub's metrics).
    """
    for stage in stages:
        if not posts:
            break
        if on_stage is None:
            posts = stage.process(posts)
            continue
        started = time.perf_counter()
        given = len(posts)
        posts = stage.process(posts)
        on_stage(stage.name, given, time.perf_counter() - started)
    return posts


def stages_pending(stages: Sequence[Stage]) -> list[tuple[Any, Any]]:
    """What the stages that remember (``take_pending()``, the exact-duplicate memory) would record
    of the batch just run through them: taken now, recorded by :func:`stages_committed` once that
    batch is committed. A pipelined writer keeps it with its batch, since the next batch may run
    through the stages before this one is written."""
    pending: list[tuple[Any, Any]] = []
    for stage in stages:
        take = getattr(stage, "take_pending", None)
        if callable(take):
            pending.append((stage, take()))
    return pending


def stages_committed(stages: Sequence[Stage], pending: list[tuple[Any, Any]] | None = None) -> None:
    """A batch is committed to the store: stages that remember what passed may record it now,
    never before. ``pending``: what :func:`stages_pending` took for that batch (default: the batch
    last run through ``stages``, for a caller that writes each batch before running the next)."""
    for stage, state in stages_pending(stages) if pending is None else pending:
        stage.committed(state)
