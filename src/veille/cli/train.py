"""``veille train sentiment``: train a per-language sentiment model from labelled data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["app", "train_sentiment_command"]

app = typer.Typer(help="Train models (sentiment).", no_args_is_help=True)


@app.command("sentiment")
def train_sentiment_command(
    out: Annotated[Path, typer.Option("--out", help="Model file to write (.npz).")],
    lang: Annotated[str, typer.Option("--lang", help="ISO 639-1 language of the model.")],
    data: Annotated[
        Path | None, typer.Option("--data", help="CSV (text,label) or UMSAB language folder.")
    ] = None,
    text_column: Annotated[str, typer.Option("--text-column")] = "text",
    label_column: Annotated[str, typer.Option("--label-column")] = "label",
    splits: Annotated[
        str, typer.Option("--splits", help="UMSAB splits to train on, comma-separated.")
    ] = "train",
    from_corrections: Annotated[
        Path | None, typer.Option("--from-corrections", help="JSONL analyst corrections to add.")
    ] = None,
    regularisation: Annotated[float, typer.Option("--C", help="Inverse regularisation strength.")] = 1.0,
) -> None:
    """Train a per-language sentiment model and write it as a small data-only file."""
    from veille.enrich.training import read_corrections, read_labelled_data, train_sentiment

    if data is None and from_corrections is None:
        raise typer.BadParameter("give --data, --from-corrections or both")
    options = {"text_column": text_column, "label_column": label_column, "splits": splits.split(",")}
    try:
        base = read_labelled_data(data, **options) if data is not None else ([], [])  # type: ignore[arg-type]
        corrections = read_corrections(from_corrections, lang=lang) if from_corrections else None
        info = {"data": str(data.resolve()), "data_options": options} if data is not None else {}
        model = train_sentiment(
            base, lang=lang, corrections=corrections, regularisation=regularisation, info=info
        )
    except ValueError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    model.save(out)
    counts = model.info.get("label_counts", {})
    typer.echo(
        f"wrote {out} ({out.stat().st_size // 1024} KiB, {model.info.get('examples')} examples: {counts})"
    )
