"""The plain reference baseline the quality report compares the trained models with.

TF-IDF over word 1-2-grams and character 2-5-grams (scikit-learn's ``TfidfVectorizer``, defaults
otherwise) and a default ``LogisticRegression``: the "plain TF-IDF + logistic regression" of the
data's README and of the issue, trained on the same texts as the model it is compared with. It is a
yardstick, not a product model: it keeps handles as they are and writes no model file.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from veille.enrich.sentiment import LABELS
from veille.model import Sentiment

__all__ = ["PlainTfidfModel", "cross_validated_macro_f1"]


class PlainTfidfModel:
    """Plain TF-IDF (word 1-2 + ``char_wb`` 2-5) + logistic regression; a :class:`SentimentModel`."""

    name = "plain-tfidf-lr"

    def __init__(self, texts: Sequence[str], labels: Sequence[str]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline, make_union

        features = make_union(
            TfidfVectorizer(ngram_range=(1, 2)), TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5))
        )
        self._pipeline: Any = make_pipeline(features, LogisticRegression(max_iter=3000))
        self._pipeline.fit(list(texts), list(labels))

    def predict(self, texts: Sequence[str]) -> list[Sentiment]:
        if not texts:
            return []
        probabilities = self._pipeline.predict_proba(list(texts))
        order = [list(self._pipeline.classes_).index(label) for label in LABELS]
        probabilities = probabilities[:, order]
        scores = probabilities[:, 2] - probabilities[:, 0]
        return [
            Sentiment(label=LABELS[int(best)], score=round(float(score), 4), model=self.name)
            for best, score in zip(probabilities.argmax(axis=1), scores, strict=True)
        ]


def cross_validated_macro_f1(
    texts: Sequence[str],
    labels: Sequence[str],
    train: Any,
    *,
    folds: int = 5,
    seed: int = 0,
) -> list[float]:
    """Macro-F1 of ``train(texts, labels) -> SentimentModel`` on each fold of a stratified split.

    The folds depend only on ``labels``, ``folds`` and ``seed``, so two recipes given the same
    arguments are scored on exactly the same held-out texts.
    """
    from sklearn.model_selection import StratifiedKFold

    from veille.benchmarks.quality import macro_f1

    gold = np.array(labels)
    scores = []
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for kept, held in splitter.split(np.zeros(len(gold)), gold):
        model = train([texts[i] for i in kept], [labels[i] for i in kept])
        predicted = [sentiment.label for sentiment in model.predict([texts[i] for i in held])]
        scores.append(macro_f1([labels[i] for i in held], predicted))
    return scores
