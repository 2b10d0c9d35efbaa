"""Ingest into SQLite (WAL, FTS5) vs a plain executemany baseline."""

from typing import Any

from veille.benchmarks.ingest import measure

DESCRIPTION = "JSONL ingest into SQLite (validation, stages, upsert, FTS5) vs plain executemany"


def run(*, quick: bool) -> dict[str, Any]:
    return measure("sqlite", quick=quick)
