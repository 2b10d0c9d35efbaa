"""``veille bench``: the benchmark suite, one by one or all."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from veille.cli._options import fail

__all__ = ["app"]

app = typer.Typer()


@app.command()
def bench(
    name: Annotated[str | None, typer.Argument(help="One benchmark; all when omitted.")] = None,
    quick: Annotated[bool, typer.Option(help="A short run (under a minute each).")] = False,
    list_: Annotated[bool, typer.Option("--list", help="Name the benchmarks and stop.")] = False,
    results: Annotated[Path, typer.Option(help="Folder for the JSON results.")] = Path("bench/results"),
) -> None:
    """Run benchmarks; each prints its result as one JSON object on its last line."""
    from veille.benchmarks.runner import available, run_benchmark

    names = available()
    if list_:
        for bench_name, description in names.items():
            sys.stdout.write(f"{bench_name}\t{description}\n")
        return
    if name is not None and name not in names:
        raise fail(f"no benchmark {name!r}; known: {', '.join(names)}")
    for bench_name in [name] if name else list(names):
        result = run_benchmark(bench_name, quick=quick, results_dir=results)
        sys.stdout.write(json.dumps(result) + "\n")
        sys.stdout.flush()
