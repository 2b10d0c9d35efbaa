"""Ingest throughput: a JSONL file through validation, the whole enrichment chain, 20 topics and the
store (full-text index, rollups, topic rows), in the hub's two-process shape (:mod:`veille.ingest`:
one process prepares, one writes), against today's sequential shape (stages then ``upsert_posts``
in one thread, as ``veille ingest`` did before issue 15) measured in the same run on the same posts.
Both stores must end up identical (posts, topic matches, every rollup table)."""

from __future__ import annotations

import json
import os
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from veille.contracts import run_stages, stages_committed
from veille.hub import default_stages
from veille.ingest import ingest_jsonl
from veille.settings import Settings
from veille.sources.replay import ReplaySource
from veille.store import rollups
from veille.store.sql import SqlStore, open_store
from veille.topics import load_live_topics
from veille.topics.models import TopicSpec
from veille.topics.repository import insert_topics

__all__ = ["make_posts_jsonl", "measure"]

POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
_WORDS = [
    "panne",
    "fibre",
    "livebox",
    "réseau",
    "service",
    "client",
    "merci",
    "super",
    "lent",
    "internet",
    "mobile",
    "forfait",
    "facture",
    "outage",
    "network",
    "support",
    "thanks",
    "great",
    "slow",
    "broadband",
    "phone",
    "plan",
    "bill",
    "app",
    "update",
    "launch",
    "event",
]


def make_posts_jsonl(count: int, *, seed: int = 7) -> list[str]:
    """Deterministic, varied posts (several sources, languages, hashtags, mentions, links)."""
    rng = random.Random(seed)
    start = datetime.now(UTC) - timedelta(days=2)
    lines = []
    for index in range(count):
        words = rng.choices(_WORDS, k=rng.randint(6, 24))
        if rng.random() < 0.3:
            words.append("#" + rng.choice(_WORDS))
        if rng.random() < 0.3:
            words.insert(0, "@brand_" + rng.choice(["fr", "uk", "es"]))
        links = [f"https://news.example/{index}"] if rng.random() < 0.1 else []
        source = rng.choice(["bluesky", "mastodon", "x", "reddit"])
        lines.append(
            json.dumps(
                {
                    "id": f"{source}:{index}",
                    "source": source,
                    "created_at": (start + timedelta(seconds=index)).isoformat().replace("+00:00", "Z"),
                    "text": " ".join(words),
                    "lang": rng.choice(["fr", "en"]),
                    "author": {
                        "handle": f"user{rng.randint(1, count // 5 + 1)}",
                        "followers": rng.randint(0, 50000),
                    },
                    "links": links,
                    "metrics": {"likes": rng.randint(0, 100), "reposts": rng.randint(0, 20)},
                }
            )
        )
    return lines


BENCH_TOPICS: tuple[tuple[str, str], ...] = tuple(
    (f"bench_{index}", query)
    for index, query in enumerate(
        (
            "panne OR outage",
            "fibre AND lent",
            '"network support"',
            "#update",
            "@brand_fr",
            "facture OR bill",
            "livebox AND (slow OR lent)",
            "merci OR thanks OR great",
            "mobile AND forfait",
            "internet AND NOT fibre",
            "lang:fr AND panne",
            "broadband OR fibre",
            "app AND update",
            "launch OR event",
            "client AND service",
            "phone AND plan",
            "réseau",
            "super AND NOT lent",
            "support AND (slow OR panne)",
            "network",
        )
    )
)


def _add_topics(store: SqlStore) -> None:
    with store.engine.begin() as connection:
        insert_topics(connection, [TopicSpec(name=name, query=query) for name, query in BENCH_TOPICS])


def _sequential_ingest(store: SqlStore, settings: Settings, source: ReplaySource) -> tuple[float, float]:
    """Today's shape (before issue 15): stages then upsert, batch after batch, in one thread.
    Returns (wall seconds, CPU seconds)."""
    stages = default_stages(settings, topics=load_live_topics(store, settings))
    started, cpu = time.perf_counter(), time.process_time()
    for batch in source.read():
        store.upsert_posts(run_stages(stages, batch.posts), checkpoint=(source.name, str(batch.last_line)))
        stages_committed(stages)
    return time.perf_counter() - started, time.process_time() - cpu


_COMPARED = ("posts", "post_topics", *[shape.table.name for shape in rollups.SHAPES])


def _fingerprint(store: SqlStore) -> dict[str, Any]:
    """What must be identical after both shapes: counts, topic matches and every rollup row."""
    found: dict[str, Any] = {}
    with store.engine.connect() as connection:
        for table in _COMPARED:
            if table == "posts":
                query = (
                    "SELECT id, sentiment_label, duplicate_of, country, search_text FROM posts ORDER BY id"
                )
            elif table == "post_topics":
                query = "SELECT post_id, topic, spans FROM post_topics"
            else:
                query = f"SELECT * FROM {table}"
            found[table] = sorted(tuple(row) for row in connection.execute(text(query)))
    return found


def _store_url(engine: str, folder: Path, schema: str) -> str:
    if engine == "sqlite":
        return Settings(data_dir=folder).sqlalchemy_url
    return f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"


def _run_shape(engine: str, shape: str, root: Path, jsonl: Path, count: int) -> dict[str, Any]:
    folder = root / shape
    folder.mkdir()
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    url = _store_url(engine, folder, schema)
    admin = open_store(POSTGRES_URL, migrate=False) if engine == "postgresql" else None
    if admin is not None:
        with admin.engine.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
    settings = Settings(data_dir=folder, database_url=url if engine == "postgresql" else None)
    try:
        store = open_store(url)
        try:
            _add_topics(store)
            source = ReplaySource(jsonl, batch_size=1000)
            per_process: dict[str, float] = {}
            if shape == "sequential":
                wall, cpu = _sequential_ingest(store, settings, source)
                critical = cpu
                total_cpu = cpu
            else:
                report = ingest_jsonl(settings, jsonl, name=source.name, batch_size=1000)
                wall = report.working_s  # like the sequential shape: models loaded beforehand
                critical = max(report.writer_cpu_s, report.preparer_cpu_s)
                total_cpu = report.writer_cpu_s + report.preparer_cpu_s
                per_process = {
                    "preparer_cpu_us_per_post": round(report.preparer_cpu_s / count * 1e6, 1),
                    "writer_cpu_us_per_post": round(report.writer_cpu_s / count * 1e6, 1),
                }
            stored = store.count_posts()
            fingerprint = _fingerprint(store)
        finally:
            store.close()
    finally:
        if admin is not None:
            with admin.engine.begin() as connection:
                connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            admin.close()
    if stored != count:
        raise RuntimeError(f"{shape}: stored {stored} posts of {count}")
    return {
        "posts_per_s": round(count / wall, 1),
        # On an idle machine with one core per process, the busiest process sets the pace.
        "posts_per_critical_cpu_s": round(count / critical, 1),
        "cpu_us_per_post": round(total_cpu / count * 1e6, 1),
        **per_process,
        "fingerprint": fingerprint,
    }


def measure(engine: str, *, quick: bool) -> dict[str, Any]:
    count = 10_000 if quick else 100_000
    lines = make_posts_jsonl(count)
    print(
        f"ingest {count} posts into {engine} with {len(BENCH_TOPICS)} topics; baseline: today's "
        "sequential shape (stages then upsert in one thread), same run, same posts",
        file=sys.stderr,
    )
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        jsonl = root / "posts.jsonl"
        jsonl.write_text("\n".join(lines) + "\n", encoding="utf-8")
        sequential = _run_shape(engine, "sequential", root, jsonl, count)
        executemany: dict[str, Any] | None = None
        if engine == "postgresql":  # the writer without COPY (VEILLE_STORE_COPY=0), same posts
            os.environ["VEILLE_STORE_COPY"] = "0"
            try:
                executemany = _run_shape(engine, "pipelined_executemany", root, jsonl, count)
            finally:
                del os.environ["VEILLE_STORE_COPY"]
        pipelined = _run_shape(engine, "pipelined", root, jsonl, count)
    reference = pipelined.pop("fingerprint")
    identical = sequential.pop("fingerprint") == reference
    if executemany is not None:
        identical = identical and executemany.pop("fingerprint") == reference
    value = pipelined["posts_per_s"]
    baseline = sequential["posts_per_s"]
    print(
        f"  two processes: {value:,.0f} posts/s ({pipelined['posts_per_critical_cpu_s']:,.0f} per CPU-second "
        f"of the busiest process); sequential: {baseline:,.0f} posts/s "
        f"({sequential['posts_per_critical_cpu_s']:,.0f} per CPU-second); identical stores: {identical}",
        file=sys.stderr,
    )
    if executemany is not None:
        print(
            f"  writer CPU per post: COPY {pipelined['writer_cpu_us_per_post']} µs, "
            f"executemany {executemany['writer_cpu_us_per_post']} µs",
            file=sys.stderr,
        )
    return {
        "metric": "posts_per_s",
        "value": value,
        "unit": "posts/s end to end (validation, enrichment, 20 topics, store with FTS, rollups)",
        "baseline": baseline,
        "baseline_name": "today's sequential shape: stages then upsert_posts in one thread",
        "ratio": round(value / baseline, 3),
        "goal": ">= 5000 posts/s end to end on the embedded store"
        if engine == "sqlite"
        else "beyond one process: veille bench workers (1, 2, 4 workers on PostgreSQL + NATS)",
        "identical": identical,
        "pipelined": pipelined,
        "sequential": sequential,
        # PostgreSQL: the same two processes with the writer's executemany instead of COPY.
        **({"pipelined_executemany": executemany} if executemany is not None else {}),
        "posts": count,
        "load_average": [round(value, 2) for value in load_before],
    }
