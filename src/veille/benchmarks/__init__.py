"""Benchmarks run by ``veille bench`` and ``make bench``.

Each benchmark is a module of this package listed in ``BENCHMARKS`` (name -> module). The module
exposes ``DESCRIPTION: str`` and ``run(*, quick: bool) -> dict``: it measures its subject and a
baseline in the same run, prints what it compares with to stderr, and returns
``{"bench": name, "metric": ..., "value": ..., "unit": ..., "baseline": ..., "ratio": ..., "goal": ...}``
(latency benchmarks add ``p50``, ``p95``, ``p99``). ``quick`` must finish in under a minute.

Beside them, the enrichment quality report (``python -m veille.benchmarks.quality``, ``make
quality``) scores the stages on real labelled data, against the plain baseline of
:mod:`veille.benchmarks.baseline`; it is not a timed benchmark, so it is not in ``BENCHMARKS``.
"""

from __future__ import annotations

BENCHMARKS: dict[str, str] = {
    "ingest_sqlite": "veille.benchmarks.ingest_sqlite",
    "ingest_postgres": "veille.benchmarks.ingest_postgres",
    "match": "veille.benchmarks.match",
    "analytics": "veille.benchmarks.analytics",
    "enrich": "veille.benchmarks.enrich",
    "workers": "veille.benchmarks.workers",
    "push": "veille.benchmarks.push",
    "live": "veille.benchmarks.live",
    "widgets": "veille.benchmarks.widgets",
    "alerts": "veille.benchmarks.alerts",
    "login_flood": "veille.benchmarks.login_flood",
    "slow_streams": "veille.benchmarks.slow_streams",
    "radar": "veille.benchmarks.radar",
}
