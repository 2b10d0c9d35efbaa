"""The live simulator: a :class:`~veille.contracts.Source` that posts in real time.

Every ``tick_s`` seconds it yields the posts whose time has come, created at the current time
(never in the future). ``rate_per_min`` is the number of original posts per real minute at a phase
rate of 1; ``speed`` makes the story run faster (phases, reply delays and repost delays shrink by
that factor) without flooding the screen. The checkpoint records the scenario clock, so a restart
continues the story where it stopped, with the same ids it would have had.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from veille.contracts import SourceBatch
from veille.demo.simulator.engine import Engine, RisingQuestions, Timeline
from veille.demo.simulator.profile import CompanyProfile, default_profile
from veille.demo.simulator.scenarios import get_scenario
from veille.model import parse_rfc3339

__all__ = ["SimulatorCheckpoint", "SimulatorSource"]


@dataclass(frozen=True, slots=True)
class SimulatorCheckpoint:
    origin: datetime  # when the story started: fixes the ids
    offset: float  # scenario seconds already delivered
    emitted: int
    scenario: str
    seed: int

    def dumps(self) -> str:
        return json.dumps(
            {
                "v": 1,
                "origin": self.origin.isoformat(),
                "offset": self.offset,
                "emitted": self.emitted,
                "scenario": self.scenario,
                "seed": self.seed,
            },
            separators=(",", ":"),
        )

    @classmethod
    def loads(cls, text: str) -> SimulatorCheckpoint:
        try:
            data = json.loads(text)
            return cls(
                origin=parse_rfc3339(data["origin"]),
                offset=float(data["offset"]),
                emitted=int(data["emitted"]),
                scenario=str(data["scenario"]),
                seed=int(data["seed"]),
            )
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(f"simulator checkpoint: not understood ({error})") from None


def _utc_now() -> datetime:
    return datetime.now(UTC)


class SimulatorSource:
    """Scenario posts in real time; see the module docstring and ``docs/simulator.md``."""

    def __init__(
        self,
        name: str = "simulator",
        profile: CompanyProfile | None = None,
        scenario: str = "quiet_day",
        seed: int = 1,
        rate_per_min: float = 120.0,
        speed: float = 1.0,
        start: datetime | None = None,
        *,
        tick_s: float = 0.3,
        max_batch: int = 5000,
        geotag_share: float = 0.2,
        clock: Callable[[], datetime] = _utc_now,
        rising: RisingQuestions | None = None,
    ) -> None:
        if rate_per_min < 0:
            raise ValueError("rate_per_min must not be negative")
        if speed <= 0:
            raise ValueError("speed must be positive")
        if not 0.05 <= tick_s <= 5:
            raise ValueError("tick_s must be between 0.05 and 5 seconds")
        if start is not None and start.tzinfo is None:
            raise ValueError("start needs a time zone")
        self.name = name
        self.profile = profile or default_profile()
        self.scenario = get_scenario(scenario)
        self.seed = seed
        self.rate_per_min = rate_per_min
        self.speed = speed
        self.start = start
        self.tick_s = tick_s
        self.max_batch = max_batch
        self.geotag_share = geotag_share
        self.rising = rising
        self._clock = clock

    def _engine(self, origin: datetime) -> Engine:
        return Engine(
            profile=self.profile,
            scenario=self.scenario,
            seed=self.seed,
            rate_per_min=self.rate_per_min,
            timeline=Timeline(self.scenario, seconds_per_minute=60.0 / self.speed, loop=True),
            origin=origin,
            delay_scale=1.0 / self.speed,
            diurnal=False,
            geotag_share=self.geotag_share,
            rising=self.rising,
        )

    async def batches(self, checkpoint: str | None) -> AsyncIterator[SourceBatch]:
        now = self._clock()
        state = SimulatorCheckpoint.loads(checkpoint) if checkpoint else None
        if state is not None and (state.scenario != self.scenario.name or state.seed != self.seed):
            state = None  # another story was running: start this one afresh
        if state is not None:
            origin, offset, emitted = state.origin, state.offset, state.emitted
            anchor = now - timedelta(seconds=offset)  # the story resumes now, where it stopped
        else:
            origin = self.start or now
            if origin > now + timedelta(seconds=1):
                raise ValueError("simulator start is in the future")
            offset, emitted, anchor = 0.0, 0, origin
        engine = self._engine(origin)
        if state is not None:
            engine.seek(offset)
        behind = False
        while True:
            if not behind:
                await asyncio.sleep(self.tick_s)
            limit = (self._clock() - anchor).total_seconds()
            drafts = engine.drain(limit, max_items=self.max_batch)
            behind = len(drafts) >= self.max_batch
            if not drafts:
                continue
            emitted += len(drafts)
            offset = drafts[-1].t if behind else max(limit, drafts[-1].t)
            posts = [draft.to_post(anchor, self.scenario.name) for draft in drafts]
            yield SourceBatch(
                posts=posts,
                checkpoint=SimulatorCheckpoint(
                    origin, offset, emitted, self.scenario.name, self.seed
                ).dumps(),
            )
