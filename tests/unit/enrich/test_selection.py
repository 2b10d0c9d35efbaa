"""Mark features, and recipes chosen by cross-validation on the training data only."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from tests.unit.enrich.test_cli import root
from tests.unit.enrich.test_sentiment import NEGATIVE, NEUTRAL, POSITIVE, small_csv
from veille.enrich.sentiment import LinearSentimentModel
from veille.enrich.sentiment.marks import MARK_FEATURES, mark_features
from veille.enrich.sentiment.model import LABELS
from veille.enrich.sentiment.selection import (
    Candidate,
    candidates,
    cross_validate,
    fold_indices,
    macro_f1,
    select_recipe,
)
from veille.enrich.sentiment.training import train_sentiment

runner = CliRunner()


def _column(name: str) -> int:
    return MARK_FEATURES.index(name)


def test_mark_features_read_emoji_emoticons_and_punctuation() -> None:
    texts = ["Keep it up! 👏🙌", "worst flight ever :( !!!", "why?? really?!", "plain text", "🤬", "ok 👍🏽"]
    features = mark_features(texts)
    assert features.shape == (len(texts), len(MARK_FEATURES))
    assert features[0, _column("emoji_positive")] > 0 and features[0, _column("emoji_negative")] == 0
    assert features[1, _column("emoticon_negative")] > 0 and features[1, _column("exclamations")] > 0
    assert features[2, _column("questions")] > 0 and features[2, _column("interrobangs")] > 0
    assert not features[3].any()
    assert features[4, _column("emoji")] > 0  # newer than the ranking: counted, not scored
    # A skin tone modifies the thumb before it: one positive emoji, no unknown one.
    assert features[5, _column("emoji_positive")] > 0 and features[5, _column("emoji")] == 0


def _emoji_data() -> tuple[list[str], list[str]]:
    """Texts whose words say nothing: only the emoji and marks carry the label."""
    words = ["the flight today", "my trip home", "this morning", "our bags", "the crew", "gate 12"]
    texts: list[str] = []
    labels: list[str] = []
    for index, word in enumerate(words * 2):
        texts += [f"{word} 😍👏", f"{word} 😡 :( !!!", f"{word} at {index} pm"]
        labels += ["positive", "negative", "neutral"]
    return texts, labels


def test_a_model_with_marks_round_trips_as_data(tmp_path: Path) -> None:
    texts, labels = _emoji_data()
    model = train_sentiment((texts, labels), lang="en", regularisation=10.0, marks=True)
    assert model.recipe.marks and model.marks_coef is not None
    path = model.save(tmp_path / "marks.npz")
    with np.load(path, allow_pickle=False) as archive:
        assert archive["marks_coef"].shape == (len(MARK_FEATURES), len(LABELS))
        assert json.loads(archive["header"].tobytes())["version"] == 3
    loaded = LinearSentimentModel.load(path)
    queries = ["Keep it up! 👏🙌", "seriously?? 😡 :(", "boarding at 5"]
    np.testing.assert_allclose(loaded.predict_proba(queries), model.predict_proba(queries), atol=1e-3)
    assert [s.label for s in loaded.predict(queries[:2])] == ["positive", "negative"]
    without = train_sentiment((texts, labels), lang="en", regularisation=10.0)
    assert without.predict(["Keep it up! 👏🙌"])[0].score < loaded.predict(["Keep it up! 👏🙌"])[0].score


def test_folds_are_stratified_and_repeatable() -> None:
    labels = ["negative"] * 10 + ["neutral"] * 10 + ["positive"] * 10
    first, second = fold_indices(labels, folds=5), fold_indices(labels, folds=5)
    assert all((a[1] == b[1]).all() for a, b in zip(first, second, strict=True))
    held = np.concatenate([fold[1] for fold in first])
    assert sorted(held.tolist()) == list(range(30))
    assert all(sorted(labels[i] for i in fold[1]) == ["negative"] * 2 + ["neutral"] * 2 + ["positive"] * 2
               for fold in first)  # fmt: skip


def test_cross_validation_scores_the_model_train_sentiment_builds(tmp_path: Path) -> None:
    texts, labels = _emoji_data()
    candidate = Candidate(regularisation=4.0, class_weight="balanced", lexicon="vader", marks=True)
    scores = cross_validate(texts, labels, [candidate], folds=3)[candidate]
    expected = []
    for kept, held in fold_indices(labels, folds=3):
        model = train_sentiment(
            ([texts[i] for i in kept], [labels[i] for i in kept]), lang="en", **candidate.training_options()
        )
        predicted = [LABELS.index(s.label) for s in model.predict([texts[i] for i in held])]
        expected.append(macro_f1([LABELS.index(labels[i]) for i in held], predicted))
    # The file keeps coefficients in float16: a borderline text may rarely fall the other way.
    np.testing.assert_allclose(scores, expected, atol=0.05)


def test_selection_keeps_the_marks_only_when_they_help() -> None:
    grid = candidates("en", regularisations=[4.0], class_weights=["balanced"], lexicons=[None])
    assert {candidate.marks for candidate in grid} == {False, True}
    # Each emoji once: n-grams cannot learn an emoji they never saw, the ranking's scores can.
    texts: list[str] = []
    labels: list[str] = []
    subjects = ["the flight", "my trip", "this morning", "our bags", "the crew", "gate 12"] * 2
    for subject, good, bad in zip(
        subjects, "😍👏😊🙌❤🎉😁😃💕😘😀💖", "😡😠😩😤😒👎😫😖😣💔😔😞", strict=True
    ):
        texts += [f"{subject} {good}", f"{subject} {bad}", f"{subject} at noon"]
        labels += ["positive", "negative", "neutral"]
    selection = select_recipe(texts, labels, lang="en", grid=grid, folds=3)
    assert selection.chosen.marks
    assert selection.mean(selection.chosen) > max(selection.mean(c) for c in grid if not c.marks)
    recorded = selection.to_json()
    assert recorded["chosen"]["marks"] is True and len(recorded["macro_f1_folds"]) == 3
    # Where the n-grams already tell (the same emoji again and again), a tie: the simpler recipe.
    texts, labels = _emoji_data()
    tie = select_recipe(texts, labels, lang="en", grid=grid, folds=3)
    if tie.mean(Candidate(4.0, "balanced", None, True)) == tie.mean(Candidate(4.0, "balanced", None, False)):
        assert not tie.chosen.marks


def test_a_grid_dimension_given_is_fixed() -> None:
    assert len(candidates("de")) == 5 * 2 * 1 * 2  # no German lexicon
    assert len(candidates("fr")) == 5 * 2 * 2 * 2
    fixed = candidates("fr", regularisations=[2.0], lexicons=["fr"], marks=[False])
    assert {(c.regularisation, c.lexicon, c.marks) for c in fixed} == {(2.0, "fr", False)}
    with pytest.raises(ValueError, match="no candidate"):
        select_recipe(["a"], ["positive"], lang="en", grid=[])


def test_train_command_chooses_by_cross_validation(tmp_path: Path) -> None:
    data = small_csv(tmp_path)
    chosen_file, fixed_file, plain_file = tmp_path / "c.npz", tmp_path / "f.npz", tmp_path / "p.npz"
    common = ["train", "sentiment", "--data", str(data), "--lang", "en"]
    chosen = runner.invoke(root, [*common, "--folds", "3", "--out", str(chosen_file)])
    assert chosen.exit_code == 0, chosen.output
    assert "3-fold cross-validation" in chosen.output
    selection = LinearSentimentModel.load(chosen_file).info["selection"]
    assert selection["candidates"] == 5 * 2 * 2 * 2 and len(selection["macro_f1_folds"]) == 3
    # An option given fixes its choice; the rest is still chosen.
    fixed = runner.invoke(
        root, [*common, "--folds", "3", "--C", "2", "--lexicon", "none", "--out", str(fixed_file)]
    )
    assert fixed.exit_code == 0, fixed.output
    model = LinearSentimentModel.load(fixed_file)
    assert model.info["regularisation"] == 2.0 and model.recipe.lexicon is None
    assert model.info["selection"]["candidates"] == 2 * 2
    # --folds 0: no selection, the documented defaults.
    plain = runner.invoke(root, [*common, "--folds", "0", "--out", str(plain_file)])
    assert plain.exit_code == 0, plain.output
    model = LinearSentimentModel.load(plain_file)
    assert "selection" not in model.info and model.info["regularisation"] == 1.0
    assert not model.recipe.marks and model.recipe.lexicon is None
    assert model.info["class_weight"] == "balanced"


def test_train_command_records_data_relative_to_base_data(tmp_path: Path) -> None:
    folder = tmp_path / "corpora" / "mine"
    folder.mkdir(parents=True)
    data = small_csv(folder)
    out = tmp_path / "m.npz"
    result = runner.invoke(
        root,
        ["train", "sentiment", "--data", str(data), "--base-data", str(tmp_path / "corpora"), "--lang", "en",
         "--folds", "0", "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert LinearSentimentModel.load(out).info["data"] == "mine/train.csv"


def test_small_data_gets_fewer_folds(tmp_path: Path) -> None:
    data = tmp_path / "tiny.csv"
    rows = [f'"{text}",{label}' for texts, label in ((POSITIVE, "positive"), (NEGATIVE, "negative"),
                                                     (NEUTRAL, "neutral")) for text in texts[:2]]  # fmt: skip
    data.write_text("text,label\n" + "\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "m.npz"
    result = runner.invoke(
        root, ["train", "sentiment", "--data", str(data), "--lang", "de", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    # Two examples per label: two folds, not the five asked by default.
    assert len(LinearSentimentModel.load(out).info["selection"]["macro_f1_folds"]) == 2


def test_version_2_files_still_read(tmp_path: Path) -> None:
    texts, labels = _emoji_data()
    model = train_sentiment((texts, labels), lang="en", lexicon="vader")
    path = model.save(tmp_path / "v3.npz")
    with np.load(path, allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files}
    header = json.loads(arrays["header"].tobytes())
    header["version"] = 2
    for key in ("marks", "marks_scale"):
        del header["features"][key]
    arrays["header"] = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
    old = tmp_path / "v2.npz"
    with old.open("wb") as handle:
        np.savez_compressed(handle, allow_pickle=False, **arrays)
    loaded = LinearSentimentModel.load(old)
    assert not loaded.recipe.marks
    np.testing.assert_allclose(loaded.predict_proba(texts[:3]), model.predict_proba(texts[:3]), atol=1e-6)
    # A file that claims mark features must carry their coefficients.
    header["features"]["marks"] = True
    arrays["header"] = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
    with old.open("wb") as handle:
        np.savez_compressed(handle, allow_pickle=False, **arrays)
    with pytest.raises(ValueError, match="marks_coef"):
        LinearSentimentModel.load(old)


def test_a_staged_search_chooses_features_then_c() -> None:
    texts, labels = _emoji_data()
    grid = candidates("en", regularisations=[0.5, 1.0, 4.0])
    selection = select_recipe(texts, labels, lang="en", grid=grid, folds=3, staged=True)
    # Stage 1: lexicon x marks at C 1, balanced (4); stage 2: the other C and class weights (5).
    assert len(selection.scores) == 4 + 5 < len(grid)
    assert selection.chosen in grid
    first = [c for c in selection.scores if c.regularisation == 1.0 and c.class_weight == "balanced"]
    assert len(first) == 4
    assert all((c.lexicon, c.marks) == (selection.chosen.lexicon, selection.chosen.marks)
               for c in selection.scores if c not in first)  # fmt: skip
