"""``veille train sentiment``: train a per-language sentiment model from labelled data.

``--from-corrections FILE`` adds analysts' corrections from a JSON-lines file; ``--from-corrections``
alone reads them from the store of the data folder (``--data-dir``) and, unless ``--out`` says
otherwise, writes the workspace model the hub loads at start (``<data-dir>/models/sentiment-<lang>.npz``).

With ``--data``, C, class weights, lexicon and mark features are chosen by cross-validation on that
data (``--folds``, 5 by default; :mod:`veille.enrich.sentiment.selection`); an option given fixes
its own choice, ``--folds 0`` turns the selection off (then C 1, balanced, no lexicon, no marks).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand

__all__ = ["app", "train_sentiment_command"]

app = typer.Typer(help="Train models (sentiment).", no_args_is_help=True)

# Training option -> the selection grid's dimension that an explicit option fixes.
_GRID_KEYS = {"regularisation": "regularisations", "class_weight": "class_weights", "lexicon": "lexicons",
              "marks": "marks"}  # fmt: skip
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
            "used with corrections from the store when --data is not given; with --data under it, "
            "the model records the data relative to it.",
        ),
    ] = None,
    regularisation: Annotated[
        float | None,
        typer.Option("--C", help="Inverse regularisation strength (default: chosen by cross-validation)."),
    ] = None,
    class_weight: Annotated[
        str | None,
        typer.Option(
            "--class-weight",
            help="'balanced' (labels weigh alike, for macro-F1) or 'none' (default: chosen by cross-validation).",
        ),
    ] = None,
    lexicon: Annotated[
        str | None,
        typer.Option(
            "--lexicon",
            help="Lexicon features: 'vader' (English), 'fr' (French adjectives) or 'none' "
            "(default: chosen by cross-validation among none and the language's lexicon).",
        ),
    ] = None,
    marks: Annotated[
        bool | None,
        typer.Option(
            "--marks/--no-marks",
            help="Emoji, emoticon and repeated-punctuation features (default: chosen by cross-validation).",
        ),
    ] = None,
    folds: Annotated[
        int,
        typer.Option(
            "--folds",
            min=0,
            help="Folds of the cross-validation that chooses what no option fixes; 0: no selection.",
        ),
    ] = 5,
) -> None:
    """Train a per-language sentiment model and write it as a small data-only file."""
    from veille.enrich.sentiment.training import read_corrections, read_labelled_data, train_sentiment

    if class_weight not in (None, "balanced", "none"):
        raise typer.BadParameter(f"--class-weight: 'balanced' or 'none', not {class_weight!r}")
    if folds == 1:
        raise typer.BadParameter("--folds: 0 (no selection) or at least 2")
    fixed: dict[str, Any] = {
        "regularisations": None if regularisation is None else [regularisation],
        "class_weights": None if class_weight is None else [None if class_weight == "none" else class_weight],
        "lexicons": None if lexicon is None else [None if lexicon == "none" else lexicon],
        "marks": None if marks is None else [marks],
    }
    training = _defaults(fixed)
    if from_corrections == _FROM_STORE:
        # Only what was given overrides the recipe of the model being retrained.
        given = {key: value for key, value in training.items() if fixed[_GRID_KEYS[key]] is not None}
        _train_from_store(lang, out, data, data_dir, config, base_data, given, text_column,
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
        info: dict[str, Any] = {"data": _recorded(data, base_data), "data_options": options} if data else {}
        if folds and base[0]:
            training, selection = _select(base, lang, fixed, folds)
            if selection:
                info["selection"] = selection
        model = train_sentiment(base, lang=lang, corrections=corrections, info=info, **training)
    except ValueError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    _write(model, out)


def _recorded(data: Path, base_data: Path | None) -> str:
    """The data path a model header records: relative to ``--base-data`` when under it (shipped
    models must not carry a path of the machine that trained them), else absolute."""
    resolved = data.resolve()
    if base_data is not None and resolved.is_relative_to(base_data.resolve()):
        return resolved.relative_to(base_data.resolve()).as_posix()
    return str(resolved)


def _select(
    base: tuple[list[str], list[str]], lang: str, fixed: dict[str, Any], folds: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Training options chosen by cross-validation on ``base``, and what the model header records."""
    from collections import Counter

    from veille.enrich.sentiment.selection import candidates, select_recipe

    fewest = min(Counter(base[1]).values())
    if fewest < folds:
        # Each fold needs an example of each label: fewer folds, or none on tiny data.
        if fewest < 2:
            typer.echo(f"too few examples of a label ({fewest}) to cross-validate: recipe not chosen")
            return _defaults(fixed), {}
        folds = fewest
    grid = candidates(lang, **fixed)
    typer.echo(
        f"choosing among {len(grid)} recipe(s) by {folds}-fold cross-validation on {len(base[0])} texts…"
    )
    selection = select_recipe(base[0], base[1], lang=lang, grid=grid, folds=folds)
    for candidate, mean in selection.ranking()[:5]:
        mark = "*" if candidate == selection.chosen else " "
        typer.echo(f" {mark} macro-F1 {mean:.3f}  {candidate.describe()}")
    return selection.chosen.training_options(), selection.to_json()


def _defaults(fixed: dict[str, Any]) -> dict[str, Any]:
    """Training options without selection: what is fixed, else C 1, balanced, no lexicon or marks."""
    defaults = {"regularisation": 1.0, "class_weight": "balanced", "lexicon": None, "marks": False}
    return {key: (fixed[_GRID_KEYS[key]] or [value])[0] for key, value in defaults.items()}


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
