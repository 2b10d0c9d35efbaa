"""The push API under several clients: ``veille serve`` (embedded store) as a separate process, 1
and then 4 clients each sending batches of 500 posts as fast as the hub answers (issue 15).

The value is the rate of posts answered 200 (stored) with 4 clients, by a hub whose stages run in
a child process (``prepare_processes = 1``, the default); the baseline is one client in the same
run. The same run measures a hub whose stages run in a thread (``prepare_processes = 0``), and
reports for both the CPU seconds per second of the hub's processes and their resident memory. Both include everything a push does: HTTP, validation, the enrichment chain, the
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

DESCRIPTION = (
    "push API: posts/s stored with 4 clients vs 1 (veille serve, embedded store), stages in a child "
    "process, next to the stages in a thread"
)

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


def _shape(
    folder: Path, name: str, prepare_processes: int, batches: list[list[bytes]], count: int
) -> dict[str, Any]:
    """1 then 4 clients on a fresh hub whose stages run in ``prepare_processes`` child processes."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("VEILLE_")}
    environment["VEILLE_ADMIN_TOKEN"] = _TOKEN
    environment["VEILLE_PREPARE_PROCESSES"] = str(prepare_processes)
    with served_hub(folder / name, env=environment, log=folder / f"{name}.log") as hub:
        # One small batch first, answered once the hub (and its preparing process) is ready.
        asyncio.run(_push_all(hub.base_url, batches[2], 1))
        rss_idle = hub.rss_by_process()
        result: dict[str, Any] = {"prepare_processes": prepare_processes, "rss_mib_ready": rss_idle}
        for clients, half in ((1, batches[0]), (4, batches[1])):
            cpu, main_cpu = hub.cpu_s, hub.main_cpu_s
            seconds = asyncio.run(_push_all(hub.base_url, half, clients))
            result[f"clients_{clients}"] = {
                "posts_per_s": round(count / seconds, 1),
                # CPU seconds the hub's processes spent per second of pushing (2.0 = both cores).
                "hub_cpu_per_s": round((hub.cpu_s - cpu) / seconds, 2),
                "main_process_cpu_per_s": round((hub.main_cpu_s - main_cpu) / seconds, 2),
                "hub_cpu_us_per_post": round((hub.cpu_s - cpu) / count * 1e6, 1),
                "main_process_cpu_us_per_post": round((hub.main_cpu_s - main_cpu) / count * 1e6, 1),
            }
        result["rss_mib_after"] = hub.rss_by_process()
    one, four = result["clients_1"], result["clients_4"]
    print(
        f"  {name}: 1 client {one['posts_per_s']:,.0f} posts/s (hub CPU {one['hub_cpu_per_s']:.2f} s/s); "
        f"4 clients {four['posts_per_s']:,.0f} posts/s (hub CPU {four['hub_cpu_per_s']:.2f} s/s, main "
        f"process {four['main_process_cpu_per_s']:.2f}); RSS {result['rss_mib_after']} MiB; "
        f"load {os.getloadavg()[0]:.1f}",
        file=sys.stderr,
    )
    return result


def run(*, quick: bool) -> dict[str, Any]:
    count = 5_000 if quick else 50_000
    lines = make_posts_jsonl(2 * count + 10, seed=31)
    # Two different halves: the 4-client run must not meet the posts of the 1-client run again.
    halves = [lines[:count], lines[count : 2 * count]]
    batches = [
        ["\n".join(half[start : start + _BATCH]).encode() for start in range(0, count, _BATCH)]
        for half in halves
    ]
    batches.append(["\n".join(lines[2 * count :]).encode()])  # the warm-up: 10 other posts
    load = os.getloadavg()
    print(
        f"{count} posts pushed in batches of {_BATCH}, by 1 then 4 clients, to a hub whose stages run "
        "in a thread (prepare_processes = 0) and to one whose stages run in a child process (= 1)",
        file=sys.stderr,
    )
    with tempfile.TemporaryDirectory() as folder:
        thread = _shape(Path(folder), "thread", 0, batches, count)
        process = _shape(Path(folder), "process", 1, batches, count)
    one, four = process["clients_1"]["posts_per_s"], process["clients_4"]["posts_per_s"]
    return {
        "metric": "posts_per_s",
        "value": four,
        "unit": "posts/s stored through POST /api/v1/posts, 4 clients, stages in a child process",
        "baseline": one,
        "baseline_name": "1 client, same hub, same run",
        "ratio": round(four / one, 3),
        "goal": ">= 5000 posts/s from several clients",
        "posts": count,
        "load_average": [round(value, 2) for value in load],
        "load_average_end": [round(value, 2) for value in os.getloadavg()],
        "batch": _BATCH,
        "process": process,
        "thread": thread,
        "process_vs_thread_4_clients": round(four / thread["clients_4"]["posts_per_s"], 3),
    }
