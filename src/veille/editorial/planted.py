"""A planted conversation for measuring the radar: steady question sub-topics, one that rises in the
last day, statements on the same words, and our accounts covering some steady sub-topics.

Used by the tests and by ``python -m veille.benchmarks.radar_quality`` (precision on planted
clusters, written to ``docs/editorial.md``). Every post carries the topic ``TOPIC``; the seed fixes
every choice, so a planting is reproducible.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from veille.accounts import AccountSpec
from veille.model import Post

__all__ = ["OUR_ACCOUNT", "TOPIC", "Planting", "plant"]

TOPIC = "nova"
OUR_ACCOUNT = AccountSpec(platform="x", handle="NovaTelecom", brand="Nova", country="FR", ours=True)

_CITIES = ("Lyon", "Paris", "Lille", "Nantes", "Bordeaux", "Marseille", "Toulouse", "Rennes")
_DEVICES = ("iPhone 15", "Pixel 8", "Galaxy S24", "new phone", "Xiaomi", "iPhone")

# Sub-topic name -> question templates, per language ({city}, {device} slots).
_QUESTIONS: dict[str, dict[str, list[str]]] = {
    "en": {
        "esim": [
            "how do I transfer my eSIM to my {device}?",
            "Can I move the eSIM to a {device} without a QR code?",
            "eSIM transfer stuck on activating on my {device}, what should I do?",
            "is there a way to transfer the eSIM from my old phone to the {device}",
            "Hi, why does the eSIM transfer keep failing on the {device}?",
            "anyone know how long an eSIM transfer takes?",
        ],
        "wifi": [
            "how do I change the wifi password on the box?",
            "Where do I find the wifi password of my box?",
            "can I rename the wifi network of the box?",
        ],
        "router": [
            "is it normal that the router light blinks orange?",
            "why is my router blinking orange since this morning?",
            "what does the orange light on the router mean?",
        ],
        "roaming": [
            "does my plan include roaming in Spain?",
            "how much does roaming cost outside Europe?",
            "is roaming free in Italy with my plan?",
        ],
        "fibre": [
            "when is fibre coming to {city}?",
            "is fibre available in {city} yet?",
            "how long does fibre installation take in {city}?",
        ],
        "invoice": [
            "where can I download my invoice?",
            "why is my invoice higher this month?",
            "how do I get a copy of last month's invoice?",
        ],
    },
    "fr": {
        "esim": [
            "comment transférer mon eSIM sur mon {device} ?",
            "Est-ce qu'on peut transférer l'eSIM vers un {device} sans QR code ?",
            "Transfert eSIM bloqué sur mon {device}, que faire ?",
            "Bonjour, pourquoi le transfert de l'eSIM échoue sur le {device} ?",
            "quelqu'un sait combien de temps prend le transfert eSIM",
            "Comment faire le transfert de mon eSIM vers le {device}",
        ],
        "wifi": [
            "comment changer le mot de passe wifi de la box ?",
            "Où trouver le mot de passe wifi de ma box ?",
            "Peut-on renommer le réseau wifi de la box ?",
        ],
        "router": [
            "c'est normal que le voyant de la box clignote orange ?",
            "pourquoi le voyant de ma box clignote orange depuis ce matin ?",
            "que veut dire le voyant orange sur la box ?",
        ],
        "roaming": [
            "mon forfait inclut-il l'itinérance en Espagne ?",
            "combien coûte l'itinérance hors d'Europe ?",
            "est-ce que l'itinérance est gratuite en Italie avec mon forfait ?",
        ],
        "fibre": [
            "quand arrive la fibre à {city} ?",
            "la fibre est-elle disponible à {city} ?",
            "combien de temps dure le raccordement fibre à {city} ?",
        ],
        "invoice": [
            "où télécharger ma facture ?",
            "pourquoi ma facture est plus élevée ce mois-ci ?",
            "comment obtenir une copie de la facture du mois dernier ?",
        ],
    },
}
# A steady neighbour of the rising sub-topic (same "eSIM", another question), for the hard planting.
_NEIGHBOUR: dict[str, list[str]] = {
    "en": [
        "how do I activate the eSIM on my {device}?",
        "does the eSIM activation need a wifi connection?",
        "why is my eSIM activation code refused?",
    ],
    "fr": [
        "comment activer l'eSIM sur mon {device} ?",
        "faut-il du wifi pour l'activation de l'eSIM ?",
        "pourquoi mon code d'activation eSIM est refusé ?",
    ],
}
# Statements on the same words (not questions) and chatter.
_STATEMENTS: dict[str, list[str]] = {
    "en": [
        "Just moved my eSIM to the {device}, all good.",
        "The wifi at the café in {city} is great today.",
        "Router finally fixed, thanks to the technician.",
        "Invoice paid, done for the month.",
        "Fibre is amazing, streaming in 4K all evening.",
        "Back from Spain, roaming worked perfectly.",
        "Watching the match tonight with friends in {city}.",
    ],
    "fr": [
        "Je viens de passer mon eSIM sur le {device}, nickel.",
        "Le wifi du café à {city} est top aujourd'hui.",
        "Box enfin réparée grâce au technicien.",
        "Facture payée, tranquille pour le mois.",
        "La fibre c'est génial, 4K toute la soirée.",
        "Retour d'Espagne, l'itinérance a parfaitement marché.",
        "Match ce soir entre amis à {city}.",
    ],
}
# Our accounts' posts: they cover wifi, router and roaming, never the eSIM transfer.
_OURS: dict[str, list[str]] = {
    "en": [
        "Tip: change your wifi password from the box settings page in two minutes.",
        "Router light blinking orange? Restart the router and check the cable.",
        "Travelling? Roaming in Europe is included in every plan.",
        "Your wifi password is on the label under the box.",
    ],
    "fr": [
        "Astuce : changez le mot de passe wifi depuis la page de la box en deux minutes.",
        "Voyant de la box orange ? Redémarrez la box et vérifiez le câble.",
        "En voyage ? L'itinérance en Europe est incluse dans tous les forfaits.",
        "Le mot de passe wifi est sur l'étiquette sous la box.",
    ],
}
RISING = "esim"


@dataclass(slots=True)
class Planting:
    """The posts, and which ids are questions of which planted sub-topic (current day only)."""

    posts: list[Post]
    start: datetime  # the current day (the radar's range)
    end: datetime
    members: dict[str, set[str]] = field(default_factory=dict)


def plant(
    *,
    lang: str,
    seed: int,
    end: datetime,
    days: int = 4,
    steady_per_day: int = 14,
    rising_before: int = 2,
    rising_now: int = 40,
    statements_per_day: int = 60,
    ours_per_day: int = 3,
    neighbour: bool = False,
) -> Planting:
    """``days`` days up to ``end``: each steady sub-topic asked ``steady_per_day`` times a day, the
    rising one ``rising_before`` times a day and then ``rising_now`` times on the last day.
    ``neighbour`` adds a steady sub-topic sharing the rising one's main word (eSIM activation)."""
    rng = random.Random(seed)
    bank = dict(_QUESTIONS[lang])
    if neighbour:
        bank["esim_activation"] = _NEIGHBOUR[lang]
    posts: list[Post] = []
    members: dict[str, set[str]] = {name: set() for name in bank}
    start = end - timedelta(days=1)
    counter = 0

    def add(text: str, day_start: datetime, *, handle: str | None = None, ours: bool = False) -> str:
        nonlocal counter
        counter += 1
        created = day_start + timedelta(seconds=rng.randrange(86_400))
        author = (
            {"handle": OUR_ACCOUNT.handle, "followers": 50_000}
            if ours
            else {"handle": handle or f"user{rng.randrange(5000)}", "followers": rng.randrange(10, 3000)}
        )
        post = Post.model_validate(
            {
                "id": f"x:{seed}-{counter}",
                "source": "x",
                "created_at": created,
                "text": text.format(city=rng.choice(_CITIES), device=rng.choice(_DEVICES)),
                "lang": lang,
                "country": rng.choice(("FR", "BE", "CA")) if lang == "fr" else rng.choice(("GB", "US", "IE")),
                "author": author,
                "metrics": {"likes": rng.randrange(0, 12), "reposts": rng.randrange(0, 3), "replies": 0},
                "topics": [{"name": TOPIC}],
            }
        )
        posts.append(post)
        return post.id

    for day in range(days, 0, -1):
        day_start = end - timedelta(days=day)
        current = day == 1
        for name, templates in bank.items():
            count = (rising_now if current else rising_before) if name == RISING else steady_per_day
            count = max(0, count + (rng.randint(-2, 2) if name != RISING else 0))
            for _ in range(count):
                post_id = add(rng.choice(templates), day_start)
                if current:
                    members[name].add(post_id)
        for _ in range(statements_per_day):
            add(rng.choice(_STATEMENTS[lang]), day_start)
        for _ in range(ours_per_day):
            add(rng.choice(_OURS[lang]), day_start, ours=True)
    posts.sort(key=lambda post: post.created_at)
    return Planting(posts=posts, start=start, end=end, members=members)
