"""Whether a place lies within an edition's radius of a city of the network; no Flask."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from qpmusic.geo.distance import nearest_city
from qpmusic.geo.places import Place


@dataclass(frozen=True)
class PlaceCheck:
    place: Place
    city: Any | None  # the nearest city (a City row); None when the network has no city
    distance_km: float | None
    within: bool

    @property
    def rounded_km(self) -> int | None:
        """The distance as shown to people: whole kilometres."""
        return None if self.distance_km is None else round(self.distance_km)


def check_place(place: Place, cities: Iterable, radius_km: float) -> PlaceCheck:
    """The nearest city to ``place`` and whether it is within ``radius_km`` of it.

    The exact distance decides; rounding is for display only, so 50.4 km shows as "50 km"
    and is within a 50 km radius, while 50.6 km shows as "51 km" and is not.
    """
    found = nearest_city(place.latitude, place.longitude, cities)
    if found is None:
        return PlaceCheck(place=place, city=None, distance_km=None, within=False)
    city, distance = found
    return PlaceCheck(place=place, city=city, distance_km=distance, within=distance <= radius_km)
