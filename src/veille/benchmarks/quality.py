"""Quality report of the enrichment stages on real labelled data: ``python -m veille.benchmarks.quality``.

Writes ``docs/quality.md``. Data is read from ``../shared/data/`` (never copied into the project);
the held-out parts of those sets live elsewhere and are not used here. Splits are fixed so that the
numbers are reproducible:

- airline validation = ``tweet_id % 5 == 1`` of ``airline/tweets_dev.csv`` (a fifth, like the
  held-out one); the in-domain models are trained on the rest, the shipped models never saw any
  airline tweet; a 5-fold cross-validation over the whole file compares the same two recipes;
- UMSAB validation = each language's ``val`` split, scored by the shipped recipe trained on ``train``.
"""

from __future__ import annotations

import argparse
import csv
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from veille.enrich.sentiment import LABELS, LinearSentimentModel, SentimentModel

__all__ = ["UMSAB_LANGUAGES", "build_report", "macro_f1", "main"]

REPO_ROOT = Path(__file__).resolve().parents[3]
DATA_DIR = REPO_ROOT.parent / "shared" / "data"
COUNTRY_LABELS = REPO_ROOT / "tests" / "data" / "airline_country_labels.csv"
UMSAB_LANGUAGES = {
    "english": "en", "french": "fr", "german": "de", "spanish": "es",
    "italian": "it", "portuguese": "pt", "arabic": "ar", "hindi": "hi",
}  # fmt: skip


def macro_f1(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str] = LABELS) -> float:
    scores = []
    for label in labels:
        true_positive = sum(1 for g, p in zip(gold, predicted, strict=True) if g == p == label)
        predicted_count = sum(1 for p in predicted if p == label)
        gold_count = sum(1 for g in gold if g == label)
        precision = true_positive / predicted_count if predicted_count else 0.0
        recall = true_positive / gold_count if gold_count else 0.0
        scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return sum(scores) / len(scores)


def accuracy(gold: Sequence[str], predicted: Sequence[str]) -> float:
    return sum(1 for g, p in zip(gold, predicted, strict=True) if g == p) / max(len(gold), 1)


def _airline_rows(data_dir: Path) -> list[dict[str, str]]:
    with (data_dir / "airline" / "tweets_dev.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _umsab(data_dir: Path, language: str, split: str) -> tuple[list[str], list[str]]:
    from veille.enrich.sentiment.training import read_labelled_data

    return read_labelled_data(data_dir / "umsab" / language, splits=(split,))


def _sentiment_scores(
    model: SentimentModel, texts: Sequence[str], gold: Sequence[str]
) -> tuple[float, float]:
    predicted = [sentiment.label for sentiment in model.predict(list(texts))]
    return accuracy(gold, predicted), macro_f1(gold, predicted)


def _language_section(data_dir: Path) -> list[str]:
    from veille.enrich.language import DEFAULT_LANGUAGES, LanguageIdentifier

    lines = ["## Language identification", ""]
    default = LanguageIdentifier(DEFAULT_LANGUAGES)
    lines.append(
        f"Configured languages (default setting): {', '.join(DEFAULT_LANGUAGES)}; minimum 10 letters."
    )
    lines += ["", "| data | posts | accuracy | `und` |", "| --- | ---: | ---: | ---: |"]
    all_gold: list[str] = []
    all_predicted: list[str] = []
    for language, code in UMSAB_LANGUAGES.items():
        texts, _ = _umsab(data_dir, language, "val")
        predicted = default.identify_many(texts)
        gold = [code] * len(texts)
        if code != "hi":
            all_gold += gold
            all_predicted += predicted
        note = " (romanised Hindi: not Devanagari, excluded from the total)" if code == "hi" else ""
        lines.append(
            f"| UMSAB val {language}{note} | {len(texts)} | {accuracy(gold, predicted):.3f} | "
            f"{predicted.count('und')} |"
        )
    lines.append(
        f"| **UMSAB val, 7 languages** | {len(all_gold)} | **{accuracy(all_gold, all_predicted):.3f}** | "
        f"{all_predicted.count('und')} |"
    )
    with (data_dir / "langid" / "short_texts_20lang.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    configured = [row for row in rows if row["labels"] in DEFAULT_LANGUAGES]
    predicted = default.identify_many([row["text"] for row in configured])
    gold = [row["labels"] for row in configured]
    lines.append(
        f"| short_texts_20lang, its {len({*gold})} languages in the default list | {len(gold)} | "
        f"{accuracy(gold, predicted):.3f} | {predicted.count('und')} |"
    )
    twenty = sorted({row["labels"] for row in rows})
    wide = LanguageIdentifier(twenty)
    predicted = wide.identify_many([row["text"] for row in rows])
    gold = [row["labels"] for row in rows]
    lines.append(
        f"| short_texts_20lang, list set to its 20 languages | {len(gold)} | {accuracy(gold, predicted):.3f} | "
        f"{predicted.count('und')} |"
    )
    lines += ["", "A post counted as `und` (too few letters) counts as an error."]
    return lines


def _recipe_of(model: LinearSentimentModel) -> dict[str, Any]:
    """``train_sentiment`` options that rebuild ``model``'s recipe (from its file header)."""
    return {
        "lexicon": model.recipe.lexicon,
        "regularisation": float(model.info.get("regularisation", 1.0)),
        "class_weight": model.info.get("class_weight", "balanced"),
    }


def _airline_section(data_dir: Path, shipped_en: SentimentModel, vader: SentimentModel) -> list[str]:
    from veille.benchmarks.baseline import PlainTfidfModel, cross_validated_macro_f1
    from veille.enrich.sentiment.training import train_sentiment

    rows = _airline_rows(data_dir)
    validation = [row for row in rows if int(row["tweet_id"]) % 5 == 1]
    training = [row for row in rows if int(row["tweet_id"]) % 5 != 1]
    texts = [row["text"] for row in validation]
    gold = [row["airline_sentiment"] for row in validation]
    train_texts = [row["text"] for row in training]
    train_labels = [row["airline_sentiment"] for row in training]
    # `veille train sentiment`'s defaults, and the plain TF-IDF + LR yardstick on the same tweets.
    in_domain = train_sentiment((train_texts, train_labels), lang="en")
    plain = PlainTfidfModel(train_texts, train_labels)
    majority = Counter(gold).most_common(1)[0][0]
    trained_on = f"airline train split ({len(training)} tweets)"
    lines = [
        f"### Airline tweets (validation: `tweet_id % 5 == 1`, a fifth of the whole data set like the held-out one, {len(validation)} tweets)",
        "",
        "| model | trained on | accuracy | macro-F1 |",
        "| --- | --- | ---: | ---: |",
    ]
    candidates: list[tuple[str, SentimentModel, str]] = [
        ("VADER (mentions and links stripped)", vader, "nothing (lexicon)"),
        ("shipped `en` model", shipped_en, "UMSAB English (cross-domain)"),
        ("plain TF-IDF (word 1-2 + char 2-5) + LR", plain, trained_on),
        ("**`veille train sentiment`** (its defaults)", in_domain, trained_on),
    ]
    for label, model, source in candidates:
        acc, f1 = _sentiment_scores(model, texts, gold)
        lines.append(f"| {label} | {source} | {acc:.3f} | {f1:.3f} |")
    lines.append(
        f"| always `{majority}` | - | {accuracy(gold, [majority] * len(gold)):.3f} | "
        f"{macro_f1(gold, [majority] * len(gold)):.3f} |"
    )
    every_text = [row["text"] for row in rows]
    every_label = [row["airline_sentiment"] for row in rows]
    plain_cv = cross_validated_macro_f1(every_text, every_label, PlainTfidfModel)
    ours_cv = cross_validated_macro_f1(
        every_text, every_label, lambda t, y: train_sentiment((t, y), lang="en")
    )
    lines += [
        "",
        f"5-fold stratified cross-validation over all {len(rows)} tweets (seed 0, the same folds for both):",
        "",
        "| model | macro-F1 mean ± std | per fold |",
        "| --- | ---: | --- |",
        _cv_row("plain TF-IDF + LR", plain_cv),
        _cv_row("**`veille train sentiment`**", ours_cv),
    ]
    return lines


def _cv_row(label: str, scores: Sequence[float]) -> str:
    mean = sum(scores) / len(scores)
    spread = (sum((score - mean) ** 2 for score in scores) / len(scores)) ** 0.5
    return f"| {label} | {mean:.3f} ± {spread:.3f} | {', '.join(f'{score:.3f}' for score in scores)} |"


def _sentiment_section(data_dir: Path) -> list[str]:
    from veille.benchmarks.baseline import PlainTfidfModel, cross_validated_macro_f1
    from veille.enrich.sentiment import VaderSentimentModel, load_default_models
    from veille.enrich.sentiment.training import read_labelled_data, train_sentiment

    shipped = load_default_models()
    vader = VaderSentimentModel()
    lines = ["## Sentiment", "", *_airline_section(data_dir, shipped["en"], vader)]
    lines += [
        "",
        "### UMSAB validation splits",
        "",
        "The model column is the shipped model's recipe trained on the **train** split only (for the",
        "languages whose shipped model was also trained on `val`, it is retrained here on `train`);",
        "plain TF-IDF + LR is trained on the same split.",
        "",
        "| language | posts | model accuracy | model macro-F1 | plain macro-F1 | VADER accuracy | VADER macro-F1 |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for language, code in UMSAB_LANGUAGES.items():
        val_texts, val_gold = _umsab(data_dir, language, "val")
        train_texts, train_gold = _umsab(data_dir, language, "train")
        model: SentimentModel = shipped[code]
        if "val" in shipped[code].info.get("data_options", {}).get("splits", ["train"]):
            model = train_sentiment((train_texts, train_gold), lang=code, **_recipe_of(shipped[code]))
        acc, f1 = _sentiment_scores(model, val_texts, val_gold)
        _, plain_f1 = _sentiment_scores(PlainTfidfModel(train_texts, train_gold), val_texts, val_gold)
        vader_acc, vader_f1 = _sentiment_scores(vader, val_texts, val_gold)
        lines.append(
            f"| {language} (`{code}`) | {len(val_texts)} | {acc:.3f} | {f1:.3f} | {plain_f1:.3f} "
            f"| {vader_acc:.3f} | {vader_f1:.3f} |"
        )
    french_texts, french_gold = read_labelled_data(data_dir / "umsab" / "french", splits=("train", "val"))
    french_recipe = _recipe_of(shipped["fr"])
    lines += [
        "",
        f"French, 5-fold stratified cross-validation over train + val ({len(french_texts)} tweets, seed 0, "
        "the same folds for both):",
        "",
        "| model | macro-F1 mean ± std | per fold |",
        "| --- | ---: | --- |",
        _cv_row("plain TF-IDF + LR", cross_validated_macro_f1(french_texts, french_gold, PlainTfidfModel)),
        _cv_row(
            "**shipped `fr` recipe**",
            cross_validated_macro_f1(
                french_texts, french_gold, lambda t, y: train_sentiment((t, y), lang="fr", **french_recipe)
            ),
        ),
    ]
    return lines


def country_scores(data_dir: Path = DATA_DIR) -> dict[str, dict[str, int]]:
    """Counts per group of the labelled profiles: rows, labelled, answered, right (and by evidence).

    Groups: ``place`` (the location names a place, by the hand label), ``no place`` (a location
    that names none: "planet earth", "they/them"), ``no location`` (a time zone only), ``all``.
    """
    from veille.enrich.geo import GeoResolver

    by_id = {row["tweet_id"]: row for row in _airline_rows(data_dir)}
    resolver = GeoResolver()
    groups = {"place": "yes", "no place": "no", "no location": ""}
    counts: dict[str, dict[str, int]] = {
        name: dict.fromkeys(
            ("rows", "labelled", "answered", "right", "from_location", "from_location_right",
             "from_timezone", "from_timezone_right"), 0)
        for name in (*groups, "all")
    }  # fmt: skip
    with COUNTRY_LABELS.open(encoding="utf-8", newline="") as handle:
        for label in csv.DictReader(handle):
            row = by_id[label["tweet_id"]]
            gold = label["country"]
            guess = resolver.resolve(
                location=row["tweet_location"] or None, timezone=row["user_timezone"] or None
            )
            group = next(name for name, value in groups.items() if value == label["location_names_place"])
            for name in (group, "all"):
                count = counts[name]
                count["rows"] += 1
                count["labelled"] += bool(gold)
                if guess is not None:
                    right = guess.country == gold
                    count["answered"] += 1
                    count["right"] += right
                    count[f"from_{guess.evidence}"] += 1
                    count[f"from_{guess.evidence}_right"] += right
    return counts


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.3f} ({part}/{whole})" if whole else "-"


def _country_section(data_dir: Path) -> list[str]:
    counts = country_scores(data_dir)
    lines = [
        "## Country",
        "",
        f"{counts['all']['rows']} airline tweets with a `tweet_location` or `user_timezone`, labelled by hand "
        "(`tests/data/airline_country_labels.csv`; how, and what the labels say about time zones: "
        '`docs/enrichment.md`). *Right when answered* counts an answer on a row labelled "cannot tell" '
        "as wrong; *labelled rows answered rightly* is the share of rows with a country label that get "
        "that country.",
        "",
        "| profiles | rows | with a label | answered | right when answered | labelled rows answered rightly |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    names = {
        "place": "location names a place",
        "no place": 'location names no place ("planet earth", "they/them")',
        "no location": "no location, a time zone only",
        "all": "**all**",
    }
    for key, name in names.items():
        count = counts[key]
        lines.append(
            f"| {name} | {count['rows']} | {count['labelled']} | {count['answered']} | "
            f"{_share(count['right'], count['answered'])} | {_share(count['right'], count['labelled'])} |"
        )
    every = counts["all"]
    lines += [
        "",
        f"Answers from the location: {_share(every['from_location_right'], every['from_location'])} right; "
        f"from the time zone alone: {_share(every['from_timezone_right'], every['from_timezone'])} right "
        "(against labels that themselves read a US & Canada time zone as the US).",
    ]
    return lines


def _speed_section(data_dir: Path) -> list[str]:
    import os

    from veille.benchmarks.enrich import airline_posts, stage_rates, warmed_stages

    posts = airline_posts(5000, data_dir / "airline" / "tweets_dev.csv")
    measured, warm_up = posts[:3000], posts[3000:]
    wall, cpu = stage_rates(warmed_stages(warm_up), measured)
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    lines = [
        "## Speed (one process, airline tweets, batches of 500; `veille bench enrich` measures it too)",
        "",
        f"{len(measured)} tweets after a warm-up on {len(warm_up)} others. CPU time is the process's own "
        f"(what other jobs on the machine do not inflate); load average during the run: {load}.",
        "",
        "| stage | posts/s (CPU) | posts/s (wall clock) |",
        "| --- | ---: | ---: |",
    ]
    lines += [f"| {name} | {cpu[name]:,.0f} | {rate:,.0f} |" for name, rate in wall.items()]
    return lines


def build_report(data_dir: Path = DATA_DIR) -> str:
    began = time.perf_counter()
    sections = [
        ["# Enrichment quality", "", "Written by `python -m veille.benchmarks.quality` (`make quality`) on "
         f"{datetime.now(UTC):%Y-%m-%d}. Data: `../shared/data/` (see its README); no test split used.", ""],
        _language_section(data_dir),
        _sentiment_section(data_dir),
        _country_section(data_dir),
        _speed_section(data_dir),
    ]  # fmt: skip
    text = "\n\n".join("\n".join(section) for section in sections)
    return text + f"\n\n_Report computed in {time.perf_counter() - began:.0f} s._\n"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=DATA_DIR, help="the shared data folder")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "docs" / "quality.md")
    options = parser.parse_args(argv)
    report = build_report(options.data)
    options.out.write_text(report, encoding="utf-8")
    print(f"wrote {options.out}")


if __name__ == "__main__":
    main()
