"""Admins create and edit editions; times are entered in Luxembourg; every edit is logged."""

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import select, text

from qpmusic.audit.models import AuditEvent
from qpmusic.editions.models import Edition
from qpmusic.editions.services import EditionError, update_edition
from qpmusic.enums import ApplicationStatus, EditionPhase, Role
from qpmusic.extensions import db
from tests.editions.conftest import edition_form, input_value
from tests.factories import ApplicationFactory, EditionFactory, UserFactory


def only_edition() -> Edition:
    return db.session.scalar(select(Edition))


def events(action: str) -> list[AuditEvent]:
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_admin_creates_a_draft_edition_with_times_in_luxembourg(client, admin):
    response = client.post("/admin/editions/new", data=edition_form(blind_review="y"))

    edition = only_edition()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/editions/{edition.id}"
    assert edition.phase == EditionPhase.DRAFT
    assert edition.opens_at == datetime(2031, 1, 15, 9, 0, tzinfo=UTC)
    assert edition.closes_at == datetime(2031, 7, 31, 21, 59, tzinfo=UTC)
    assert (edition.max_works, edition.work_age_limit, edition.radius_km) == (3, 5, 50)
    assert (edition.prize_amount, edition.finalists_count) == (Decimal("10000.00"), 4)
    assert edition.blind_review is True
    [event] = events("edition.created")
    assert (event.actor_id, event.target_id) == (admin.id, edition.id)
    assert event.after["closes_at"] == "2031-07-31T21:59:00+00:00"


def test_the_new_edition_form_proposes_the_prizes_usual_settings(client, admin):
    page = client.get("/admin/editions/new").text

    assert input_value(page, "max_works") == "3"
    assert input_value(page, "work_age_limit") == "5"
    assert input_value(page, "radius_km") == "50"
    assert input_value(page, "finalists_count") == "4"
    assert input_value(page, "prize_amount") == "10000.00"


def test_a_call_closing_before_it_opens_is_refused(client, admin):
    response = client.post("/admin/editions/new", data=edition_form(closes_on="2031-01-14"))

    assert response.status_code == 200
    assert "The call must close after it opens." in response.text
    assert only_edition() is None


def test_a_year_already_taken_is_refused(client, admin):
    EditionFactory(year=2031)

    response = client.post("/admin/editions/new", data=edition_form())

    assert "There is already an edition for 2031." in response.text
    assert db.session.scalar(select(Edition).where(Edition.title_en.like("%2031"))).id


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("max_works", "0", "Please enter a number from 1 to 10."),
        ("radius_km", "-5", "Please enter a number from 1 to 500."),
        ("finalists_count", "", "Please enter a number."),
        ("prize_amount", "0", "Please enter a number greater than zero."),
        ("year", "1999", "Please enter a year from 2000 to 2100."),
        ("closes_on", "", "Please enter a date."),
        ("title_de", "", None),
    ],
)
def test_invalid_settings_are_refused_with_a_message(client, admin, field, value, message):
    data = edition_form(**{field: value})
    if field == "title_de":
        data.update(title_fr="", title_en="")
        message = "Please give the edition a title in at least one language."

    response = client.post("/admin/editions/new", data=data)

    assert response.status_code == 200
    assert message in response.text
    assert 'aria-invalid="true"' in response.text
    assert only_edition() is None


def test_a_deadline_in_the_spring_gap_is_refused_as_non_existent(client, admin):
    # 30 March 2031: the clocks jump from 02:00 to 03:00, so 02:30 never happens.
    response = client.post(
        "/admin/editions/new", data=edition_form(closes_on="2031-03-30", closes_time="02:30")
    )

    assert response.status_code == 200
    assert "There is no 02:30 on 2031-03-30 in Luxembourg" in response.text
    assert only_edition() is None


def test_a_deadline_shown_twice_in_autumn_is_the_later_winter_time_instant(client, admin):
    # 26 October 2031: the clocks go back from 03:00 to 02:00, so 02:30 happens twice.
    client.post(
        "/admin/editions/new", data=edition_form(closes_on="2031-10-26", closes_time="02:30")
    )

    assert only_edition().closes_at == datetime(2031, 10, 26, 1, 30, tzinfo=UTC)


def test_the_edit_form_shows_the_stored_instants_in_luxembourg_time(client, admin):
    edition = EditionFactory(
        year=2031,
        opens_at=datetime(2031, 1, 15, 9, 0, tzinfo=UTC),
        closes_at=datetime(2031, 10, 26, 1, 30, tzinfo=UTC),
    )

    page = client.get(f"/admin/editions/{edition.id}/edit").text

    assert input_value(page, "opens_on") == "2031-01-15"
    assert input_value(page, "opens_time") == "10:00:00"
    assert input_value(page, "closes_on") == "2031-10-26"
    assert input_value(page, "closes_time") == "02:30:00"


def test_an_unrelated_edit_keeps_a_deadline_one_second_before_midnight(client, admin):
    edition = EditionFactory(
        year=2031,
        phase=EditionPhase.DRAFT,
        opens_at=datetime(2031, 1, 15, 9, 0, tzinfo=UTC),
        # 23:59:59 in Luxembourg (summer time).
        closes_at=datetime(2031, 7, 31, 21, 59, 59, tzinfo=UTC),
        title_de="QuattroPole Musikpreis 2031",
        title_fr="Prix de musique QuattroPole 2031",
        title_en="QuattroPole Music Prize 2031",
        rules_de="Regeln.",
        rules_fr="Règles.",
        rules_en="Rules.",
    )
    page = client.get(f"/admin/editions/{edition.id}/edit").text
    closes_time = re.search(r'<input[^>]*\bname="closes_time"[^>]*>', page).group(0)
    assert 'step="1"' in closes_time
    shown = {name: input_value(page, name) for name in ("opens_time", "closes_time")}
    assert shown == {"opens_time": "10:00:00", "closes_time": "23:59:59"}

    response = client.post(
        f"/admin/editions/{edition.id}/edit", data=edition_form(max_works="2", **shown)
    )

    assert response.status_code == 302
    db.session.refresh(edition)
    assert edition.closes_at == datetime(2031, 7, 31, 21, 59, 59, tzinfo=UTC)
    [event] = events("edition.updated")
    assert (event.before, event.after) == ({"max_works": 3}, {"max_works": 2})


def test_a_time_with_seconds_is_stored_to_the_second(client, admin):
    client.post("/admin/editions/new", data=edition_form(closes_time="23:59:59"))

    assert only_edition().closes_at == datetime(2031, 7, 31, 21, 59, 59, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("NaN", "Please enter a number."),
        ("sNaN", "Please enter a number."),
        ("Infinity", "Please enter a number."),
        ("-Infinity", "Please enter a number."),
        ("1e400", "Please enter an amount up to 99999999.99."),
        ("100000000", "Please enter an amount up to 99999999.99."),
        ("10000.001", "Please use at most two decimal places."),
    ],
)
def test_a_prize_the_column_cannot_hold_is_refused(client, admin, value, message):
    response = client.post("/admin/editions/new", data=edition_form(prize_amount=value))

    assert response.status_code == 200
    assert message in response.text
    assert only_edition() is None


def test_the_largest_prize_the_column_holds_is_accepted(client, admin):
    client.post("/admin/editions/new", data=edition_form(prize_amount="99999999.99"))

    assert only_edition().prize_amount == Decimal("99999999.99")


def test_editing_records_the_old_and_new_value_of_each_change(client, admin):
    edition = EditionFactory(
        year=2031,
        phase=EditionPhase.DRAFT,
        opens_at=datetime(2031, 1, 15, 9, 0, tzinfo=UTC),
        closes_at=datetime(2031, 7, 31, 21, 59, tzinfo=UTC),
        title_de="QuattroPole Musikpreis 2031",
        title_fr="Prix de musique QuattroPole 2031",
        title_en="QuattroPole Music Prize 2031",
        rules_de="Regeln.",
        rules_fr="Règles.",
        rules_en="Rules.",
    )

    response = client.post(
        f"/admin/editions/{edition.id}/edit",
        data=edition_form(closes_on="2031-08-15", max_works="2"),
    )

    assert response.status_code == 302
    db.session.refresh(edition)
    assert edition.closes_at == datetime(2031, 8, 15, 21, 59, tzinfo=UTC)
    [event] = events("edition.updated")
    assert event.before == {"closes_at": "2031-07-31T21:59:00+00:00", "max_works": 3}
    assert event.after == {"closes_at": "2031-08-15T21:59:00+00:00", "max_works": 2}


def test_saving_without_changes_records_nothing(client, admin):
    client.post("/admin/editions/new", data=edition_form())
    edition = only_edition()

    client.post(f"/admin/editions/{edition.id}/edit", data=edition_form())

    assert events("edition.updated") == []


def test_the_year_is_fixed_once_reference_numbers_were_given_out(client, admin):
    edition = EditionFactory(year=2031, phase=EditionPhase.OPEN, reference_counter=1)

    response = client.post(f"/admin/editions/{edition.id}/edit", data=edition_form(year="2032"))

    assert response.status_code == 200
    assert "The year cannot change: reference numbers QP-2031-… have been given out." in (
        response.text
    )
    db.session.refresh(edition)
    assert edition.year == 2031
    assert events("edition.updated") == []


def test_the_year_can_change_while_no_reference_was_given_out(client, admin):
    # Open, but nobody has submitted yet: no QP-2031-… number carries the old year.
    edition = EditionFactory(year=2031, phase=EditionPhase.OPEN, reference_counter=0)
    ApplicationFactory(edition=edition, status=ApplicationStatus.DRAFT)

    response = client.post(f"/admin/editions/{edition.id}/edit", data=edition_form(year="2032"))

    assert response.status_code == 302
    db.session.refresh(edition)
    assert edition.year == 2032


@pytest.mark.parametrize(
    ("field", "value"), [("max_works", "2"), ("work_age_limit", "10"), ("radius_km", "80")]
)
def test_the_submission_rules_are_fixed_once_an_application_is_submitted(
    client, admin, field, value
):
    edition = EditionFactory(year=2031, phase=EditionPhase.OPEN, reference_counter=1)
    ApplicationFactory(
        edition=edition, status=ApplicationStatus.SUBMITTED, reference="QP-2031-0001"
    )

    response = client.post(
        f"/admin/editions/{edition.id}/edit", data=edition_form(**{field: value})
    )

    assert response.status_code == 200
    assert "This cannot change once applications have been submitted under it." in response.text
    assert f'id="{field}-error"' in response.text
    db.session.refresh(edition)
    assert (edition.max_works, edition.work_age_limit, edition.radius_km) == (3, 5, 50)
    assert events("edition.updated") == []


def test_other_settings_still_change_after_submissions(client, admin):
    edition = EditionFactory(year=2031, phase=EditionPhase.OPEN, reference_counter=1)
    ApplicationFactory(
        edition=edition, status=ApplicationStatus.WITHDRAWN, reference="QP-2031-0001"
    )

    response = client.post(
        f"/admin/editions/{edition.id}/edit",
        data=edition_form(closes_on="2031-08-15", rules_en="Rules, clarified."),
    )

    assert response.status_code == 302
    [event] = events("edition.updated")
    assert set(event.after) >= {"closes_at", "rules_en"}
    assert not set(event.after) & {"max_works", "work_age_limit", "radius_km", "year"}


def test_the_submission_rules_can_change_while_there_are_only_drafts(client, admin):
    edition = EditionFactory(year=2031, phase=EditionPhase.OPEN)
    ApplicationFactory(edition=edition, status=ApplicationStatus.DRAFT)

    response = client.post(
        f"/admin/editions/{edition.id}/edit", data=edition_form(max_works="2", radius_km="60")
    )

    assert response.status_code == 302
    db.session.refresh(edition)
    assert (edition.max_works, edition.radius_km) == (2, 60)


def test_the_list_counts_applications_per_status(client, admin):
    edition = EditionFactory(year=2031, title_en="QuattroPole Music Prize 2031")
    EditionFactory(year=2029, phase=EditionPhase.ARCHIVED)
    ApplicationFactory.create_batch(2, edition=edition, status=ApplicationStatus.SUBMITTED)
    ApplicationFactory(edition=edition, status=ApplicationStatus.DRAFT)

    page = client.get("/admin/editions").text

    assert "QuattroPole Music Prize 2031" in page
    assert "<strong>3</strong>" in page
    assert "<li>Submitted: 2</li>" in page
    assert "<li>Draft: 1</li>" in page
    assert page.index("2031") < page.index("2029")


def test_the_detail_page_shows_settings_criteria_and_history(client, admin):
    client.post("/admin/editions/new", data=edition_form())
    edition = only_edition()

    page = client.get(f"/admin/editions/{edition.id}").text

    assert "QuattroPole Music Prize 2031" in page
    assert "Thursday, July 31, 2031, 11:59\u202fPM" in page
    assert "edition.created" in page
    assert "Add at least one scoring criterion before the call opens." in page


@pytest.mark.parametrize("language", ["de", "fr", "en"])
def test_the_admin_pages_render_in_every_language(client, auth, language):
    UserFactory(email="bureau@example.org", role=Role.ADMIN, language=language)
    auth.login("bureau@example.org")
    edition = EditionFactory(year=2031)

    for path in (
        "/admin/editions",
        "/admin/editions/new",
        f"/admin/editions/{edition.id}",
        f"/admin/editions/{edition.id}/edit",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert f'<html lang="{language}">' in response.text


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.JUROR, Role.COORDINATOR])
def test_non_admins_get_403_on_the_edition_pages(client, auth, role):
    UserFactory(email="someone@example.org", role=role)
    auth.login("someone@example.org")
    edition = EditionFactory(year=2031, phase=EditionPhase.DRAFT)

    for path in (
        "/admin/editions",
        "/admin/editions/new",
        f"/admin/editions/{edition.id}",
        f"/admin/editions/{edition.id}/edit",
    ):
        assert client.get(path).status_code == 403, path
    assert client.post("/admin/editions/new", data=edition_form(year="2040")).status_code == 403
    opening = client.post(f"/admin/editions/{edition.id}/phase", data={"to": "open"})
    assert opening.status_code == 403
    db.session.refresh(edition)
    assert edition.phase == EditionPhase.DRAFT


def test_visitors_are_sent_to_the_login(client):
    response = client.get("/admin/editions")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_a_reference_given_out_meanwhile_fixes_the_year(admin):
    edition = EditionFactory(year=2031, phase=EditionPhase.OPEN)
    assert edition.reference_counter == 0
    # A first submission commits in another transaction after the admin's page loaded.
    with db.engine.begin() as other:
        other.execute(
            text("UPDATE edition SET reference_counter = 1 WHERE id = :id"), {"id": edition.id}
        )

    with pytest.raises(EditionError) as refused, force_locale("en"):
        update_edition(actor=admin, edition=edition, year=2032)

    assert refused.value.field == "year"
    db.session.rollback()
    assert db.session.get(Edition, edition.id).year == 2031


def test_the_edition_page_leads_to_every_results_page(client, admin):
    from qpmusic.enums import RoundKind
    from tests.factories import RoundFactory

    jury_round = RoundFactory(kind=RoundKind.JURY)
    edition = jury_round.edition

    page = client.get(f"/admin/editions/{edition.id}?lang=en").text

    for path in (
        f"/admin/rounds/{jury_round.id}/results",
        f"/admin/rounds/{jury_round.id}/finalists",
        f"/admin/rounds/{jury_round.id}/progress",
        f"/admin/editions/{edition.id}/letters",
        f"/admin/editions/{edition.id}/final",
        f"/admin/editions/{edition.id}/awards",
        f"/admin/editions/{edition.id}/exports",
        "/admin/audit",
    ):
        assert f'href="{path}"' in page, path
