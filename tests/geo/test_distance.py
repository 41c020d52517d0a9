"""Great-circle distance and the nearest city."""

import math
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from qpmusic.geo.distance import EARTH_RADIUS_KM, great_circle_km, nearest_city

latitudes = st.floats(min_value=-90, max_value=90)
longitudes = st.floats(min_value=-180, max_value=180)


def test_luxembourg_to_trier_is_about_40_km():
    # 39.98 km on the WGS84 ellipsoid (Vincenty); a sphere is off by well under 1 km here.
    distance = great_circle_km(49.6116, 6.1319, 49.7557, 6.6394)

    assert abs(distance - 39.98) < 1


def test_one_degree_of_longitude_on_the_equator():
    assert math.isclose(great_circle_km(0, 0, 0, 1), math.radians(1) * EARTH_RADIUS_KM)


def test_antipodes_are_half_a_circumference_apart():
    distance = great_circle_km(49.6, 6.1, -49.6, -173.9)

    assert math.isclose(distance, math.pi * EARTH_RADIUS_KM, abs_tol=0.001)


@given(latitudes, longitudes, latitudes, longitudes)
def test_distance_is_symmetric_and_bounded(lat1, lon1, lat2, lon2):
    there = great_circle_km(lat1, lon1, lat2, lon2)

    assert math.isclose(there, great_circle_km(lat2, lon2, lat1, lon1), abs_tol=1e-9)
    assert 0 <= there <= math.pi * EARTH_RADIUS_KM + 1e-9


@given(latitudes, longitudes)
def test_a_point_is_0_km_from_itself(lat, lon):
    assert great_circle_km(lat, lon, lat, lon) == 0


def test_nearest_city_of_no_cities_is_none():
    assert nearest_city(49.6, 6.1, []) is None


def test_nearest_city_returns_the_closest_and_its_distance():
    metz = SimpleNamespace(name="Metz", latitude=49.1193, longitude=6.1757)
    trier = SimpleNamespace(name="Trier", latitude=49.7557, longitude=6.6394)

    city, distance = nearest_city(49.70045, 6.57652, iter([metz, trier]))  # Konz

    assert city is trier
    assert round(distance) == 8


def test_nearest_city_keeps_the_first_of_equally_near_cities():
    first = SimpleNamespace(latitude=49.0, longitude=6.0)
    second = SimpleNamespace(latitude=49.0, longitude=6.0)

    assert nearest_city(49.5, 6.0, [first, second])[0] is first
