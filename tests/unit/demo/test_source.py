"""The live source: batch timing, never-future timestamps, checkpoints, the Source contract."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from veille.contracts import Source, SourceBatch
from veille.demo.simulator import SimulatorSource
from veille.demo.simulator.source import SimulatorCheckpoint
from veille.model import Post, parse_post


async def _collect(source: SimulatorSource, checkpoint: str | None, batches: int) -> list[SourceBatch]:
    collected: list[SourceBatch] = []
    stream = source.batches(checkpoint)
    async for batch in stream:
        collected.append(batch)
        if len(collected) >= batches:
            break
    await stream.aclose()  # type: ignore[attr-defined]
    return collected


def _stepping_clock(start: datetime, step_s: float) -> Callable[[], datetime]:
    """A clock that moves ``step_s`` seconds each time it is read (deterministic source timing)."""
    moments = iter(range(10**9))

    def now() -> datetime:
        return start + timedelta(seconds=step_s * next(moments))

    return now


def test_is_a_source() -> None:
    assert isinstance(SimulatorSource(), Source)


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown scenario"):
        SimulatorSource(scenario="nope")
    with pytest.raises(ValueError, match="speed"):
        SimulatorSource(speed=0)
    with pytest.raises(ValueError, match="rate_per_min"):
        SimulatorSource(rate_per_min=-1)


async def test_batches_come_every_tick_with_posts_of_now() -> None:
    # The source's clock is injected (each reading is one tick later), so what is asserted does not
    # depend on how busy the machine is; only the pause between batches is real time.
    start = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    stepping = _stepping_clock(start, 0.1)
    readings: list[datetime] = []

    def clock() -> datetime:
        readings.append(stepping())
        return readings[-1]

    source = SimulatorSource(scenario="quiet_day", seed=4, rate_per_min=1200, tick_s=0.1, clock=clock)
    arrivals: list[float] = []
    posts: list[Post] = []
    stream = source.batches(None)
    async for batch in stream:
        arrivals.append(time.monotonic())
        for post in batch.posts:
            parse_post(json.loads(post.to_json()))
        newest = max(post.created_at for post in batch.posts)
        oldest = min(post.created_at for post in batch.posts)
        assert start <= oldest and newest <= readings[-1]  # posts of now, never of the future
        posts.extend(batch.posts)
        assert batch.checkpoint is not None
        if len(arrivals) == 10:
            break
    await stream.aclose()  # type: ignore[attr-defined]
    gaps = [later - earlier for earlier, later in itertools.pairwise(arrivals)]
    assert min(gaps) >= 0.09  # each batch waits its tick: never a busy loop
    # 1200 originals a minute for about a second of the source's clock: about 20, plus follow-ups.
    assert 5 <= len(posts) <= 120
    assert len({p.id for p in posts}) == len(posts)


async def test_same_seed_start_and_clock_give_the_same_posts() -> None:
    start = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)

    async def run() -> list[str]:
        source = SimulatorSource(
            scenario="outage_crisis",
            seed=9,
            rate_per_min=600,
            start=start,
            tick_s=0.05,
            clock=_stepping_clock(start, 2.0),
        )
        return [p.to_json() for batch in await _collect(source, None, 8) for p in batch.posts]

    first, again = await run(), await run()
    assert first and first == again


async def test_rate_scales_the_live_flow() -> None:
    start = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)

    async def count(rate: float) -> int:
        source = SimulatorSource(
            scenario="quiet_day",
            seed=1,
            rate_per_min=rate,
            start=start,
            tick_s=0.05,
            clock=_stepping_clock(start, 30.0),
        )
        return sum(len(b.posts) for b in await _collect(source, None, 10))

    slow, fast = await count(60), await count(240)
    assert 2.5 < fast / slow < 6


async def test_speed_runs_the_story_faster() -> None:
    start = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)

    async def phases(speed: float) -> set[str]:
        source = SimulatorSource(
            scenario="outage_crisis",
            seed=1,
            rate_per_min=120,
            speed=speed,
            start=start,
            tick_s=0.05,
            clock=_stepping_clock(start, 10.0),
        )
        return {p.extra["simulator"]["phase"] for b in await _collect(source, None, 12) for p in b.posts}

    # 12 ticks of 10 s: two minutes of wall-clock time. At speed 60 that is two hours of story,
    # past the 45 quiet minutes and into the spike; at speed 1 the story is still quiet.
    assert await phases(1.0) == {"normal"}
    assert {"spike", "amplification"} & await phases(60.0)


async def test_checkpoint_resumes_the_story_where_it_stopped() -> None:
    start = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    full = SimulatorSource(
        scenario="product_launch",
        seed=2,
        rate_per_min=300,
        start=start,
        tick_s=0.05,
        clock=_stepping_clock(start, 10.0),
    )
    batches = await _collect(full, None, 12)
    checkpoint = batches[3].checkpoint
    assert checkpoint is not None
    state = SimulatorCheckpoint.loads(checkpoint)
    assert state.emitted == sum(len(b.posts) for b in batches[:4])

    later = start + timedelta(hours=5)
    resumed = SimulatorSource(
        scenario="product_launch", seed=2, rate_per_min=300, tick_s=0.05, clock=_stepping_clock(later, 10.0)
    )
    after = [p for b in await _collect(resumed, checkpoint, 4) for p in b.posts]
    assert after
    earlier_ids = {p.id for b in batches[:4] for p in b.posts}
    later_ids = {p.id for b in batches[4:] for p in b.posts}
    resumed_ids = {p.id for p in after}
    assert not resumed_ids & earlier_ids  # nothing delivered twice
    assert resumed_ids <= later_ids  # the same story, the same ids
    assert min(p.created_at for p in after) >= later  # but told now


async def test_checkpoint_of_another_scenario_starts_afresh() -> None:
    start = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    other = SimulatorCheckpoint(start, 3600.0, 10, "live_event", 2).dumps()
    source = SimulatorSource(
        scenario="quiet_day",
        seed=2,
        rate_per_min=600,
        start=start,
        tick_s=0.05,
        clock=_stepping_clock(start, 5.0),
    )
    batch = (await _collect(source, other, 1))[0]
    assert SimulatorCheckpoint.loads(batch.checkpoint or "").emitted == len(batch.posts)


def test_garbled_checkpoint_is_named() -> None:
    with pytest.raises(ValueError, match="simulator checkpoint"):
        SimulatorCheckpoint.loads("{not json")


def test_async_generator_closes_cleanly() -> None:
    source = SimulatorSource(rate_per_min=6000, tick_s=0.05)
    batches = asyncio.run(_collect(source, None, 2))
    assert len(batches) == 2
