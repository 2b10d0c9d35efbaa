from __future__ import annotations

from veille.benchmarks.baseline import PlainTfidfModel, cross_validated_macro_f1

WORDS = {
    "negative": "awful terrible delayed",
    "neutral": "flight schedule today",
    "positive": "great lovely thanks",
}


def toy_data(per_label: int = 20) -> tuple[list[str], list[str]]:
    texts, labels = [], []
    for number in range(per_label):
        for label, words in WORDS.items():
            texts.append(f"{words} number{number}")
            labels.append(label)
    return texts, labels


def test_plain_model_learns_and_orders_its_labels() -> None:
    texts, labels = toy_data()
    model = PlainTfidfModel(texts, labels)
    predicted = model.predict(["so awful and terrible", "great, lovely crew", "flight schedule"])
    assert [sentiment.label for sentiment in predicted] == ["negative", "positive", "neutral"]
    assert predicted[0].score < 0 < predicted[1].score
    assert all(sentiment.model == "plain-tfidf-lr" for sentiment in predicted)
    assert model.predict([]) == []


def test_cross_validation_scores_every_fold_on_the_same_split() -> None:
    texts, labels = toy_data()
    seen: list[list[str]] = []

    def train(fold_texts: list[str], fold_labels: list[str]) -> PlainTfidfModel:
        seen.append(fold_texts)
        return PlainTfidfModel(fold_texts, fold_labels)

    scores = cross_validated_macro_f1(texts, labels, train, folds=4)
    assert len(scores) == 4 and all(score == 1.0 for score in scores)
    again: list[list[str]] = []
    cross_validated_macro_f1(texts, labels, lambda t, y: again.append(t) or PlainTfidfModel(t, y), folds=4)
    assert again == seen
    # Every text is held out exactly once.
    held_out = [sorted(set(texts) - set(fold)) for fold in seen]
    assert sorted(text for fold in held_out for text in fold) == sorted(texts)
