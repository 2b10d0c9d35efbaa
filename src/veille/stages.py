"""The pipeline stage contract and the cheap stages (entities, exact duplicates).

A stage takes a batch of posts and returns the batch to pass on. Stages are pure: no I/O, no
clock, no global state beyond what they were built with, so they are fast, testable and can run in
several worker processes. A stage may fill enrichment fields of the posts it is given.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from veille.model import Post

__all__ = ["Stage"]


@runtime_checkable
class Stage(Protocol):
    name: str

    def process(self, posts: list[Post]) -> list[Post]: ...
