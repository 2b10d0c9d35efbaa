"""Ingest into PostgreSQL (tsvector) vs a plain executemany baseline."""

from typing import Any

from veille.benchmarks.ingest import measure

DESCRIPTION = "JSONL ingest into PostgreSQL (validation, stages, upsert, tsvector) vs plain executemany"


def run(*, quick: bool) -> dict[str, Any]:
    return measure("postgresql", quick=quick)
