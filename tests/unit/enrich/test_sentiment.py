from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.unit.enrich.conftest import make_post
from veille.enrich.sentiment import (
    LinearSentimentModel,
    SentimentStage,
    VaderSentimentModel,
    default_model_path,
    normalise_for_sentiment,
    train_linear_model,
)
from veille.enrich.sentiment.training import (
    read_corrections,
    read_labelled_data,
    retrain_with_corrections,
    train_sentiment,
)
from veille.model import Sentiment

POSITIVE = [
    "great service thank you",
    "love this crew, amazing flight",
    "thanks, wonderful and friendly staff",
]
NEGATIVE = [
    "terrible delay, awful service",
    "lost my bag again, worst airline",
    "rude staff and a broken seat",
]
NEUTRAL = ["what time does the flight leave", "is there wifi on board", "flight 123 from Boston to Denver"]


def small_csv(tmp_path: Path) -> Path:
    path = tmp_path / "train.csv"
    lines = ["text,label"]
    for _ in range(3):
        lines += [f'"{t}",positive' for t in POSITIVE]
        lines += [f'"{t}",negative' for t in NEGATIVE]
        lines += [f'"{t}",neutral' for t in NEUTRAL]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_normalisation_matches_umsab() -> None:
    assert (
        normalise_for_sentiment("@united thanks! https://t.co/x www.a.org ok") == "@user thanks! http http ok"
    )
    assert normalise_for_sentiment("mail me a@b.com") == "mail me a@b.com"


def test_training_round_trip(tmp_path: Path) -> None:
    texts, labels = read_labelled_data(small_csv(tmp_path))
    assert len(texts) == 27 and set(labels) == {"positive", "negative", "neutral"}
    model = train_linear_model(texts, labels, lang="en", regularisation=10.0)
    path = model.save(tmp_path / "model.npz")
    loaded = LinearSentimentModel.load(path)
    assert loaded.lang == "en" and loaded.name == "linear-en"
    np.testing.assert_allclose(loaded.predict_proba(texts), model.predict_proba(texts), atol=1e-3)
    predicted = loaded.predict(["great service thank you", "awful service, worst airline", "is there wifi"])
    assert [sentiment.label for sentiment in predicted] == ["positive", "negative", "neutral"]
    assert predicted[0].score > 0 > predicted[1].score
    assert all(-1 <= s.score <= 1 and s.model == "linear-en" for s in predicted)


def test_prediction_matches_an_independent_tfidf(tmp_path: Path) -> None:
    # The hashed file form must compute what TF-IDF + logistic regression computes (up to float16).
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    texts, labels = read_labelled_data(small_csv(tmp_path))
    model = train_linear_model(texts, labels, lang="en")
    vectorizers = [
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"(?u)\b\w\w+\b"),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
    ]
    design = hstack([v.fit_transform(texts) for v in vectorizers]).tocsr()
    reference = LogisticRegression(max_iter=5000).fit(design, labels)
    queries = ["great flight", "awful awful delay", "what time is boarding"]
    expected = reference.predict_proba(hstack([v.transform(queries) for v in vectorizers]).tocsr())
    # sklearn orders classes alphabetically: negative, neutral, positive, as LABELS do.
    np.testing.assert_allclose(model.predict_proba(queries), expected, atol=0.02)


def test_model_file_is_data_only(tmp_path: Path) -> None:
    texts, labels = read_labelled_data(small_csv(tmp_path))
    path = train_linear_model(texts, labels, lang="en").save(tmp_path / "m.npz")
    with np.load(path, allow_pickle=False) as archive:
        assert all(archive[key].dtype != object for key in archive.files)
        header = json.loads(archive["header"].tobytes())
    assert header["format"] == "veille-sentiment-linear" and header["labels"] == [
        "negative",
        "neutral",
        "positive",
    ]
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a model")
    with pytest.raises(ValueError, match="not a sentiment model"):
        LinearSentimentModel.load(bad)
    with pytest.raises(ValueError, match="no such model"):
        LinearSentimentModel.load(tmp_path / "missing.npz")


def test_bad_training_data_is_named(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("text,label\nhello,happy\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.csv:2: label: unknown label 'happy'"):
        read_labelled_data(path)
    with pytest.raises(ValueError, match="no column 'sentiment'"):
        read_labelled_data(path, label_column="sentiment")
    with pytest.raises(ValueError, match="no example of"):
        train_linear_model(["a", "b"], ["positive", "negative"], lang="en")


def test_umsab_folder_and_numeric_labels(tmp_path: Path) -> None:
    (tmp_path / "train_text.txt").write_text("bad @user\nmeh http\ngood\n", encoding="utf-8")
    (tmp_path / "train_labels.txt").write_text("0\n1\n2\n", encoding="utf-8")
    assert read_labelled_data(tmp_path) == (
        ["bad @user", "meh http", "good"],
        ["negative", "neutral", "positive"],
    )


def test_corrections_shift_the_model(tmp_path: Path) -> None:
    data = read_labelled_data(small_csv(tmp_path))
    base = train_linear_model(*data, lang="en", regularisation=10.0)
    corrections_file = tmp_path / "corrections.jsonl"
    corrections = [{"text": "my flight is cancelled and rebooked", "lang": "en", "label": "negative"}] * 4
    corrections += [{"text": "c'est nul", "lang": "fr", "label": "positive"}]
    corrections_file.write_text("\n".join(json.dumps(item) for item in corrections) + "\n", encoding="utf-8")
    assert len(read_corrections(corrections_file, lang="en")[0]) == 4
    retrained = retrain_with_corrections(data, read_corrections(corrections_file, lang="en"), lang="en")
    query = ["flight cancelled and rebooked"]
    assert retrained.predict_proba(query)[0, 0] > base.predict_proba(query)[0, 0]
    assert retrained.info["corrections"] == 4
    # From a model whose header records its data.
    recorded = retrain_with_corrections(small_csv(tmp_path), corrections, lang="en")
    again = retrain_with_corrections(recorded, corrections)
    assert again.lang == "en" and again.info["corrections"] == 4
    # A model with lexicon features and its own C is retrained the same way, not with the defaults.
    lexical = train_sentiment(data, lang="en", lexicon="vader", regularisation=3.0, info=recorded.info)
    relearned = retrain_with_corrections(lexical, corrections)
    assert relearned.recipe.lexicon == "vader" and relearned.info["regularisation"] == 3.0


def test_vader_ignores_handles_and_links() -> None:
    vader = VaderSentimentModel()
    # "@united" and "help" in a link would otherwise score.
    assert vader.score("@united https://help.example/great-love") == 0.0
    labels = [s.label for s in vader.predict(["I love it", "I hate it", "It is a plane"])]
    assert labels == ["positive", "negative", "neutral"]


class FixedModel:
    def __init__(self, name: str, label: str) -> None:
        self.name = name
        self.label = label
        self.calls = 0

    def predict(self, texts: list[str]) -> list[Sentiment]:
        self.calls += 1
        return [Sentiment(label=self.label, score=0.0, model=self.name) for _ in texts]  # type: ignore[arg-type]


def test_stage_picks_model_by_language() -> None:
    french, fallback = FixedModel("fr-model", "negative"), FixedModel("fallback", "neutral")
    stage = SentimentStage({"fr": french}, fallback=fallback)
    posts = [make_post(1, "nul", lang="fr"), make_post(2, "bad", lang="en"), make_post(3, "bof", lang="fr")]
    stage.process(posts)
    assert [p.sentiment.model for p in posts if p.sentiment] == ["fr-model", "fallback", "fr-model"]
    assert french.calls == 1  # one batch call per model
    nothing = SentimentStage({}, fallback=None).process([make_post(4, "x", lang="de")])
    assert nothing[0].sentiment is None


def test_shipped_models_load() -> None:
    from veille.enrich.sentiment import load_default_models

    models = load_default_models(["fr", "en"])
    assert set(models) == {"fr", "en"}
    labels = [
        s.label for s in models["fr"].predict(["Service nul, je suis furieux", "J'adore ce film, génial"])
    ]
    assert labels == ["negative", "positive"]


def test_shipped_model_survives_lone_surrogates() -> None:
    # parse_post refuses them, but the model API takes any str: it must not fail the batch.
    stage = SentimentStage(fallback=None)
    sentiments = stage.models["en"].predict(["awful delay \ud83d again", "great crew"])
    assert [sentiment.label for sentiment in sentiments] == ["negative", "positive"]


def test_lexicon_features() -> None:
    from veille.enrich.sentiment.lexicon import lexicon_features

    features = lexicon_features(["good", "not good", "good and bad", "the flight", "never ever bad"])
    # Valences from vader_lexicon.txt: good 1.9, bad -2.5; negation flips and damps by 0.74.
    np.testing.assert_allclose(
        features,
        [
            [np.log1p(1.9), 0.0],
            [0.0, np.log1p(1.9 * 0.74)],
            [np.log1p(1.9), np.log1p(2.5)],
            [0.0, 0.0],
            [np.log1p(2.5 * 0.74), 0.0],
        ],
        rtol=1e-6,
    )


def test_french_lexicon_features() -> None:
    from veille.enrich.sentiment.lexicon import lexicon_features

    texts = ["C'est bon", "ce n'est pas bon", "l'horrible vol, mauvais", "le train", "Excellent!"]
    features = lexicon_features(texts, "fr")
    # Polarities from lexicon-fr.tsv: bon 0.7, mauvais -0.71, and horrible -0.9, excellent 0.9 as the
    # hand-made additions at its end set them (a later line wins); words split
    # at apostrophes (l'horrible); a French negation within three words flips and damps by 0.74.
    np.testing.assert_allclose(
        features,
        [
            [np.log1p(0.7), 0.0],
            [0.0, np.log1p(0.7 * 0.74)],
            [0.0, np.log1p(0.9 + 0.71)],
            [0.0, 0.0],
            [np.log1p(0.9), 0.0],
        ],
        rtol=1e-6,
    )


def test_shipped_french_model_uses_the_french_lexicon() -> None:
    path = default_model_path("fr")
    assert path is not None
    model = LinearSentimentModel.load(path)
    assert model.recipe.lexicon == "fr" and model.lexicon_coef is not None
    # The positive lexicon feature pushes towards positive, the negative one towards negative.
    assert model.lexicon_coef[0, 2] > model.lexicon_coef[0, 0]
    assert model.lexicon_coef[1, 0] > model.lexicon_coef[1, 2]


def test_lexicon_model_round_trip_and_helps_unseen_words(tmp_path: Path) -> None:
    texts, labels = read_labelled_data(small_csv(tmp_path))
    model = train_sentiment((texts, labels), lang="en", lexicon="vader", regularisation=10.0)
    assert model.recipe.lexicon == "vader" and model.lexicon_coef is not None
    loaded = LinearSentimentModel.load(model.save(tmp_path / "lex.npz"))
    np.testing.assert_allclose(loaded.predict_proba(texts), model.predict_proba(texts), atol=1e-3)
    # Words the 27 training texts never had: only the lexicon knows them.
    unseen = ["superb and delightful", "horrible, disgusting, pathetic"]
    plain = train_sentiment((texts, labels), lang="en", regularisation=10.0)
    with_lexicon = loaded.predict_proba(unseen)
    without = plain.predict_proba(unseen)
    assert with_lexicon[0, 2] > without[0, 2] and with_lexicon[1, 0] > without[1, 0]


def test_balanced_class_weight_is_recorded_and_lifts_the_minority(tmp_path: Path) -> None:
    texts = NEGATIVE * 10 + NEUTRAL * 3 + POSITIVE
    labels = ["negative"] * 30 + ["neutral"] * 9 + ["positive"] * 3
    balanced = train_sentiment((texts, labels), lang="en")
    plain = train_sentiment((texts, labels), lang="en", class_weight=None)
    assert balanced.info["class_weight"] == "balanced" and plain.info["class_weight"] is None
    probe = ["thanks, lovely crew"]
    assert balanced.predict_proba(probe)[0, 2] > plain.predict_proba(probe)[0, 2]
    with pytest.raises(ValueError, match="class_weight"):
        train_sentiment((texts, labels), lang="en", class_weight="equal")
