"""The push API under several clients: ``veille serve`` (embedded store) as a separate process, 1
and then 4 clients each sending batches of 500 posts as fast as the hub answers (issue 15).

The value is the rate of posts answered 200 (stored) with 4 clients; the baseline is one client
in the same run. Both include everything a push does: HTTP, validation, the enrichment chain, the
topics, the store with its full-text index and rollups.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from veille.benchmarks.ingest import make_posts_jsonl
from veille.benchmarks.served import served_hub

DESCRIPTION = "push API: posts/s stored with 4 clients vs 1 (veille serve, embedded store)"

_BATCH = 500
_TOKEN = "bench-push-token-0123456789abcdef"


async def _push_all(url: str, batches: list[bytes], clients: int) -> float:
    """Seconds to push every batch, spread over ``clients`` concurrent connections."""
    pending = list(batches)
    headers = {"Authorization": f"Bearer {_TOKEN}", "Content-Type": "application/x-ndjson"}

    async def client() -> None:
        async with httpx.AsyncClient(base_url=url, headers=headers, timeout=600) as http:
            while pending:
                body = pending.pop()
                answer = await http.post("/api/v1/posts", content=body)
                if answer.status_code != 200:
                    raise RuntimeError(f"push answered {answer.status_code}: {answer.text[:300]}")

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return time.perf_counter() - started


def run(*, quick: bool) -> dict[str, Any]:
    count = 5_000 if quick else 50_000
    lines = make_posts_jsonl(2 * count, seed=31)
    # Two different halves: the 4-client run must not meet the posts of the 1-client run again.
    halves = [lines[:count], lines[count:]]
    batches = [
        ["\n".join(half[start : start + _BATCH]).encode() for start in range(0, count, _BATCH)]
        for half in halves
    ]
    load = os.getloadavg()
    print(
        f"{count} posts pushed in batches of {_BATCH}, by 1 then 4 clients; baseline: 1 client",
        file=sys.stderr,
    )
    with tempfile.TemporaryDirectory() as folder:
        environment = {key: value for key, value in os.environ.items() if not key.startswith("VEILLE_")}
        environment["VEILLE_ADMIN_TOKEN"] = _TOKEN
        with served_hub(Path(folder) / "data", env=environment, log=Path(folder) / "serve.log") as hub:
            one = count / asyncio.run(_push_all(hub.base_url, batches[0], 1))
            four = count / asyncio.run(_push_all(hub.base_url, batches[1], 4))
    print(f"  1 client: {one:,.0f} posts/s; 4 clients: {four:,.0f} posts/s", file=sys.stderr)
    return {
        "metric": "posts_per_s",
        "value": round(four, 1),
        "unit": "posts/s stored through POST /api/v1/posts, 4 clients",
        "baseline": round(one, 1),
        "baseline_name": "1 client, same run",
        "ratio": round(four / one, 3),
        "goal": ">= 5000 posts/s from several clients",
        "posts": count,
        "load_average": [round(value, 2) for value in load],
        "batch": _BATCH,
    }
