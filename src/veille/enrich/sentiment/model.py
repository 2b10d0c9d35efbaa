"""Sentiment of posts behind one interface: trained linear models per language, VADER as fallback.

A trained model is hashed word and character n-grams, TF-IDF weighted, and a multinomial logistic
regression. Its file is data, not code: a NumPy ``.npz`` (loaded with ``allow_pickle=False``) holding
a JSON header, the hashed columns seen in training with their IDF, and the coefficients. Loading a
user-supplied model file can therefore never run code.

Texts are normalised the way the UMSAB training data is (``@handle`` -> ``@user``, links -> ``http``)
before training and prediction, so that handles such as ``@united`` carry no sentiment.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
import scipy.sparse as sp

from veille.enrich.sentiment.features import CharNgramColumns, WordNgramColumns
from veille.enrich.sentiment.lexicon import LEXICONS, lexicon_features
from veille.enrich.sentiment.marks import MARK_FEATURES, mark_features
from veille.enrich.sentiment.word_slices import Texts
from veille.model import Post, Sentiment

__all__ = [
    "ANALYST_MODEL",
    "LABELS",
    "FeatureRecipe",
    "LinearSentimentModel",
    "SentimentModel",
    "SentimentStage",
    "VaderSentimentModel",
    "default_model_path",
    "load_default_models",
    "load_sentiment_model",
    "normalise_for_sentiment",
    "train_linear_model",
]

LABELS: tuple[str, str, str] = ("negative", "neutral", "positive")
# The model name of a sentiment an analyst set (veille.corrections).
ANALYST_MODEL = "analyst"
MODEL_FORMAT = "veille-sentiment-linear"
MODEL_FORMAT_VERSION = 3
# Version 1 files (no lexicon features) and 2 (no mark features) read the same way.
_READABLE_VERSIONS = (1, 2, 3)
# Only labels with a score beyond these are positive/negative for VADER (its authors' thresholds).
_VADER_THRESHOLD = 0.05

_URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MENTION_RE = re.compile(r"(?<![\w@])@\w+(?:[.-]\w+)*")
# _MENTION_RE with the "@" first (the look-behind moved after it): the engine jumps from "@" to "@"
# instead of trying every position, about five times faster on tweets.
_MENTION_AT_RE = re.compile(r"@(?<![\w@]@)\w+(?:[.-]\w+)*")


def normalise_for_sentiment(text: str) -> str:
    """Handles become ``@user`` and links ``http``, as in the UMSAB data the models learn from."""
    # Only "://" or a case-insensitive "www." can start a link (nothing else lower-cases to "w").
    if "://" in text or "www." in text.lower():
        text = _URL_RE.sub("http", text)
    return _MENTION_AT_RE.sub("@user", text) if "@" in text else text


@runtime_checkable
class SentimentModel(Protocol):
    """Anything that turns texts into :class:`~veille.model.Sentiment` (label, score in [-1, 1], model)."""

    name: str

    def predict(self, texts: Sequence[str]) -> list[Sentiment]: ...


def _sentiments_from_probabilities(probabilities: np.ndarray, name: str) -> list[Sentiment]:
    # The score is P(positive) - P(negative): signed, in [-1, 1], near 0 for neutral posts.
    scores = np.clip(probabilities[:, 2] - probabilities[:, 0], -1.0, 1.0)
    best = probabilities.argmax(axis=1)
    return [
        Sentiment(label=LABELS[index], score=round(score, 4), model=name)
        for index, score in zip(best.tolist(), scores.tolist(), strict=True)
    ]


@dataclass(frozen=True)
class FeatureRecipe:
    """How texts become features; stored in the model header so that prediction repeats training."""

    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (2, 5)
    hash_bits: int = 22
    min_df: int = 1
    sublinear_tf: bool = True
    # Lexicon features (veille.enrich.sentiment.lexicon) beside the n-grams, and their weight in the design.
    lexicon: str | None = None
    lexicon_scale: float = 1.0
    # Emoji, emoticon and repeated-punctuation features (veille.enrich.sentiment.marks).
    marks: bool = False
    marks_scale: float = 1.0

    def to_json(self) -> dict[str, Any]:
        return {
            "word_ngrams": list(self.word_ngrams),
            "char_ngrams": list(self.char_ngrams),
            "hash_bits": self.hash_bits,
            "min_df": self.min_df,
            "sublinear_tf": self.sublinear_tf,
            "lexicon": self.lexicon,
            "lexicon_scale": self.lexicon_scale,
            "marks": self.marks,
            "marks_scale": self.marks_scale,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FeatureRecipe:
        try:
            word = tuple(int(value) for value in data["word_ngrams"])
            char = tuple(int(value) for value in data["char_ngrams"])
            recipe = cls(
                word_ngrams=(word[0], word[1]),
                char_ngrams=(char[0], char[1]),
                hash_bits=int(data["hash_bits"]),
                min_df=int(data.get("min_df", 1)),
                sublinear_tf=bool(data.get("sublinear_tf", True)),
                lexicon=None if data.get("lexicon") is None else str(data["lexicon"]),
                lexicon_scale=float(data.get("lexicon_scale", 1.0)),
                marks=bool(data.get("marks", False)),
                marks_scale=float(data.get("marks_scale", 1.0)),
            )
        except (KeyError, IndexError, TypeError, ValueError) as error:
            raise ValueError(f"features: malformed recipe ({error})") from None
        if not 10 <= recipe.hash_bits <= 26:
            raise ValueError("features.hash_bits: must be between 10 and 26")
        if recipe.lexicon is not None and recipe.lexicon not in LEXICONS:
            raise ValueError(f"features.lexicon: unknown {recipe.lexicon!r} (known: {', '.join(LEXICONS)})")
        return recipe

    def dense_features(self, texts: Sequence[str]) -> list[np.ndarray]:
        """The lexicon and mark blocks of (normalised) texts, scaled, in design order."""
        blocks = []
        if self.lexicon is not None:
            blocks.append(lexicon_features(texts, self.lexicon) * self.lexicon_scale)
        if self.marks:
            blocks.append(mark_features(texts) * self.marks_scale)
        return blocks

    def vectorizers(self) -> list[Any]:
        from sklearn.feature_extraction.text import HashingVectorizer

        common: dict[str, Any] = {
            "n_features": 1 << self.hash_bits,
            "alternate_sign": False,
            "norm": None,
            "lowercase": True,
            "dtype": np.float32,
        }
        return [
            HashingVectorizer(analyzer="word", ngram_range=self.word_ngrams, **common),
            HashingVectorizer(analyzer="char_wb", ngram_range=self.char_ngrams, **common),
        ]


@dataclass
class _Block:
    """One feature family (word or character n-grams): the columns kept and their weights."""

    columns: np.ndarray  # int64, sorted hashed column ids seen in training
    idf: np.ndarray  # float32, one per column
    coef: np.ndarray  # float32, (columns, classes)
    # Built on first use: turns texts into counts over ``columns`` (cached per word, see features.py).
    _columns_of: CharNgramColumns | WordNgramColumns | None = field(default=None, repr=False)

    def counts(self, recipe: FeatureRecipe, kind: int, texts: Sequence[str]) -> sp.csr_matrix:
        if self._columns_of is None:
            if kind == 0:
                self._columns_of = WordNgramColumns(self.columns, recipe.word_ngrams, recipe.hash_bits)
            else:
                self._columns_of = CharNgramColumns(self.columns, recipe.char_ngrams, recipe.hash_bits)
        return self._columns_of.matrix(texts)


def _term_frequencies(recipe: FeatureRecipe, texts: Sequence[str]) -> list[sp.csr_matrix]:
    blocks = []
    for vectorizer in recipe.vectorizers():
        counts = vectorizer.transform(texts).tocsr()
        if recipe.sublinear_tf:
            counts.data = 1.0 + np.log(counts.data)
        blocks.append(counts)
    return blocks


def _kept_columns(
    recipe: FeatureRecipe, term_frequencies: list[sp.csr_matrix]
) -> list[tuple[np.ndarray, np.ndarray]]:
    """(columns, IDF) of each n-gram block, learnt from the training texts' term frequencies."""
    kept = []
    for block in term_frequencies:
        n_docs = block.shape[0]
        document_frequency = np.bincount(block.indices, minlength=block.shape[1])
        columns = np.flatnonzero(document_frequency >= max(recipe.min_df, 1))
        # sklearn's smooth IDF, rounded to float16 as it is stored so training and prediction agree.
        idf = (np.log((1.0 + n_docs) / (1.0 + document_frequency[columns])) + 1.0).astype(np.float16)
        kept.append((columns, idf.astype(np.float32)))
    return kept


def _design(
    term_frequencies: list[sp.csr_matrix],
    kept: list[tuple[np.ndarray, np.ndarray]],
    dense: list[np.ndarray],
) -> sp.csr_matrix:
    """TF-IDF of each n-gram block on its kept columns, L2-normalised per text, then the dense blocks."""
    blocks: list[sp.csr_matrix] = []
    for block, (columns, idf) in zip(term_frequencies, kept, strict=True):
        weighted = block[:, columns] @ sp.diags(idf.astype(np.float64))
        norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        blocks.append(sp.csr_matrix(sp.diags(1.0 / norms) @ weighted))
    blocks += [sp.csr_matrix(values) for values in dense]
    return sp.hstack(blocks).tocsr()


def _classifier(regularisation: float) -> Any:
    from sklearn.linear_model import LogisticRegression

    # Newton-CG reaches lbfgs's optimum (the same objective) in a few steps: about 10x faster on
    # these designs, which makes choosing C by cross-validation affordable.
    return LogisticRegression(C=regularisation, solver="newton-cg", max_iter=5000)


class LinearSentimentModel:
    """A trained per-language model; build with :func:`train_linear_model` or :meth:`load`."""

    def __init__(
        self,
        *,
        name: str,
        lang: str,
        recipe: FeatureRecipe,
        blocks: list[_Block],
        intercept: np.ndarray,
        info: Mapping[str, Any] | None = None,
        lexicon_coef: np.ndarray | None = None,
        marks_coef: np.ndarray | None = None,
    ) -> None:
        self.name = name
        self.lang = lang
        self.recipe = recipe
        self.blocks = blocks
        self.intercept = intercept.astype(np.float64)
        if (recipe.lexicon is None) != (lexicon_coef is None):
            raise ValueError("lexicon_coef: needed exactly when the recipe has a lexicon")
        self.lexicon_coef = None if lexicon_coef is None else lexicon_coef.astype(np.float64)
        if recipe.marks != (marks_coef is not None):
            raise ValueError("marks_coef: needed exactly when the recipe has mark features")
        self.marks_coef = None if marks_coef is None else marks_coef.astype(np.float64)
        self.info: dict[str, Any] = dict(info or {})

    def decision_function(self, texts: Sequence[str]) -> np.ndarray:
        # Texts: every feature family reads the same lower-cased words, split once.
        normalised = Texts(normalise_for_sentiment(text) for text in texts)
        scores = np.tile(self.intercept, (len(normalised), 1))
        for kind, block in enumerate(self.blocks):
            counts = block.counts(self.recipe, kind, normalised)
            if self.recipe.sublinear_tf:
                counts.data = 1.0 + np.log(counts.data)
            # TF-IDF, L2-normalised per text, then the linear scores: the training design exactly.
            weights = counts.data.astype(np.float64) * block.idf[counts.indices]
            rows = np.repeat(np.arange(len(normalised)), np.diff(counts.indptr))
            norms = np.sqrt(np.bincount(rows, weights=weights * weights, minlength=len(normalised)))
            norms[norms == 0] = 1.0
            weighted = sp.csr_matrix((weights, counts.indices, counts.indptr), shape=counts.shape)
            scores += (weighted @ block.coef) / norms[:, None]
        if self.recipe.lexicon is not None and self.lexicon_coef is not None:
            lexical = lexicon_features(normalised, self.recipe.lexicon) * self.recipe.lexicon_scale
            scores += lexical @ self.lexicon_coef
        if self.recipe.marks and self.marks_coef is not None:
            scores += (mark_features(normalised) * self.recipe.marks_scale) @ self.marks_coef
        return scores

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, len(LABELS)))
        scores = self.decision_function(texts)
        scores -= scores.max(axis=1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=1, keepdims=True)
        return scores

    def predict(self, texts: Sequence[str]) -> list[Sentiment]:
        return _sentiments_from_probabilities(self.predict_proba(texts), self.name)

    # -- file form -------------------------------------------------------------------------------

    def header(self) -> dict[str, Any]:
        return {
            "format": MODEL_FORMAT,
            "version": MODEL_FORMAT_VERSION,
            "name": self.name,
            "lang": self.lang,
            "labels": list(LABELS),
            "features": self.recipe.to_json(),
            "info": self.info,
        }

    def save(self, path: str | Path) -> Path:
        """Write the model as a compressed ``.npz`` (numbers and a JSON header only)."""
        target = Path(path)
        arrays: dict[str, np.ndarray] = {
            "header": np.frombuffer(json.dumps(self.header(), ensure_ascii=False).encode(), dtype=np.uint8),
            "intercept": self.intercept.astype(np.float32),
        }
        for index, block in enumerate(self.blocks):
            arrays[f"block{index}_columns"] = block.columns.astype(np.uint32)
            arrays[f"block{index}_idf"] = block.idf.astype(np.float16)
            arrays[f"block{index}_coef"] = block.coef.astype(np.float16)
        if self.lexicon_coef is not None:
            arrays["lexicon_coef"] = self.lexicon_coef.astype(np.float32)
        if self.marks_coef is not None:
            arrays["marks_coef"] = self.marks_coef.astype(np.float32)
        # np.savez appends .npz to names without it; write through a handle to keep the name asked for.
        with target.open("wb") as handle:
            np.savez_compressed(handle, allow_pickle=False, **arrays)
        return target

    @classmethod
    def load(cls, path: str | Path) -> LinearSentimentModel:
        """Read a model file; raises ``ValueError`` naming what is wrong with it."""
        source = Path(path)
        try:
            with np.load(source, allow_pickle=False) as archive:
                arrays = {key: archive[key] for key in archive.files}
        except FileNotFoundError:
            raise ValueError(f"{source}: no such model file") from None
        except (OSError, ValueError) as error:
            raise ValueError(f"{source}: not a sentiment model file ({error})") from None
        return cls._from_arrays(arrays, str(source))

    @classmethod
    def _from_arrays(cls, arrays: Mapping[str, np.ndarray], where: str) -> LinearSentimentModel:
        if "header" not in arrays:
            raise ValueError(f"{where}: not a sentiment model file (no header)")
        try:
            header = json.loads(arrays["header"].tobytes().decode())
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise ValueError(f"{where}: header is not JSON") from None
        if not isinstance(header, dict) or header.get("format") != MODEL_FORMAT:
            raise ValueError(f"{where}: not a {MODEL_FORMAT} file")
        if header.get("version") not in _READABLE_VERSIONS:
            raise ValueError(f"{where}: unsupported model version {header.get('version')!r}")
        if header.get("labels") != list(LABELS):
            raise ValueError(f"{where}: labels must be {list(LABELS)}")
        recipe = FeatureRecipe.from_json(header.get("features") or {})
        blocks: list[_Block] = []
        for index in range(2):
            try:
                columns = arrays[f"block{index}_columns"].astype(np.int64)
                idf = arrays[f"block{index}_idf"].astype(np.float32)
                coef = arrays[f"block{index}_coef"].astype(np.float32)
            except KeyError as error:
                raise ValueError(f"{where}: missing array {error}") from None
            if coef.ndim != 2 or coef.shape != (len(columns), len(LABELS)) or idf.shape != columns.shape:
                raise ValueError(f"{where}: block {index} arrays have inconsistent shapes")
            if len(columns) and (columns.max() >= 1 << recipe.hash_bits):
                raise ValueError(f"{where}: block {index} columns exceed the hash space")
            blocks.append(_Block(columns=columns, idf=idf, coef=coef))
        intercept = arrays.get("intercept")
        if intercept is None or intercept.shape != (len(LABELS),):
            raise ValueError(f"{where}: intercept must hold one value per label")
        lexicon_coef = arrays.get("lexicon_coef")
        if (recipe.lexicon is None) != (lexicon_coef is None):
            raise ValueError(f"{where}: lexicon_coef must be present exactly when features.lexicon is set")
        if lexicon_coef is not None and lexicon_coef.shape != (2, len(LABELS)):
            raise ValueError(f"{where}: lexicon_coef must be 2 x {len(LABELS)}")
        marks_coef = arrays.get("marks_coef")
        if recipe.marks != (marks_coef is not None):
            raise ValueError(f"{where}: marks_coef must be present exactly when features.marks is set")
        if marks_coef is not None and marks_coef.shape != (len(MARK_FEATURES), len(LABELS)):
            raise ValueError(f"{where}: marks_coef must be {len(MARK_FEATURES)} x {len(LABELS)}")
        return cls(
            name=str(header.get("name") or "linear"),
            lang=str(header.get("lang") or "und"),
            recipe=recipe,
            blocks=blocks,
            intercept=intercept,
            info=header.get("info") if isinstance(header.get("info"), dict) else {},
            lexicon_coef=lexicon_coef,
            marks_coef=marks_coef,
        )


def train_linear_model(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    lang: str,
    name: str | None = None,
    recipe: FeatureRecipe | None = None,
    regularisation: float = 1.0,
    info: Mapping[str, Any] | None = None,
    weights: Sequence[float] | None = None,
) -> LinearSentimentModel:
    """Fit TF-IDF (hashed word + character n-grams) and logistic regression on labelled texts.

    ``labels`` are ``negative``/``neutral``/``positive``. All three must occur. ``weights`` (one per
    text) let some examples, such as analysts' corrections, count more.
    """
    if len(texts) != len(labels):
        raise ValueError(f"texts and labels differ in length ({len(texts)} vs {len(labels)})")
    unknown = sorted(set(labels) - set(LABELS))
    if unknown:
        raise ValueError(f"labels: unknown label(s) {unknown}; expected {list(LABELS)}")
    missing = [label for label in LABELS if label not in set(labels)]
    if missing:
        raise ValueError(f"labels: no example of {missing}; every label needs examples")
    recipe = recipe or FeatureRecipe()
    normalised = Texts(normalise_for_sentiment(text) for text in texts)
    targets = np.array([LABELS.index(label) for label in labels])
    term_frequencies = _term_frequencies(recipe, normalised)
    kept = _kept_columns(recipe, term_frequencies)
    design = _design(term_frequencies, kept, recipe.dense_features(normalised))
    classifier = _classifier(regularisation)
    classifier.fit(
        design, targets, sample_weight=None if weights is None else np.asarray(weights, dtype=float)
    )
    return _model_from_classifier(
        classifier,
        kept,
        recipe,
        lang=lang,
        name=name,
        regularisation=regularisation,
        info=info,
        targets=targets,
    )


def _model_from_classifier(
    classifier: Any,
    kept: list[tuple[np.ndarray, np.ndarray]],
    recipe: FeatureRecipe,
    *,
    lang: str,
    name: str | None,
    regularisation: float,
    info: Mapping[str, Any] | None,
    targets: np.ndarray,
) -> LinearSentimentModel:
    coef = classifier.coef_.T.astype(np.float16).astype(np.float32)
    blocks: list[_Block] = []
    offset = 0
    for columns, idf in kept:
        blocks.append(_Block(columns=columns, idf=idf, coef=coef[offset : offset + len(columns)]))
        offset += len(columns)
    # Dense blocks follow the n-gram columns, in FeatureRecipe.dense_features' order; kept in float32.
    dense_coef = classifier.coef_.T[offset:].astype(np.float32)
    lexicon_coef = dense_coef[:2] if recipe.lexicon else None
    marks_coef = dense_coef[2 if recipe.lexicon else 0 :] if recipe.marks else None
    # What this training did wins over info copied from an earlier model.
    details = {**dict(info or {}), "examples": len(targets), "regularisation": regularisation}
    details["label_counts"] = {label: int((targets == i).sum()) for i, label in enumerate(LABELS)}
    return LinearSentimentModel(
        name=name or f"linear-{lang}",
        lang=lang,
        recipe=recipe,
        blocks=blocks,
        intercept=classifier.intercept_.astype(np.float32),
        info=details,
        lexicon_coef=lexicon_coef,
        marks_coef=marks_coef,
    )


class VaderSentimentModel:
    """VADER (English lexicon, no training) on text with @mentions and links removed.

    Handles such as ``@united`` or words inside links otherwise score as sentiment.
    """

    name = "vader"

    def __init__(self) -> None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        self._analyzer = SentimentIntensityAnalyzer()

    def score(self, text: str) -> float:
        cleaned = _MENTION_RE.sub(" ", _URL_RE.sub(" ", text))
        return float(self._analyzer.polarity_scores(cleaned)["compound"])

    def predict(self, texts: Sequence[str]) -> list[Sentiment]:
        sentiments = []
        for text in texts:
            compound = self.score(text)
            if compound >= _VADER_THRESHOLD:
                label = "positive"
            elif compound <= -_VADER_THRESHOLD:
                label = "negative"
            else:
                label = "neutral"
            sentiments.append(Sentiment(label=label, score=round(compound, 4), model=self.name))
        return sentiments


def default_model_path(lang: str) -> Path | None:
    """Path of the shipped model for ``lang`` (package data), or ``None`` when none is shipped."""
    candidate = resources.files("veille.enrich.sentiment").joinpath("data", f"sentiment-{lang}.npz")
    path = Path(str(candidate))
    return path if path.is_file() else None


@functools.lru_cache(maxsize=32)
def _shipped_model(path: Path, modified_ns: int) -> LinearSentimentModel:
    """A shipped model read once per process (and again only if its file changes): every hub and
    command of the process shares it, as a model is never changed once loaded."""
    del modified_ns  # part of the cache key only
    return LinearSentimentModel.load(path)


def load_default_models(languages: Sequence[str] | None = None) -> dict[str, LinearSentimentModel]:
    """The shipped models, by language (all of them unless ``languages`` narrows the list)."""
    folder = Path(str(resources.files("veille.enrich.sentiment").joinpath("data")))
    models: dict[str, LinearSentimentModel] = {}
    for path in sorted(folder.glob("sentiment-*.npz")):
        lang = path.stem.removeprefix("sentiment-")
        if languages is None or lang in languages:
            models[lang] = _shipped_model(path, path.stat().st_mtime_ns)
    return models


def load_sentiment_model(path: str | Path) -> LinearSentimentModel:
    return LinearSentimentModel.load(path)


class SentimentStage:
    """Sets ``post.sentiment`` with the model of the post's language, else the fallback.

    ``models`` maps a language code to a model; a model under ``"*"`` serves every language without
    its own (``veille enrich --sentiment-model``). Posts whose language has no model get the
    ``fallback`` (VADER unless told otherwise; ``None`` leaves their sentiment empty).
    """

    name = "sentiment"

    def __init__(
        self,
        models: Mapping[str, SentimentModel] | None = None,
        *,
        fallback: SentimentModel | str | None = "vader",
    ) -> None:
        self.models: dict[str, SentimentModel] = dict(load_default_models() if models is None else models)
        self.fallback: SentimentModel | None
        if isinstance(fallback, str):
            if fallback != "vader":
                raise ValueError(f"fallback: unknown model {fallback!r} (only 'vader' is built in)")
            self.fallback = VaderSentimentModel()
        else:
            self.fallback = fallback

    def use_model(self, lang: str, model: SentimentModel) -> None:
        """Serve ``lang`` with ``model`` from the next batch on (a retrained workspace model)."""
        # One dict assignment: a batch running in the pipeline's worker thread sees the old or the
        # new model, never a half-built one.
        self.models[lang] = model

    def model_for(self, lang: str | None) -> SentimentModel | None:
        if lang and lang in self.models:
            return self.models[lang]
        return self.models.get("*", self.fallback)

    def process(self, posts: list[Post]) -> list[Post]:
        groups: dict[int, tuple[SentimentModel, list[Post]]] = {}
        for post in posts:
            if post.sentiment is not None and post.sentiment.model == ANALYST_MODEL:
                continue  # an analyst's correction is kept over any model's guess
            model = self.model_for(post.lang)
            if model is None:
                continue
            groups.setdefault(id(model), (model, []))[1].append(post)
        # One call per model: the linear models are much faster on a batch than post by post.
        for model, members in groups.values():
            for post, sentiment in zip(members, model.predict([post.text for post in members]), strict=True):
                post.sentiment = sentiment
        return posts
