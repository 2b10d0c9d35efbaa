"""Look-alike letters folded to the Latin letter they imitate, so a swapped letter does not evade a query.

``nоva`` written with a Cyrillic ``о`` is, to a reader, the brand *nova*; to a tokenizer it is another
word, and a topic on ``nova`` would miss it (issue 18, fault 11). The table is Unicode's own list of
confusable characters (UTS #39 ``confusables.txt``) as shipped by the maintained
``confusable-homoglyphs`` package, reduced to the letters of other scripts (Cyrillic, Greek, Armenian,
Cherokee…) that Unicode lists as confusable with one ASCII letter or digit: about 300 characters.

Only *mixed* tokens are folded: a token holding an ASCII letter and such a look-alike. A word written
wholly in another script (Russian ``сор``) is left alone, so Cyrillic and Greek posts keep their own
words; a spoof written wholly in look-alikes (rare: it needs a word whose every letter has a twin)
is not caught. Latin letters are never changed (``ı`` is a Turkish letter, not a spoof of ``i``).
The same folding is applied to query terms and to post text, hashtags, mentions and handles.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["has_look_alike", "look_alike_letters", "skeleton"]

_KEPT_SCRIPTS = frozenset({"LATIN", "COMMON", "INHERITED", "Unknown"})


@lru_cache(maxsize=1)
def _table() -> dict[int, str]:
    """Code point of a look-alike letter -> the ASCII letter or digit it imitates (built on first use)."""
    # Imported here: the package reads its 900 kB data file when imported.
    from confusable_homoglyphs import categories, confusables

    table: dict[int, str] = {}
    for character, homoglyphs in confusables.confusables_data.items():
        if len(character) != 1 or not unicodedata.category(character).startswith("L"):
            continue
        if categories.alias(character) in _KEPT_SCRIPTS:
            continue
        for homoglyph in homoglyphs:
            target = homoglyph["c"]
            if len(target) == 1 and target.isascii() and target.isalnum():
                table[ord(character)] = target
                break
    return table


@lru_cache(maxsize=1)
def _look_alike_set() -> frozenset[str]:
    # A set, not a regular expression: a character class of 300 letters, some outside the BMP,
    # made re.search take ~65 µs on a 90-character French post; a set intersection takes ~2 µs.
    return frozenset(chr(code) for code in _table())


def look_alike_letters() -> str:
    """Every look-alike letter folded by :func:`skeleton`, sorted (for SQL character classes)."""
    return "".join(sorted(chr(code) for code in _table()))


_ASCII_LETTER_RE = re.compile(r"[A-Za-z]")


def has_look_alike(text: str) -> bool:
    """Does ``text`` hold a look-alike letter at all? (ASCII and Latin-only text never does.)"""
    if text.isascii():
        return False
    return not _look_alike_set().isdisjoint(text)


def skeleton(token: str) -> str:
    """``token`` with its look-alike letters replaced when it mixes them with ASCII letters."""
    if token.isascii() or _ASCII_LETTER_RE.search(token) is None or not has_look_alike(token):
        return token
    return token.translate(_table())
