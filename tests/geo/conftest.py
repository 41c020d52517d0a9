"""The network's four cities as the demo seeds them, and places from the shipped list."""

import pytest

from qpmusic.demo import seed_cities
from qpmusic.extensions import db
from qpmusic.geo.places import resolve_place


@pytest.fixture
def cities():
    seeded = seed_cities()
    db.session.commit()
    return seeded


def place(name):
    found = resolve_place(name, None)
    assert found is not None, f"{name} is not in the place list"
    return found
