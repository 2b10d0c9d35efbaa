"""The demo's data files (veille/demo/data): complete, consistent across languages, read lazily."""

from __future__ import annotations

import re
import string
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from veille.demo.datafiles import data_file
from veille.demo.simulator import generate_history, phrases
from veille.demo.simulator.profile import CompanyProfile, default_profile, load_profile, vocabulary

SLOTS = {"brand", "product", "city", "duration", "service", "tag", "event", "launch", "first", "sig", "link"}
SLOTS |= {"count", "hour"}


def _templates(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, tuple):
        return [text for item in value for text in _templates(item)]
    if hasattr(value, "values"):
        return [text for item in value.values() for text in _templates(item)]
    return []


def _shape(value: object) -> object:
    """A bank's keys all the way down (what every language must have), not its phrases."""
    if hasattr(value, "items"):
        return {key: _shape(item) for key, item in value.items() if key != "countries"}
    return "phrases" if isinstance(value, tuple) and value else type(value).__name__


def test_the_shipped_profile_is_a_whole_profile_file_a_user_can_copy() -> None:
    with data_file("profile.toml").open("rb") as handle:
        assert handle.read(1)  # shipped in the package
    copied = load_profile(Path(str(data_file("profile.toml"))))
    assert copied == default_profile()
    assert default_profile() is default_profile()  # read once


def test_care_hours_always_means_around_the_clock() -> None:
    profile = default_profile()
    assert profile.company.care_in("FR").hours is None and profile.company.care_in("BE").hours == (8, 21)
    changed = CompanyProfile.from_dict(
        {"company": {"key": "acme", "name": "Acme", "ours": True, "website": "acme.example",
                     "products": [{"name": "Box", "domain": "internet"}],
                     "care": {"FR": {"hours": "always"}, "BE": {"hours": [9, 17]}}}}
    )  # fmt: skip
    assert changed.company.care_in("FR").hours is None and changed.company.care_in("BE").hours == (9, 17)
    with pytest.raises(ValueError, match=r"company\.care\.FR\.hours: .*\"always\""):
        CompanyProfile.from_dict(
            {"company": {"key": "a", "name": "A", "ours": True, "website": "a.example",
                         "products": [{"name": "Box", "domain": "internet"}],
                         "care": {"FR": {"hours": "nights"}}}}
        )  # fmt: skip


def test_every_language_has_the_same_groups_as_english() -> None:
    assert {"fr", "en", "es", "de"} <= set(phrases.languages())
    english = _shape(phrases.bank("en"))
    for lang in phrases.languages():
        assert _shape(phrases.bank(lang)) == english, lang


def test_templates_use_known_slots_only() -> None:
    for lang in phrases.languages():
        bank = phrases.bank(lang)
        for text in _templates({key: value for key, value in bank.items() if key != "names"}):
            fields = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
            assert fields <= SLOTS, (lang, text)


def test_names_bios_and_the_english_fallback() -> None:
    assert phrases.bank("it") is phrases.bank("en")  # a language without a file writes English
    first, last = phrases.names("SN", "en")  # a country's own names, whatever the language
    assert "Aminata" in first and "Diop" in last
    first, last = phrases.names("FR", "fr")
    assert "Camille" in first and "Martin" in last
    assert phrases.names("XX", "it") == phrases.names("XX", "en")
    assert all(phrases.bios(lang) for lang in phrases.languages())


def test_the_vocabulary_has_words_in_the_phrase_languages() -> None:
    entries = vocabulary()
    assert {"home", "outage", "data_protection"} <= set(entries)
    for name, entry in entries.items():
        assert set(entry["label"]) == set(entry["keywords"]) == set(phrases.languages()), name
        assert entry["hashtags"], name


def test_nothing_is_read_at_import() -> None:
    code = (
        "import veille.demo.simulator, veille.demo.seed, veille.demo.live, veille.cli.hub\n"
        "from veille.demo.simulator import phrases, profile\n"
        "print(profile.default_profile.cache_info().currsize, phrases.bank.cache_info().currsize)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["0", "0"]


def test_the_profile_examples_of_the_docs_load_and_write_about_their_company(tmp_path: Path) -> None:
    doc = Path(__file__).resolve().parents[3] / "docs" / "simulator.md"
    blocks = re.findall(r"```toml\n(.*?)```", doc.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 2
    partial, whole = tmp_path / "partial.toml", tmp_path / "whole.toml"
    partial.write_text(blocks[0], encoding="utf-8")
    whole.write_text(blocks[1], encoding="utf-8")
    assert load_profile(partial, table="simulator.profile").launch.hashtag == "NovaBox9"
    acme = load_profile(whole)
    assert acme.company.name == "Acme Fibre" and acme.company.care_in("FR").hours is None
    end = datetime(2026, 11, 20, tzinfo=UTC)
    posts = list(
        generate_history(end - timedelta(hours=4), end, scenario="outage_crisis", profile=acme, count=400)
    )
    assert sum("Acme" in post.text for post in posts) > 100
    assert any("#PanneAcme" in post.text for post in posts)
