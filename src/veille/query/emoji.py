"""Emoji as query terms: ``(😃 OR 😡) 😬`` as X documents it, matched against the emoji of a post.

An emoji is not a token (tokens are letters and digits, spec §1), so a query emoji is matched against
the post's emoji sequences, read with the rule of :mod:`veille.enrich.entities` (a pictograph, or a
flag's two regional indicators, or a keycap, with its variation selector and skin tone, and further
pictographs joined by ZERO WIDTH JOINER). Variation selectors are ignored on both sides (``❤`` and
``❤️`` are one emoji); a query emoji without a skin tone matches every skin tone, one with a skin tone
only that one.
"""

from __future__ import annotations

import re

__all__ = ["EMOJI_RE", "emoji_keys", "normalise_emoji", "split_emoji_run"]

# The same reading as veille.enrich.entities, so a dashboard's emoji and a query's agree.
_PICTOGRAPH = (
    "[\U0001f300-\U0001f5ff\U0001f600-\U0001f64f\U0001f680-\U0001f6ff\U0001f900-\U0001f9ff"
    "\U0001fa70-\U0001faff\U0001f004\U0001f0cf\U0001f170-\U0001f251\u2600-\u27bf\u2b05-\u2b55"
    "\u231a\u231b\u2328\u23cf-\u23fa\u24c2\u25aa-\u25fe\u2934\u2935\u3030\u303d\u3297\u3299"
    "\u203c\u2049\u2122\u2139\u2194-\u21aa\u00a9\u00ae]"
)
_MODIFIERS = "[\ufe0e\ufe0f\U0001f3fb-\U0001f3ff]*"
EMOJI_RE = re.compile(
    r"[\U0001f1e6-\U0001f1ff]{2}"
    r"|[0-9#*]\ufe0f?\u20e3"
    rf"|{_PICTOGRAPH}{_MODIFIERS}(?:\u200d{_PICTOGRAPH}{_MODIFIERS})*"
)
_SELECTORS_RE = re.compile("[\ufe0e\ufe0f]")
_SKIN_TONES_RE = re.compile("[\U0001f3fb-\U0001f3ff]")


def normalise_emoji(emoji: str) -> str:
    """An emoji without its variation selectors (the form queries store and views index)."""
    return _SELECTORS_RE.sub("", emoji)


def emoji_keys(emoji: str) -> tuple[str, ...]:
    """The keys an emoji of a post is found under: itself, and without its skin tones when it has any."""
    plain = normalise_emoji(emoji)
    toneless = _SKIN_TONES_RE.sub("", plain)
    return (plain,) if toneless == plain else (plain, toneless)


def split_emoji_run(run: str) -> list[str] | None:
    """The emoji of a query word made only of emoji (``😃😡`` → two), or None if anything else is in it."""
    found: list[str] = []
    position = 0
    while position < len(run):
        hit = EMOJI_RE.match(run, position)
        if hit is None:
            return None
        found.append(normalise_emoji(hit.group()))
        position = hit.end()
    return found or None
