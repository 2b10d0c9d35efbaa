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


MIXED_TEXTS = [
    "The flight was delayed again and nobody told us why",
    "Ma box est encore en panne depuis ce matin, merci pour rien",
    "Das ist wirklich nicht gut, ich warte seit Stunden",
    "Il treno è in ritardo di nuovo, che disastro oggi",
    "O voo atrasou outra vez e ninguém explicou nada",
    "El vuelo se retrasó otra vez y nadie nos dijo por qué",
    "هذا المنتج رائع جدا وأنصح به الجميع بدون تردد",
    "यह उत्पाद बहुत अच्छा है और मैं इसकी सलाह देता हूँ",
    "ÉCRIT ENTIÈREMENT EN MAJUSCULES POUR VOIR CE QUE ÇA DONNE",
    "12345 67890 !!! ??? ... abc",
    "ok",
    "x" * 900 + " and then a real English sentence at the very end of it",
    "mixed English et un peu de français dans la même phrase",
]


def test_batch_gives_what_py3langid_gives_text_by_text() -> None:
    # The batched automaton walk must decide as py3langid's own classify, text by text.
    from py3langid.langid import MODEL_FILE
    from py3langid.langid import LanguageIdentifier as PyLangId

    languages = ["en", "fr", "de", "it", "pt", "es", "ar", "hi"]
    reference = PyLangId.from_model_file(MODEL_FILE, norm_probs=True)
    reference.set_languages(languages)
    identifier = LanguageIdentifier(languages, min_letters=0)
    batch = identifier.identify_batch(MIXED_TEXTS)
    for text, (code, probability) in zip(MIXED_TEXTS, batch, strict=True):
        expected_code, expected_probability = reference.classify(text_for_language_id(text))
        assert code == expected_code, text
        assert probability == pytest.approx(expected_probability, abs=1e-3)
    assert [code for code, _ in batch[:8]] == languages
    assert identifier.identify_many(MIXED_TEXTS) == [identifier.identify(text)[0] for text in MIXED_TEXTS]


def test_stage_identifies_only_posts_without_language() -> None:
    stage = LanguageStage(["en", "fr"])
    posts = [make_post(i, text) for i, text in enumerate(MIXED_TEXTS[:2])]
    posts.append(make_post(9, "Ceci est une phrase en français sur les trains", lang="en"))
    stage.process(posts)
    assert [post.lang for post in posts] == ["en", "fr", "en"]
