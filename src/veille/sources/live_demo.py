"""``veille demo --live``: a Bluesky Jetstream source (public, no credentials) for the demo.

The demo's topics are written against the simulator's vocabulary (:data:`TAXONOMY` and the
profile's brands), so the source keeps the real posts using that vocabulary: with the hub's topics
when it has some (``default_to_topics``), else with the same words as Jetstream keywords.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from veille.settings import Settings

__all__ = ["JETSTREAM_URL", "LIVE_SOURCE_NAME", "live_demo_table", "with_source_tables"]

JETSTREAM_URL = "wss://jetstream2.us-east.bsky.network/subscribe"
LIVE_SOURCE_NAME = "bluesky-live"


def live_demo_table(endpoint: str = JETSTREAM_URL, *, name: str = LIVE_SOURCE_NAME) -> dict[str, Any]:
    """The ``[[sources]]`` table of the live demo (keywords: the demo taxonomy's and brands' words)."""
    from veille.sources.simulator.profile import TAXONOMY, default_profile

    keywords: list[str] = []
    hashtags: list[str] = []
    for essential in TAXONOMY.values():
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
        "keywords": sorted({word for word in keywords if len(word) >= 3}, key=str.lower),
        "hashtags": sorted(set(hashtags), key=str.lower),
        "default_to_topics": True,
        # Jetstream carries dozens of posts a second: a minute without a match means trouble.
        "silent_after_s": 300.0,
    }


def with_source_tables(settings: Settings, tables: Sequence[dict[str, Any]]) -> Settings:
    """A copy of ``settings`` whose ``[[sources]]`` has ``tables`` appended."""
    return settings.model_copy(update={"sources": [*settings.sources, *tables]})
