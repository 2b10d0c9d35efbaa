from __future__ import annotations

import pytest

from tests.unit.enrich.conftest import make_post
from veille.enrich.language import LanguageIdentifier, LanguageStage, text_for_language_id


def test_identifies_configured_languages() -> None:
    identifier = LanguageIdentifier(["en", "fr", "de", "es"])
    assert identifier.identify("Ma box est encore en panne depuis ce matin, merci pour rien")[0] == "fr"
    assert identifier.identify("Das ist wirklich nicht gut, ich warte seit Stunden")[0] == "de"
    assert identifier.identify("The flight was delayed again and nobody told us why")[0] == "en"


def test_restricted_list_never_returns_other_languages() -> None:
    # Dutch text, but Dutch is not configured: the answer is one of the configured languages.
    identifier = LanguageIdentifier(["en", "de"])
    assert identifier.identify("Ik heb vandaag een nieuwe fiets gekocht in de stad")[0] in {"en", "de"}


def test_short_text_is_undetermined() -> None:
    identifier = LanguageIdentifier(["en", "fr"], min_letters=10)
    assert identifier.identify("ok @someone https://example.org/a-long-link-here")[0] == "und"
    assert identifier.identify("merci !")[0] == "und"


def test_handles_and_links_are_removed_before_identification() -> None:
    assert text_for_language_id("@user_name bonjour #Paris https://x.org/p").split() == ["bonjour", "Paris"]


def test_unknown_language_code_is_refused() -> None:
    with pytest.raises(ValueError, match="languages"):
        LanguageIdentifier(["en", "xx"])


def test_stage_keeps_the_post_own_language() -> None:
    stage = LanguageStage(["en", "fr"])
    given = make_post(1, "This is plainly an English sentence about trains", lang="fr")
    guessed = make_post(2, "Ceci est une phrase en français sur les trains de banlieue")
    short = make_post(3, "lol")
    stage.process([given, guessed, short])
    assert (given.lang, guessed.lang, short.lang) == ("fr", "fr", "und")
