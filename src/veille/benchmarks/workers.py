"""Scale-out on PostgreSQL + NATS JetStream: 1, 2 and 4 ``veille worker`` processes (issue 15).

For each worker count, on a fresh PostgreSQL schema and JetStream stream: the workers are started
and left to load their models; their CPU time is read (``/proc``); then the posts are published to
the work stream at once, and the time until the last one is stored gives posts/s, and the CPU the
workers spent meanwhile gives posts per worker CPU-second (goal: two workers within 10 % of one
worker's rate, so that a second core adds its share). Then posts are published at a steady rate
(2,000 posts/s, or as fast as the publisher goes if slower) and the consumer lag (messages not
yet acknowledged) is sampled every half second. The baseline is the one-worker run of the same
benchmark.

The machine's cores are shared with other jobs: the load average is reported beside the figures.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import nats
from sqlalchemy import text

from veille.benchmarks.ingest import BENCH_TOPICS, POSTGRES_URL, make_posts_jsonl
from veille.bus.nats import NatsBus
from veille.model import parse_posts
from veille.store.sql import open_store
from veille.topics.models import TopicSpec
from veille.topics.repository import insert_topics
from veille.workqueue import WORK_SUBJECT, publish_posts

DESCRIPTION = "1, 2 and 4 workers on PostgreSQL + NATS: posts/s, posts per worker CPU-second, lag at 2,000/s"

NATS_URL = os.environ.get("VEILLE_BENCH_NATS_URL", "nats://127.0.0.1:4222")
_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime + stime


def _environment(url: str, names: dict[str, str]) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("VEILLE_")}
    environment.update(
        {
            "VEILLE_BUS": "nats",
            "VEILLE_NATS_URL": NATS_URL,
            "VEILLE_NATS_STREAM": names["stream"],
            "VEILLE_NATS_SUBJECT_PREFIX": names["prefix"],
            "VEILLE_WORK_CONSUMER": names["consumer"],
            "VEILLE_DATABASE_URL": url.replace("postgresql+psycopg://", "postgresql://"),
        }
    )
    return environment


async def _run_workers(count: int, posts_json: list[str], steady: list[str], folder: Path) -> dict[str, Any]:
    token = uuid.uuid4().hex[:10]
    names = {"stream": f"BENCH_{token}", "prefix": f"bench{token}", "consumer": f"b{token}"}
    schema = f"bench_{token}"
    admin = open_store(POSTGRES_URL, migrate=False)
    with admin.engine.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    store = open_store(url)
    with store.engine.begin() as connection:
        insert_topics(connection, [TopicSpec(name=name, query=query) for name, query in BENCH_TOPICS])
    bus = NatsBus(NATS_URL, stream=names["stream"], subject_prefix=names["prefix"])
    environment = _environment(url, names)
    workers: list[subprocess.Popen[bytes]] = []
    try:
        await bus.start()
        for index in range(count):
            data = folder / f"{token}-{index}"
            data.mkdir()
            workers.append(
                subprocess.Popen(
                    [sys.executable, "-m", "veille", "worker", "--data", str(data)],
                    env=environment,
                    stdout=subprocess.DEVNULL,
                    stderr=(data / "worker.log").open("wb"),
                )
            )
        # Ready: every worker is waiting on the consumer (its models loaded, its hub started).
        deadline = time.monotonic() + 600
        while (await bus.consumer_lag(WORK_SUBJECT, names["consumer"])).waiting < count:
            if time.monotonic() > deadline or any(worker.poll() is not None for worker in workers):
                raise RuntimeError(f"{count} worker(s) did not get ready; see {folder}")
            await asyncio.sleep(0.5)
        posts, _ = parse_posts([json.loads(line) for line in posts_json])
        cpu_before = sum(_cpu_s(worker.pid) for worker in workers)
        started = time.perf_counter()
        await publish_posts(bus, posts)
        published_s = time.perf_counter() - started
        while store.count_posts() < len(posts):
            if any(worker.poll() is not None for worker in workers):
                raise RuntimeError(f"a worker exited; see {folder}")
            await asyncio.sleep(0.2)
        drained_s = time.perf_counter() - started
        cpu_used = sum(_cpu_s(worker.pid) for worker in workers) - cpu_before
        # Steady rate: 2,000 posts/s in 100-post steps; the lag is sampled as it goes.
        lag: list[int] = []
        steady_posts, _ = parse_posts([json.loads(line) for line in steady])
        paced_started = time.perf_counter()
        for step in range(0, len(steady_posts), 100):
            due = paced_started + step / 2000
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            await publish_posts(bus, steady_posts[step : step + 100])
            if step % 1000 == 0:
                lag.append((await bus.consumer_lag(WORK_SUBJECT, names["consumer"])).total)
        offered_rate = len(steady_posts) / (time.perf_counter() - paced_started)
        return {
            "workers": count,
            "posts_per_s": round(len(posts) / drained_s, 1),
            "posts_per_worker_cpu_s": round(len(posts) / cpu_used, 1) if cpu_used else None,
            "publish_posts_per_s": round(len(posts) / published_s, 1),
            "steady_offered_posts_per_s": round(offered_rate, 1),
            "steady_lag_p50": int(statistics.median(lag)) if lag else None,
            "steady_lag_max": max(lag) if lag else None,
        }
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                worker.kill()
        await bus.close()
        store.close()
        with admin.engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.close()
        cleanup = await nats.connect(NATS_URL, connect_timeout=2, max_reconnect_attempts=1)
        try:
            await cleanup.jetstream().delete_stream(names["stream"])
        except nats.js.errors.NotFoundError:
            pass
        finally:
            await cleanup.close()


def run(*, quick: bool) -> dict[str, Any]:
    count = 3_000 if quick else 100_000
    steady = 2_000 if quick else 20_000
    counts = (1, 2) if quick else (1, 2, 4)
    lines = make_posts_jsonl(count, seed=21)
    steady_lines = make_posts_jsonl(count + steady, seed=22)[count:]
    load = os.getloadavg()
    print(
        f"{count} posts through {', '.join(map(str, counts))} worker(s) on PostgreSQL + NATS; baseline: one worker",
        file=sys.stderr,
    )
    runs = []
    with tempfile.TemporaryDirectory() as folder:
        for workers in counts:
            result = asyncio.run(_run_workers(workers, lines, steady_lines, Path(folder)))
            print(f"  {json.dumps(result)}", file=sys.stderr)
            runs.append(result)
    one, best = runs[0], runs[-1]
    per_cpu_two = runs[1]["posts_per_worker_cpu_s"]
    return {
        "metric": "posts_per_s",
        "value": best["posts_per_s"],
        "unit": f"posts/s with {best['workers']} workers (PostgreSQL + NATS JetStream)",
        "baseline": one["posts_per_s"],
        "baseline_name": "one worker, same run",
        "ratio": round(best["posts_per_s"] / one["posts_per_s"], 3),
        "goal": "2 workers within 10 % of one worker's posts per CPU-second",
        "per_cpu_ratio_two_vs_one": round(per_cpu_two / one["posts_per_worker_cpu_s"], 3)
        if per_cpu_two and one["posts_per_worker_cpu_s"]
        else None,
        "runs": runs,
        "posts": count,
        "load_average": [round(value, 2) for value in load],
    }
