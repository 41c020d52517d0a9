"""Great-circle distances on a spherical Earth; no Flask, no database."""

from collections.abc import Iterable
from math import asin, cos, radians, sin, sqrt
from typing import Protocol, TypeVar

# IUGG mean Earth radius; the spherical error stays well under 0.5 % at our distances.
EARTH_RADIUS_KM = 6371.0088


class Located(Protocol):
    latitude: float
    longitude: float


L = TypeVar("L", bound=Located)


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance in kilometres between two points given in degrees."""
    phi1, phi2 = radians(lat1), radians(lat2)
    half_dphi = (phi2 - phi1) / 2
    half_dlambda = radians(lon2 - lon1) / 2
    h = sin(half_dphi) ** 2 + cos(phi1) * cos(phi2) * sin(half_dlambda) ** 2
    return 2 * EARTH_RADIUS_KM * asin(min(1.0, sqrt(h)))


def nearest_city(latitude: float, longitude: float, cities: Iterable[L]) -> tuple[L, float] | None:
    """The city nearest to the point and its distance in km; the first one wins a tie."""
    best: tuple[L, float] | None = None
    for city in cities:
        distance = great_circle_km(latitude, longitude, city.latitude, city.longitude)
        if best is None or distance < best[1]:
            best = (city, distance)
    return best
