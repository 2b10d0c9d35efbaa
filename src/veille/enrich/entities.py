"""Entities of a post: hashtags, mentions, links with their domains, cashtags and emojis.

Hashtags, mentions and links follow the query language's reading rules (:mod:`veille.text`), so a
hashtag counted on a dashboard is the one a query matches. Brand mentions come from the topic
monitor, not from here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from veille.model import Post
from veille.text import Span, extract_hashtags, extract_mentions, host_of, inside_spans, url_spans

__all__ = ["EntitiesStage", "extract_cashtags", "extract_emojis", "link_domain"]

# `$TSLA`, `$BRK.B`: letters only, so amounts such as `$100` are not cashtags.
_CASHTAG_RE = re.compile(r"(?<![\w$])\$([A-Za-z]{1,6}(?:\.[A-Za-z]{1,2})?)(?![\w])")

# One emoji: a pictograph (or a pair of regional indicators, a flag; or a keycap), optionally with a
# variation selector and a skin tone, and further pictographs joined by ZERO WIDTH JOINER.
_PICTOGRAPH = (
    "[\U0001f300-\U0001f5ff\U0001f600-\U0001f64f\U0001f680-\U0001f6ff\U0001f900-\U0001f9ff"
    "\U0001fa70-\U0001faff\U0001f004\U0001f0cf\U0001f170-\U0001f251\u2600-\u27bf\u2b05-\u2b55"
    "\u231a\u231b\u2328\u23cf-\u23fa\u24c2\u25aa-\u25fe\u2934\u2935\u3030\u303d\u3297\u3299"
    "\u203c\u2049\u2122\u2139\u2194-\u21aa\u00a9\u00ae]"
)
_MODIFIERS = "[\ufe0f\U0001f3fb-\U0001f3ff]*"
_EMOJI_RE = re.compile(
    r"[\U0001f1e6-\U0001f1ff]{2}"
    r"|[0-9#*]\ufe0f?\u20e3"
    rf"|{_PICTOGRAPH}{_MODIFIERS}(?:\u200d{_PICTOGRAPH}{_MODIFIERS})*"
)


def extract_cashtags(text: str, holes: list[Span] | None = None) -> list[str]:
    """Upper-case tickers of ``$TICKER`` outside links, in order of first appearance.

    ``holes`` are the text's :func:`~veille.text.url_spans`, when the caller has them already.
    """
    if "$" not in text:
        return []
    if holes is None:
        holes = url_spans(text)
    found = []
    for match in _CASHTAG_RE.finditer(text):
        if holes and inside_spans(match.start(), holes):
            continue
        found.append(match.group(1).upper())
    return _unique(found)


def extract_emojis(text: str) -> list[str]:
    """Each emoji occurrence (sequences such as flags or family emojis count as one)."""
    # Every emoji sequence holds a character beyond ASCII (a keycap ends with U+20E3).
    return [] if text.isascii() else _EMOJI_RE.findall(text)


def link_domain(url: str) -> str | None:
    """Registered-looking domain of a link: its lower-case host without a leading ``www.``."""
    host = host_of(url)
    if host is None:
        return None
    return host.removeprefix("www.")


class EntitiesStage:
    """Fills ``hashtags``, ``mentions``, ``links`` and ``entities`` (domains, cashtags, emojis).

    ``post.hashtags``/``mentions``/``links`` behave as in :class:`EntitiesStage`;
    ``post.entities`` gains ``hashtags``, ``mentions``, ``links``, ``domains``, ``cashtags`` and
    ``emojis`` (keys set by other stages are kept).
    """

    name = "entities"

    def process(self, posts: list[Post]) -> list[Post]:
        for post in posts:
            text = post.text
            holes = url_spans(text)  # read once for every kind of entity
            post.hashtags = _unique(tag for tag, _ in extract_hashtags(text, holes))
            post.mentions = _unique(handle for handle, _ in extract_mentions(text, holes))
            links = [*post.links, *(text[start:end] for start, end in holes)]
            post.links = _unique(links)
            domains = _unique(domain for domain in map(link_domain, post.links) if domain)
            post.entities.update(
                hashtags=list(post.hashtags),
                mentions=list(post.mentions),
                links=list(post.links),
                domains=domains,
                cashtags=extract_cashtags(text, holes),
                emojis=extract_emojis(text),
            )
        return posts


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))
