"""The coordinators' list: what it shows, its filters and search, and its fixed query count."""

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from qpmusic.enums import ApplicationStatus, EditionPhase, EligibilityKind
from qpmusic.extensions import db
from tests.factories import (
    ApplicationFactory,
    EditionFactory,
    EligibilityBasisFactory,
    UserFactory,
)
from tests.screening.builders import submitted


def listed(response) -> list[str]:
    return re.findall(r">(QP-\d{4}-\d{4})</a>", response.text)


def hand_typed(application, explanation="A farm between Perl and Sierck."):
    return EligibilityBasisFactory(
        application=application,
        kind=EligibilityKind.BORN,
        place_id=None,
        place_name="Hof Weiler",
        latitude=None,
        longitude=None,
        manual=True,
        explanation=explanation,
        distance_km=None,
    )


def test_list_shows_submitted_applications_not_drafts_nor_withdrawn(client, coordinator, edition):
    shown = submitted(edition)
    screened = submitted(edition, status=ApplicationStatus.ELIGIBLE)
    submitted(edition, status=ApplicationStatus.WITHDRAWN)
    ApplicationFactory(edition=edition, artist_name="Secret Draft")

    response = client.get("/screening/")

    assert response.status_code == 200
    assert listed(response) == [shown.reference, screened.reference]
    assert "Secret Draft" not in response.text
    assert "2 of 2 applications" in response.text


def test_withdrawn_applications_show_through_the_status_filter(client, coordinator, edition):
    submitted(edition)
    withdrawn = submitted(edition, status=ApplicationStatus.WITHDRAWN)

    response = client.get("/screening/?status=withdrawn")

    assert listed(response) == [withdrawn.reference]
    assert "1 of 2 applications" in response.text


def test_asking_for_drafts_by_status_still_shows_none(client, coordinator, edition):
    ApplicationFactory(edition=edition, reference="QP-2031-9999")

    response = client.get("/screening/?status=draft")

    assert listed(response) == []


def test_a_row_shows_nearest_city_distance_bases_works_status_and_date(
    client, coordinator, edition, trier, metz
):
    application = submitted(edition, city=trier, distance=8.4, works=3, artist_name="Duo Mosel")
    EligibilityBasisFactory(
        application=application,
        kind=EligibilityKind.STUDIES,
        place_name="Metz",
        nearest_city=metz,
        distance_km=0.5,
    )

    text = client.get("/screening/").text

    row = text.split(f">{application.reference}</a>", 1)[1].split("</tr>", 1)[0]
    assert "Duo Mosel" in row
    assert "Metz · 0 km" in row
    assert "Lives in Konz" in row
    assert "Studies in Metz" in row
    assert '<td class="num">3</td>' in row
    assert "Submitted" in row
    assert "Mar 1, 2031" in row
    assert "Flagged" not in row


def test_a_hand_typed_place_is_flagged_in_words_and_has_no_distance(client, coordinator, edition):
    application = ApplicationFactory(
        edition=edition, status=ApplicationStatus.SUBMITTED, reference="QP-2031-0500"
    )
    hand_typed(application)

    text = client.get("/screening/").text

    row = text.split(">QP-2031-0500</a>", 1)[1].split("</tr>", 1)[0]
    assert '<td class="nowrap">—</td>' in row
    assert "⚑ </span>Flagged" in row
    assert 'class="is-flagged"' in text


def test_filter_by_nearest_city_uses_the_closest_basis(client, coordinator, edition, trier, metz):
    near_trier = submitted(edition, city=trier, distance=8)
    both = submitted(edition, city=trier, distance=30)
    EligibilityBasisFactory(application=both, nearest_city=metz, distance_km=4)
    submitted(edition, city=metz, distance=12)

    assert listed(client.get(f"/screening/?city={trier.id}")) == [near_trier.reference]
    assert len(listed(client.get(f"/screening/?city={metz.id}"))) == 2


@pytest.mark.parametrize("city", ["1" + "0" * 30, "-" + "9" * 20, "x"])
def test_a_mangled_city_filter_is_ignored(client, coordinator, edition, trier, city):
    application = submitted(edition, city=trier)

    assert listed(client.get(f"/screening/?city={city}")) == [application.reference]


def test_filter_by_basis_kind(client, coordinator, edition):
    submitted(edition, kind=EligibilityKind.LIVES)
    student = submitted(edition, kind=EligibilityKind.STUDIES)

    response = client.get("/screening/?kind=studies")

    assert listed(response) == [student.reference]
    assert "1 of 2 applications" in response.text


def test_filter_flagged_only(client, coordinator, edition):
    submitted(edition)
    flagged = submitted(edition)
    hand_typed(flagged)

    assert listed(client.get("/screening/?flagged=y")) == [flagged.reference]


def test_filter_by_status(client, coordinator, edition):
    submitted(edition)
    eligible = submitted(edition, status=ApplicationStatus.ELIGIBLE)

    assert listed(client.get("/screening/?status=eligible")) == [eligible.reference]


@pytest.mark.parametrize(
    "term",
    ["qp-2031-0777", "MOSELKLANG", "greta", "GRETA@EXAMPLE", "mosel-contact"],
)
def test_search_finds_reference_artist_applicant_name_and_email(client, coordinator, edition, term):
    applicant = UserFactory(name="Greta Grün", email="greta@example.org")
    found = submitted(
        edition,
        applicant=applicant,
        artist_name="Moselklang",
        contact_email="mosel-contact@example.org",
    )
    found.reference = "QP-2031-0777"
    db.session.commit()
    submitted(edition, artist_name="Saar Noise")

    assert listed(client.get("/screening/", query_string={"q": term})) == ["QP-2031-0777"]


def test_search_takes_wildcards_literally(client, coordinator, edition):
    submitted(edition, artist_name="Saar Noise")
    percent = submitted(edition, artist_name="100% Analog")

    assert listed(client.get("/screening/", query_string={"q": "%"})) == [percent.reference]
    assert listed(client.get("/screening/", query_string={"q": "_"})) == []


def test_filters_combine_and_stay_in_the_form(client, coordinator, edition, trier, metz):
    submitted(edition, city=trier, kind=EligibilityKind.WORKS, artist_name="Trio A")
    wanted = submitted(
        edition,
        city=trier,
        kind=EligibilityKind.WORKS,
        status=ApplicationStatus.ELIGIBLE,
        artist_name="Trio B",
    )
    submitted(edition, city=metz, kind=EligibilityKind.WORKS, status=ApplicationStatus.ELIGIBLE)
    submitted(edition, city=trier, kind=EligibilityKind.BORN, status=ApplicationStatus.ELIGIBLE)

    response = client.get(
        "/screening/",
        query_string={"city": trier.id, "kind": "works", "status": "eligible", "q": "trio"},
    )

    assert listed(response) == [wanted.reference]
    assert "1 of 4 applications" in response.text
    assert 'value="trio"' in response.text
    assert f'<option selected value="{trier.id}">' in response.text
    assert '<option selected value="works">' in response.text
    assert '<option selected value="eligible">' in response.text
    assert "city=" in response.text.split("Download CSV")[0].rsplit("href=", 1)[1]


def test_mangled_filter_values_are_ignored(client, coordinator, edition):
    application = submitted(edition)

    response = client.get("/screening/?status=bogus&kind=nowhere&city=abc&sort=evil")

    assert response.status_code == 200
    assert listed(response) == [application.reference]


def test_sort_newest_first(client, coordinator, edition):
    from datetime import UTC, datetime

    older = submitted(edition, submitted_at=datetime(2031, 2, 1, tzinfo=UTC))
    newer = submitted(edition, submitted_at=datetime(2031, 3, 1, tzinfo=UTC))

    assert listed(client.get("/screening/?sort=newest")) == [newer.reference, older.reference]
    assert listed(client.get("/screening/")) == [older.reference, newer.reference]


def test_the_current_edition_is_the_default_and_another_can_be_picked(client, coordinator):
    past = EditionFactory(year=2029, phase=EditionPhase.ARCHIVED)
    current = EditionFactory(year=2031)
    old = submitted(past)
    new = submitted(current)

    default = client.get("/screening/")
    picked = client.get(f"/screening/?edition={past.id}")

    assert listed(default) == [new.reference]
    assert listed(picked) == [old.reference]
    assert '<select id="edition" name="edition">' in default.text
    assert f'<option value="{past.id}" selected>2029</option>' in picked.text


def test_one_edition_needs_no_picker(client, coordinator, edition):
    assert 'name="edition"' not in client.get("/screening/").text


def test_an_unknown_edition_is_not_found(client, coordinator, edition):
    assert client.get("/screening/?edition=999").status_code == 404


def test_without_any_edition_the_page_says_so(client, coordinator):
    response = client.get("/screening/")

    assert response.status_code == 200
    assert "There is no edition yet." in response.text


@contextmanager
def counted_statements():
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def make_applications(edition, cities, number):
    for n in range(number):
        application = submitted(edition, city=cities[n % 2], works=1 + n % 3)
        if n % 5 == 0:
            hand_typed(application)


@pytest.mark.parametrize("url", ["/screening/", "/screening/export.csv"])
def test_the_list_takes_the_same_number_of_queries_for_3_and_30(
    client, coordinator, trier, metz, url
):
    small, large = EditionFactory(year=2031), EditionFactory(year=2032)
    make_applications(small, [trier, metz], 3)
    make_applications(large, [trier, metz], 30)

    with counted_statements() as for_3:
        response_3 = client.get(f"{url}?edition={small.id}")
    with counted_statements() as for_30:
        response_30 = client.get(f"{url}?edition={large.id}")

    assert response_3.status_code == response_30.status_code == 200
    assert response_30.text.count("QP-2032-") == 30
    assert len(for_3) == len(for_30)
    assert len(for_30) <= 10


@pytest.mark.parametrize("language", ["de", "fr", "en"])
def test_the_list_renders_in_every_language(client, auth, edition, trier, language):
    from qpmusic.enums import Role

    UserFactory(email="coord@example.org", role=Role.COORDINATOR, language=language)
    auth.login("coord@example.org")
    submitted(edition, city=trier, status=ApplicationStatus.ELIGIBLE)

    response = client.get(f"/screening/?lang={language}")

    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.text
    assert edition.title(language) in response.text
