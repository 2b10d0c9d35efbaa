from __future__ import annotations

import random
import re

from veille.enrich.sentiment import normalise_for_sentiment

_URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MENTION_RE = re.compile(r"(?<![\w@])@\w+(?:[.-]\w+)*")


def test_normalisation_equals_the_plain_substitutions() -> None:
    # The fast path (checks before substituting, "@" first) must change nothing.
    generator = random.Random(3)
    pieces = ["@", "@@", "a", "B", "_", ".", "-", " ", "\t", "http://", "HTTPS://", "hTtP://", "www.", "WWW."]
    pieces += ["Www.", "é", "1", ":", "/", "x@y", "ſ", "K", "İ", "\u0301", "\u00a0"]
    for _ in range(20_000):
        text = "".join(generator.choice(pieces) for _ in range(generator.randint(0, 12)))
        assert normalise_for_sentiment(text) == _MENTION_RE.sub("@user", _URL_RE.sub("http", text)), text
