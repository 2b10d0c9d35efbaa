"""The shipped demo taxonomy against what the simulator writes, and [[topics]] of veille.toml."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from veille.enrich.entities import EntitiesStage
from veille.hub import Hub
from veille.query import lint, view_text
from veille.settings import Settings, load_settings
from veille.demo.simulator import TAXONOMY, default_profile, generate_history
from veille.store.sql import SqlStore
from veille.topics import (
    LiveTopics,
    demo_taxonomy,
    ensure_demo_taxonomy,
    list_topics,
    monitor_for,
    read_topics_file,
    topics_from_document,
)

# The simulator's own vocabulary (TAXONOMY) words the demo deliberately does not match alone: too common.
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


def test_every_word_of_the_simulator_taxonomy_is_caught_by_its_topic(demo: LiveTopics) -> None:
    for key, entry in TAXONOMY.items():
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


# -- veille.toml -----------------------------------------------------------------------------


def test_topics_tables_are_read_with_errors_naming_the_table(tmp_path: Path) -> None:
    document = {"topics": [{"name": "a", "query": "x"}, {"name": "b", "query": "y", "kind": "weather"}]}
    with pytest.raises(ValueError, match=r"veille.toml: topics\[1\] \(b\): kind: "):
        topics_from_document(document)
    with pytest.raises(ValueError, match="array of tables"):
        topics_from_document({"topics": {"name": "a"}})
    assert topics_from_document({}) == []
    file = tmp_path / "topics.toml"
    file.write_text('[[topics]]\nname = "outage"\nquery = "panne*"\nkind = "sensitive"\n')
    (loaded,) = read_topics_file(file)
    assert (loaded.name, loaded.query, loaded.kind) == ("outage", "panne*", "sensitive")
    file.write_text("[hub]\nport = 1\n")
    with pytest.raises(ValueError, match="no \\[\\[topics\\]\\]"):
        read_topics_file(file)


def test_the_hub_loads_veille_toml_topics_and_refuses_bad_ones(
    hub_settings: Settings, tmp_path: Path
) -> None:
    config = tmp_path / "veille.toml"
    config.write_text(
        '[[topics]]\nname = "outage"\nquery = "panne* OR outage"\nkind = "sensitive"\n\n'
        '[[topics]]\nname = "novabox_outage"\nquery = "topic:outage AND novabox"\nparent = "outage"\n'
    )
    settings = load_settings(
        config_file=config, data_dir=hub_settings.data_dir, database_url=hub_settings.database_url
    )
    hub = Hub.build(settings)
    try:
        assert hub.topics.names() == ["outage", "novabox_outage"]
        assert [topic.name for topic in list_topics(store=hub.store)] == ["novabox_outage", "outage"]
    finally:
        hub.store.close()
    config.write_text('[[topics]]\nname = "broken"\nquery = "panne AND ("\n')
    settings = load_settings(
        config_file=config, data_dir=hub_settings.data_dir, database_url=hub_settings.database_url
    )
    with pytest.raises(ValueError, match=r"topics\[0\] \(broken\): query: column 12"):
        Hub.build(settings)


def test_the_demo_taxonomy_is_loaded_once(store: SqlStore) -> None:
    live = LiveTopics()
    first = ensure_demo_taxonomy(store, live)
    assert first is not None and len(first.created) == len(demo_taxonomy())
    assert len(live.names()) == len(demo_taxonomy())
    assert ensure_demo_taxonomy(store, live) is None
