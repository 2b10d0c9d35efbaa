"""Is a post a question? Read in English, French, German, Spanish, Italian, Portuguese and Dutch.

Social text drops question marks ("how do i reset my router"), doubles them ("why???"), writes
them after a space ("pourquoi ?") or in Spanish pairs ("¿cómo …?"), and quotes, links and mentions
carry "?" that ask nothing (``https://x.com/?id=3``, ``@who?``). A post is a question when a
**sentence** of it (text split at ``.``, ``!``, ``?``, ``…`` and line breaks, URLs removed):

- ends with a question mark (``?``, ``？``, ``¿…``) and holds at least two words, or
- *opens* with an interrogative form of the post's language: an interrogative word ("how",
  "comment", "pourquoi", "wie", "cómo", "perché", "como"…), a question phrase ("est-ce que",
  "is it possible", "does anyone know", "quelqu'un sait", "weiß jemand"…) or, in English and
  German, an auxiliary verb inversion ("can I", "do you", "is there", "kann ich", "gibt es").
  An opening after a greeting ("Hi,", "Bonjour !", "Quick question:") counts.

Words are folded (no case, no accents) before comparing, so "Où" and "ou" would be the same: the
ambiguous ones ("what", "comment", "ou", "como", "wo"…) count only as the *first* word of a
sentence *and* when the sentence ends with "?", or is short (eight words or fewer) and ends with no
"." or "!" and is no exclamation ("What a match", "Quelle belle soirée"). Statements that merely start with "comment" ("Comment section is wild") are the cost of
a lexical reader; the question mark rule catches most real questions anyway. A post of unknown
language is read with every language's openings.
"""

from __future__ import annotations

import re

from veille.text import fold, url_spans

__all__ = ["LANGUAGES", "is_question", "question_sentences"]

LANGUAGES: tuple[str, ...] = ("en", "fr", "de", "es", "it", "pt", "nl")


def _phrases(text: str) -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(fold(line).split()) for line in text.strip().splitlines() if line.strip())


# Openings that ask whatever follows (folded word sequences), per language.
_OPENINGS: dict[str, frozenset[tuple[str, ...]]] = {
    "en": _phrases("""
        how
        why
        what
        when
        where
        which
        who
        whom
        whose
        is it possible
        does anyone know
        anyone know
        does anybody know
        any idea
        any ideas
        anyone else
        is there
        are there
        is it
        is this
        is that
        are you
        are they
        can i
        can you
        can we
        can someone
        can anyone
        could i
        could you
        could someone
        should i
        should we
        do i
        do you
        do we
        do they
        does it
        does this
        does my
        does your
        did you
        did anyone
        will it
        will you
        would you
        would it
        have you
        has anyone
        am i
        may i
        wondering if
        i wonder
    """),
    "fr": _phrases("""
        comment
        pourquoi
        quand
        combien
        quel
        quelle
        quels
        quelles
        lequel
        laquelle
        lesquels
        lesquelles
        qui sait
        qui peut
        que faire
        que faut-il
        est-ce que
        est ce que
        est-ce qu'
        qu'est-ce que
        qu'est-ce qu'
        quelqu'un sait
        quelqu'un a
        quelqu'un peut
        quelqu'un connait
        savez-vous
        savez vous
        sais-tu
        pouvez-vous
        pouvez vous
        peut-on
        peut on
        faut-il
        y a-t-il
        y a t il
        c'est normal
        est-il
        est-elle
        a-t-on
        ou est
        ou sont
        ou trouver
        d'ou
        je me demande
    """),
    "de": _phrases("""
        wie
        warum
        wieso
        weshalb
        was
        wann
        wo
        woher
        wohin
        welche
        welcher
        welches
        welchen
        wer
        weiss jemand
        weiß jemand
        kann ich
        kann man
        kann mir
        konnt ihr
        konnen sie
        gibt es
        ist es
        ist das
        habt ihr
        haben sie
        hat jemand
        muss ich
        soll ich
        darf ich
        funktioniert
    """),
    "es": _phrases("""
        como
        por que
        porque no
        que
        cuando
        donde
        cual
        cuales
        cuanto
        cuanta
        cuantos
        quien
        alguien sabe
        sabeis
        saben
        se puede
        puedo
        pueden
        hay
        es posible
        es normal
    """),
    "it": _phrases("""
        come
        perche
        quando
        dove
        quale
        quali
        quanto
        quanti
        chi
        cosa
        che cosa
        qualcuno sa
        sapete
        si puo
        posso
        potete
        e possibile
        e normale
        c'e
    """),
    "pt": _phrases("""
        como
        por que
        porque
        quando
        onde
        qual
        quais
        quanto
        quem
        o que
        alguem sabe
        sabem
        da para
        e possivel
        e normal
        posso
        podem
        tem como
    """),
    "nl": _phrases("""
        hoe
        waarom
        wanneer
        waar
        welke
        wie
        wat
        weet iemand
        kan ik
        kunnen jullie
        is het
        zijn er
    """),
}
# Folded openings that are also ordinary words (French "ou", Spanish "que", German "was" next to the
# English past tense, "come"/"chi" in English…): they need a "?" or a short sentence.
_AMBIGUOUS: frozenset[str] = frozenset(
    {"ou", "que", "was", "come", "chi", "como", "hay", "wo", "wat", "wie", "quando", "porque", "cosa",
     "funktioniert", "posso", "puedo", "donde", "when", "who", "where", "which", "what", "how", "why",
     "quand", "quel", "quelle", "combien", "comment"}
)  # fmt: skip
_ALL_OPENINGS: frozenset[tuple[str, ...]] = frozenset().union(*_OPENINGS.values())
_LONGEST = max(len(phrase) for phrase in _ALL_OPENINGS)
# Greetings and lead-ins skipped before looking for an opening.
_LEAD_INS = _phrases("""
    hi
    hey
    hello
    hallo
    hola
    ciao
    ola
    bonjour
    bonsoir
    salut
    coucou
    quick question
    question
    petite question
    frage
    pregunta
    domanda
    pergunta
    please
    svp
    stp
    bitte
    por favor
    per favore
    so
    ok
    alors
    bref
    du coup
    dumb question
    serious question
""")
_SENTENCE_END = re.compile(r"(?<=[.!?…？])\s+|[\n\r]+")
_WORD = re.compile(r"[\w'’-]+")
_SHORT = 8
# Words after "what"/"quel"/"come"… that make an exclamation ("what a day", "quelle belle soirée").
_EXCLAIMED = frozenset({"a", "an", "un", "une", "belle", "beau", "bel", "joie", "bello", "bella"})


def _without_urls(text: str) -> str:
    spans = url_spans(text)
    if not spans:
        return text
    kept, last = [], 0
    for start, end in spans:
        kept.append(text[last:start])
        kept.append(" ")
        last = end
    kept.append(text[last:])
    return "".join(kept)


def _words(sentence: str) -> list[str]:
    words = []
    for raw in _WORD.findall(sentence):
        word = fold(raw.replace("’", "'")).strip("-'")
        if word:
            words.append(word)
    return words


def _opening(words: list[str], openings: frozenset[tuple[str, ...]]) -> tuple[str, ...] | None:
    for size in range(min(_LONGEST, len(words)), 0, -1):
        head = tuple(words[:size])
        if head in openings:
            return head
        # "est-ce qu'il": an elided last word of the phrase joined to the next one
        if size and head[-1].endswith(("qu'il", "qu'elle", "qu'on")):
            base = (*head[:-1], head[-1].split("'", 1)[0] + "'")
            if base in openings:
                return base
    return None


def _skip_lead_ins(words: list[str]) -> list[str]:
    changed = True
    while changed and words:
        changed = False
        for size in (2, 1):
            if tuple(words[:size]) in _LEAD_INS and len(words) > size:
                words = words[size:]
                changed = True
                break
    return words


def _asks(sentence: str, openings: frozenset[tuple[str, ...]]) -> bool:
    stripped = sentence.strip().strip("\"'«»“”()[]*_")
    if not stripped:
        return False
    words = _words(stripped)
    marked = stripped.endswith(("?", "？")) or stripped.startswith("¿")
    if marked and len(words) >= 2:
        return True
    words = _skip_lead_ins(words)
    if len(words) < 2:
        return False
    found = _opening(words, openings)
    if found is None:
        return False
    if len(found) == 1 and found[0] in _AMBIGUOUS:
        if marked:
            return True
        # "What a match.", "Quelle soirée !": an exclamation, not a question
        exclaims = stripped.endswith(("!", ".", "…")) or words[1] in _EXCLAIMED
        return not exclaims and len(words) <= _SHORT
    return True


def _openings_for(lang: str | None) -> frozenset[tuple[str, ...]]:
    if lang is None:
        return _ALL_OPENINGS
    return _OPENINGS.get(lang.lower().split("-", 1)[0], _ALL_OPENINGS)


def _sentences(text: str) -> list[str]:
    cleaned = re.sub(r"(?<!\w)[@#]\w+", " ", _without_urls(text))
    return [part for part in _SENTENCE_END.split(cleaned) if part and part.strip()]


def question_sentences(text: str, lang: str | None = None) -> list[str]:
    """The sentences of ``text`` that ask something, in the order written (see the module)."""
    openings = _openings_for(lang)
    return [sentence.strip() for sentence in _sentences(text) if _asks(sentence, openings)]


def is_question(text: str, lang: str | None = None) -> bool:
    """Whether ``text`` (a post in ``lang``, ISO 639-1, or ``None`` when unknown) asks something."""
    openings = _openings_for(lang)
    return any(_asks(sentence, openings) for sentence in _sentences(text))
