"""Training sentiment models from labelled files and from analysts' corrections.

Accepted data: a CSV with a text column and a label column (``negative``/``neutral``/``positive``,
or UMSAB's ``0``/``1``/``2``), or a UMSAB language folder (``train_text.txt`` + ``train_labels.txt``).
Corrections are JSON lines ``{"text": ..., "lang": ..., "label": ...}``.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from veille.enrich.sentiment.model import LABELS, FeatureRecipe, LinearSentimentModel, train_linear_model

__all__ = [
    "CORRECTION_WEIGHT",
    "LabelledTexts",
    "class_weighted",
    "read_corrections",
    "read_labelled_data",
    "recipe_for",
    "resolve_base_data",
    "retrain_with_corrections",
    "train_sentiment",
]

# A correction counts as this many ordinary examples: analysts correct few posts, and those are
# exactly the client's domain the base data lacks.
CORRECTION_WEIGHT = 3.0
# Weight of the two lexicon features beside the L2-normalised n-gram blocks (cross-validated on the
# UMSAB English train split; see docs/quality.md).
LEXICON_SCALE = 1.0
_NUMERIC_LABELS = {"0": "negative", "1": "neutral", "2": "positive"}
_LABEL_ALIASES = {"neg": "negative", "neu": "neutral", "pos": "positive", "-1": "negative"}

LabelledTexts = tuple[list[str], list[str]]


def _label(value: str, where: str) -> str:
    folded = value.strip().lower()
    label = _NUMERIC_LABELS.get(folded) or _LABEL_ALIASES.get(folded) or folded
    if label not in LABELS:
        raise ValueError(f"{where}: unknown label {value!r}; expected one of {list(LABELS)} or 0/1/2")
    return label


def _read_umsab_folder(folder: Path, splits: Sequence[str]) -> LabelledTexts:
    texts: list[str] = []
    labels: list[str] = []
    for split in splits:
        text_file, label_file = folder / f"{split}_text.txt", folder / f"{split}_labels.txt"
        if not text_file.is_file() or not label_file.is_file():
            raise ValueError(
                f"{folder}: no {text_file.name} and {label_file.name} (a UMSAB language folder?)"
            )
        split_texts = text_file.read_text(encoding="utf-8").split("\n")
        split_labels = [line for line in label_file.read_text(encoding="utf-8").split("\n") if line.strip()]
        # Files end with a newline; a text may be empty but labels never are.
        split_texts = split_texts[: len(split_labels)]
        if len(split_texts) != len(split_labels):
            raise ValueError(f"{folder}: {split} has {len(split_texts)} texts but {len(split_labels)} labels")
        for number, (text, label) in enumerate(zip(split_texts, split_labels, strict=True), start=1):
            texts.append(text)
            labels.append(_label(label, f"{label_file}:{number}"))
    return texts, labels


def _read_csv(path: Path, text_column: str, label_column: str) -> LabelledTexts:
    texts: list[str] = []
    labels: list[str] = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = reader.fieldnames or []
        for column in (text_column, label_column):
            if column not in columns:
                raise ValueError(f"{path}: no column {column!r} (columns: {', '.join(columns)})")
        for number, row in enumerate(reader, start=2):
            text = row.get(text_column) or ""
            if not text.strip():
                continue
            texts.append(text)
            labels.append(_label(row.get(label_column) or "", f"{path}:{number}: {label_column}"))
    return texts, labels


def read_labelled_data(
    path: str | Path,
    *,
    text_column: str = "text",
    label_column: str = "label",
    splits: Sequence[str] = ("train",),
) -> LabelledTexts:
    """``(texts, labels)`` from a CSV file or a UMSAB language folder; errors name file and line."""
    source = Path(path)
    if source.is_dir():
        return _read_umsab_folder(source, splits)
    if not source.is_file():
        raise ValueError(f"{source}: no such file or folder")
    return _read_csv(source, text_column, label_column)


def read_corrections(path: str | Path, *, lang: str | None = None) -> LabelledTexts:
    """Analyst corrections from JSON lines, keeping those of ``lang`` (all when ``None``)."""
    texts: list[str] = []
    labels: list[str] = []
    source = Path(path)
    if not source.is_file():
        raise ValueError(f"{source}: no such corrections file")
    with source.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as error:
                raise ValueError(f"{source}:{number}: not JSON ({error.msg})") from None
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                raise ValueError(f"{source}:{number}: a correction needs a text")
            if lang is not None and item.get("lang") not in (None, lang):
                continue
            texts.append(item["text"])
            labels.append(_label(str(item.get("label", "")), f"{source}:{number}: label"))
    return texts, labels


def train_sentiment(
    data: LabelledTexts,
    *,
    lang: str,
    corrections: LabelledTexts | None = None,
    correction_weight: float = CORRECTION_WEIGHT,
    regularisation: float = 1.0,
    name: str | None = None,
    info: Mapping[str, Any] | None = None,
    class_weight: str | None = "balanced",
    lexicon: str | None = None,
    marks: bool = False,
) -> LinearSentimentModel:
    """Train a model on ``(texts, labels)``, plus weighted corrections when given.

    ``class_weight="balanced"`` weighs each label inversely to its frequency (scikit-learn's rule),
    so a minority label such as ``positive`` among airline complaints is not sacrificed: macro-F1,
    the measure that matters here, weighs the three labels alike. ``lexicon`` adds lexicon features
    (:mod:`veille.enrich.sentiment.lexicon`; ``"vader"`` for English), ``marks`` emoji, emoticon
    and repeated-punctuation features (:mod:`veille.enrich.sentiment.marks`). To choose these by
    cross-validation, see :func:`veille.enrich.sentiment.selection.select_recipe`.
    """
    texts, labels = list(data[0]), list(data[1])
    weights = [1.0] * len(texts)
    details = dict(info or {})
    if corrections is not None and corrections[0]:
        texts += corrections[0]
        labels += corrections[1]
        weights += [correction_weight] * len(corrections[0])
        details["corrections"] = len(corrections[0])
    weights = class_weighted(weights, labels, class_weight)
    details["class_weight"] = class_weight
    recipe = recipe_for(lexicon=lexicon, marks=marks)
    return train_linear_model(
        texts,
        labels,
        lang=lang,
        name=name,
        recipe=recipe,
        regularisation=regularisation,
        info=details,
        weights=weights,
    )


def class_weighted(weights: Sequence[float], labels: Sequence[str], class_weight: str | None) -> list[float]:
    """``weights`` times each label's balancing weight (scikit-learn's rule) when asked."""
    if class_weight not in (None, "balanced"):
        raise ValueError(f"class_weight: 'balanced' or None, not {class_weight!r}")
    if class_weight is None:
        return list(weights)
    counts = Counter(labels)
    share = {label: len(labels) / (len(counts) * count) for label, count in counts.items()}
    return [weight * share[label] for weight, label in zip(weights, labels, strict=True)]


def recipe_for(*, lexicon: str | None, marks: bool) -> FeatureRecipe:
    return FeatureRecipe(lexicon=lexicon, lexicon_scale=LEXICON_SCALE, marks=marks)


def resolve_base_data(model: LinearSentimentModel, root: str | Path | None) -> tuple[Path, dict[str, Any]]:
    """Where the data ``model`` was trained on is, and how to read it (``info.data``/``data_options``).

    Shipped models record a path relative to the base-data folder (``umsab/english``), which is
    ``root`` (setting ``sentiment_data``, ``--base-data``); models trained here may record an
    absolute path.
    """
    recorded = model.info.get("data")
    if not recorded:
        raise ValueError(f"model {model.name}: its header records no training data to retrain from")
    options = dict(model.info.get("data_options") or {})
    path = Path(str(recorded))
    if not path.is_absolute():
        if root is None:
            raise ValueError(
                f"model {model.name} was trained on {recorded!r}, relative to the base-data folder: "
                "set VEILLE_SENTIMENT_DATA (or pass --base-data) to the folder holding it"
            )
        path = Path(root) / path
    if not path.exists():
        raise ValueError(f"model {model.name}: base data {path} not found")
    return path, options


def retrain_with_corrections(
    base_model_or_data: LinearSentimentModel | LabelledTexts | str | Path,
    corrections: LabelledTexts | Iterable[Mapping[str, Any]],
    *,
    lang: str | None = None,
    data_options: Mapping[str, Any] | None = None,
    base_data: str | Path | None = None,
) -> LinearSentimentModel:
    """A workspace's model retrained on its base data plus analysts' corrections.

    ``base_model_or_data`` is labelled data, a data path, or a model whose header records the data
    it was trained on (``info.data``, written by ``veille train sentiment``; a relative path is
    found under ``base_data``, see :func:`resolve_base_data`). ``corrections`` are
    ``(texts, labels)`` or mappings with ``text``, ``label`` and optionally ``lang``.
    """
    options = dict(data_options or {})
    recorded: Any = None
    training: dict[str, Any] = {}
    if isinstance(base_model_or_data, LinearSentimentModel):
        model = base_model_or_data
        # Built like the model it replaces (its lexicon, C and class weights), not with the defaults.
        training = {
            "lexicon": model.recipe.lexicon,
            "marks": model.recipe.marks,
            "regularisation": float(model.info.get("regularisation", 1.0)),
            "class_weight": model.info.get("class_weight", "balanced"),
        }
        path, recorded_options = resolve_base_data(model, base_data)
        recorded = model.info.get("data")
        lang = lang or model.lang
        options = {**recorded_options, **options}
        base = read_labelled_data(path, **options)
    elif isinstance(base_model_or_data, (str, Path)):
        recorded = str(base_model_or_data)
        base = read_labelled_data(base_model_or_data, **options)
    else:
        base = base_model_or_data
    if lang is None:
        raise ValueError("lang: needed when retraining from data")
    if isinstance(corrections, tuple) and len(corrections) == 2 and isinstance(corrections[0], list):
        extra: LabelledTexts = corrections
    else:
        extra = ([], [])
        for number, item in enumerate(corrections, start=1):
            if item.get("lang") not in (None, lang):
                continue
            extra[0].append(str(item["text"]))
            extra[1].append(_label(str(item.get("label", "")), f"correction {number}: label"))
    info = {"data": recorded, "data_options": options} if recorded else {}
    return train_sentiment(base, lang=lang, corrections=extra, info=info, **training)
