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


def test_time_zones(resolver: GeoResolver) -> None:
    eastern = resolver.timezone("Eastern Time (US & Canada)")
    assert eastern is not None and eastern[0] == "US"
    assert resolver.timezone("Atlantic Time (Canada)") is not None
    assert resolver.timezone("Atlantic Time (Canada)")[0] == "CA"  # type: ignore[index]
    assert resolver.timezone("Europe/Paris")[0] == "FR"  # type: ignore[index]
    assert resolver.timezone("International Date Line West") is None
    location = resolver.location("Lyon, France")
    assert location is not None and eastern[1] < location[1]  # a time zone is weaker evidence


def test_stage_order_of_evidence() -> None:
    stage = GeoStage()
    platform = make_post(1, "x", country="be", author={"location": "Lyon, France"})
    located = make_post(2, "x", author={"location": "Lyon, France", "timezone": "Quito"})
    zoned = make_post(3, "x", author={"timezone": "Europe/Madrid"})
    spanish_nowhere = make_post(4, "Hola, ¿qué tal? Todo bien por aquí", lang="es")
    stage.process([platform, located, zoned, spanish_nowhere])
    assert (platform.country, platform.entities["country_from"]) == ("BE", "platform")
    assert (located.country, located.entities["country_from"]) == ("FR", "location")
    assert (zoned.country, zoned.entities["country_from"]) == ("ES", "timezone")
    assert spanish_nowhere.country is None  # never from the language
    assert "country_confidence" not in spanish_nowhere.entities
