"""Questions grouped into sub-topics: TF-IDF over their terms, average-linkage clustering on cosine.

Each question is reduced to its **terms** (:func:`question_terms`: the trend terms of
:mod:`veille.analytics.trends`, given by the caller, less the interrogative words of every language, which every
question shares). Questions with the same set of terms are one *signature* (social text repeats
itself: a signature stands for all its copies). Over the signatures:

- a term's document frequency ``df`` counts questions (copies included); terms asked in fewer than
  :data:`MIN_TERM_QUESTIONS` questions, or in more than :data:`MAX_TERM_SHARE` of them (the topic's
  own words, "nova" in every question of the Nova topic), are left out;
- a signature's vector is its terms' ``idf = ln((1 + N) / (1 + df)) + 1``, L2-normalised;
- scikit-learn's ``AgglomerativeClustering`` (cosine, average linkage, distance threshold
  :data:`MERGE_DISTANCE`) groups them; it is deterministic (signatures sorted first), so the same
  posts always give the same sub-topics.

At most :data:`MAX_SIGNATURES` signatures, the most asked, are clustered (the clustering's memory
is quadratic); the others, like the questions of other periods, are then **assigned** to the
sub-topic whose centroid is nearest, when the cosine reaches :data:`ASSIGN_SIMILARITY`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.cluster import AgglomerativeClustering

from veille.text import fold

__all__ = [
    "ASSIGN_SIMILARITY",
    "MAX_SIGNATURES",
    "MERGE_DISTANCE",
    "QUESTION_WORDS",
    "Grouping",
    "Subtopic",
    "group_questions",
    "question_terms",
]

MAX_SIGNATURES = 1_500
MERGE_DISTANCE = 0.85
ASSIGN_SIMILARITY = 0.3
MIN_TERM_QUESTIONS = 2
MAX_TERM_SHARE = 0.5
KEY_TERMS = 5

QUESTION_WORDS: frozenset[str] = frozenset(
    fold(word)
    for word in [
        "how",
        "why",
        "what",
        "when",
        "where",
        "which",
        "who",
        "whom",
        "whose",
        "anyone",
        "anybody",
        "someone",
        "somebody",
        "possible",
        "normal",
        "know",
        "wondering",
        "wonder",
        "idea",
        "ideas",
        "question",
        "questions",
        "help",
        "comment",
        "pourquoi",
        "quand",
        "combien",
        "quel",
        "quelle",
        "quels",
        "quelles",
        "lequel",
        "laquelle",
        "lesquels",
        "lesquelles",
        "est-ce",
        "qu'est-ce",
        "quelqu'un",
        "savez-vous",
        "sais-tu",
        "pouvez-vous",
        "peut-on",
        "faut-il",
        "possible",
        "normal",
        "question",
        "aide",
        "sait",
        "peut",
        "savoir",
        "wie",
        "warum",
        "wieso",
        "weshalb",
        "wann",
        "woher",
        "wohin",
        "welche",
        "welcher",
        "welches",
        "welchen",
        "jemand",
        "weiss",
        "weiß",
        "frage",
        "hilfe",
        "gibt",
        "kann",
        "konnt",
        "como",
        "porque",
        "cuando",
        "donde",
        "cual",
        "cuales",
        "cuanto",
        "cuanta",
        "cuantos",
        "quien",
        "alguien",
        "sabe",
        "sabeis",
        "saben",
        "puede",
        "puedo",
        "pueden",
        "pregunta",
        "ayuda",
        "come",
        "perche",
        "quando",
        "dove",
        "quale",
        "quali",
        "quanto",
        "quanti",
        "chi",
        "cosa",
        "qualcuno",
        "sapete",
        "posso",
        "potete",
        "domanda",
        "aiuto",
        "onde",
        "qual",
        "quais",
        "quem",
        "alguem",
        "sabem",
        "podem",
        "pergunta",
        "ajuda",
        "hoe",
        "waarom",
        "wanneer",
        "waar",
        "welke",
        "iemand",
        "weet",
        "vraag",
    ]
)


def question_terms(terms: Iterable[str]) -> frozenset[str]:
    """The terms of a question that can tell its sub-topic: its trend terms less interrogative words."""
    return frozenset(term for term in terms if fold(term) not in QUESTION_WORDS)


@dataclass(frozen=True, slots=True)
class Subtopic:
    """One group: its key terms (heaviest first), centroid and the signatures clustered into it."""

    terms: tuple[str, ...]
    centroid: dict[str, float]
    signatures: tuple[frozenset[str], ...]


@dataclass(frozen=True, slots=True)
class Grouping:
    """The sub-topics of a set of questions, and what assigns a new question to one of them."""

    subtopics: tuple[Subtopic, ...]
    vocabulary: dict[str, int]
    idf: np.ndarray
    centroids: np.ndarray  # one L2-normalised row per sub-topic

    def assign(self, terms: Iterable[str]) -> int | None:
        """The index of the nearest sub-topic for a question with ``terms``, or ``None``."""
        vector = self._vector(terms)
        if vector is None or not len(self.subtopics):
            return None
        similarities = self.centroids @ vector
        best = int(np.argmax(similarities))
        return best if similarities[best] >= ASSIGN_SIMILARITY else None

    def similarity(self, terms: Iterable[str], index: int) -> float:
        vector = self._vector(terms)
        return 0.0 if vector is None else float(self.centroids[index] @ vector)

    def _vector(self, terms: Iterable[str]) -> np.ndarray | None:
        columns = sorted({self.vocabulary[term] for term in terms if term in self.vocabulary})
        if not columns:
            return None
        vector = np.zeros(len(self.vocabulary))
        vector[columns] = self.idf[columns]
        return vector / np.linalg.norm(vector)


def _empty() -> Grouping:
    return Grouping(subtopics=(), vocabulary={}, idf=np.zeros(0), centroids=np.zeros((0, 0)))


def group_questions(signatures: Counter[frozenset[str]], *, min_questions: int = 3) -> Grouping:
    """Sub-topics of questions given as ``{terms: how many questions}`` (see the module).

    A sub-topic asked fewer than ``min_questions`` times (copies included) is left out.
    """
    total = sum(signatures.values())
    if not total:
        return _empty()
    df: Counter[str] = Counter()
    for terms, count in signatures.items():
        for term in terms:
            df[term] += count
    kept_terms = sorted(
        term for term, seen in df.items() if seen >= MIN_TERM_QUESTIONS and seen <= MAX_TERM_SHARE * total
    )
    vocabulary = {term: index for index, term in enumerate(kept_terms)}
    idf = np.array([np.log((1 + total) / (1 + df[term])) + 1 for term in kept_terms])
    reduced: Counter[frozenset[str]] = Counter()
    for terms, count in signatures.items():
        kept = frozenset(term for term in terms if term in vocabulary)
        if kept:
            reduced[kept] += count
    ordered = sorted(reduced, key=lambda terms: (-reduced[terms], sorted(terms)))[:MAX_SIGNATURES]
    if not ordered:
        return _empty()
    matrix = np.zeros((len(ordered), len(vocabulary)))
    for row, terms in enumerate(ordered):
        columns = [vocabulary[term] for term in terms]
        matrix[row, columns] = idf[columns]
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    if len(ordered) == 1:
        labels = np.zeros(1, dtype=int)
    else:
        labels = AgglomerativeClustering(
            n_clusters=None, metric="cosine", linkage="average", distance_threshold=MERGE_DISTANCE
        ).fit_predict(matrix)
    subtopics: list[Subtopic] = []
    rows: list[np.ndarray] = []
    for label in sorted(set(labels.tolist())):
        members = [row for row in range(len(ordered)) if labels[row] == label]
        weights = np.array([reduced[ordered[row]] for row in members], dtype=float)
        if weights.sum() < min_questions:
            continue
        centroid = (matrix[members] * weights[:, None]).sum(axis=0)
        centroid /= np.linalg.norm(centroid)
        heaviest = np.argsort(-centroid, kind="stable")
        top = centroid[heaviest[0]]
        key_terms = tuple(
            kept_terms[column] for column in heaviest[:KEY_TERMS] if centroid[column] >= 0.25 * top
        )
        subtopics.append(
            Subtopic(
                terms=key_terms,
                centroid={kept_terms[c]: round(float(centroid[c]), 4) for c in np.nonzero(centroid)[0]},
                signatures=tuple(ordered[row] for row in members),
            )
        )
        rows.append(centroid)
    centroids = np.vstack(rows) if rows else np.zeros((0, len(vocabulary)))
    return Grouping(subtopics=tuple(subtopics), vocabulary=vocabulary, idf=idf, centroids=centroids)


def key_terms_present(terms: Sequence[str], words: Iterable[str]) -> int:
    """How many of a sub-topic's key ``terms`` are among ``words``."""
    present = set(words)
    return sum(1 for term in terms if term in present)
