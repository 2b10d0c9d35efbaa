from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from tests.unit.enrich.test_sentiment import small_csv
from veille.cli.enrich import app as enrich_app
from veille.cli.train import app as train_app

runner = CliRunner()
# The two groups as `veille` registers them (cli/__init__.py: ("train", ...), ("enrich", ...)).
root = typer.Typer()
root.add_typer(train_app, name="train")
root.add_typer(enrich_app, name="enrich")


def test_train_then_enrich(tmp_path: Path) -> None:
    model = tmp_path / "m.npz"
    trained = runner.invoke(
        root, ["train", "sentiment", "--data", str(small_csv(tmp_path)), "--lang", "en", "--out", str(model)]
    )
    assert trained.exit_code == 0, trained.output
    assert model.is_file()
    good = {
        "id": "test:1",
        "source": "test",
        "created_at": "2024-03-01T10:00:00Z",
        "text": "great service thank you @united #happy",
        "author": {"handle": "a", "location": "Boston, MA"},
    }
    stdin = json.dumps(good) + "\nnot json\n" + json.dumps({**good, "id": "bad"}) + "\n"
    result = runner.invoke(root, ["enrich", "--sentiment-model", f"en={model}"], input=stdin)
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(lines) == 1
    enriched = json.loads(lines[0])
    assert enriched["lang"] == "en" and enriched["country"] == "US"
    assert enriched["sentiment"]["model"] == "linear-en" and enriched["sentiment"]["label"] == "positive"
    assert enriched["hashtags"] == ["happy"] and enriched["mentions"] == ["united"]
    assert "line 2: not JSON" in result.stderr and "line 3: id:" in result.stderr


def test_train_reports_bad_data(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("text,sentiment\nhello,positive\n", encoding="utf-8")
    result = runner.invoke(
        root, ["train", "sentiment", "--data", str(bad), "--lang", "en", "--out", str(tmp_path / "m.npz")]
    )
    assert result.exit_code == 2
    assert "no column 'label'" in result.stderr


def test_a_model_without_language_serves_every_language(tmp_path: Path) -> None:
    from veille.enrich.sentiment import load_sentiment_model

    model_file = tmp_path / "m.npz"
    trained = runner.invoke(
        root,
        ["train", "sentiment", "--data", str(small_csv(tmp_path)), "--lang", "en", "--out", str(model_file)],
    )
    assert trained.exit_code == 0, trained.output
    model = load_sentiment_model(model_file)
    model.name = "client"
    model.save(model_file)
    post = {"source": "test", "created_at": "2024-03-01T10:00:00Z", "author": {"handle": "a"}}
    english = {**post, "id": "t:1", "text": "great service thank you, the crew was lovely"}
    french = {**post, "id": "t:2", "text": "le service client est vraiment nul, je suis furieux"}
    stdin = json.dumps(english) + "\n" + json.dumps(french) + "\n"

    bare = runner.invoke(root, ["enrich", "--sentiment-model", str(model_file)], input=stdin)
    assert bare.exit_code == 0, bare.output
    enriched = [json.loads(line) for line in bare.stdout.splitlines()]
    # The shipped en and fr models are both replaced by the one given.
    assert [(item["lang"], item["sentiment"]["model"]) for item in enriched] == [
        ("en", "client"),
        ("fr", "client"),
    ]

    # A LANG=FILE beside it still wins for that language.
    shipped = tmp_path / "fr.npz"
    french_model = load_sentiment_model(model_file)
    french_model.name = "client-fr"
    french_model.save(shipped)
    mixed = runner.invoke(
        root,
        ["enrich", "--sentiment-model", f"fr={shipped}", "--sentiment-model", str(model_file)],
        input=stdin,
    )
    assert mixed.exit_code == 0, mixed.output
    models = [json.loads(line)["sentiment"]["model"] for line in mixed.stdout.splitlines()]
    assert models == ["client", "client-fr"]
