"""Submitting: the deadline in Luxembourg time to the second, one reference, one e-mail."""

import threading
from datetime import UTC, datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
import time_machine
from flask_babel import force_locale, format_date, format_time

from qpmusic.applications.models import Application
from qpmusic.audit.models import AuditEvent
from qpmusic.enums import ApplicationStatus
from qpmusic.extensions import db
from qpmusic.notifications.models import OutboxMessage
from tests.applications.conftest import complete_draft
from tests.factories import EditionFactory, UserFactory
from tests.translations import translated

LUXEMBOURG = ZoneInfo("Europe/Luxembourg")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=LUXEMBOURG)


@pytest.fixture
def winter_call(cities):
    """A call closing at 23:59:59 on 15 December 2026, Luxembourg time."""
    return EditionFactory(
        year=2026, opens_at=at(2026, 10, 1, 0, 0), closes_at=at(2026, 12, 15, 23, 59, 59)
    )


def submit(client, application):
    return client.post(f"/applications/{application.id}/submit", follow_redirects=True)


def test_submitting_assigns_a_reference_and_sends_a_confirmation(client, draft, mailbox):
    page = submit(client, draft)

    db.session.refresh(draft)
    assert draft.status == ApplicationStatus.SUBMITTED
    assert draft.reference == f"QP-{draft.edition.year}-0001"
    assert f"Your application {draft.reference} has been submitted." in page.text
    [mail] = mailbox.wait_for(1)
    assert mail["To"] == "mia@example.org"
    assert mail["Subject"] == "Your application has been received"
    body = mail.get_body(("plain",)).get_content()
    assert draft.reference in body
    assert "Sillons" in body
    assert "Lives in Konz — 8 km from Trier" in body


def test_references_count_up_per_edition(client, auth, edition, cities, draft):
    submit(client, draft)
    other = UserFactory(email="other@example.org")
    second = complete_draft(applicant=other, edition=edition, cities=cities)
    auth.logout()
    auth.login(other.email)

    submit(client, second)

    db.session.refresh(second)
    assert second.reference == f"QP-{edition.year}-0002"


def test_the_confirmation_is_in_the_applicants_language(client, musician, draft, mailbox):
    musician.language = "fr"
    db.session.commit()

    submit(client, draft)

    [mail] = mailbox.wait_for(1)
    assert mail["Subject"] == translated("Your application has been received", "fr")
    assert "Konz" in mail.get_body(("plain",)).get_content()


def test_a_double_click_gives_one_submission_one_reference_one_email(client, draft, mailbox):
    first = submit(client, draft)
    second = submit(client, draft)

    assert "has been submitted" in first.text
    assert "was already submitted; nothing has changed since" in second.text
    assert db.session.query(OutboxMessage).count() == 1
    db.session.refresh(draft)
    assert draft.reference.endswith("-0001")
    assert draft.edition.reference_counter == 1
    actions = [e.action for e in db.session.query(AuditEvent).filter_by(target_type="application")]
    assert actions.count("application.submitted") == 1


def test_two_simultaneous_clicks_are_serialised(app, musician, draft, mailbox):
    clients = [app.test_client(), app.test_client()]
    for c in clients:
        c.post("/login", data={"email": musician.email, "password": "Klangfarbe-2026!"})
    barrier = threading.Barrier(2)
    statuses = []

    def click(c):
        barrier.wait()
        statuses.append(c.post(f"/applications/{draft.id}/submit").status_code)

    threads = [threading.Thread(target=click, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [302, 302]
    db.session.expire_all()
    assert db.session.get(Application, draft.id).reference.endswith("-0001")
    assert db.session.query(OutboxMessage).count() == 1


def test_an_incomplete_application_cannot_be_submitted(client, draft):
    draft.consent_rules_at = None
    db.session.commit()

    page = submit(client, draft)

    assert "Accept the rules of the prize." in page.text
    db.session.refresh(draft)
    assert draft.status == ApplicationStatus.DRAFT
    assert draft.reference is None


def test_a_second_before_the_deadline_is_accepted(client, musician, winter_call, cities):
    application = complete_draft(applicant=musician, edition=winter_call, cities=cities)

    with time_machine.travel(at(2026, 12, 15, 23, 59, 58), tick=False):
        submit(client, application)

    db.session.refresh(application)
    assert application.status == ApplicationStatus.SUBMITTED


@pytest.mark.parametrize("language", ["de", "fr", "en"])
def test_a_second_after_the_deadline_is_refused_in_the_readers_language(
    client, musician, winter_call, cities, mailbox, language
):
    musician.language = language
    db.session.commit()
    application = complete_draft(applicant=musician, edition=winter_call, cities=cities)

    with time_machine.travel(at(2026, 12, 16, 0, 0, 0), tick=False):
        page = submit(client, application)

    with force_locale(language):
        closes = winter_call.closes_at
        deadline = f"{format_date(closes, 'full')}, {format_time(closes, 'medium')}"
    expected = (
        "The deadline was %(deadline)s (Luxembourg time); applications can no longer be "
        "submitted or changed."
    )
    assert translated(expected, language, deadline=deadline) in page.text
    assert "23:59:59" in deadline or "11:59:59" in deadline
    db.session.refresh(application)
    assert application.status == ApplicationStatus.DRAFT
    assert mailbox.messages == []


def test_a_deadline_on_the_night_clocks_go_forward_is_kept_to_the_second(
    client, auth, musician, cities
):
    # 28 March 2027: at 02:00 the clocks jump to 03:00, so 23:59:59 that day is 21:59:59 UTC.
    edition = EditionFactory(
        year=2027, opens_at=at(2027, 1, 1, 0, 0), closes_at=at(2027, 3, 28, 23, 59, 59)
    )
    assert edition.closes_at == datetime(2027, 3, 28, 21, 59, 59, tzinfo=UTC)
    on_time = complete_draft(applicant=musician, edition=edition, cities=cities)
    latecomer = UserFactory(email="late@example.org")
    late = complete_draft(applicant=latecomer, edition=edition, cities=cities)

    # Logged in on the day itself: a session cookie does not live for four months.
    with time_machine.travel(datetime(2027, 3, 28, 21, 59, 58, tzinfo=UTC), tick=False):
        auth.login(musician.email)
        submit(client, on_time)
    with time_machine.travel(datetime(2027, 3, 28, 22, 0, 0, tzinfo=UTC), tick=False):
        auth.logout()
        auth.login(latecomer.email)
        submit(client, late)

    db.session.refresh(on_time)
    db.session.refresh(late)
    assert on_time.status == ApplicationStatus.SUBMITTED
    assert late.status == ApplicationStatus.DRAFT


def test_edits_after_submitting_need_a_resubmission_that_keeps_the_reference(
    client, draft, mailbox
):
    submit(client, draft)
    db.session.refresh(draft)
    reference = draft.reference

    client.post(f"/applications/{draft.id}/biography", data={"biography": "A new biography."})
    status = client.get("/apply/")
    assert "Submit it again so that the changes count." in status.text

    page = submit(client, draft)

    db.session.refresh(draft)
    assert draft.reference == reference
    assert not draft.changed_since_submission
    assert f"Your changes to {reference} have been submitted." in page.text
    event = (
        db.session.query(AuditEvent)
        .filter_by(action="application.resubmitted", target_id=draft.id)
        .one()
    )
    assert event.before["biography"] != event.after["biography"] == "A new biography."
    subjects = [m["Subject"] for m in mailbox.wait_for(2)]
    assert subjects == [
        "Your application has been received",
        "Your changed application has been received",
    ]


def test_after_the_deadline_nothing_can_be_changed(client, musician, winter_call, cities):
    application = complete_draft(applicant=musician, edition=winter_call, cities=cities)
    with time_machine.travel(at(2026, 12, 10, 12, 0), tick=False):
        submit(client, application)

    with time_machine.travel(at(2026, 12, 16, 0, 0, 1), tick=False):
        page = client.post(
            f"/applications/{application.id}/biography",
            data={"biography": "Too late"},
            follow_redirects=True,
        )

    assert "applications can no longer be submitted or changed" in page.text
    db.session.refresh(application)
    assert application.biography != "Too late"


def test_withdrawing_takes_the_application_out(client, draft):
    submit(client, draft)

    confirm = client.get(f"/applications/{draft.id}/withdraw")
    page = client.post(f"/applications/{draft.id}/withdraw", follow_redirects=True)

    assert "This cannot be undone." in confirm.text
    assert "Your application has been withdrawn." in page.text
    db.session.refresh(draft)
    assert draft.status == ApplicationStatus.WITHDRAWN
    assert db.session.query(AuditEvent).filter_by(action="application.withdrawn").count() == 1


def test_a_draft_cannot_be_withdrawn(client, draft):
    client.post(f"/applications/{draft.id}/withdraw")

    db.session.refresh(draft)
    assert draft.status == ApplicationStatus.DRAFT


def test_the_status_page_shows_where_the_application_stands(client, draft):
    submit(client, draft)
    draft.status = ApplicationStatus.SHORTLISTED
    db.session.commit()

    page = client.get("/apply/")

    assert draft.reference in page.text
    assert "Your application is on the shortlist for the jury." in page.text


def test_a_closed_call_cannot_be_started(client, musician, cities):
    EditionFactory(
        opens_at=datetime.now(UTC) - timedelta(days=30),
        closes_at=datetime.now(UTC) - timedelta(days=1),
    )

    client.post("/apply/start", follow_redirects=True)

    assert db.session.query(Application).count() == 0


def test_a_deadline_in_the_hour_that_repeats_when_clocks_go_back(client, auth, musician, cities):
    # 31 October 2027: 03:00 summer time becomes 02:00 winter time, so 02:30 happens twice.
    # The call closes at the second 02:30 (winter time, fold=1), which is 01:30 UTC.
    closes = datetime(2027, 10, 31, 2, 30, tzinfo=LUXEMBOURG).replace(fold=1)
    edition = EditionFactory(year=2027, opens_at=at(2027, 9, 1, 0, 0), closes_at=closes)
    assert edition.closes_at == datetime(2027, 10, 31, 1, 30, tzinfo=UTC)
    first_pass = complete_draft(applicant=musician, edition=edition, cities=cities)
    latecomer = UserFactory(email="late@example.org", language="en")
    late = complete_draft(applicant=latecomer, edition=edition, cities=cities)

    # At the first 02:30 (00:30 UTC) the call is still open for another hour.
    with time_machine.travel(datetime(2027, 10, 31, 1, 29, 59, tzinfo=UTC), tick=False):
        auth.login(musician.email)
        submit(client, first_pass)
    with time_machine.travel(datetime(2027, 10, 31, 1, 30, 0, tzinfo=UTC), tick=False):
        auth.logout()
        auth.login(latecomer.email)
        page = submit(client, late)

    db.session.refresh(first_pass)
    db.session.refresh(late)
    assert first_pass.status == ApplicationStatus.SUBMITTED
    assert late.status == ApplicationStatus.DRAFT
    assert "applications can no longer be submitted" in page.text


@pytest.mark.parametrize("language", ["de", "fr", "en"])
def test_the_resubmission_email_is_in_the_applicants_language(
    client, musician, draft, mailbox, language
):
    subject = "Your changed application has been received"
    musician.language = language
    db.session.commit()
    submit(client, draft)
    client.post(f"/applications/{draft.id}/biography", data={"biography": "Neu."})

    submit(client, draft)

    second = mailbox.wait_for(2)[1]
    assert second["Subject"].strip() == unescape(translated(subject, language))
    assert second["Content-Language"] == language
