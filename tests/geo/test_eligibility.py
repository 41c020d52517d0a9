"""Within the radius or not, for real places and the four cities of the network."""

import pytest

from qpmusic.geo.eligibility import check_place
from qpmusic.geo.places import Place
from tests.geo.conftest import place


@pytest.mark.parametrize(
    ("name", "city", "km"),
    [
        ("Esch-sur-Alzette", "Luxemburg", 17),
        ("Thionville", "Metz", 27),
        ("Völklingen", "Saarbrücken", 10),
        ("Saarlouis", "Saarbrücken", 20),
        ("Konz", "Trier", 8),
        ("Bitburg", "Trier", 25),
        ("Arlon", "Luxemburg", 24),
        ("Forbach", "Saarbrücken", 9),
        ("Pont-à-Mousson", "Metz", 25),
        ("Merzig", "Trier", 35),
    ],
)
def test_places_of_the_greater_region_are_within_50_km(cities, name, city, km):
    check = check_place(place(name), cities.values(), 50)

    assert check.within
    assert (check.city.name_de, check.rounded_km) == (city, km)


def test_bastogne_is_53_km_from_luxembourg_and_outside(cities):
    check = check_place(place("Bastogne"), cities.values(), 50)

    assert not check.within
    assert (check.city.name_de, check.rounded_km) == ("Luxemburg", 53)
    assert 52.5 < check.distance_km < 53


def test_a_wider_radius_takes_bastogne_in(cities):
    assert check_place(place("Bastogne"), cities.values(), 55).within


def test_the_exact_distance_decides_not_the_rounded_one(cities):
    # Bastogne is 52.7 km away: shown as 53 km, and outside a 52.6 km radius but not 52.8.
    bastogne = place("Bastogne")

    assert not check_place(bastogne, cities.values(), 52.6).within
    assert check_place(bastogne, cities.values(), 52.8).within


def test_a_place_at_a_city_is_0_km_away(cities):
    check = check_place(place("Trier"), cities.values(), 50)

    assert (check.city.name_de, check.rounded_km, check.within) == ("Trier", 0, True)


def test_without_cities_nothing_is_within():
    somewhere = Place(id=1, name="X", country="LU", latitude=49.6, longitude=6.1, population=0)

    check = check_place(somewhere, [], 50)

    assert (check.city, check.distance_km, check.rounded_km, check.within) == (
        None,
        None,
        None,
        False,
    )
