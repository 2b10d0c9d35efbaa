from __future__ import annotations

import random
import re

from veille.enrich import entities
from veille.enrich.entities import extract_cashtags, extract_emojis
from veille.text import extract_hashtags, extract_mentions, fold, url_spans

# The reading rules as first written: look-behind before the sign, and a flag per character of a link.
_HASHTAG_RE = re.compile(r"(?<![\w\u0300-\u036f])#([^\W_][\w]*|_[\w]+)")
_MENTION_RE = re.compile(r"(?<![\w\u0300-\u036f])@(\w+(?:[.-]\w+)*)")
_CASHTAG_RE = re.compile(r"(?<![\w$])\$([A-Za-z]{1,6}(?:\.[A-Za-z]{1,2})?)(?![\w])")


def _reference(pattern: re.Pattern[str], text: str) -> list[tuple[str, tuple[int, int]]]:
    inside = [False] * len(text)
    for start, end in url_spans(text):
        for index in range(start, end):
            inside[index] = True
    return [(fold(m.group(1)), m.span()) for m in pattern.finditer(text) if not inside[m.start()]]


def test_tags_and_cashtags_read_as_the_plain_rules() -> None:
    generator = random.Random(11)
    pieces = ["#", "@", "$", "a", "É", "_", "1", ".", "-", " ", "e\u0301", "\u0301", "http://x.y/", "www.a.b"]
    pieces += ["#tag", "@bob", "$TSLA", "$BRK.B", "$100", "😀", "🇫🇷", "1\ufe0f\u20e3", "ß", "x#y", "a@b"]
    for _ in range(20_000):
        text = "".join(generator.choice(pieces) for _ in range(generator.randint(0, 10)))
        holes = url_spans(text)
        assert extract_hashtags(text) == extract_hashtags(text, holes) == _reference(_HASHTAG_RE, text), text
        assert extract_mentions(text) == extract_mentions(text, holes) == _reference(_MENTION_RE, text), text
        tickers = [
            m.group(1).upper()
            for m in _CASHTAG_RE.finditer(text)
            if not any(start <= m.start() < end for start, end in holes)
        ]
        assert extract_cashtags(text) == extract_cashtags(text, holes) == list(dict.fromkeys(tickers)), text
        assert extract_emojis(text) == entities._EMOJI_RE.findall(text), text
