"""``veille enrich``: JSONL posts on stdin, enriched JSONL on stdout (the pipeline's stages).

``app`` is a group that runs its callback directly, so ``veille enrich [--sentiment-model MODEL]``
is a top-level command. ``veille train sentiment`` lives in :mod:`veille.cli.train`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["app", "enrich_command"]

app = typer.Typer(help="Enrich JSONL posts from stdin to stdout.")


@app.callback(invoke_without_command=True)
def enrich_command(
    sentiment_model: Annotated[
        list[Path] | None,
        typer.Option(
            "--sentiment-model",
            help="Model file for every language, or LANG=FILE for one language (repeatable).",
        ),
    ] = None,
    languages: Annotated[
        str | None, typer.Option("--languages", help="Comma-separated languages for language ID.")
    ] = None,
) -> None:
    """Read JSONL posts on stdin, write them enriched as JSONL on stdout; bad lines go to stderr."""
    from veille.contracts import run_stages
    from veille.enrich.chain import build_enrichment_stages
    from veille.enrich.language import DEFAULT_LANGUAGES
    from veille.enrich.sentiment import SentimentModel, load_default_models, load_sentiment_model
    from veille.model import Post, parse_post

    specs = [str(spec).rpartition("=") for spec in sentiment_model or []]
    try:
        # A model given without a language serves every language, so the shipped ones are not loaded;
        # a LANG=FILE given beside it still wins for that language.
        bare = any(not lang for lang, _, _ in specs)
        models: dict[str, SentimentModel] = {} if bare else dict(load_default_models())
        for lang, _, path in specs:
            models[lang or "*"] = load_sentiment_model(path)
        stages = build_enrichment_stages(
            languages=languages.split(",") if languages else DEFAULT_LANGUAGES, sentiment_models=models
        )
    except ValueError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    batch: list[Post] = []
    rejected = 0

    def flush() -> None:
        for post in run_stages(stages, batch):
            sys.stdout.write(post.to_json() + "\n")
        batch.clear()

    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            batch.append(parse_post(json.loads(line)))
        except json.JSONDecodeError as error:
            rejected += 1
            typer.echo(f"line {number}: not JSON ({error.msg})", err=True)
        except ValueError as error:
            rejected += 1
            typer.echo(f"line {number}: {error}", err=True)
        if len(batch) >= 1000:
            flush()
    flush()
    if rejected:
        typer.echo(f"{rejected} line(s) rejected", err=True)
