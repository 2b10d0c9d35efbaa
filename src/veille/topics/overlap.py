"""The topic editor's duplicate check, limited to what the writer may see: the preview's overlaps
(topics that share matches with a query) keep only the visible topics and name their owner team,
and topics whose query says nearly the same words are called out even before any post matches."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from veille.topics.models import Topic

__all__ = ["SIMILAR_WORDS", "owner_teams", "similar_topics", "visible_overlaps"]

# Share of the words two queries have in common (of all their words) from which they look alike.
SIMILAR_WORDS = 0.6
_WORD = re.compile(r"[\w#@]+", re.UNICODE)
_OPERATORS = {"and", "or", "not", "near", "lang", "country", "source", "topic", "author"}


def _words(query: str) -> set[str]:
    return {word for word in (match.casefold() for match in _WORD.findall(query)) if word not in _OPERATORS}


def visible_overlaps(overlaps: Iterable[dict[str, Any]], topics: dict[str, Topic]) -> list[dict[str, Any]]:
    """The overlaps with topics in ``topics`` (those the writer sees), as they were."""
    return [overlap for overlap in overlaps if overlap["topic"] in topics]


def owner_teams(names: Iterable[str], topics: dict[str, Topic]) -> dict[str, str | None]:
    """Each named topic's owner team (the topics' names are keys of ``topics``)."""
    return {name: topics[name].owner_team for name in names if name in topics}


def similar_topics(
    query: str, topics: Iterable[Topic], *, exclude: str | None = None
) -> list[dict[str, Any]]:
    """Visible topics whose query shares at least :data:`SIMILAR_WORDS` of the words, most alike first."""
    mine = _words(query)
    found = []
    for topic in topics:
        if topic.name == exclude or not mine:
            continue
        theirs = _words(topic.query)
        if not theirs:
            continue
        share = len(mine & theirs) / len(mine | theirs)
        if share >= SIMILAR_WORDS:
            found.append(
                {
                    "topic": topic.name,
                    "label": topic.label,
                    "owner_team": topic.owner_team,
                    "similarity": round(share, 3),
                }
            )
    return sorted(found, key=lambda item: (-item["similarity"], item["topic"]))
