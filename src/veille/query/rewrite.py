"""Queries written before 2026-12-07 rewritten for the new ``NEAR/n`` count (spec §3).

``NEAR/n`` used to be the token distance (adjacent = 1): at most ``n - 1`` tokens between. It now
counts the tokens between, as Brandwatch, Meltwater and Awario do. So an old ``NEAR/n`` is exactly
today's ``NEAR/(n-1)``, in both directions and ordered alike: ``NEAR/1`` (adjacent) becomes ``NEAR/0``,
``NEAR/3f`` becomes ``NEAR/2f``, ``NEAR/50`` becomes ``NEAR/49``. Nothing else in the text changes.

Only what the old parser read as the operator is rewritten: a bare word that is exactly ``NEAR/n``
(``f`` or ``F`` after it kept as written). ``NEAR/3`` inside a phrase (``"NEAR/3"``), a ``{…}`` form, a
quoted field value or a hashtag is text, not an operator, and is left alone. ``NEAR/0`` could not be
saved under the old rule (it was refused), so a text holding one is left as it is.

Migration ``0052_near_between`` applies the same rule to every stored topic and source query (it keeps
its own copy: a migration must not change when this module does); this function is for query texts
kept outside the store (``veille.toml``, data files).
"""

from __future__ import annotations

import re

__all__ = ["rewrite_near_for_new_convention", "rewrite_near_for_old_convention"]

# What the old lexer read as one operand or operator: a run up to whitespace, a parenthesis, '"' or a brace.
_OLD_RUN_RE = re.compile(r'[^ \t\r\n\f\v()"{}]+')
_OLD_NEAR_RE = re.compile(r"NEAR/(\d+)([fF]?)")


def _rewrite(query: str, change: int) -> str:
    pieces: list[str] = []
    position = 0
    length = len(query)
    while position < length:
        ch = query[position]
        if ch == '"' or ch == "{":
            closing = query.find('"' if ch == '"' else "}", position + 1)
            end = length if closing < 0 else closing + 1
            pieces.append(query[position:end])
            position = end
            continue
        run = _OLD_RUN_RE.match(query, position)
        if run is None:  # whitespace or a parenthesis
            pieces.append(ch)
            position += 1
            continue
        word = run.group()
        near = _OLD_NEAR_RE.fullmatch(word)
        if near is not None and int(near.group(1)) + change >= 0 and (change > 0 or int(near.group(1)) >= 1):
            word = f"NEAR/{int(near.group(1)) + change}{near.group(2)}"
        pieces.append(word)
        position = run.end()
    return "".join(pieces)


def rewrite_near_for_new_convention(query: str) -> str:
    """``query`` with every old ``NEAR/n`` operator written ``NEAR/(n-1)``, so it means what it meant."""
    return _rewrite(query, -1)


def rewrite_near_for_old_convention(query: str) -> str:
    """The inverse, ``NEAR/n`` → ``NEAR/(n+1)`` (the migration's downgrade)."""
    return _rewrite(query, +1)
