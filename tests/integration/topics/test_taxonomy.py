"""[[topics]] tables of veille.toml: read with errors naming the table, loaded by the hub."""

from __future__ import annotations

from pathlib import Path

import pytest

from veille.hub import Hub
from veille.settings import Settings, load_settings
from veille.topics import list_topics, read_topics_file, topics_from_document


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
