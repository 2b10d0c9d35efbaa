"""Choosing a sentiment model's recipe by cross-validation on its training data only.

C (inverse regularisation), class weights, the lexicon features and the mark features (emoji,
emoticons, repeated punctuation) are chosen by stratified k-fold cross-validation (macro-F1, the
measure that weighs the three labels alike) on the texts the model is trained on: never by a
validation split whose score is then reported as the estimate (the choices tuned on UMSAB French's
validation split did not carry over to its test split). A held-out figure must come from texts this
selection never saw.

The n-gram counts of every text are computed once; per fold only the IDF (from the fold's training
texts, as :func:`~veille.enrich.sentiment.model.train_linear_model` does) and the fits are redone, so
the score of a candidate is exactly that of the model ``train_sentiment`` would build with it on the
fold's texts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import product
from typing import Any

import numpy as np

from veille.enrich.sentiment.model import (
    LABELS,
    _classifier,
    _design,
    _kept_columns,
    _term_frequencies,
    normalise_for_sentiment,
)
from veille.enrich.sentiment.training import class_weighted, recipe_for
from veille.enrich.sentiment.word_slices import Texts

__all__ = [
    "DEFAULT_REGULARISATIONS",
    "LANGUAGE_LEXICONS",
    "Candidate",
    "Selection",
    "candidates",
    "cross_validate",
    "fold_indices",
    "macro_f1",
    "select_recipe",
]

DEFAULT_REGULARISATIONS = (0.5, 1.0, 2.0, 4.0, 8.0)
# The lexicon a language may use (romanised Hindi is full of English words).
LANGUAGE_LEXICONS = {"en": "vader", "fr": "fr", "hi": "vader"}


@dataclass(frozen=True)
class Candidate:
    """One recipe: what ``train_sentiment`` takes as ``regularisation``, ``class_weight``, ..."""

    regularisation: float = 1.0
    class_weight: str | None = "balanced"
    lexicon: str | None = None
    marks: bool = False

    def training_options(self) -> dict[str, Any]:
        return {
            "regularisation": self.regularisation,
            "class_weight": self.class_weight,
            "lexicon": self.lexicon,
            "marks": self.marks,
        }

    def describe(self) -> str:
        return (
            f"C={self.regularisation:g}, class weights {self.class_weight or 'none'}, "
            f"lexicon {self.lexicon or 'none'}, marks {'on' if self.marks else 'off'}"
        )


@dataclass(frozen=True)
class Selection:
    """The chosen candidate and every candidate's per-fold macro-F1 (same folds for all)."""

    chosen: Candidate
    scores: dict[Candidate, list[float]]
    folds: int
    seed: int

    def mean(self, candidate: Candidate) -> float:
        return float(np.mean(self.scores[candidate]))

    def ranking(self) -> list[tuple[Candidate, float]]:
        return sorted(((c, self.mean(c)) for c in self.scores), key=lambda item: -item[1])

    def to_json(self) -> dict[str, Any]:
        """What the model header records about how its recipe was chosen."""
        return {
            "method": f"{self.folds}-fold stratified cross-validation on the training data, seed {self.seed}",
            "candidates": len(self.scores),
            "chosen": self.chosen.training_options(),
            "macro_f1": round(self.mean(self.chosen), 4),
            "macro_f1_folds": [round(score, 4) for score in self.scores[self.chosen]],
        }


def macro_f1(gold: Sequence[int] | np.ndarray, predicted: Sequence[int] | np.ndarray) -> float:
    gold, predicted = np.asarray(gold), np.asarray(predicted)
    scores = []
    for label in range(len(LABELS)):
        true_positive = float(np.sum((gold == label) & (predicted == label)))
        precision = true_positive / max(float(np.sum(predicted == label)), 1.0)
        recall = true_positive / max(float(np.sum(gold == label)), 1.0)
        scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return float(np.mean(scores))


def fold_indices(
    labels: Sequence[str], *, folds: int = 5, seed: int = 0
) -> list[tuple[np.ndarray, np.ndarray]]:
    """(kept, held) index arrays of a stratified k-fold split; they depend only on the arguments."""
    from sklearn.model_selection import StratifiedKFold

    gold = np.asarray(labels)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    return [(kept, held) for kept, held in splitter.split(np.zeros(len(gold)), gold)]


def candidates(
    lang: str,
    *,
    regularisations: Iterable[float] | None = None,
    class_weights: Iterable[str | None] | None = None,
    lexicons: Iterable[str | None] | None = None,
    marks: Iterable[bool] | None = None,
) -> list[Candidate]:
    """The grid searched for ``lang``; a dimension given is fixed to what is given."""
    lexicon = LANGUAGE_LEXICONS.get(lang)
    return [
        Candidate(float(c), weight, chosen_lexicon, bool(mark))
        for c, weight, chosen_lexicon, mark in product(
            DEFAULT_REGULARISATIONS if regularisations is None else regularisations,
            ("balanced", None) if class_weights is None else class_weights,
            ((None, lexicon) if lexicon else (None,)) if lexicons is None else lexicons,
            (False, True) if marks is None else marks,
        )
    ]


def cross_validate(
    texts: Sequence[str],
    labels: Sequence[str],
    grid: Sequence[Candidate],
    *,
    folds: int = 5,
    seed: int = 0,
) -> dict[Candidate, list[float]]:
    """Macro-F1 of each candidate on each fold (the same folds for all, see :func:`fold_indices`)."""
    if len(texts) != len(labels):
        raise ValueError(f"texts and labels differ in length ({len(texts)} vs {len(labels)})")
    normalised = Texts(normalise_for_sentiment(text) for text in texts)
    targets = np.array([LABELS.index(label) for label in labels])
    recipe = recipe_for(lexicon=None, marks=False)
    term_frequencies = _term_frequencies(recipe, normalised)
    # Dense blocks of every text once, by (lexicon, marks); features of a text never depend on others.
    dense: dict[tuple[str | None, bool], list[np.ndarray]] = {}
    for candidate in grid:
        key = (candidate.lexicon, candidate.marks)
        if key not in dense:
            dense[key] = recipe_for(lexicon=candidate.lexicon, marks=candidate.marks).dense_features(
                normalised
            )
    scores: dict[Candidate, list[float]] = {candidate: [] for candidate in grid}
    for kept_rows, held_rows in fold_indices(labels, folds=folds, seed=seed):
        train_tf = [block[kept_rows] for block in term_frequencies]
        held_tf = [block[held_rows] for block in term_frequencies]
        kept = _kept_columns(recipe, train_tf)
        fold_labels = [labels[i] for i in kept_rows]
        for (lexicon, marks), blocks in dense.items():
            train_design = _design(train_tf, kept, [block[kept_rows] for block in blocks])
            held_design = _design(held_tf, kept, [block[held_rows] for block in blocks])
            for candidate in grid:
                if (candidate.lexicon, candidate.marks) != (lexicon, marks):
                    continue
                weights = class_weighted([1.0] * len(kept_rows), fold_labels, candidate.class_weight)
                classifier = _classifier(candidate.regularisation)
                classifier.fit(train_design, targets[kept_rows], sample_weight=np.asarray(weights))
                scores[candidate].append(macro_f1(targets[held_rows], classifier.predict(held_design)))
    return scores


def _best(scores: dict[Candidate, list[float]]) -> Candidate:
    def rank(candidate: Candidate) -> tuple[float, int, float]:
        simpler = int(candidate.lexicon is not None) + int(candidate.marks)
        return (-round(float(np.mean(scores[candidate])), 4), simpler, candidate.regularisation)

    return min(scores, key=rank)


def select_recipe(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    lang: str,
    grid: Sequence[Candidate] | None = None,
    folds: int = 5,
    seed: int = 0,
    staged: bool = False,
) -> Selection:
    """The candidate with the best mean macro-F1 over the folds (ties: the simpler, then smaller C).

    ``staged`` (for large data, where each fit is slow) searches the grid in two stages: the features
    (lexicon, marks) at the grid's C nearest 1 and its first class weight, then C and class weights
    with the features chosen; about a third of the fits of the whole grid.
    """
    grid = list(grid) if grid is not None else candidates(lang)
    if not grid:
        raise ValueError("grid: no candidate recipe to choose from")
    if not staged:
        scores = cross_validate(texts, labels, grid, folds=folds, seed=seed)
        return Selection(chosen=_best(scores), scores=scores, folds=folds, seed=seed)
    middle = min({c.regularisation for c in grid}, key=lambda value: abs(np.log(value)))
    weight = grid[0].class_weight
    first = [c for c in grid if c.regularisation == middle and c.class_weight == weight]
    scores = cross_validate(texts, labels, first, folds=folds, seed=seed)
    features = _best(scores)
    second = [
        c for c in grid if (c.lexicon, c.marks) == (features.lexicon, features.marks) and c not in scores
    ]
    scores.update(cross_validate(texts, labels, second, folds=folds, seed=seed) if second else {})
    return Selection(chosen=_best(scores), scores=scores, folds=folds, seed=seed)
