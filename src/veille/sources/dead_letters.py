"""Replaying a source's dead letters with the current connector code (``veille sources replay-failed``).

A dead letter is a platform item the source could not map (``veille.store.dead_letters``). Once
the mapping is fixed, :func:`replay_dead_letters` hands each stored payload to the source's
connector (:meth:`~veille.sources.connectors.Connector.remap`), runs what now maps through the
hub's stages and stores it, removing its letter in the same transaction; a payload the connector
now reads as "not a post" is removed too; one still refused stays, with one more attempt and the
reason the current code gives.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from veille.contracts import Stage, run_stages, stages_committed
from veille.model import Post
from veille.sources.connectors import Connector
from veille.store.dead_letters import list_dead_letters, record_attempts
from veille.store.sql import SqlStore

__all__ = ["ReplayReport", "replay_dead_letters"]

_REMAP_ERRORS = (ValueError, KeyError, TypeError, AttributeError)


@dataclass(slots=True)
class ReplayReport:
    """What a replay did: letters tried, posts stored, letters that were no post, letters left."""

    source: str
    tried: int = 0
    stored: int = 0
    not_posts: int = 0
    filtered: int = 0
    still_failing: dict[int, str] = field(default_factory=dict)

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "tried": self.tried,
            "stored": self.stored,
            "not_posts": self.not_posts,
            "filtered": self.filtered,
            "still_failing": len(self.still_failing),
        }


def replay_dead_letters(
    store: SqlStore, connector: Connector, stages: Sequence[Stage], *, batch_size: int = 500
) -> ReplayReport:
    """Map the dead letters of ``connector.name`` again; store what maps, keep what does not."""
    report = ReplayReport(source=connector.name)
    after = 0
    while True:
        with store.engine.connect() as connection:
            letters = list_dead_letters(connection, connector.name, limit=batch_size, after_id=after)
        if not letters:
            return report
        after = letters[-1].id
        posts: list[Post] = []
        resolved: list[int] = []
        failures: dict[int, str] = {}
        for letter in letters:
            report.tried += 1
            try:
                post = connector.remap(letter.payload)
            except _REMAP_ERRORS as error:
                reason = str(error) if isinstance(error, ValueError) else f"{type(error).__name__}: {error}"
                failures[letter.id] = reason[:500]
                continue
            resolved.append(letter.id)
            if post is None:
                report.not_posts += 1
            elif connector.keeps(post):
                posts.append(post)
            else:
                report.filtered += 1  # the source's own filter would not have kept it either
        stored = store.upsert_posts(run_stages(stages, posts), resolved_dead_letters=resolved)
        stages_committed(stages)
        report.stored += len(stored)
        if failures:
            with store.engine.begin() as connection:
                record_attempts(connection, failures)
            report.still_failing.update(failures)
