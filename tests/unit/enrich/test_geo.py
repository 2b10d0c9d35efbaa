from __future__ import annotations

import pytest

from tests.unit.enrich.conftest import make_post
from veille.enrich.geo import GeoResolver, GeoStage


@pytest.fixture(scope="module")
def resolver() -> GeoResolver:
    return GeoResolver()


@pytest.mark.parametrize(
    ("location", "country"),
    [
        ("Lyon, France", "FR"),
        ("Deutschland", "DE"),
        ("España", "ES"),
        ("Austin, TX", "US"),
        ("San Francisco CA", "US"),
        ("NYC", "US"),
        ("Toronto, ON", "CA"),
        ("London, UK", "GB"),
        ("München", "DE"),
        ("iPhone: 38.961334,-77.006119", "US"),
    ],
)
def test_locations(resolver: GeoResolver, location: str, country: str) -> None:
    found = resolver.location(location)
    assert found is not None and found[0] == country and 0.4 <= found[1] <= 1.0


@pytest.mark.parametrize(
    "location", ["Earth", "everywhere", "", "   ", "they/them", "Central America", "Winterfell"]
)
def test_no_country(resolver: GeoResolver, location: str) -> None:
    assert resolver.location(location) is None


def test_ambiguous_names_lose_confidence(resolver: GeoResolver) -> None:
    lyon = resolver.location("Lyon, France")
    paris_london = resolver.location("Paris / London")
    georgia = resolver.location("Georgia")
    assert lyon is not None and georgia is not None
    assert georgia == ("US", 0.5)  # the state or the country
    assert paris_london is None or paris_london[1] < lyon[1]


def test_time_zone_offsets(resolver: GeoResolver) -> None:
    assert resolver.timezone_offset("Eastern Time (US & Canada)") == -300
    assert resolver.timezone_offset("Atlantic Time (Canada)") == -240
    assert resolver.timezone_offset("Europe/Paris") == 60
    assert resolver.timezone_offset("Quito") == -300  # a Rails zone named after a city
    assert resolver.timezone_offset("Australia/Melbourne") == 600  # standard time, not summer time
    assert resolver.timezone_offset("Mars/Olympus") is None
    assert resolver.timezone_offset(None) is None


@pytest.mark.parametrize(
    ("location", "timezone"),
    [
        ("Worldwide", "Eastern Time (US & Canada)"),
        ("Hogwarts", "London"),
        ("Global", "Europe/Paris"),
        ("planet earth", "Helsinki"),
        ("they/them", "Pacific Time (US & Canada)"),
        ("", "Europe/Madrid"),
        (None, "Atlantic Time (Canada)"),
    ],
)
def test_a_time_zone_never_invents_a_country(
    resolver: GeoResolver, location: str | None, timezone: str
) -> None:
    assert resolver.resolve(location=location, timezone=timezone) is None


@pytest.mark.parametrize(
    ("location", "country"),
    [
        ("Vancouver, CA", "CA"),  # California has no Vancouver; Canada has
        ("San Jose, CA", "US"),  # Canada has no San Jose; California has
        ("Victoria, CA", "CA"),
        ("Amsterdam NL", "NL"),  # NL is also Newfoundland and Labrador, which has no Amsterdam
        ("Dover, DE", "US"),  # Delaware, not Germany
        ("Berlin, DE", "DE"),
        ("Vancouver, WA", "US"),
        ("Hollywood, CA", "US"),  # no town to check in either: a state code reads as the state
    ],
)
def test_a_trailing_code_is_read_where_the_town_is(
    resolver: GeoResolver, location: str, country: str
) -> None:
    found = resolver.location(location)
    assert found is not None and found[0] == country


def test_a_time_zone_breaks_ties_between_same_named_places(resolver: GeoResolver) -> None:
    # The Australian state, the Canadian city, Hong Kong's Victoria...: alone it is too ambiguous.
    assert resolver.location("Victoria") is None
    assert resolver.location("Victoria", "Australia/Melbourne") == ("AU", 0.9)
    assert resolver.location("Victoria", "Melbourne") == ("AU", 0.9)
    pacific = resolver.location("Victoria", "Pacific Time (US & Canada)")
    assert pacific is not None and pacific[0] == "CA"
    # Salem: the Indian city with an Indian time zone, a US one with an Eastern time zone.
    assert resolver.location("Salem", "Asia/Kolkata")[0] == "IN"  # type: ignore[index]
    assert resolver.location("Salem", "Eastern Time (US & Canada)")[0] == "US"  # type: ignore[index]
    # Two places, two countries: the time zone keeps the one where it is.
    assert resolver.location("Paris / London", "London") == ("GB", 0.8)


def test_a_named_country_wins_over_the_time_zone(resolver: GeoResolver) -> None:
    # London, Ontario shares Eastern Time, but the location says England.
    assert resolver.location("London, England", "Eastern Time (US & Canada)")[0] == "GB"  # type: ignore[index]
    assert resolver.location("London, UK", "Quito")[0] == "GB"  # type: ignore[index]
    # A time zone that fits none of the places changes nothing.
    assert resolver.location("Lyon, France", "Quito") == resolver.location("Lyon, France")


def test_stage_order_of_evidence() -> None:
    stage = GeoStage()
    platform = make_post(1, "x", country="be", author={"location": "Lyon, France"})
    located = make_post(2, "x", author={"location": "Lyon, France", "timezone": "Quito"})
    zoned = make_post(3, "x", author={"timezone": "Europe/Madrid"})
    nowhere = make_post(4, "x", author={"location": "Worldwide", "timezone": "Europe/Madrid"})
    spanish_nowhere = make_post(5, "Hola, ¿qué tal? Todo bien por aquí", lang="es")
    tied = make_post(6, "x", author={"location": "Victoria", "user_timezone": "Melbourne"})
    stage.process([platform, located, zoned, nowhere, spanish_nowhere, tied])
    assert (platform.country, platform.entities["country_from"]) == ("BE", "platform")
    assert (located.country, located.entities["country_from"]) == ("FR", "location")
    assert (tied.country, tied.entities["country_from"]) == ("AU", "location")
    for post in (zoned, nowhere, spanish_nowhere):  # never from a time zone alone, never from the language
        assert post.country is None
        assert "country_confidence" not in post.entities
