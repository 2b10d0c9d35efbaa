"""A whole scenario over a past time range, as fast as the CPU allows (backfills and benchmark files)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

from veille.demo.simulator.engine import Draft, Engine, RisingQuestions, Timeline
from veille.demo.simulator.profile import CompanyProfile, default_profile
from veille.demo.simulator.scenarios import Scenario, get_scenario
from veille.model import Post

__all__ = ["DEFAULT_RATE_PER_MIN", "generate_history", "iter_history_drafts"]

DEFAULT_RATE_PER_MIN = 120.0
_STEP_S = 300.0
_FUTURE_TOLERANCE = timedelta(minutes=5)


def _check_range(start: datetime, end: datetime) -> None:
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end need a time zone (e.g. 2026-11-28T09:00:00+00:00)")
    if end <= start:
        raise ValueError("end must be after start")
    if end > datetime.now(UTC) + _FUTURE_TOLERANCE:
        raise ValueError("end is in the future: posts cannot be created more than 5 minutes ahead")


def _engine(
    scenario: Scenario,
    profile: CompanyProfile,
    *,
    seed: int,
    rate_per_min: float,
    start: datetime,
    seconds: float,
    stretch: bool,
    geotag_share: float,
    rising: RisingQuestions | None = None,
) -> Engine:
    per_minute = seconds / scenario.minutes if stretch else 60.0
    return Engine(
        profile=profile,
        scenario=scenario,
        seed=seed,
        rate_per_min=rate_per_min,
        timeline=Timeline(scenario, seconds_per_minute=per_minute, loop=not stretch),
        origin=start,
        delay_scale=1.0,
        diurnal=scenario.diurnal,
        geotag_share=geotag_share,
        rising=rising,
    )


def _drafts(engine: Engine, seconds: float) -> Iterator[Draft]:
    limit = 0.0
    while limit < seconds:
        limit = min(seconds, limit + _STEP_S)
        yield from engine.drain(limit)


def iter_history_drafts(
    start: datetime,
    end: datetime,
    *,
    scenario: str = "quiet_day",
    profile: CompanyProfile | None = None,
    seed: int = 1,
    rate_per_min: float | None = None,
    count: int | None = None,
    stretch: bool = True,
    geotag_share: float = 0.2,
    rising: RisingQuestions | None = None,
) -> Iterator[Draft]:
    """Like :func:`generate_history` but yields the engine's drafts (``draft.to_post(start, name)``)."""
    _check_range(start, end)
    chosen = get_scenario(scenario)
    if count is not None and count < 0:
        raise ValueError("count must not be negative")
    if rate_per_min is not None and rate_per_min < 0:
        raise ValueError("rate_per_min must not be negative")
    seconds = (end - start).total_seconds()
    chosen_profile = profile or default_profile()

    def make(rate: float) -> Engine:
        return _engine(
            chosen,
            chosen_profile,
            seed=seed,
            rate_per_min=rate,
            start=start,
            seconds=seconds,
            stretch=stretch,
            geotag_share=geotag_share,
            rising=rising,
        )

    if count is None:
        return _drafts(make(rate_per_min if rate_per_min is not None else DEFAULT_RATE_PER_MIN), seconds)
    return itertools.islice(_drafts(make(_rate_for(chosen, make, seconds, count, stretch)), seconds), count)


def _rate_for(
    scenario: Scenario, make: Callable[[float], Engine], seconds: float, count: int, stretch: bool
) -> float:
    """The rate that puts at least ``count`` posts in the range (replies, reposts and copies included).

    A dry run aiming at up to 20,000 posts measures how many posts one unit of rate gives (the share
    of follow-ups depends on the scenario); the real run aims a few standard deviations above.
    """
    if count == 0:
        return 0.0

    def dry_run(rate: float) -> int:
        return sum(1 for _ in _drafts(make(rate), seconds))

    minutes = seconds / 60.0
    per_rate = scenario.expected_primaries_per_rate() * minutes / scenario.minutes if stretch else minutes
    sample = min(count, 20_000)
    trial = sample / max(per_rate, 1e-9) / 1.5
    produced = dry_run(trial)
    if produced == 0:
        return trial * count * 2.0
    rate = trial * count / produced
    if count <= 50_000:
        # Small files: the engine is deterministic, so a few dry runs find a rate that fills the
        # range to within 1 % (the last minutes stay populated).
        for _ in range(6):
            produced = dry_run(rate)
            if count <= produced <= count * 1.01 + 3:
                return rate
            rate *= (count * 1.005 + 2) / max(produced, 1)
    return rate * (1.03 + 4.0 / math.sqrt(sample))


def generate_history(
    start: datetime,
    end: datetime,
    *,
    scenario: str = "quiet_day",
    profile: CompanyProfile | None = None,
    seed: int = 1,
    rate_per_min: float | None = None,
    count: int | None = None,
    stretch: bool = True,
    geotag_share: float = 0.2,
    rising: RisingQuestions | None = None,
) -> Iterator[Post]:
    """Posts of ``scenario`` between ``start`` and ``end`` (both in the past), in time order.

    ``stretch`` (default) lays the scenario's phases over the whole range; otherwise phases keep
    their natural length and the scenario repeats. ``rate_per_min`` sets the rate of original posts
    at a phase rate of 1 (default 120); ``count`` instead asks for exactly that many posts (the rate
    is calibrated and the stream stops at ``count``, so the last few minutes of the range may stay
    empty). Replies that would fall after ``end`` are never produced. ``rising`` plants questions
    rising on one sub-topic (:class:`RisingQuestions`). Same arguments, same posts.
    Arguments are checked when this is called, not when the first post is read.
    """
    drafts = iter_history_drafts(
        start,
        end,
        scenario=scenario,
        profile=profile,
        seed=seed,
        rate_per_min=rate_per_min,
        count=count,
        stretch=stretch,
        geotag_share=geotag_share,
        rising=rising,
    )
    name = get_scenario(scenario).name
    return (draft.to_post(start, name) for draft in drafts)
