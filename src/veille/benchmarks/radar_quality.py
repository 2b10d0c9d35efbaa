"""The editorial radar's precision on planted clusters (``python -m veille.benchmarks.radar_quality``).

For each language (English, French) and seed, :func:`veille.editorial.planted.plant` writes four
days of a topic's posts into a fresh SQLite store: five steady question sub-topics, one (the eSIM
transfer) asked twice a day and then 40 times on the last day, statements on the same words, and
our account covering three steady sub-topics. The radar runs over the last day and we measure:

- **top-1**: the share of plantings where the rising sub-topic is ranked first;
- **precision**: among the questions of the sub-topic the radar ranked first, the share that are
  planted rising questions;
- **recall**: the share of the last day's planted rising questions that sub-topic holds;
- **steady precision**: the same precision for each steady sub-topic, at the item holding most
  of its questions (how cleanly the others are separated);
- the radar's time per call (median).

Not a timed benchmark (not in ``veille bench``): a quality figure like ``make quality``.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from veille.accounts import create_account
from veille.analytics.editorial_figures import AnalyticsFigures
from veille.analytics.scope import Scope
from veille.editorial.planted import OUR_ACCOUNT, RISING, TOPIC, plant
from veille.editorial.radar import radar
from veille.store.sql import open_store

__all__ = ["measure", "run_one"]

END = datetime(2026, 6, 1, tzinfo=UTC)


# name -> keyword arguments of plant(): the plain planting, a weaker rise, a steady neighbour.
PLANTINGS: dict[str, dict[str, Any]] = {
    "rising 2 -> 40 a day": {},
    "rising 2 -> 15 a day": {"rising_now": 15},
    "with a steady eSIM-activation neighbour": {"neighbour": True},
}


def run_one(*, lang: str, seed: int, directory: Path, **planting_options: Any) -> dict[str, Any]:
    planting = plant(lang=lang, seed=seed, end=END, **planting_options)
    label = "-".join(f"{key}{value}" for key, value in sorted(planting_options.items()))
    store = open_store(f"sqlite:///{directory / f'radar-{lang}-{seed}{label}.db'}")
    try:
        store.upsert_posts(planting.posts)
        create_account(store=store, spec=OUR_ACCOUNT)
        began = time.perf_counter()
        answer = radar(
            store,
            topic=TOPIC,
            start=planting.start,
            end=planting.end,
            figures=AnalyticsFigures(store, Scope()),
            member_ids=True,
        )
        seconds = time.perf_counter() - began
    finally:
        store.close()
    items = answer["items"]
    rising = planting.members[RISING]
    top = items[0] if items else {"question_ids": [], "subtopic": None}
    top_ids = set(top["question_ids"])
    steady: list[float] = []
    for name, ids in planting.members.items():
        if name == RISING or not ids:
            continue
        best = max(items, key=lambda item: len(ids & set(item["question_ids"])), default=None)
        if best and best["question_ids"]:
            steady.append(len(ids & set(best["question_ids"])) / len(best["question_ids"]))
    return {
        "lang": lang,
        "seed": seed,
        "top": top["subtopic"],
        "top_is_rising": bool(top_ids) and len(top_ids & rising) > len(top_ids) / 2,
        "precision": len(top_ids & rising) / len(top_ids) if top_ids else 0.0,
        "recall": len(top_ids & rising) / len(rising) if rising else 0.0,
        "steady_precision": statistics.mean(steady) if steady else 0.0,
        "items": len(items),
        "seconds": seconds,
    }


def measure(
    *, seeds: int = 10, languages: tuple[str, ...] = ("en", "fr"), options: dict[str, Any] | None = None
) -> dict[str, Any]:
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="veille-radar-") as scratch:
        for lang in languages:
            for seed in range(1, seeds + 1):
                runs.append(run_one(lang=lang, seed=seed, directory=Path(scratch), **(options or {})))
    summary: dict[str, Any] = {"plantings": len(runs)}
    for lang in (*languages, "all"):
        chosen = [run for run in runs if lang in ("all", run["lang"])]
        summary[lang] = {
            "top1": sum(run["top_is_rising"] for run in chosen) / len(chosen),
            "precision": round(statistics.mean(run["precision"] for run in chosen), 3),
            "recall": round(statistics.mean(run["recall"] for run in chosen), 3),
            "steady_precision": round(statistics.mean(run["steady_precision"] for run in chosen), 3),
            "median_seconds": round(statistics.median(run["seconds"] for run in chosen), 3),
        }
    summary["runs"] = runs
    return summary


def main() -> None:
    seeds = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    results: dict[str, Any] = {}
    for name, options in PLANTINGS.items():
        result = measure(seeds=seeds, options=options)
        for run in result["runs"]:
            print(
                f"[{name}] {run['lang']} seed {run['seed']:>2}: top={run['top']!r} "
                f"rising_first={run['top_is_rising']} precision={run['precision']:.3f} "
                f"recall={run['recall']:.3f} steady={run['steady_precision']:.3f} items={run['items']} "
                f"{run['seconds']:.2f}s",
                file=sys.stderr,
            )
        results[name] = {key: value for key, value in result.items() if key != "runs"}
    print(json.dumps(results))


if __name__ == "__main__":
    main()
