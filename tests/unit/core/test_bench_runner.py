"""`veille bench`: every registered benchmark is listed; a result missing a contract key is refused."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import pytest

from veille.benchmarks import BENCHMARKS
from veille.benchmarks.runner import available, run_benchmark


def test_every_registered_benchmark_has_a_description() -> None:
    names = available()
    assert set(names) == set(BENCHMARKS)
    assert {"ingest_sqlite", "ingest_postgres", "match", "enrich", "analytics"} <= set(names)
    assert all(description.strip() for description in names.values())


def _fake_benchmark(monkeypatch: pytest.MonkeyPatch, result: dict[str, object]) -> None:
    module = types.ModuleType("veille_test_fake_bench")
    module.DESCRIPTION = "fake"  # type: ignore[attr-defined]
    module.run = lambda *, quick: dict(result)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "veille_test_fake_bench", module)
    monkeypatch.setitem(BENCHMARKS, "fake", "veille_test_fake_bench")


def test_result_is_written_with_the_contract_keys(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _fake_benchmark(
        monkeypatch,
        {
            "metric": "posts_per_s",
            "value": 10.0,
            "unit": "posts/s",
            "baseline": 5.0,
            "ratio": 2.0,
            "goal": ">= 1",
        },
    )
    result = run_benchmark("fake", quick=True, results_dir=tmp_path)
    assert result["bench"] == "fake" and result["ratio"] == 2.0 and result["quick"] is True
    assert json.loads((tmp_path / "fake.json").read_text())["value"] == 10.0


def test_a_result_missing_its_baseline_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _fake_benchmark(
        monkeypatch, {"metric": "posts_per_s", "value": 10.0, "unit": "posts/s", "ratio": 2.0, "goal": "x"}
    )
    with pytest.raises(RuntimeError, match="benchmark fake did not report baseline"):
        run_benchmark("fake", quick=True, results_dir=tmp_path)
