"""The words of a post that can be a trend term, read per language: elisions and contractions.

The hub's tokenizer (:func:`veille.text.tokenize`, shared with the query language) splits at an
apostrophe, so ``aujourd'hui`` would give two "terms", ``aujourd`` and ``hui``, and ``don't`` gives
``don`` and ``t``. Here tokens joined by an apostrophe (``'``, ``’``) are read together, by the
post's language:

- an **elision** in front (French ``l'``, ``d'``, ``qu'``, ``jusqu'``…, Italian ``dell'``, ``un'``…,
  Catalan ``l'``, ``d'``…) is dropped: ``l'opérateur`` gives ``operateur``, ``qu'aujourd'hui`` gives
  ``aujourd'hui``;
- an English **possessive** or ``'s`` behind is dropped: ``Nova's`` gives ``nova``, ``it's`` ``it``;
- what is left stays **one word**, apostrophe included: ``aujourd'hui``, ``prud'hommes``, English
  contractions such as ``don't``, ``can't``, ``we're`` (which are stop-words, as ``do`` and ``not`` are).

A post of unknown language gets the rules of every language (an ``l'`` in front is an elision, a
``'s`` behind a possessive). Words are folded like everything the hub compares (no case, no accents).
"""

from __future__ import annotations

from veille.text import Span, Token, tokenize

__all__ = ["APOSTROPHES", "ELISIONS", "term_words"]

APOSTROPHES = frozenset("'’")
# Elided words written in front of another, folded, per language (ISO 639-1).
# (presqu' is left out: presqu'île is a word; dell'anno and un'altra are Italian elisions.)
ELISIONS: dict[str, frozenset[str]] = {
    "fr": frozenset({"l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu"}),
    "it": frozenset(
        {"l", "d", "c", "s", "m", "t", "v", "n", "un", "dell", "dall", "nell", "sull", "all", "coll",
         "quest", "quell", "bell", "sant", "tutt"}
    ),
    "ca": frozenset({"l", "d", "s", "m", "t", "n"}),
}  # fmt: skip
_ANY_ELISION = frozenset().union(*ELISIONS.values())
# Languages whose "'s" behind a word is a possessive or a contracted "is"/"has".
_POSSESSIVE = frozenset({"en"})


def _chains(tokens: list[Token], text: str) -> list[list[Token]]:
    """Tokens grouped where one apostrophe and nothing else stands between two of them."""
    chains: list[list[Token]] = []
    for token in tokens:
        if chains:
            last = chains[-1][-1]
            if token.start == last.end + 1 and text[last.end] in APOSTROPHES:
                chains[-1].append(token)
                continue
        chains.append([token])
    return chains


def term_words(text: str, lang: str | None = None, *, holes: list[Span] | None = None) -> list[str]:
    """The folded words of ``text`` outside URLs, apostrophes read by ``lang`` (see the module).

    A word starting inside one of ``holes`` (hashtags, mentions) is left out.
    """
    elisions = _ANY_ELISION if lang is None else ELISIONS.get(lang, frozenset())
    possessive = lang is None or lang in _POSSESSIVE
    words: list[str] = []
    for chain in _chains(tokenize(text), text):
        if holes and any(start <= chain[0].start < end for start, end in holes):
            continue
        parts = [token.folded for token in chain]
        while len(parts) > 1 and parts[0] in elisions:
            parts.pop(0)
        if len(parts) > 1 and possessive and parts[-1] == "s":
            parts.pop()
        words.append("'".join(parts))
    return words
