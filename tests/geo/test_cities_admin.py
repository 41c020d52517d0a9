"""The admin keeps the cities of the network, so another network can reuse qpmusic."""

import pytest

from qpmusic.audit.models import AuditEvent
from qpmusic.enums import Role
from qpmusic.extensions import db
from qpmusic.geo.models import City
from tests.factories import CityFactory, UserFactory

ESCH = {
    "name_de": "Esch an der Alzette",
    "name_fr": "Esch-sur-Alzette",
    "name_en": "Esch-sur-Alzette",
    "name_lb": "Esch-Uelzecht",
    "country": "lu",
    "latitude": "49.4958",
    "longitude": "5.9806",
}


@pytest.fixture
def admin(auth):
    user = UserFactory(email="office@example.org", role=Role.ADMIN, language="en")
    auth.login(user.email)
    return user


def test_an_admin_adds_a_city_in_every_language(client, admin):
    response = client.post("/admin/cities/new", data=ESCH)

    assert response.headers["Location"] == "/admin/cities/"
    city = db.session.query(City).one()
    assert (city.name("de"), city.name("fr"), city.name_lb) == (
        "Esch an der Alzette",
        "Esch-sur-Alzette",
        "Esch-Uelzecht",
    )
    assert city.country == "LU"
    event = db.session.query(AuditEvent).one()
    assert (event.action, event.actor_id, event.after["latitude"]) == (
        "city.created",
        admin.id,
        49.4958,
    )


def test_a_change_records_only_what_changed(client, admin):
    city = CityFactory(name_en="Treves", latitude=49.7557, longitude=6.6394)

    client.post(
        f"/admin/cities/{city.id}",
        data={
            "name_de": city.name_de,
            "name_fr": city.name_fr,
            "name_en": "Trier",
            "country": "DE",
            "latitude": "49.7557",
            "longitude": "6.6394",
        },
    )

    db.session.refresh(city)
    assert city.name_en == "Trier"
    event = db.session.query(AuditEvent).one()
    assert (event.before, event.after) == ({"name_en": "Treves"}, {"name_en": "Trier"})


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("country", "LUX", "Two letters, for example LU, FR, DE or BE."),
        ("latitude", "91", "A latitude lies between -90 and 90."),
        ("longitude", "east", "Not a valid float value."),
        ("name_fr", "", "Please fill in this field."),
    ],
)
def test_wrong_values_are_refused_and_nothing_is_saved(client, admin, field, value, message):
    response = client.post("/admin/cities/new", data={**ESCH, field: value})

    assert response.status_code == 200
    assert message in response.text
    assert db.session.query(City).count() == 0


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.JUROR, Role.COORDINATOR])
def test_only_admins_keep_the_cities(client, auth, role):
    city = CityFactory()
    auth.login(UserFactory(email="someone@example.org", role=role).email)

    assert client.get("/admin/cities/").status_code == 403
    assert client.post(f"/admin/cities/{city.id}", data=ESCH).status_code == 403
    db.session.refresh(city)
    assert city.name_fr != "Esch-sur-Alzette"


@pytest.mark.parametrize("language", ["de", "fr", "en"])
def test_the_city_pages_speak_the_admins_language(client, admin, language):
    admin.language = language
    db.session.commit()
    city = CityFactory()

    for path in ("/admin/cities/", "/admin/cities/new", f"/admin/cities/{city.id}"):
        response = client.get(path)
        assert response.status_code == 200
        assert f'<html lang="{language}">' in response.text
