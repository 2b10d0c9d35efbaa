"""Posts with known topics, countries, languages, sentiments, duplicates and metrics, set directly.

They span the night Europe/Paris moves to summer time (2026-03-29) and land on arbitrary seconds,
so ranges not aligned on minutes or hours, and local days of 23 hours, are exercised.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from veille.model import Post

__all__ = ["END", "ODD_END", "ODD_START", "START", "TOPICS", "build_posts", "changed_copy"]

START = datetime(2026, 3, 27, 0, 0, tzinfo=UTC)
END = datetime(2026, 4, 2, 0, 0, tzinfo=UTC)
# Ranges on odd seconds, so every piece (hours, minutes, posts at the edges) is read; posts crowd
# around them so that a piece reading a second too much or too little shows.
ODD_START = START + timedelta(hours=5, minutes=7, seconds=13, microseconds=5)
ODD_END = END - timedelta(hours=3, minutes=1, seconds=41)
TOPICS = ("nova", "helix", "orbis", "outage")
SOURCES = ("bluesky", "mastodon", "x")
COUNTRIES = ("FR", "ES", "DE", None)
LANGS = ("fr", "es", "en", None)
LABELS = ("positive", "neutral", "negative", None)
HASHTAGS = ("#Panne", "#nova", "#Fibre", "#5G", "#wifi")
LINKS = (
    "https://www.example.org/a",
    "https://news.example.com/b",
    "http://blog.test/c?x=1",
    "https://example.org/d",
)


def _post(rng: random.Random, index: int) -> Post:
    if index % 3 == 0:
        edge = rng.choice((ODD_START, ODD_END))
        created = edge + timedelta(seconds=rng.uniform(-3600, 3600))
        if rng.random() < 0.3:
            created = edge + timedelta(seconds=rng.uniform(-60, 60))
    else:
        seconds = rng.randrange(int((END - START).total_seconds()) + 3600) - 1800  # some just outside
        created = START + timedelta(seconds=seconds, microseconds=rng.randrange(1_000_000))
    words = ["post", str(index)]
    words += rng.sample(HASHTAGS, rng.randrange(3))
    if rng.random() < 0.1:
        words.append("#Panne")  # repeated in the same post: counts once
    if rng.random() < 0.4:
        words.append(rng.choice(LINKS))
    label = rng.choice(LABELS)
    duplicate_of = f"bluesky:{index - 1}" if index and rng.random() < 0.2 else None
    source = rng.choice(SOURCES)
    return Post.model_validate(
        {
            "id": f"{source}:{index}",
            "source": source,
            "created_at": created,
            "text": " ".join(words),
            "lang": rng.choice(LANGS),
            "country": rng.choice(COUNTRIES),
            "author": {
                "handle": f"author{rng.randrange(40)}",
                "followers": rng.choice([None, 0, rng.randrange(100_000)]),
            },
            "links": [rng.choice(LINKS)] if rng.random() < 0.2 else [],
            "metrics": {
                "likes": rng.choice([None, rng.randrange(500)]),
                "reposts": rng.choice([None, rng.randrange(50)]),
                "replies": rng.randrange(20),
                "views": rng.choice([None, rng.randrange(10_000)]),
            },
            "sentiment": None if label is None else {"label": label, "score": 0.5},
            "topics": [
                {"name": name, "spans": [[0, 4]]} for name in rng.sample(TOPICS, rng.choice([0, 1, 1, 2, 3]))
            ],
            "duplicate_of": duplicate_of,
        }
    )


def build_posts(count: int = 600, seed: int = 5) -> list[Post]:
    rng = random.Random(seed)
    return [_post(rng, index) for index in range(count)]


def changed_copy(post: Post, rng: random.Random) -> Post:
    """The same post id, re-delivered with what enrichment and platforms change."""
    label = rng.choice(LABELS)
    update = {
        "sentiment": None if label is None else {"label": label, "score": -0.5},
        "topics": [{"name": name, "spans": []} for name in rng.sample(TOPICS, rng.randrange(3))],
        "country": rng.choice(COUNTRIES),
        "duplicate_of": None if post.duplicate_of else "x:0",
        "metrics": {"likes": rng.randrange(900), "reposts": None, "replies": 1, "views": None},
    }
    return Post.model_validate(post.to_json_dict() | update)
