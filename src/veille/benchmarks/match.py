"""Saved-query matching: the monitor's required-key index against evaluating every query on every post.

The workload imitates a shared listening service: customers in sectors of 20, each with a brand, a
few products and competitors from its own sector, and ~50 saved queries built from the shapes
analysts write (brand names, product phrases, NEAR, wildcards, NOT clauses, fields, hashtags,
mentions, sites). Posts are French or English, about half of them mention a brand, popular brands
more often (Zipf). Everything is generated from a fixed seed.
"""

from __future__ import annotations

import gc
import os
import random
import sys
import time
import tracemalloc
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from veille.model import Author, Post, Sentiment
from veille.query.keys import TermStatistics
from veille.query.match import PostView, view_post
from veille.query.monitor import Monitor

__all__ = ["DESCRIPTION", "generate_posts", "generate_queries", "run"]


def _words(text: str) -> list[str]:
    return text.split()


DESCRIPTION = "saved-query matching: monitor (Lucene-Monitor index) vs every query on every post"

_SYLLABLES = _words(
    "ka lo vi tra nex or bel zu mi ta ro fen qua sy don lux ver pix mo ra tel cor no fle sol xi ia "
    "exa on ar bri gal tor vel mar ski pen dor"
)
_MODELS = ["pro", "max", "mini", "one", "plus", "box", "air", "go", "5", "6", "x", "ultra"]
_TOPIC_FR = [
    "panne",
    "coupure",
    "réseau",
    "fibre",
    "facture",
    "prix",
    "remboursement",
    "arnaque",
    "résiliation",
    "débit",
    "livraison",
    "retard",
    "hausse",
    "grève",
    "sécurité",
    "piratage",
    "abonnement",
    "forfait",
]
_TOPIC_EN = [
    "outage",
    "down",
    "network",
    "bill",
    "price",
    "refund",
    "scam",
    "cancel",
    "speed",
    "delivery",
    "delay",
    "increase",
    "strike",
    "security",
    "hack",
    "breach",
    "subscription",
    "plan",
]
_PHRASES = [
    "service client",
    "données personnelles",
    "paiement mobile",
    "customer service",
    "mobile payment",
    "data protection",
    "objets connectés",
    "smart home",
]
_SPAM = ["promo", "concours", "giveaway", "jeu", "gagner", "win", "free", "bonus"]
_FILLER_FR = _words(
    "je ne sais pas pourquoi mais encore une fois le la les des depuis ce matin vraiment toujours rien "
    "qui marche super merci pour votre aide bonjour quel bonheur nouveau nouvelle enfin avec sans tout "
    "quartier ville hier soir demain très été déjà où ça"
)
_FILLER_EN = _words(
    "i dont know why but again the a since this morning really always nothing works great thanks for "
    "your help hello what new finally with without all my neighborhood city yesterday tonight is so bad "
    "good it was"
)
_COUNTRIES = [
    "FR",
    "SN",
    "CI",
    "MA",
    "TN",
    "EG",
    "JO",
    "BE",
    "ES",
    "PL",
    "RO",
    "SK",
    "MD",
    "CM",
    "ML",
    "MG",
    "BW",
    "GN",
    "CD",
    "LR",
    "SL",
    "GB",
    "US",
    "DE",
    "IT",
]
_SOURCES = ["mastodon", "bluesky", "x", "reddit", "rss", "hackernews", "youtube"]
_SENTIMENTS = ["positive", "neutral", "negative"]


@dataclass(slots=True)
class _Customer:
    brand: str
    products: list[str]
    competitors: list[str]
    country: str


def _world(rng: random.Random, customers: int) -> list[_Customer]:
    names: set[str] = set()
    while len(names) < customers:
        names.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.choice((2, 3, 3)))).capitalize())
    brands = sorted(names)
    rng.shuffle(brands)
    world = []
    for index, brand in enumerate(brands):
        sector = brands[(index // 20) * 20 : (index // 20) * 20 + 20]
        rivals = [other for other in sector if other != brand]
        world.append(
            _Customer(
                brand=brand,
                products=[f"{brand} {model}" for model in rng.sample(_MODELS, 3)],
                competitors=rng.sample(rivals, min(3, len(rivals))),
                country=rng.choice(_COUNTRIES),
            )
        )
    return world


def _query_for(customer: _Customer, rng: random.Random) -> str:
    brand = customer.brand.lower()
    product = rng.choice(customer.products).lower()
    rival = rng.choice(customer.competitors).lower() if customer.competitors else brand
    topic_a = rng.choice(_TOPIC_FR)
    topic_b = rng.choice(_TOPIC_EN)
    spam = " OR ".join(rng.sample(_SPAM, 2))
    phrase = rng.choice(_PHRASES)
    shapes = [
        lambda: brand,
        lambda: "{" + customer.brand + "}",
        lambda: f'"{product}"',
        lambda: f"{brand} AND ({topic_a} OR {topic_b} OR {rng.choice(_TOPIC_FR)})",
        lambda: f'({brand} OR "{product}") NEAR/5 ({topic_a} OR {topic_b[:4]}*)',
        lambda: f"{brand}* NOT ({spam})",
        lambda: f"#{brand} OR @{brand}_fr OR @{brand}",
        lambda: f"{brand} AND lang:{rng.choice(['fr', 'en'])} AND country:{customer.country}",
        lambda: f'"{phrase}" AND {brand} NOT {rng.choice(_SPAM)}',
        lambda: f"author:{brand}_* AND is:reply",
        lambda: (
            f"({rival} OR {rng.choice(customer.competitors or [brand]).lower()}) AND "
            f"({topic_a} OR {topic_b}) -{brand}"
        ),
        lambda: f"site:{brand}.com OR url:/{brand}",
        lambda: f"{brand} AND followers:>={rng.choice([1000, 10000, 100000])} AND is:verified",
        lambda: f"{brand} AND sentiment:negative AND ({topic_a} OR {topic_b}*)",
        lambda: f'"{phrase}" NEAR/3 {brand}',
        lambda: f"{brand} {topic_a} -{rng.choice(_SPAM)} -{rng.choice(_SPAM)}",
        lambda: f'{rival} NEAR/4f "{topic_a}"',
        lambda: f"(#{rival} OR {rival}) AND source:{rng.choice(_SOURCES)}",
    ]
    return rng.choice(shapes)()


def generate_queries(count: int, *, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    world = _world(rng, max(20, count // 50))
    return [_query_for(world[index // 50 % len(world)], rng) for index in range(count)]


def _brand_form(brand: str, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.5:
        return brand
    if roll < 0.65:
        return brand.lower()
    if roll < 0.75:
        return brand.upper()
    if roll < 0.88:
        return f"#{brand}"
    return f"@{brand.lower()}_fr"


def generate_posts(count: int, *, queries: int, seed: int = 11) -> list[Post]:
    """Posts about the world of ``generate_queries(queries)`` (same brands)."""
    rng = random.Random(seed)
    world = _world(random.Random(7), max(20, queries // 50))
    weights = [1.0 / (rank + 1) for rank in range(len(world))]
    posts = []
    moment = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    for index in range(count):
        french = rng.random() < 0.55
        filler = _FILLER_FR if french else _FILLER_EN
        topics = _TOPIC_FR if french else _TOPIC_EN
        words = [rng.choice(filler) for _ in range(rng.randint(8, 30))]
        inserts: list[str] = []
        roll = rng.random()
        if roll < 0.5:
            for customer in rng.choices(world, weights, k=1 if roll < 0.4 else 2):
                inserts.append(_brand_form(customer.brand, rng))
                if rng.random() < 0.3:
                    inserts.append(rng.choice(customer.products))
        for _ in range(rng.choice((0, 1, 1, 2))):
            inserts.append(rng.choice(topics))
        if rng.random() < 0.15:
            inserts.append(rng.choice(_PHRASES))
        if rng.random() < 0.1:
            inserts.append(rng.choice(_SPAM))
        for word in inserts:
            words.insert(rng.randint(0, len(words)), word)
        if rng.random() < 0.15:
            host = rng.choice(world).brand.lower() + rng.choice([".com", ".fr"])
            words.append(f"https://www.{host}/{rng.choice(topics)}/{index}")
        text = " ".join(words)
        text = text[0].upper() + text[1:] + rng.choice([".", " !", " ?", ""])
        posts.append(
            Post(
                id=f"bench:{index}",
                source=rng.choice(_SOURCES),
                created_at=moment,
                text=text,
                lang=("fr" if french else "en") if rng.random() < 0.95 else None,
                author=Author(
                    handle=f"{rng.choice(world).brand.lower()}_{rng.randint(1, 99)}"
                    if rng.random() < 0.1
                    else f"user{rng.randint(1, 10**6)}",
                    followers=int(rng.lognormvariate(5, 2)) if rng.random() < 0.9 else None,
                    verified=rng.random() < 0.05,
                ),
                reply_to=f"bench:{rng.randint(0, 10**6)}" if rng.random() < 0.3 else None,
                country=rng.choice(_COUNTRIES) if rng.random() < 0.7 else None,
                sentiment=Sentiment(label=rng.choice(_SENTIMENTS), score=0.0),
            )
        )
    return posts


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _timed(work: Any) -> tuple[Any, float, float]:
    """``work()``, its wall time and its CPU time (the machine may be shared: CPU time is steadier)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def _stream(
    monitor: Monitor, posts: list[Post], keep: int
) -> tuple[list[PostView], list[Any], int, float, float]:
    """Read and match posts one after the other, as the pipeline does; CPU time of each part.

    Only the first ``keep`` views and results are kept (for the checks): a pipeline drops each view
    and stores each result, and holding all of them would make the garbage collector walk them again
    and again. Returns the kept views and results, the number of matches, and the two CPU times.
    """
    clock = time.process_time
    views: list[PostView] = []
    found = []
    matches = 0
    view_cpu_s = match_cpu_s = 0.0
    for post in posts:
        started = clock()
        view = view_post(post)
        read = clock()
        result = monitor.match_view(view)
        match_cpu_s += clock() - read
        view_cpu_s += read - started
        matches += len(result)
        if len(views) < keep:
            views.append(view)
            found.append(result)
    return views, found, matches, view_cpu_s, match_cpu_s


def _build(texts: list[str], statistics: TermStatistics) -> Monitor:
    monitor = Monitor(statistics)
    monitor.add_many({f"q{index}": text for index, text in enumerate(texts)})
    return monitor


def _measure(queries: int, posts: list[Post], baseline_sample: int) -> dict[str, Any]:
    texts = generate_queries(queries)
    # The hub learns how often posts hold each word from its recent history; here, from posts of the
    # same world drawn with another seed (none of them is matched below).
    history = [view_post(post) for post in generate_posts(2_000, queries=queries, seed=23)]
    statistics = TermStatistics.from_views(history)
    monitor, build_s, build_cpu_s = _timed(lambda: _build(texts, statistics))
    # Memory of a second, identical index built under tracemalloc (which slows building down).
    tracemalloc.start()
    measured = _build(texts, statistics)
    memory = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del measured
    stats = monitor.stats()

    checked = min(len(posts), 5 * baseline_sample)
    # A worker builds its monitor once and then matches for hours: like it, move the index out of the
    # cyclic collector's reach (gc.freeze), or each full collection walks millions of objects.
    gc.collect()
    gc.freeze()
    try:
        (views, found, matches, view_cpu_s, match_cpu_s), stream_s, _ = _timed(
            lambda: _stream(monitor, posts, checked)
        )
    finally:
        gc.unfreeze()
    monitor_rate = len(posts) / stream_s
    monitor_cpu_rate = len(posts) / (view_cpu_s + match_cpu_s)
    view_s = stream_s * view_cpu_s / (view_cpu_s + match_cpu_s)  # the wall share of reading posts
    candidates = sum(len(monitor.candidates(view)) for view in views) / len(views)

    sample: list[PostView] = views[:baseline_sample]
    expected, baseline_s, baseline_cpu_s = _timed(
        lambda: [monitor.match_view_exhaustive(view) for view in sample]
    )
    share = len(sample) / len(posts)
    baseline_rate = len(sample) / (baseline_s + view_s * share)
    baseline_cpu_rate = len(sample) / (baseline_cpu_s + view_cpu_s * share)
    identical = expected == found[: len(sample)]
    # Beyond the baseline sample, the monitor's answers (names) are checked against the tests of
    # every query (cheaper than spans, and what the index could get wrong) on ``checked`` posts.
    names = [[name for name, _ in items] for items in found[:checked]]
    identical = identical and names == [monitor.names_exhaustive(view) for view in views[:checked]]
    _say(
        f"{queries:,} queries: index built in {build_s:.2f} s ({build_cpu_s:.2f} s CPU), "
        f"{memory / 2**20:.1f} MiB, {stats.distinct_queries:,} distinct, {stats.always_checked} always-checked, "
        f"{stats.index_keys:,} keys "
        f"(key frequencies from {statistics.posts:,} other posts); "
        f"{len(posts):,} posts: views {len(posts) / view_cpu_s:,.0f}/s, "
        f"match only {len(posts) / match_cpu_s:,.0f}/s (CPU); "
        f"monitor end to end {monitor_rate:,.0f} posts/s wall, {monitor_cpu_rate:,.0f} posts/s CPU, "
        f"{candidates:.1f} candidate distinct queries/post, {matches / len(posts):.2f} matches/post; "
        f"baseline (every query on every post, {len(sample)} posts) {baseline_rate:,.1f} posts/s wall, "
        f"{baseline_cpu_rate:,.1f} CPU; ratio {monitor_cpu_rate / baseline_cpu_rate:,.0f}x; "
        f"identical: {identical} (spans on {len(sample)} posts, names on {checked})"
    )
    return {
        "queries": queries,
        "posts": len(posts),
        "monitor_posts_per_s": round(monitor_rate, 1),
        "monitor_posts_per_cpu_s": round(monitor_cpu_rate, 1),
        "match_only_posts_per_cpu_s": round(len(posts) / match_cpu_s, 1),
        "view_posts_per_cpu_s": round(len(posts) / view_cpu_s, 1),
        "baseline_posts_per_s": round(baseline_rate, 2),
        "baseline_posts_per_cpu_s": round(baseline_cpu_rate, 2),
        "baseline_sample_posts": len(sample),
        "ratio": round(monitor_cpu_rate / baseline_cpu_rate, 1),
        "index_memory_mib": round(memory / 2**20, 1),
        "build_s": round(build_s, 2),
        "build_cpu_s": round(build_cpu_s, 2),
        "always_checked": stats.always_checked,
        "candidates_per_post": round(candidates, 1),
        "matches_per_post": round(matches / len(posts), 3),
        "identical": identical,
    }


def run(*, quick: bool) -> dict[str, Any]:
    sizes = [10_000] if quick else [10_000, 100_000]
    post_count = 3_000 if quick else 20_000
    runs = []
    for size in sizes:
        posts = generate_posts(post_count, queries=size)
        sample = 150 if quick else (300 if size <= 10_000 else 100)
        runs.append(_measure(size, posts, sample))
    largest = runs[-1]
    return {
        "bench": "match",
        "metric": "posts_per_s",
        # CPU-based: the goal is per core, and the machine running the benchmark may be shared.
        "value": largest["monitor_posts_per_cpu_s"],
        "unit": f"posts/s (one core, CPU time) against {largest['queries']:,} queries",
        "wall_posts_per_s": largest["monitor_posts_per_s"],
        "baseline": largest["baseline_posts_per_cpu_s"],
        "ratio": largest["ratio"],
        "goal": 5000,
        "identical": all(item["identical"] for item in runs),
        "load_average": [round(value, 2) for value in os.getloadavg()],
        "runs": runs,
    }


if __name__ == "__main__":  # pragma: no cover
    import json

    print(json.dumps(run(quick="--quick" in sys.argv)))
