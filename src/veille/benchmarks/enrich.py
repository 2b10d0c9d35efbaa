"""Throughput of the full enrichment chain, per stage, beside a VADER-only baseline in the same run."""

from __future__ import annotations

import csv
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from veille.model import Post, parse_post

__all__ = ["DESCRIPTION", "airline_posts", "run", "stage_throughput", "warmed_stages"]

DESCRIPTION = "posts/s of language + sentiment + dedupe + geo + entities vs VADER sentiment alone"
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
    """posts/s of each stage and of the chain (sum of stage times) over copies of ``posts``."""
    elapsed = dict.fromkeys((stage.name for stage in stages), 0.0)
    work = _fresh(posts)
    for start in range(0, len(work), batch):
        chunk = work[start : start + batch]
        for stage in stages:
            began = time.perf_counter()
            chunk = stage.process(chunk)
            elapsed[stage.name] += time.perf_counter() - began
    result = {name: len(posts) / seconds if seconds else float("inf") for name, seconds in elapsed.items()}
    result["chain"] = len(posts) / sum(elapsed.values())
    return result


def warmed_stages(posts: Sequence[Post]) -> list[Any]:
    """The chain with its models and gazetteer loaded (start-up cost, not throughput) and empty state."""
    from veille.enrich.chain import build_enrichment_stages
    from veille.enrich.dedupe import DedupeStage

    stages = build_enrichment_stages()
    stage_throughput(stages, posts[:300])
    return [DedupeStage() if stage.name == "dedupe" else stage for stage in stages]


def run(*, quick: bool) -> dict[str, Any]:
    from veille.enrich.sentiment import SentimentStage, VaderSentimentModel

    posts = airline_posts(2000 if quick else 10000)
    chain = stage_throughput(warmed_stages(posts), posts)
    baseline_stage = SentimentStage({}, fallback=VaderSentimentModel())
    baseline = stage_throughput([baseline_stage], posts)["chain"]
    for name, rate in chain.items():
        print(f"enrich: {name:<10} {rate:10.0f} posts/s", file=sys.stderr)
    print(f"enrich: baseline VADER-only sentiment {baseline:.0f} posts/s", file=sys.stderr)
    return {
        "bench": "enrich",
        "metric": "posts_per_s",
        "value": round(chain["chain"], 1),
        "unit": "posts/s",
        "baseline": round(baseline, 1),
        "ratio": round(chain["chain"] / baseline, 3),
        "goal": GOAL_POSTS_PER_S,
        "stages": {name: round(rate, 1) for name, rate in chain.items() if name != "chain"},
        "posts": len(posts),
    }
