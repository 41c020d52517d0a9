"""Eligibility by distance: the nearest city of the network and the great-circle distance."""

import pytest

from qpmusic.applications.completeness import gaps
from qpmusic.applications.models import Application
from qpmusic.extensions import db
from tests.factories import ApplicationFactory

INSIDE = [
    ("Esch-sur-Alzette", "Luxembourg"),
    ("Thionville", "Metz"),
    ("Völklingen", "Saarbrücken"),
    ("Saarlouis", "Saarbrücken"),
    ("Konz", "Trier"),
    ("Bitburg", "Trier"),
    ("Arlon", "Luxembourg"),
    ("Forbach", "Saarbrücken"),
    ("Pont-à-Mousson", "Metz"),
    ("Merzig", "Trier"),
]


@pytest.fixture
def application(musician, edition):
    return ApplicationFactory(applicant=musician, edition=edition)


def add_place(client, application, place, kind="lives", **extra):
    return client.post(
        f"/applications/{application.id}/eligibility",
        data={"kind": kind, "place": place, **extra},
        follow_redirects=True,
    )


@pytest.mark.parametrize(("place", "city"), INSIDE)
def test_places_of_the_greater_region_are_within_the_radius(client, application, place, city):
    page = add_place(client, application, place)

    basis = db.session.query(Application).one().bases[0]
    assert basis.place_name == place
    assert basis.nearest_city.name_en == city
    assert basis.distance_km <= 50
    assert f"km from {city}" in page.text
    assert "within 50 km" in page.text
    assert not [
        gap
        for gap in gaps(basis.application, basis.application.edition)
        if gap.step == "eligibility"
    ]


def test_bastogne_is_outside_and_the_application_cannot_be_submitted(client, application):
    page = add_place(client, application, "Bastogne")

    application = db.session.query(Application).one()
    basis = application.bases[0]
    assert basis.nearest_city.name_en == "Luxembourg"
    assert 52 < basis.distance_km < 55
    assert "more than 50 km away" in page.text
    assert [
        gap.code for gap in gaps(application, application.edition) if gap.step == "eligibility"
    ] == ["no_basis_within_radius"]
    review = client.get(f"/applications/{application.id}/review")
    assert "None of your places is within 50 km of a city of the network." in review.text


def test_one_place_within_the_radius_is_enough(client, application):
    add_place(client, application, "Bastogne", kind="born")
    add_place(client, application, "Konz", kind="studies")

    application = db.session.query(Application).one()
    assert [b.place_name for b in application.bases] == ["Bastogne", "Konz"]
    assert not [gap for gap in gaps(application, application.edition) if gap.step == "eligibility"]


def test_the_chosen_place_id_wins_over_the_typed_text(client, application):
    add_place(client, application, "something else", place_id="2885672")

    assert db.session.query(Application).one().bases[0].place_name == "Konz"


def test_an_unknown_place_is_refused_with_a_way_out(client, application):
    page = add_place(client, application, "Atlantis-sur-Mer")

    assert "We could not find “Atlantis-sur-Mer”" in page.text
    assert "My place is not in the list" in page.text
    assert db.session.query(Application).one().bases == []


def test_a_place_typed_by_hand_needs_an_explanation_and_flags_the_application(client, application):
    refused = add_place(client, application, "Hof Klangwiese", manual="y")
    assert "Please explain where this place is." in refused.text
    assert db.session.query(Application).one().bases == []

    add_place(
        client,
        application,
        "Hof Klangwiese",
        manual="y",
        explanation="A farm 3 km south of Perl, about 35 km from Trier.",
    )

    db.session.expire_all()
    application = db.session.query(Application).one()
    assert application.flagged
    assert application.bases[0].manual
    assert application.bases[0].distance_km is None
    assert not [gap for gap in gaps(application, application.edition) if gap.step == "eligibility"]


def test_a_place_can_be_removed(client, application):
    add_place(client, application, "Konz")
    basis = db.session.query(Application).one().bases[0]

    client.post(f"/applications/{application.id}/eligibility/{basis.id}/remove")

    db.session.expire_all()
    assert db.session.query(Application).one().bases == []
