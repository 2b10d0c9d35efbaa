"""What simulated people write, per language: the phrase banks of ``veille/demo/data/phrases/``.

Texts are assembled from an opener, a core fragment chosen for the product's domain, a consequence
and a closer, with emojis, hashtags and mentions placed in several ways, so that a few hours of
simulation hold thousands of distinct texts. Each group has a clear intended sentiment (a complaint
reads as negative to a human, praise as positive, questions and news as neutral).

Slots: ``{brand}``, ``{product}``, ``{city}``, ``{duration}``, ``{service}``, ``{tag}`` (a
scenario hashtag with its ``#``), ``{event}``, ``{launch}``, ``{first}`` (first name of the person
answered), ``{sig}`` (care agent signature), ``{link}``, ``{count}``, ``{hour}``.

One TOML file per language (``fr.toml``, ``en.toml``…) holds that language's bank, the names and
bios of its customers, its product hashtags and copy-paste prefixes; English stands in for a
language without a file. A file is read the first time its language is asked for, then kept: the
writer asks for a bank at every post.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from types import MappingProxyType
from typing import Any

from veille.demo.datafiles import listed, read_toml

__all__ = ["EMOJIS", "FALLBACK_LANGUAGE", "bank", "bios", "languages", "names"]

FALLBACK_LANGUAGE = "en"

# Emojis by the sentiment they add to; the same in every language.
EMOJIS: dict[str, tuple[str, ...]] = {
    "negative": ("😡", "😤", "🤬", "😩", "🙄", "👎", "😠", "😞", "🤦", "💢"),
    "positive": ("😍", "👏", "🙌", "👍", "💯", "🔥", "😊", "❤️", "🚀", "✨", "🥳"),
    "neutral": ("🤔", "👀", "📱", "📶", "🧐", "📡", "💬"),
}


@cache
def languages() -> tuple[str, ...]:
    """The languages with a phrase file."""
    return tuple(listed("phrases"))


@cache
def bank(lang: str) -> Mapping[str, Any]:
    """The phrase bank of ``lang`` (English's when the language has no file), read-only."""
    if lang not in languages():
        return bank(FALLBACK_LANGUAGE)
    frozen: Mapping[str, Any] = _frozen(read_toml(f"phrases/{lang}.toml"))
    return frozen


def names(country: str, lang: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """First and last names for a customer: the country's own when a file gives them, else the language's."""
    table = _names_by_country().get(country) or bank(lang)["names"]
    return table["first"], table["last"]


def bios(lang: str) -> tuple[str, ...]:
    """Profile bios people write in ``lang``."""
    chosen: tuple[str, ...] = bank(lang)["bios"]
    return chosen


@cache
def _names_by_country() -> Mapping[str, Mapping[str, tuple[str, ...]]]:
    """``names.countries.<CODE>`` of every language file (people of a country, whatever they write in)."""
    found: dict[str, Mapping[str, tuple[str, ...]]] = {}
    for lang in languages():
        for code, table in bank(lang)["names"].get("countries", {}).items():
            if code in found:
                raise ValueError(f"veille/demo/data/phrases/{lang}.toml: names.countries.{code} given twice")
            found[code] = table
    return MappingProxyType(found)


def _frozen(value: Any) -> Any:
    """Arrays as tuples and tables as read-only mappings: a cached bank is shared by every writer."""
    if isinstance(value, dict):
        return MappingProxyType({key: _frozen(item) for key, item in value.items()})
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    return value
