"""Question detection per language, with statements that must not count."""

from __future__ import annotations

import pytest

from veille.editorial.questions import is_question, question_sentences

ASKING = [
    ("en", "how do I change the wifi password"),
    ("en", "Hi, can I keep my router when I move"),
    ("en", "Quick question: does anyone know if 5G works in Leeds"),
    ("en", "router blinking orange again?? @nova"),
    ("fr", "Comment changer le mot de passe du wifi"),
    ("fr", "Bonjour ! Pourquoi ma box clignote"),
    ("fr", "Est-ce qu'il est possible de garder la box"),
    ("fr", "quelqu'un sait si la fibre arrive à Lyon"),
    ("fr", "la fibre est-elle disponible à Lyon ?"),
    ("de", "Wie aktiviere ich die eSIM"),
    ("de", "Gibt es 5G in Berlin"),
    ("de", "Hallo, weiß jemand warum das Internet so langsam ist"),
    ("es", "¿Cómo activo la eSIM?"),
    ("es", "cómo activo la esim"),
    ("es", "Alguien sabe por qué no hay red en Sevilla"),
    ("it", "Perché il modem lampeggia"),
    ("it", "Come attivo la eSIM"),
    ("pt", "Como ativo o eSIM"),
    ("pt", "Alguém sabe se o 5G funciona em Lisboa"),
    ("nl", "Hoe verander ik mijn wifi wachtwoord"),
    (None, "pourquoi la box clignote"),
]
STATEMENTS = [
    ("en", "I love my new phone."),
    ("en", "Check this https://example.com/?id=3 great deal"),
    ("en", "Comment section is wild today, everyone is fighting about the match and nobody watches it"),
    ("en", "What a match. Incredible second half from the whole team tonight in Leeds, really proud"),
    ("en", "Why???"),
    ("en", "@nova ?"),
    ("fr", "Super soirée avec les amis"),
    ("fr", "Je viens de passer mon eSIM sur le Pixel 8, nickel."),
    ("fr", "Quand je pense à la soirée d'hier, on a vraiment bien rigolé avec toute la bande au bar"),
    ("de", "Das Wetter ist schön heute"),
    ("es", "Me encanta mi nuevo móvil"),
    ("it", "Bellissima giornata al mare"),
    ("pt", "Adorei o novo telemóvel"),
    ("en", "#why #how"),
]


@pytest.mark.parametrize(("lang", "text"), ASKING)
def test_questions_are_found(lang: str | None, text: str) -> None:
    assert is_question(text, lang), text


@pytest.mark.parametrize(("lang", "text"), STATEMENTS)
def test_statements_are_not_questions(lang: str | None, text: str) -> None:
    assert not is_question(text, lang), text


def test_the_asking_sentence_is_picked_out() -> None:
    text = "Moved house last week. How do I transfer my fibre contract? Thanks in advance!"
    assert question_sentences(text, "en") == ["How do I transfer my fibre contract?"]


def test_a_language_reads_its_own_openings() -> None:
    # "wie" opens a German question; in English it is nothing.
    assert is_question("wie geht das", "de")
    assert not is_question("wie geht das", "en")
