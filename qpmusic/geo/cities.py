"""Keeping the cities of the network; callers own the transaction."""

from sqlalchemy import select

from qpmusic.audit.services import record_event
from qpmusic.extensions import db
from qpmusic.geo.models import City

FIELDS = ("name_de", "name_fr", "name_en", "name_lb", "country", "latitude", "longitude")


def cities_by_name() -> list[City]:
    return list(db.session.scalars(select(City).order_by(City.name_en)))


def save_city(*, actor, city: City | None = None, **values) -> City:
    """Add a city or change one; the audit log keeps what changed.

    Distances already measured for applications stay as they were: they record what the
    applicant was shown when they applied.
    """
    values["country"] = values["country"].upper()
    values["name_lb"] = values.get("name_lb") or None
    created = city is None
    if created:
        city = City()
        db.session.add(city)
    before = {name: getattr(city, name) for name in FIELDS}
    for name in FIELDS:
        setattr(city, name, values[name])
    db.session.flush()
    after = {name: getattr(city, name) for name in FIELDS}
    record_event(
        actor=actor,
        action="city.created" if created else "city.changed",
        target=city,
        before=None if created else {k: v for k, v in before.items() if v != after[k]},
        after=after if created else {k: v for k, v in after.items() if v != before[k]},
    )
    return city
