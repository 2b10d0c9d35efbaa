"""Throughput of the full enrichment chain, per stage, beside a VADER-only baseline in the same run."""

from __future__ import annotations

import csv
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from veille.model import Post, parse_post

__all__ = ["DESCRIPTION", "airline_posts", "run", "stage_rates", "stage_throughput", "warmed_stages"]

DESCRIPTION = (
    "posts/s (wall and CPU) of language + sentiment + dedupe + geo + entities vs VADER sentiment alone"
)
GOAL_POSTS_PER_S = 5000.0
AIRLINE_FILE = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "airline" / "tweets_dev.csv"


def airline_posts(limit: int, path: Path = AIRLINE_FILE) -> list[Post]:
    """Real tweets as posts (text, profile location and time zone); synthetic ones if the file is absent."""
    rows: list[dict[str, str]] = []
    if path.is_file():
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                rows.append(row)
                if len(rows) >= limit:
                    break
    else:
        places = ["Lyon, France", "NYC", "", "Austin, TX", "Berlin"]
        rows = [
            {"tweet_id": str(i), "text": f"@airline flight {i % 97} delayed again, thanks for nothing #fail",
             "tweet_location": places[i % 5], "user_timezone": ""}
            for i in range(limit)
        ]  # fmt: skip
    posts = []
    for row in rows:
        author: dict[str, Any] = {"handle": "user", "location": row.get("tweet_location") or None}
        if row.get("user_timezone"):
            author["timezone"] = row["user_timezone"]
        posts.append(
            parse_post(
                {
                    "id": f"twitter:{row['tweet_id']}",
                    "source": "twitter",
                    "created_at": "2015-02-24T11:35:52Z",
                    "text": row["text"],
                    "author": author,
                }
            )
        )
    return posts


def _fresh(posts: Sequence[Post]) -> list[Post]:
    return [post.model_copy(deep=True) for post in posts]


def stage_throughput(stages: Sequence[Any], posts: Sequence[Post], *, batch: int = 500) -> dict[str, float]:
    """Wall-clock posts/s of each stage and of the chain (sum of stage times) over copies of ``posts``."""
    return stage_rates(stages, posts, batch=batch)[0]


def stage_rates(
    stages: Sequence[Any], posts: Sequence[Post], *, batch: int = 500
) -> tuple[dict[str, float], dict[str, float]]:
    """(wall, CPU) posts/s of each stage and of the chain, both measured in one pass.

    CPU time (``time.process_time``) is what other jobs on a loaded machine do not inflate.
    """
    wall = dict.fromkeys((stage.name for stage in stages), 0.0)
    cpu = dict(wall)
    work = _fresh(posts)
    for start in range(0, len(work), batch):
        chunk = work[start : start + batch]
        for stage in stages:
            began, began_cpu = time.perf_counter(), time.process_time()
            chunk = stage.process(chunk)
            wall[stage.name] += time.perf_counter() - began
            cpu[stage.name] += time.process_time() - began_cpu
    rates = []
    for elapsed in (wall, cpu):
        rate = {name: len(posts) / seconds if seconds else float("inf") for name, seconds in elapsed.items()}
        rate["chain"] = len(posts) / sum(elapsed.values())
        rates.append(rate)
    return rates[0], rates[1]


def warmed_stages(warm_up: Sequence[Post]) -> list[Any]:
    """The chain with models loaded and caches filled from ``warm_up`` (other posts than those measured).

    A running hub has read many posts: its sentiment feature caches hold the common words. Dedupe
    starts empty so that the warm-up posts do not count as originals of the measured ones.
    """
    from veille.enrich.chain import build_enrichment_stages
    from veille.enrich.dedupe import DedupeStage

    stages = build_enrichment_stages()
    stage_throughput(stages, warm_up)
    return [DedupeStage() if stage.name == "dedupe" else stage for stage in stages]


def run(*, quick: bool) -> dict[str, Any]:
    from veille.enrich.sentiment import SentimentStage, VaderSentimentModel

    measured = 2000 if quick else 8000
    posts = airline_posts(measured + 2000)
    posts, warm_up = posts[:measured], posts[measured:]
    stages = warmed_stages(warm_up or posts[:300])
    wall, cpu = stage_rates(stages, posts)
    baseline_stage = SentimentStage({}, fallback=VaderSentimentModel())
    baseline = stage_throughput([baseline_stage], posts)["chain"]
    for name, rate in wall.items():
        print(f"enrich: {name:<10} {rate:10.0f} posts/s wall {cpu[name]:10.0f} posts/s CPU", file=sys.stderr)
    print(f"enrich: baseline VADER-only sentiment {baseline:.0f} posts/s wall", file=sys.stderr)
    return {
        "bench": "enrich",
        "metric": "posts_per_s",
        "value": round(wall["chain"], 1),
        "unit": "posts/s",
        "baseline": round(baseline, 1),
        "ratio": round(wall["chain"] / baseline, 3),
        "goal": GOAL_POSTS_PER_S,
        "cpu_posts_per_s": round(cpu["chain"], 1),
        "stages": {name: round(rate, 1) for name, rate in wall.items() if name != "chain"},
        "stages_cpu": {name: round(rate, 1) for name, rate in cpu.items() if name != "chain"},
        "load_average": [round(value, 2) for value in os.getloadavg()],
        "posts": len(posts),
        "warm_up_posts": len(warm_up),
    }
