"""Look-ups that combine the place list with the network's cities and the current call."""

from dataclasses import dataclass, field, replace

from sqlalchemy import select

from qpmusic.editions.services import current_edition
from qpmusic.extensions import db
from qpmusic.geo.eligibility import PlaceCheck, check_place
from qpmusic.geo.models import City
from qpmusic.geo.places import Place, resolve_place, search

DEFAULT_RADIUS_KM = 50  # the prize's rule when no edition is public yet


@dataclass(frozen=True)
class PlaceAnswer:
    """What the public place check says: a measured place, or places to choose from."""

    text: str
    radius_km: int
    cities: list[City]
    check: PlaceCheck | None = None
    choices: list[Place] = field(default_factory=list)

    @property
    def asked(self) -> bool:
        return bool(self.text) or self.check is not None


def network_cities() -> list[City]:
    return list(db.session.scalars(select(City).order_by(City.id)))


def current_radius_km() -> int:
    edition = current_edition()
    return edition.radius_km if edition is not None else DEFAULT_RADIUS_KM


def check_eligibility(*, text: str, place_id: str | int | None) -> PlaceAnswer:
    """Measure the named place against the network's cities and the current call's radius.

    When the text names no single place, the answer lists the places it could mean; with
    neither text nor id, it only carries the cities and the radius for the page.
    """
    text = (text or "").strip()
    answer = PlaceAnswer(text=text, radius_km=current_radius_km(), cities=network_cities())
    place = resolve_place(text, place_id)
    if place is not None:
        return replace(answer, check=check_place(place, answer.cities, answer.radius_km))
    return replace(answer, choices=search(text) if text else [])
