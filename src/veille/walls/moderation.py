"""What a wall lets through: its filters, its moderation rules and its moderators' decisions.

This is the one place that decides whether a post reaches a wall's screens (the wall's stream, its
posts, its kiosk links): :func:`admits`. The front end never re-decides; it shows what the wall's
routes send and removes what they say was hidden.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from veille.model import Post
from veille.query.view_filters import DashboardFilters
from veille.text import fold, url_spans
from veille.walls.models import Moderation

__all__ = [
    "PRESET_HOURS",
    "Decision",
    "admits",
    "blocked_term",
    "matches_filters",
    "range_start",
    "rule_reason",
]

Decision = Literal["approved", "hidden", "pinned"]
PRESET_HOURS = {"24h": 24, "7d": 24 * 7, "30d": 24 * 30}

# Scripts written without spaces between words: a term is found anywhere in the text; elsewhere it
# must stand as a word ("ass" does not block "class").
_UNSPACED = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x2E80, 0x9FFF),  # CJK radicals, kana, ideographs
    (0xAC00, 0xD7AF),  # Hangul syllables (particles stick to words)
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0x20000, 0x2FFFF),
)


def _word_char(ch: str) -> bool:
    category = unicodedata.category(ch)
    return category[0] in "LM" or category == "Nd"


def _unspaced(ch: str) -> bool:
    code = ord(ch)
    return any(low <= code <= high for low, high in _UNSPACED)


def _needs_boundary(ch: str) -> bool:
    return _word_char(ch) and not _unspaced(ch)


def blocked_term(text: str, blocklist: list[str]) -> str | None:
    """The first blocklist term found in ``text`` (without case or accents), or None."""
    if not blocklist:
        return None
    folded = fold(text)
    for term in blocklist:
        wanted = fold(term)
        if not wanted:
            continue
        start = folded.find(wanted)
        while start >= 0:
            end = start + len(wanted)
            before_ok = not _needs_boundary(wanted[0]) or start == 0 or not _word_char(folded[start - 1])
            after_ok = not _needs_boundary(wanted[-1]) or end == len(folded) or not _word_char(folded[end])
            if before_ok and after_ok:
                return term
            start = folded.find(wanted, start + 1)
    return None


def rule_reason(post: Post, moderation: Moderation) -> str | None:
    """Why the wall's rules keep ``post`` off the screens (``blocklist: <term>``, ``links``…), or None."""
    term = blocked_term(post.text, moderation.blocklist)
    if term is None and post.author.name:
        term = blocked_term(post.author.name, moderation.blocklist)
    if term is None:
        term = blocked_term(post.author.handle, moderation.blocklist)
    if term is not None:
        return f"blocklist: {term}"
    if moderation.hide_links and (post.links or url_spans(post.text)):
        return "links"
    if moderation.min_followers and (post.author.followers or 0) < moderation.min_followers:
        return "followers"
    if moderation.hide_reposts and post.repost_of:
        return "repost"
    if moderation.hide_duplicates and post.duplicate_of:
        return "duplicate"
    return None


def range_start(filters: DashboardFilters, now: datetime) -> datetime:
    """Where the filters' period starts: ``now`` less the preset, or the custom range's start."""
    if isinstance(filters.range, str):
        return now - timedelta(hours=PRESET_HOURS[filters.range])
    return filters.range.bounds(ZoneInfo(filters.tz))[0].astimezone(UTC)


def matches_filters(post: Post, filters: DashboardFilters, *, now: datetime | None = None) -> bool:
    """Does ``post`` count under the wall's filters (topics, countries, languages, sources, sentiment,
    duplicates, period)?"""
    if filters.topics and not {topic.name for topic in post.topics} & set(filters.topics):
        return False
    if filters.countries and post.country not in filters.countries:
        return False
    if filters.languages and post.lang not in filters.languages:
        return False
    if filters.sources and post.source not in filters.sources:
        return False
    if filters.sentiment and (post.sentiment is None or post.sentiment.label not in filters.sentiment):
        return False
    if not filters.include_duplicates and post.duplicate_of:
        return False
    if not isinstance(filters.range, str):
        start, end = filters.range.bounds(ZoneInfo(filters.tz))
        if not start <= post.created_at < end:
            return False
    elif now is not None and post.created_at < range_start(filters, now):
        return False
    return True


def admits(
    post: Post,
    *,
    filters: DashboardFilters,
    moderation: Moderation,
    decision: Decision | None,
    now: datetime | None = None,
) -> bool:
    """Does ``post`` reach the wall's screens? Hidden never; the filters always apply; an approval
    or a pin overrides the rules; in ``pre`` mode nothing else is shown."""
    if decision == "hidden":
        return False
    if not matches_filters(post, filters, now=now):
        return False
    if decision in ("approved", "pinned"):
        return True
    if moderation.mode == "pre":
        return False
    return rule_reason(post, moderation) is None
