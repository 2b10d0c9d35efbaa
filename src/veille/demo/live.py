"""What feeds ``veille demo``: the scenario simulator, or (``--live``) Bluesky's public Jetstream.

The demo's topics are written against the simulator's vocabulary (:func:`vocabulary` and the
profile's brands), so the Jetstream source keeps the real posts using that vocabulary: with the
hub's topics when it has some (``default_to_topics``), else with the same words as Jetstream keywords.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the CLI reads JETSTREAM_URL when it starts: keep this module's imports light
    from veille.contracts import Source
    from veille.settings import Settings

__all__ = [
    "JETSTREAM_URL",
    "LIVE_SOURCE_NAME",
    "RISING_HOURS_BEFORE",
    "SIMULATOR_SOURCE_NAME",
    "demo_sources",
    "live_demo_table",
    "with_source_tables",
]

# Bluesky's public Jetstream (no account needed); `veille demo --live-endpoint` replaces it.
JETSTREAM_URL = "wss://jetstream2.us-east.bsky.network/subscribe"
LIVE_SOURCE_NAME = "bluesky-live"
SIMULATOR_SOURCE_NAME = "simulator"
RISING_HOURS_BEFORE = 10.0


def demo_sources(
    *, scenario: str, rate: float, seed: int, speed: float = 1.0, history_days: float = 0.0
) -> list[Source]:
    """The simulator running ``scenario`` at ``rate`` posts a minute, ``speed`` times faster, after
    ``history_days`` of ordinary days (0: none); ValueError names a bad scenario."""
    from datetime import UTC, datetime, timedelta

    from veille.demo.simulator import SimulatorSource, scenario_names
    from veille.demo.simulator.backlog import HistorySource
    from veille.demo.simulator.engine import RisingQuestions

    if scenario not in scenario_names():
        raise ValueError(f"no scenario {scenario!r}; known: {', '.join(scenario_names())}")
    if speed <= 0:
        raise ValueError("speed must be positive")
    # Questions on a sub-topic our accounts never cover start rising some hours before the demo
    # starts, so that the editorial radar has it on top from the first minute (docs/editorial.md).
    rising = RisingQuestions(start=datetime.now(UTC) - timedelta(hours=RISING_HOURS_BEFORE))
    sources: list[Source] = []
    if history_days > 0:
        sources.append(HistorySource(days=history_days, rate_per_min=rate, seed=seed, rising=rising))
    sources.append(
        SimulatorSource(
            name=SIMULATOR_SOURCE_NAME,
            scenario=scenario,
            seed=seed,
            rate_per_min=rate,
            speed=speed,
            rising=rising,
        )
    )
    return sources


def live_demo_table(endpoint: str = JETSTREAM_URL, *, name: str = LIVE_SOURCE_NAME) -> dict[str, Any]:
    """The ``[[sources]]`` table of the live demo (keywords: the demo vocabulary's and brands' words)."""
    from veille.demo.simulator.profile import default_profile, vocabulary

    keywords: list[str] = []
    hashtags: list[str] = []
    for essential in vocabulary().values():
        for words in essential.get("keywords", {}).values():
            keywords.extend(words)
        hashtags.extend(essential.get("hashtags", []))
    for terms in default_profile().brand_terms().values():
        keywords.extend(terms["names"] + terms["products"])
        hashtags.extend(terms["hashtags"])
    return {
        "type": "bluesky",
        "name": name,
        "endpoint": endpoint,
        # A short word ("TV", "pro") matches too much of the whole network to be worth showing.
        "keywords": sorted({word for word in keywords if len(word) >= 3}, key=_alphabetical),
        "hashtags": sorted(set(hashtags), key=_alphabetical),
        "default_to_topics": True,
        # Jetstream carries dozens of posts a second: a minute without a match means trouble.
        "silent_after_s": 300.0,
    }


def _alphabetical(word: str) -> tuple[str, str]:
    """Case-blind order; "Internet" before "internet", whatever order the set gave them in."""
    return (word.lower(), word)


def with_source_tables(settings: Settings, tables: Sequence[dict[str, Any]]) -> Settings:
    """A copy of ``settings`` whose ``[[sources]]`` has ``tables`` appended."""
    return settings.model_copy(update={"sources": [*settings.sources, *tables]})
