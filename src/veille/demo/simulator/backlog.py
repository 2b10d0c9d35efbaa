"""The demo's past: a few days of ordinary days fed once before the live story, so that dashboards
have history and alert baselines (hour of day, day of week) exist from the first minute."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

from veille.contracts import SourceBatch
from veille.demo.simulator.engine import RisingQuestions
from veille.demo.simulator.history import generate_history

__all__ = ["HistorySource"]

DONE = "done"


class HistorySource:
    """``days`` of the quiet day up to ``end`` (default: now), in batches; once done, never again."""

    def __init__(
        self,
        name: str = "simulator-history",
        *,
        days: float = 2.0,
        rate_per_min: float = 90.0,
        seed: int = 1,
        end: datetime | None = None,
        batch: int = 2000,
        rising: RisingQuestions | None = None,
    ) -> None:
        if days <= 0:
            raise ValueError("days must be positive")
        self.name = name
        self.days = days
        self.rate_per_min = rate_per_min
        self.seed = seed
        self.end = end
        self.batch = batch
        self.rising = rising

    async def batches(self, checkpoint: str | None) -> AsyncIterator[SourceBatch]:
        if checkpoint == DONE:
            return
        end = self.end or datetime.now(UTC) - timedelta(minutes=1)
        posts = generate_history(
            end - timedelta(days=self.days),
            end,
            scenario="quiet_day",
            rate_per_min=self.rate_per_min,
            seed=self.seed,
            stretch=False,
            rising=self.rising,
        )
        pending = []
        for post in posts:
            pending.append(post)
            if len(pending) >= self.batch:
                yield SourceBatch(posts=pending)
                pending = []
                await asyncio.sleep(0)  # let the live story and the API breathe
        yield SourceBatch(posts=pending, checkpoint=DONE)
        while True:  # a source that ends would be reported as stopped: this one rests
            await asyncio.sleep(3600)
