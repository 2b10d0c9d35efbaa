"""Language of a post: py3langid restricted to the configured languages, ``und`` when too short.

The post's own ``lang`` (given by the platform or the author) wins. Identification reads the text
without links and @handles, which are language-neutral and would otherwise pull short posts
towards English.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from veille.model import Post

__all__ = ["DEFAULT_LANGUAGES", "MIN_LETTERS", "LanguageIdentifier", "LanguageStage", "text_for_language_id"]

# The 8 UMSAB languages, then the other languages of the hub's countries.
DEFAULT_LANGUAGES: tuple[str, ...] = (
    "en", "fr", "de", "es", "it", "pt", "ar", "hi",
    "nl", "pl", "ro", "tr", "sw", "ru", "el", "ja", "zh",
)  # fmt: skip
MIN_LETTERS = 10
UNDETERMINED = "und"

# Links (the start rule of ``veille.text.url_spans``; trailing punctuation does not matter here) and
# @handles, removed in one pass because this runs on every post.
_NEUTRAL_RE = re.compile(r"(?:https?://|www\.)\S+|(?<!\w)@\w+(?:[.-]\w+)*|#", re.IGNORECASE)


def text_for_language_id(text: str) -> str:
    """The text without links and @handles; ``#`` is dropped but the hashtag's word is kept."""
    return _NEUTRAL_RE.sub(" ", text)


def _letter_count(text: str) -> int:
    return sum(map(str.isalpha, text))


@lru_cache(maxsize=1)
def _full_identifier() -> Any:
    # Loaded lazily (the model file is decompressed once per process, about 0.5 s).
    from py3langid.langid import MODEL_FILE
    from py3langid.langid import LanguageIdentifier as _PyLangId

    return _PyLangId.from_model_file(MODEL_FILE, norm_probs=True)


@lru_cache(maxsize=8)
def _identifier(languages: tuple[str, ...]) -> Any:
    # A shallow copy shares the full model's arrays; restricting builds new ones for the copy only.
    identifier = copy.copy(_full_identifier())
    identifier.set_languages(list(languages))
    return identifier


class LanguageIdentifier:
    """Classifies texts among ``languages`` (ISO 639-1 codes known to py3langid)."""

    def __init__(
        self, languages: Sequence[str] = DEFAULT_LANGUAGES, *, min_letters: int = MIN_LETTERS
    ) -> None:
        cleaned = tuple(dict.fromkeys(code.strip().lower() for code in languages if code.strip()))
        if not cleaned:
            raise ValueError("languages: at least one language code is needed")
        try:
            _identifier(cleaned)
        except ValueError as error:
            raise ValueError(f"languages: {error}") from None
        if min_letters < 0:
            raise ValueError("min_letters: must be zero or more")
        self.languages = cleaned
        self.min_letters = min_letters

    def identify(self, text: str) -> tuple[str, float]:
        """``(code, probability)``; ``("und", 0.0)`` when fewer than ``min_letters`` letters remain."""
        cleaned = text_for_language_id(text)
        if _letter_count(cleaned) < self.min_letters:
            return UNDETERMINED, 0.0
        code, probability = _identifier(self.languages).classify(cleaned)
        return str(code), float(probability)

    def identify_many(self, texts: Iterable[str]) -> list[str]:
        return [self.identify(text)[0] for text in texts]


class LanguageStage:
    """Sets ``post.lang`` when the source gave none (``und`` for texts too short to tell)."""

    name = "language"

    def __init__(
        self, languages: Sequence[str] = DEFAULT_LANGUAGES, *, min_letters: int = MIN_LETTERS
    ) -> None:
        self.identifier = LanguageIdentifier(languages, min_letters=min_letters)

    def process(self, posts: list[Post]) -> list[Post]:
        for post in posts:
            if not post.lang:
                post.lang = self.identifier.identify(post.text)[0]
        return posts
