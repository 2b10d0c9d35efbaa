"""Settings: every key declared and typed; veille.toml read strictly, the environment leniently."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from veille.cli import build_app
from veille.errors import Invalid
from veille.settings import HubTable, Settings, SettingsError, load_settings


@pytest.fixture(autouse=True)
def _no_veille_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("VEILLE_"):
            monkeypatch.delenv(name)


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "veille.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _refused(path: Path) -> str:
    with pytest.raises(SettingsError) as caught:
        load_settings(config_file=path)
    assert isinstance(caught.value, Invalid) and isinstance(caught.value, ValueError)
    return str(caught.value)


def test_a_typo_in_the_hub_table_is_an_error_naming_the_key_and_the_file(tmp_path: Path) -> None:
    path = _config(tmp_path, "[hub]\nprot = 9000\n")
    assert _refused(path) == f"{path}: [hub] prot: unknown key (did you mean port?)"
    path = _config(tmp_path, "[hub]\nport = 9000\nflavour = 'mint'\n")
    assert _refused(path) == f"{path}: [hub] flavour: unknown key"


def test_unknown_tables_and_keys_outside_any_table_are_errors(tmp_path: Path) -> None:
    path = _config(tmp_path, "[alerts]\nemail = 'ops@example.org'\n")
    assert _refused(path) == (
        f"{path}: [alerts]: unknown table (known tables: hub, sources, topics, simulator)"
    )
    path = _config(tmp_path, "port = 9000\n")
    assert _refused(path) == f"{path}: port: belongs in the [hub] table"
    path = _config(tmp_path, "verbose = true\n")
    assert _refused(path).startswith(f"{path}: verbose: unknown key")


def test_values_of_the_wrong_type_are_errors_naming_the_key(tmp_path: Path) -> None:
    path = _config(tmp_path, "[hub]\nport = 'eighty'\n")
    assert _refused(path).startswith(f"{path}: [hub] port: Input should be a valid integer")
    path = _config(tmp_path, "[hub]\nbus = 'redis'\n")
    assert _refused(path) == f"{path}: [hub] bus: Input should be 'memory' or 'nats', got 'redis'"
    path = _config(tmp_path, "[hub]\nsource_silent_after_s = -1\n")
    assert _refused(path).startswith(f"{path}: [hub] source_silent_after_s: Input should be greater than 0")
    path = _config(tmp_path, 'sources = "bluesky"\n')
    assert _refused(path) == f"{path}: sources: expected [[sources]] tables (an array of tables)"
    path = _config(tmp_path, "[hub\n")
    assert _refused(path).startswith(f"{path}: not valid TOML")


def test_every_hub_key_is_declared_and_loaded_typed(tmp_path: Path) -> None:
    path = _config(
        tmp_path,
        "[hub]\nport = 9000\nsource_silent_after_s = 120\nlanguages = ['fr']\n\n"
        '[[sources]]\ntype = "bluesky"\nname = "b"\n\n'
        '[[topics]]\nname = "outage"\nquery = "panne*"\n\n'
        '[simulator.profile.event]\nname = "Fête"\n',
    )
    settings = load_settings(config_file=path)
    assert (settings.port, settings.source_silent_after_s, settings.languages) == (9000, 120.0, ["fr"])
    assert settings.sources == [{"type": "bluesky", "name": "b"}]
    assert settings.topics == [{"name": "outage", "query": "panne*"}]
    assert settings.simulator == {"profile": {"event": {"name": "Fête"}}}
    assert settings.config_file == path
    # Every key of [hub] is a field of Settings, so each has its VEILLE_<KEY> override.
    assert set(HubTable.model_fields) <= set(Settings.model_fields)


def test_the_environment_overrides_the_file_and_is_read_leniently(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _config(tmp_path, "[hub]\nport = 9000\nsource_silent_after_s = 120\n")
    monkeypatch.setenv("VEILLE_SOURCE_SILENT_AFTER_S", "30")
    monkeypatch.setenv("VEILLE_SOMETHING_ELSE", "not ours to refuse")
    settings = load_settings(config_file=path)
    assert (settings.port, settings.source_silent_after_s) == (9000, 30.0)
    assert load_settings(config_file=path, port=9100).port == 9100  # an explicit option wins
    monkeypatch.setenv("VEILLE_PORT", "eighty")
    with pytest.raises(SettingsError, match=r"^environment: VEILLE_PORT: Input should be a valid integer"):
        load_settings()


def test_the_command_line_reports_a_settings_error_in_one_line(tmp_path: Path) -> None:
    path = _config(tmp_path, "[hub]\nprot = 9000\n")
    result = CliRunner().invoke(build_app(), ["migrate", "--config", str(path), "--data", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output.strip() == f"error: {path}: [hub] prot: unknown key (did you mean port?)"
