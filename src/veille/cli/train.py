"""``veille train sentiment``: train a per-language sentiment model from labelled data.

``--from-corrections FILE`` adds analysts' corrections from a JSON-lines file; ``--from-corrections``
alone reads them from the store of the data folder (``--data-dir``) and, unless ``--out`` says
otherwise, writes the workspace model the hub loads at start (``<data-dir>/models/sentiment-<lang>.npz``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand

__all__ = ["app", "train_sentiment_command"]

app = typer.Typer(help="Train models (sentiment).", no_args_is_help=True)

# What --from-corrections holds when it is given without a file: read the store.
_FROM_STORE = ":store:"


class _OptionalValueCommand(TyperCommand):
    """Lets ``--from-corrections`` stand without a value (Typer has no optional-value options)."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # Typer's vendored click Context
        rewritten: list[str] = []
        for index, arg in enumerate(args):
            rewritten.append(arg)
            following = args[index + 1] if index + 1 < len(args) else None
            if arg == "--from-corrections" and (following is None or following.startswith("-")):
                rewritten.append(_FROM_STORE)
        return super().parse_args(ctx, rewritten)


@app.command("sentiment", cls=_OptionalValueCommand)
def train_sentiment_command(
    lang: Annotated[str, typer.Option("--lang", help="ISO 639-1 language of the model.")],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Model file to write (.npz); default with corrections from the store: "
            "the workspace model <data-dir>/models/sentiment-<lang>.npz.",
        ),
    ] = None,
    data: Annotated[
        Path | None, typer.Option("--data", help="CSV (text,label) or UMSAB language folder.")
    ] = None,
    text_column: Annotated[str, typer.Option("--text-column")] = "text",
    label_column: Annotated[str, typer.Option("--label-column")] = "label",
    splits: Annotated[
        str, typer.Option("--splits", help="UMSAB splits to train on, comma-separated.")
    ] = "train",
    from_corrections: Annotated[
        str | None,
        typer.Option(
            "--from-corrections",
            help="Add analysts' corrections: from a JSONL FILE, or from the store when no FILE is given.",
        ),
    ] = None,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir", envvar="VEILLE_DATA_DIR", help="Data folder whose store holds corrections."
        ),
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", envvar="VEILLE_CONFIG_FILE", help="veille.toml to load.")
    ] = None,
    base_data: Annotated[
        Path | None,
        typer.Option(
            "--base-data",
            envvar="VEILLE_SENTIMENT_DATA",
            help="Folder of the base data the current model records (e.g. holding umsab/english), "
            "used with corrections from the store when --data is not given.",
        ),
    ] = None,
    regularisation: Annotated[float, typer.Option("--C", help="Inverse regularisation strength.")] = 1.0,
    class_weight: Annotated[
        str,
        typer.Option("--class-weight", help="'balanced' (labels weigh alike, for macro-F1) or 'none'."),
    ] = "balanced",
    lexicon: Annotated[
        str,
        typer.Option(
            "--lexicon", help="Lexicon features: 'vader' (English), 'fr' (French adjectives) or 'none'."
        ),
    ] = "none",
) -> None:
    """Train a per-language sentiment model and write it as a small data-only file."""
    from veille.enrich.sentiment.training import read_corrections, read_labelled_data, train_sentiment

    training: dict[str, Any] = {
        "regularisation": regularisation,
        "class_weight": None if class_weight == "none" else class_weight,
        "lexicon": None if lexicon == "none" else lexicon,
    }
    if from_corrections == _FROM_STORE:
        _train_from_store(lang, out, data, data_dir, config, base_data, training, text_column,
                          label_column, splits)  # fmt: skip
        return
    if data is None and from_corrections is None:
        raise typer.BadParameter("give --data, --from-corrections or both")
    if out is None:
        raise typer.BadParameter("--out is needed (except with corrections from the store)")
    options: dict[str, Any] = {
        "text_column": text_column,
        "label_column": label_column,
        "splits": splits.split(","),
    }
    try:
        base = read_labelled_data(data, **options) if data is not None else ([], [])
        corrections = read_corrections(from_corrections, lang=lang) if from_corrections else None
        info = {"data": str(data.resolve()), "data_options": options} if data is not None else {}
        model = train_sentiment(base, lang=lang, corrections=corrections, info=info, **training)
    except ValueError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    _write(model, out)


def _train_from_store(
    lang: str,
    out: Path | None,
    data: Path | None,
    data_dir: Path | None,
    config: Path | None,
    base_data: Path | None,
    training: dict[str, Any],
    text_column: str,
    label_column: str,
    splits: str,
) -> None:
    from veille.corrections import correction_texts, retrain_workspace_model, workspace_model_path
    from veille.enrich.sentiment.training import read_labelled_data, train_sentiment
    from veille.settings import load_settings
    from veille.store.sql import open_store

    try:
        settings = load_settings(data_dir=data_dir, config_file=config)
        store = open_store(settings.sqlalchemy_url)
    except (OSError, ValueError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    try:
        root = base_data or settings.sentiment_data
        options: dict[str, Any] = {
            "text_column": text_column,
            "label_column": label_column,
            "splits": splits.split(","),
        }
        base = read_labelled_data(data, **options) if data is not None else None
        if out is None:
            model = retrain_workspace_model(
                store,
                lang=lang,
                data_dir=settings.data_dir,
                base_data=root,
                base=base,
                training=training,
            )
            out = workspace_model_path(settings.data_dir, lang)
        else:
            corrections = correction_texts(store, lang=lang)
            if not corrections[0]:
                raise ValueError(f"no corrections in language {lang!r} in {settings.data_dir}")
            if base is None:
                raise ValueError(
                    "--data is needed with --out (or leave --out out to retrain the workspace model)"
                )
            model = train_sentiment(
                base,
                lang=lang,
                corrections=corrections,
                info={"data": str(data.resolve()) if data else None, "data_options": options},
                **training,
            )
            _write(model, out)
            return
    except ValueError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    finally:
        store.close()
    _report(model, out)


def _write(model: Any, out: Path) -> None:
    model.save(out)
    _report(model, out)


def _report(model: Any, out: Path) -> None:
    counts = model.info.get("label_counts", {})
    corrections = model.info.get("corrections", 0)
    typer.echo(
        f"wrote {out} ({out.stat().st_size // 1024} KiB, {model.info.get('examples')} examples "
        f"including {corrections} correction(s): {counts})"
    )
