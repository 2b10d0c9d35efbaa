"""Hand-made posts for the insights tests: hashtags with a steady hourly rate and one that bursts in
the last hour, a small mention/repost/reply graph, and our brand account's posts in every format.

Every figure the tests check is recomputed from these ``Post`` objects in plain Python (``oracle.py``).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from veille.accounts import AccountSpec
from veille.model import Post

__all__ = ["ACCOUNTS", "END", "GRAPH_START", "START", "build_posts"]

START = datetime(2026, 5, 4, 0, 0, tzinfo=UTC)
END = datetime(2026, 5, 6, 13, 0, tzinfo=UTC)  # the last hour, 12:00-13:00 on day 3, is the burst
GRAPH_START = datetime(2026, 5, 6, 8, 0, tzinfo=UTC)
ACCOUNTS = [
    AccountSpec(platform="x", handle="NovaTelecom_FR", brand="Nova Telecom", country="FR", ours=True),
    AccountSpec(platform="bluesky", handle="nova.bsky.social", brand="Nova Telecom", country="FR", ours=True),
    AccountSpec(platform="x", handle="HelixTelecom_FR", brand="Helix Telecom", country="FR", ours=False),
]
_STEADY = ("fibre", "wifi", "football")


def _post(index: int, created: datetime, text: str, **fields: object) -> Post:
    author = fields.pop("author", {"handle": f"user{index % 37}", "followers": 100 + index % 500})
    values = {
        "id": f"{fields.pop('source', 'x')}:{index}" if "id" not in fields else fields.pop("id"),
        "source": "x",
        "created_at": created,
        "text": text,
        "author": author,
        **fields,
    }
    if "source" not in fields:
        values["source"] = values["id"].split(":", 1)[0]  # type: ignore[union-attr]
    return Post.model_validate(values)


def build_posts() -> list[Post]:
    rng = random.Random(20260506)
    found: list[Post] = []
    index = 0
    hours = int((END - START).total_seconds() // 3600)
    for hour in range(hours):
        moment = START + timedelta(hours=hour)
        last = hour == hours - 1
        for tag in _STEADY:
            for _ in range(rng.randint(3, 6)):
                index += 1
                created = moment + timedelta(seconds=rng.randrange(3600))
                country = rng.choice(("FR", "ES", None))
                found.append(
                    _post(
                        index, created, f"Le match et la #{tag} ce soir {index}", country=country, lang="fr"
                    )
                )
        # #PanneNova: once a day at this hour before, then a burst in the last hour.
        burst = 24 if last else (1 if moment.hour == 12 else 0)
        for _ in range(burst):
            index += 1
            created = moment + timedelta(seconds=rng.randrange(3600))
            text = f"Grosse coupure chez Nova depuis ce matin #PanneNova #fibre n{index}"
            found.append(_post(index, created, text, country="FR", lang="fr", metrics={"likes": index % 7}))
    found += _graph_posts(index + 1)
    found += _our_posts(index + 1000)
    return found


def _graph_posts(first: int) -> list[Post]:
    """alice (journalist, 90k followers) is reposted and replied to; bob mentions carol; dave is ignored."""
    at = GRAPH_START
    people = {
        "alice": {"handle": "Alice", "followers": 90_000, "bio": "Journaliste tech au Quotidien."},
        "bob": {"handle": "bob", "followers": 300, "bio": "Papa, fan de vélo"},
        "carol": {"handle": "carol", "followers": 5_000, "bio": "Députée de la 3e circonscription"},
        "dave": {"handle": "dave", "followers": 20},
        "erin": {"handle": "erin", "followers": 1_200, "bio": "Blogueuse high-tech"},
    }
    posts = [
        _post(first, at, "Panne géante chez Nova, on enquête", author=people["alice"], id="x:alice1",
              country="FR", metrics={"likes": 400, "reposts": 80, "replies": 12}),
        _post(first + 1, at + timedelta(minutes=5), "RT @Alice: Panne géante chez Nova", author=people["bob"],
              id="x:bob-rt", repost_of="x:alice1", country="FR", metrics={"likes": 0}),
        _post(first + 2, at + timedelta(minutes=6), "RT @Alice: Panne géante chez Nova", author=people["dave"],
              id="x:dave-rt", repost_of="x:alice1", country="FR"),
        _post(first + 3, at + timedelta(minutes=7), "@Alice pareil ici à Lyon", author=people["erin"],
              id="x:erin-reply", reply_to="x:alice1", country="FR", metrics={"likes": 3, "replies": 1}),
        _post(first + 4, at + timedelta(minutes=8), "@carol @Alice il faut agir", author=people["bob"],
              id="x:bob-2", country="FR", metrics={"likes": 2}),
        _post(first + 5, at + timedelta(minutes=9), "Je saisis l'Arcep", author=people["carol"], id="x:carol-1",
              country="FR", quote_of="x:alice1", metrics={"likes": 150, "reposts": 20, "replies": 9}),
        _post(first + 6, at + timedelta(minutes=10), "@erin merci pour le test", author=people["dave"],
              id="x:dave-2", country="ES", metrics={"likes": 1}),
        # A reply to a post that is not stored: no edge.
        _post(first + 7, at + timedelta(minutes=11), "bof", author=people["dave"], id="x:dave-3",
              reply_to="x:missing", country="FR"),
        # Same handle on another platform: another person.
        _post(first + 8, at + timedelta(minutes=12), "@alice coucou", author={"handle": "zed", "followers": 9},
              id="bluesky:zed-1", country="FR"),
    ]  # fmt: skip
    return posts


def _our_posts(first: int) -> list[Post]:
    """Our accounts' posts: text, link, image (extra.media), video (YouTube link), a reply (not content)."""
    at = datetime(2026, 5, 5, 6, 30, tzinfo=UTC)
    nova_x = {"handle": "NovaTelecom_FR", "followers": 40_000}
    nova_bsky = {"handle": "nova.bsky.social", "followers": 8_000}
    helix = {"handle": "HelixTelecom_FR", "followers": 30_000}
    rows = [
        ("x:our-text", nova_x, "Bonne journée à tous", {}, 0, {"likes": 100, "reposts": 10, "replies": 5, "views": 20_000}),
        ("x:our-link", nova_x, "Notre offre https://nova.example/offre", {}, 3, {"likes": 40, "reposts": 2, "replies": 1, "views": 10_000}),
        ("x:our-image", nova_x, "Regardez ça", {"media": [{"type": "photo"}]}, 5, {"likes": 500, "reposts": 50, "replies": 10, "views": 30_000}),
        ("x:our-video", nova_x, "Le live https://youtu.be/abc", {}, 12, {"likes": 900, "reposts": 90, "replies": 30}),
        ("bluesky:our-image", nova_bsky, "Photo du jour", {"media": [{"type": "image"}]}, 13, {"likes": 80, "reposts": 4, "replies": 2}),
        ("bluesky:our-none", {"handle": "nova.bsky.social"}, "Sans audience connue", {}, 14, {"likes": 1}),
        ("x:our-reply", nova_x, "@client désolé, on regarde", {}, 15, {"likes": 1}),
        ("x:helix-1", helix, "Chez Helix aussi https://helix.example", {}, 16, {"likes": 9999, "views": 10}),
        # Our handle on a platform where it is not registered: someone else.
        ("mastodon:fake", {"handle": "NovaTelecom_FR", "followers": 10}, "imposteur", {}, 17, {"likes": 5000}),
    ]  # fmt: skip
    posts = []
    for offset, (post_id, author, text, extra, hours, metrics) in enumerate(rows):
        posts.append(
            _post(
                first + offset,
                at + timedelta(hours=hours),
                text,
                id=post_id,
                author=author,
                extra=extra,
                metrics=metrics,
                country="FR",
                reply_to="x:someone" if post_id == "x:our-reply" else None,
                topics=[{"name": "nova"}] + ([{"name": "offers"}] if "link" in post_id else []),
            )
        )
    return posts
