"""Realistic posts for the wall's screenshots: several platforms, French and English, influencers
and customers, with a sentiment that a test-only stage copies from the post's unknown fields."""

from __future__ import annotations

from typing import Any

from veille.model import Post, Sentiment

__all__ = ["DEMO_POSTS", "DemoSentimentStage"]

_SCORES = {"positive": 0.7, "neutral": 0.0, "negative": -0.7}


class DemoSentimentStage:
    """Sets ``sentiment`` from the ``demo_sentiment`` field kept in ``extra`` (tests only)."""

    name = "demo-sentiment"

    def process(self, posts: list[Post]) -> list[Post]:
        for post in posts:
            label = post.extra.get("demo_sentiment")
            if label in _SCORES:
                post.sentiment = Sentiment(label=label, score=_SCORES[label], model="demo")
        return posts


# (source, handle, name, followers, verified, text, sentiment, likes, reposts, replies, minutes ago)
_ROWS: list[tuple[str, str, str | None, int | None, bool, str, str | None, int, int, int, float]] = [
    (
        "bluesky",
        "claire.dubois.bsky.social",
        "Claire Dubois",
        48_200,
        True,
        "La nouvelle #Livebox 7 est arrivée ce matin : installation en 10 minutes, wifi nettement plus stable dans tout l'appartement. Bravo @orange_fr 👏",
        "positive",
        132,
        18,
        9,
        1.5,
    ),
    (
        "mastodon",
        "techwatch@mastodon.social",
        "TechWatch",
        12_345,
        False,
        "Keynote day! Live thread on the new #5G home router and what it means for rural coverage. Slides: https://example.org/keynote-2026/slides",
        "neutral",
        54,
        21,
        4,
        2.5,
    ),
    (
        "x",
        "jm_lefevre",
        "Jean-Marc Lefèvre",
        1_230_000,
        True,
        "Panne géante chez #Orange ce soir : plus d'internet ni de TV depuis 19h. Des milliers de clients touchés. #panne",
        "negative",
        2_400,
        870,
        312,
        3,
    ),
    (
        "reddit",
        "throwaway_fiber",
        None,
        None,
        False,
        "Anyone else getting packet loss since the firmware update last night? Support told me to reboot the box… third time this week.",
        "negative",
        87,
        0,
        46,
        4,
    ),
    (
        "simulator",
        "sophie_k",
        "Sophie K.",
        830,
        False,
        "Le paiement mobile au marché, c'est magique ✨ #OrangeMoney",
        "positive",
        12,
        1,
        0,
        4.5,
    ),
    (
        "youtube",
        "GadgetLab",
        "Gadget Lab",
        2_900_000,
        True,
        "Unboxing the #Livebox7 — is wifi 7 worth it? Full review and speed tests inside.",
        "neutral",
        5_100,
        0,
        640,
        6,
    ),
    (
        "hackernews",
        "pg_fan",
        None,
        4_210,
        False,
        "Show HN: an open-source social wall that runs on one machine with SQLite and SSE",
        None,
        312,
        0,
        120,
        7,
    ),
    (
        "rss",
        "numerama",
        "Numerama",
        310_000,
        False,
        "Protection des données : ce que change le nouveau règlement européen pour les opérateurs télécoms",
        "neutral",
        0,
        0,
        0,
        8,
    ),
    (
        "push",
        "orange_fr",
        "Orange France",
        987_000,
        True,
        "@jm_lefevre Bonsoir, nos équipes sont mobilisées : le service revient progressivement dans les zones touchées. Merci de votre patience 🙏 #panne",
        "neutral",
        310,
        44,
        129,
        9,
    ),
    (
        "bluesky",
        "nadia.b",
        "Nadia Benali",
        2_450,
        False,
        "Trois heures au téléphone avec le service client pour résilier… @sfr sérieusement ? #SAV",
        "negative",
        31,
        6,
        11,
        10,
    ),
    (
        "mastodon",
        "ops@fediverse.example",
        "Ops Team",
        640,
        False,
        "Maintenance window tonight 01:00–03:00 CET on the #fiber backbone. No action needed.",
        "neutral",
        8,
        3,
        0,
        12,
    ),
    (
        "x",
        "emma_travels",
        "Emma Wilson",
        67_800,
        False,
        "Roaming in 12 countries this summer and not a single surprise on the bill. That's how it should be. #travel #5G",
        "positive",
        940,
        102,
        38,
        13,
    ),
    (
        "simulator",
        "lucas.m",
        "Lucas Moreau",
        310,
        False,
        "Quelqu'un sait si la #Livebox gère le wifi 7 sur les deux bandes ? 🤔",
        None,
        2,
        0,
        3,
        15,
    ),
    (
        "reddit",
        "homelab_hero",
        None,
        15_600,
        False,
        "PSA: the new box finally supports bridge mode. Took them long enough but it works perfectly with my own router. #homelab",
        "positive",
        430,
        0,
        77,
        16,
    ),
    (
        "push",
        "bouyguestelecom",
        "Bouygues Telecom",
        812_000,
        True,
        "Nouvelle offre fibre 8 Gb/s : découvrez les détails dès aujourd'hui. #fibre",
        "neutral",
        220,
        35,
        61,
        18,
    ),
    (
        "bluesky",
        "dr.hugo.lambert",
        "Dr Hugo Lambert",
        23_100,
        True,
        "Excellent panel sur la santé connectée à #VivaTech : les objets connectés à domicile changent vraiment le suivi des patients âgés.",
        "positive",
        188,
        40,
        12,
        19,
    ),
    (
        "file",
        "archive",
        "Archive import",
        None,
        False,
        "Customer feedback survey, Q3: satisfaction up 4 points on mobile, down 2 on home internet.",
        "neutral",
        0,
        0,
        0,
        21,
    ),
    (
        "x",
        "sarah_dev",
        "Sarah Chen",
        9_870,
        False,
        "The new app's dark mode is 🔥 and the bill breakdown is finally readable. #UX",
        "positive",
        76,
        9,
        5,
        23,
    ),
    (
        "mastodon",
        "privacy_now@eupolicy.example",
        "Privacy Now",
        41_000,
        False,
        "Reminder: you can ask your operator for every piece of data they hold about you (GDPR art. 15). Template letter: https://example.org/gdpr-letter",
        "neutral",
        620,
        410,
        33,
        25,
    ),
    (
        "simulator",
        "marie_p",
        "Marie P.",
        1_980,
        False,
        "Toujours pas de réseau dans le métro ligne 14 🙄 #RATP #reseau",
        "negative",
        45,
        8,
        6,
        27,
    ),
    (
        "bluesky",
        "ines.garcia",
        "Inès García",
        5_400,
        False,
        "#VivaTech day 2: the robot barista is the real star 🤖☕",
        "positive",
        64,
        11,
        2,
        30,
    ),
    (
        "x",
        "fr_consumer",
        "60 Millions de consommateurs",
        540_000,
        True,
        "Enquête : les frais cachés des box internet passés au crible. Résultats jeudi. #conso",
        "neutral",
        1_100,
        560,
        90,
        33,
    ),
    (
        "reddit",
        "cable_guy_77",
        None,
        220,
        False,
        "Technician came on time, ran the fiber in 30 minutes, cleaned up after. 10/10.",
        "positive",
        150,
        0,
        14,
        36,
    ),
    (
        "push",
        "free",
        "Free",
        1_540_000,
        True,
        "Le wifi 7 arrive sur toutes nos box. Mise à jour automatique cette nuit. #Freebox",
        "neutral",
        3_200,
        410,
        870,
        40,
    ),
]


def _demo_posts() -> list[dict[str, Any]]:
    posts: list[dict[str, Any]] = []
    for index, row in enumerate(_ROWS):
        source, handle, name, followers, verified, text, sentiment, likes, reposts, replies, minutes = row
        author: dict[str, Any] = {"handle": handle, "verified": verified}
        if name is not None:
            author["name"] = name
        if followers is not None:
            author["followers"] = followers
        post: dict[str, Any] = {
            "id": f"{source}:demo-{index}",
            "source": source,
            "text": text,
            "author": author,
            "metrics": {"likes": likes, "reposts": reposts, "replies": replies},
            "minutes_ago": minutes,
        }
        if sentiment is not None:
            post["demo_sentiment"] = sentiment
        posts.append(post)
    return posts


DEMO_POSTS = _demo_posts()
