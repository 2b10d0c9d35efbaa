"""Ingest throughput: a JSONL file through validation, stages and the store, against a plain
``executemany`` of the same rows into a bare table of the same engine, measured in the same run."""

from __future__ import annotations

import json
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
from veille.settings import Settings
from veille.sources.replay import ReplaySource
from veille.store.sql import SqlStore, _post_row, open_store

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


def _hub_ingest(store: SqlStore, settings: Settings, source: ReplaySource) -> float:
    stages = default_stages(settings)
    started = time.perf_counter()
    for batch in source.read():
        store.upsert_posts(run_stages(stages, batch.posts), checkpoint=("bench", str(batch.last_line)))
        stages_committed(stages)
    return time.perf_counter() - started


def _plain_executemany(store: SqlStore, source: ReplaySource, table: str) -> float:
    """The baseline: the same rows, already built, inserted with executemany into an unindexed table."""
    stages = default_stages(Settings())
    rows: list[dict[str, Any]] = []
    for batch in source.read():
        for offset, post in enumerate(run_stages(stages, batch.posts)):
            row = _post_row(post, seq=len(rows) + offset + 1, ingested_us=0)
            row["doc"] = json.dumps(row["doc"])
            rows.append(row)
    columns = list(rows[0])
    with store.engine.begin() as connection:
        connection.execute(text(f"CREATE TABLE {table} ({', '.join(f'{c} TEXT' for c in columns)})"))
    insert = text(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})"
    )
    started = time.perf_counter()
    for offset in range(0, len(rows), 1000):
        with store.engine.begin() as connection:
            connection.execute(
                insert, [{k: _text(v) for k, v in row.items()} for row in rows[offset : offset + 1000]]
            )
    return time.perf_counter() - started


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def measure(engine: str, *, quick: bool) -> dict[str, Any]:
    count = 10_000 if quick else 100_000
    lines = make_posts_jsonl(count)
    print(f"ingest {count} posts into {engine}; baseline: plain executemany, same engine", file=sys.stderr)
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder))
        jsonl = Path(folder) / "posts.jsonl"
        jsonl.write_text("\n".join(lines) + "\n", encoding="utf-8")
        source = ReplaySource(jsonl, batch_size=1000)
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        url = (
            settings.sqlalchemy_url
            if engine == "sqlite"
            else f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
        )
        if engine == "postgresql":
            admin = open_store(POSTGRES_URL, migrate=False)
            with admin.engine.begin() as connection:
                connection.execute(text(f"CREATE SCHEMA {schema}"))
        store = open_store(url)
        try:
            hub_seconds = _hub_ingest(store, settings, source)
            stored = store.count_posts()
            baseline_seconds = _plain_executemany(store, source, "bench_plain")
        finally:
            store.close()
            if engine == "postgresql":
                with admin.engine.begin() as connection:
                    connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
                admin.close()
    if stored != count:
        raise RuntimeError(f"stored {stored} posts of {count}")
    value = count / hub_seconds
    baseline = count / baseline_seconds
    print(f"  hub ingest: {value:,.0f} posts/s; plain executemany: {baseline:,.0f} rows/s", file=sys.stderr)
    return {
        "metric": "posts_per_s",
        "value": round(value, 1),
        "unit": "posts/s",
        "baseline": round(baseline, 1),
        "baseline_name": f"plain executemany into a bare {engine} table",
        "ratio": round(value / baseline, 3),
        # The hub does per post what the baseline does not: validation, the whole enrichment chain,
        # topic matching, full-text index, rollups and topic rows. A laptop hub following live streams
        # needs about a thousand posts a second with all of that.
        "goal": ">= 1000 posts/s end to end (validation, enrichment, topics, store with FTS and rollups)",
        "posts": count,
    }
