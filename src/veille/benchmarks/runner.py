"""Finds, runs and records benchmarks (``veille bench``)."""

from __future__ import annotations

import importlib
import json
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from veille.benchmarks import BENCHMARKS

__all__ = ["available", "run_benchmark"]

REQUIRED_KEYS = ("bench", "metric", "value", "unit", "baseline", "ratio", "goal")


def available() -> dict[str, str]:
    """Benchmark names and their one-line descriptions."""
    return {name: importlib.import_module(module).DESCRIPTION for name, module in BENCHMARKS.items()}


def run_benchmark(name: str, *, quick: bool, results_dir: Path) -> dict[str, Any]:
    module = importlib.import_module(BENCHMARKS[name])
    print(f"== bench {name}{' (quick)' if quick else ''}: {module.DESCRIPTION}", file=sys.stderr, flush=True)
    started = time.perf_counter()
    result: dict[str, Any] = {"bench": name, **module.run(quick=quick)}
    missing = [key for key in REQUIRED_KEYS if key not in result]
    if missing:
        raise RuntimeError(f"benchmark {name} did not report {', '.join(missing)}")
    result["quick"] = quick
    result["seconds"] = round(time.perf_counter() - started, 2)
    result["machine"] = {"python": platform.python_version(), "platform": platform.platform()}
    result["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    results_dir.mkdir(parents=True, exist_ok=True)
    (results_dir / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
    return result
