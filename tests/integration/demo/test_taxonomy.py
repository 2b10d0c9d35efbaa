"""The demo taxonomy (veille/demo/data/taxonomy.toml) against what the simulator writes."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from veille.demo.datafiles import data_file
from veille.demo.seed import demo_taxonomy, ensure_demo_taxonomy
from veille.demo.simulator import default_profile, generate_history, vocabulary
from veille.enrich.entities import EntitiesStage
from veille.query import lint, view_text
from veille.store.sql import SqlStore
from veille.topics import LiveTopics, monitor_for, read_topics_file

# Words of the vocabulary (vocabulary.toml) the demo deliberately does not match alone: too common.
TOO_AMBIGUOUS = {("outage", "down"), ("data_protection", "fuite")}
BRAND_TOPICS = {"nova": "nova", "helix": "helix", "orbis": "orbis", "sirocco": "sirocco"}


@pytest.fixture(scope="module")
def demo() -> LiveTopics:
    return LiveTopics(monitor_for(demo_taxonomy()))


def _matches(live: LiveTopics, text: str) -> set[str]:
    return {name for name, _ in live.monitor.match_post(view_text(text))}


def test_the_demo_taxonomy_is_a_valid_tree_without_lint_warnings() -> None:
    specs = demo_taxonomy()
    names = [spec.name for spec in specs]
    assert len(names) == len(set(names))
    assert all(spec.parent is None or spec.parent in names for spec in specs)
    kinds = Counter(spec.kind for spec in specs)
    assert (
        kinds["competitor"] == 3 and kinds["brand"] == 1 and kinds["sensitive"] >= 2 and kinds["event"] >= 1
    )
    essentials = {spec.name for spec in specs if spec.parent == "essentials"}
    assert {
        "home",
        "work",
        "entertainment",
        "well_being",
        "family",
        "payment",
        "data_protection",
    } <= essentials
    parents = {spec.name: spec.parent for spec in specs}
    assert parents["connected_objects"] == "home" and parents["mobile_payment"] == "payment"
    for spec in specs:
        assert lint(spec.query) == [], spec.name
        if spec.kind in ("theme", "sensitive"):  # French and English labels
            assert spec.label is not None and " · " in spec.label, spec.name


def test_every_word_of_the_simulator_vocabulary_is_caught_by_its_topic(demo: LiveTopics) -> None:
    for key, entry in vocabulary().items():
        for lang, words in entry["keywords"].items():
            for word in words:
                if (key, word) in TOO_AMBIGUOUS:
                    continue
                assert key in _matches(demo, f"on parle de {word} ici"), (key, lang, word)
        for tag in entry["hashtags"]:
            assert key in _matches(demo, f"vu sur #{tag}"), (key, tag)


def test_every_brand_name_product_hashtag_and_account_is_caught(demo: LiveTopics) -> None:
    profile = default_profile()
    for brand_key, terms in profile.brand_terms().items():
        topic = BRAND_TOPICS[brand_key]
        for name in terms["names"] + terms["products"]:
            assert topic in _matches(demo, f"Avis sur {name} aujourd'hui"), (topic, name)
        for tag in terms["hashtags"]:
            assert topic in _matches(demo, f"bravo #{tag}"), (topic, tag)
        for handle in terms["handles"]:
            assert topic in _matches(demo, f"@{handle} bonjour"), (topic, handle)
            assert topic in {n for n, _ in demo.monitor.match_post(view_text("merci", author=handle.lower()))}
    # Sub-topics roll up: a product post is a brand post, a mobile payment post a payment post.
    assert {"novapay", "nova", "mobile_payment", "payment", "essentials"} <= _matches(demo, "NovaPay est top")
    assert {"outage", "novabox", "nova"} <= _matches(demo, "Panne NovaBox depuis ce matin")
    # Brand names that are ordinary words match only as names.
    assert "orbis" not in _matches(demo, "orbis terrarum") and "orbis" in _matches(demo, "Orbis a répondu")


def test_the_demo_taxonomy_covers_every_simulated_scenario(demo: LiveTopics) -> None:
    end = datetime(2026, 1, 1, tzinfo=UTC)
    posts = []
    for scenario in ("quiet_day", "product_launch", "live_event", "outage_crisis"):
        posts += list(generate_history(end - timedelta(hours=2), end, scenario=scenario, count=300, seed=11))
    EntitiesStage().process(posts)
    per_topic: Counter[str] = Counter()
    unmatched = 0
    for post in posts:
        found = demo.monitor.match_post(post)
        per_topic.update(name for name, _ in found)
        unmatched += not found
    assert unmatched / len(posts) < 0.05, unmatched
    assert {spec.name for spec in demo_taxonomy()} == set(per_topic), "every topic catches something"


def test_the_taxonomy_file_is_the_veille_toml_format() -> None:
    """What a user copies into veille.toml reads the same through `veille topics load FILE`."""
    assert read_topics_file(Path(str(data_file("taxonomy.toml")))) == demo_taxonomy()


def test_the_demo_taxonomy_is_loaded_once(store: SqlStore) -> None:
    live = LiveTopics()
    first = ensure_demo_taxonomy(store, live)
    assert first is not None and len(first.created) == len(demo_taxonomy())
    assert len(live.names()) == len(demo_taxonomy())
    assert ensure_demo_taxonomy(store, live) is None
