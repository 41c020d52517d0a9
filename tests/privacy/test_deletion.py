"""An applicant deletes their account: per edition, confirmed by password, logged, e-mailed."""

from decimal import Decimal

from sqlalchemy import func, select

from qpmusic.accounts.models import User
from qpmusic.applications.models import Application, EligibilityBasis, Work
from qpmusic.audit.models import AuditEvent
from qpmusic.audit.services import record_event
from qpmusic.enums import ApplicationStatus, AwardKind, EditionPhase, Role
from qpmusic.extensions import db
from qpmusic.jury.models import Score
from qpmusic.media.models import MediaFile
from qpmusic.notifications.models import OutboxMessage
from qpmusic.privacy.anonymize import ANONYMISED_NAME
from qpmusic.privacy.deletion import delete_account
from qpmusic.timestamps import utcnow
from tests.conftest import PASSWORD
from tests.factories import (
    AssignmentFactory,
    AwardFactory,
    EditionFactory,
    RoundFactory,
    ScoreFactory,
    UserFactory,
)
from tests.mail_sink import text_of
from tests.privacy.builders import (
    application_with_file,
    file_keys,
    musician,
    published_edition,
    running_edition,
    stored,
)
from tests.translations import translated


def delete(client, password=PASSWORD):
    return client.post("/profile/delete", data={"password": password})


def test_delete_removes_a_draft_and_its_files_from_storage(client, auth):
    user = musician()
    draft = application_with_file(user, running_edition(), status=ApplicationStatus.DRAFT)
    draft_id, keys = draft.id, file_keys(draft)
    assert len(keys) == 2 and all(stored(key) for key in keys)
    auth.login("mia@example.org")

    response = delete(client)

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    db.session.expire_all()
    assert db.session.get(Application, draft_id) is None
    assert db.session.scalar(select(func.count(Work.id))) == 0
    assert db.session.scalar(select(func.count(MediaFile.id))) == 0
    assert db.session.scalar(select(func.count(EligibilityBasis.id))) == 0
    assert [stored(key) for key in keys] == [False, False]


def test_deleted_account_is_anonymous_and_cannot_log_in(client, auth):
    user = musician()
    user_id = user.id
    auth.login("mia@example.org")

    delete(client)

    account = db.session.get(User, user_id)
    db.session.refresh(account)
    assert account.email == f"deleted-{user_id}@deleted.invalid"
    assert (account.name, account.password_hash, account.active) == ("", None, False)
    assert account.deleted_at is not None
    assert client.get("/profile/").status_code == 302
    auth.login("mia@example.org")
    assert client.get("/profile/").status_code == 302


def test_delete_withdraws_a_submitted_application_of_a_running_edition(client, auth):
    user = musician()
    application = application_with_file(
        user, running_edition(), status=ApplicationStatus.SUBMITTED, reference="QP-2031-0004"
    )
    keys = file_keys(application)
    auth.login("mia@example.org")

    delete(client)

    db.session.refresh(application)
    assert application.status == ApplicationStatus.WITHDRAWN
    assert application.withdrawn_at is not None
    assert application.reference == "QP-2031-0004"
    assert application.artist_name == ANONYMISED_NAME
    assert (application.contact_email, application.phone, application.biography) == ("", "", "")
    assert (application.website, application.bases) == ("", [])
    assert [(w.title, w.description, w.media) for w in application.works] == [("", "", [])]
    assert [stored(key) for key in keys] == [False, False]
    withdrawn = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "application.withdrawn")
    )
    assert (withdrawn.target_id, withdrawn.after) == (application.id, {"status": "withdrawn"})


def test_delete_anonymizes_a_past_application_and_keeps_the_scores(client, auth):
    user = musician()
    edition = published_edition()
    application = application_with_file(
        user, edition, status=ApplicationStatus.NOT_FINALIST, reference="QP-2029-0002"
    )
    record_event(
        actor=user,
        action="application.submitted",
        target=application,
        after={"artist_name": "Mia Sommer Trio", "biography": "Born in Konz.", "status": "x"},
    )
    score = ScoreFactory(
        assignment=AssignmentFactory(round=RoundFactory(edition=edition), application=application),
        value=Decimal("8.5"),
    )
    db.session.commit()
    keys = file_keys(application)
    auth.login("mia@example.org")

    delete(client)

    db.session.expire_all()
    assert application.status == ApplicationStatus.NOT_FINALIST
    assert application.artist_name == ANONYMISED_NAME
    assert application.biography == ""
    assert application.anonymized_at is not None
    assert db.session.get(Score, score.id).value == Decimal("8.5")
    assert [stored(key) for key in keys] == [False, False]
    submitted = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "application.submitted")
    )
    assert submitted.after == {"artist_name": None, "biography": None, "status": "x"}
    anonymized = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "application.anonymized")
    )
    assert (anonymized.target_id, anonymized.after) == (
        application.id,
        {"public_name_kept": False},
    )


def test_delete_keeps_what_the_published_results_show_of_a_winner(client, auth):
    user = musician()
    edition = published_edition(2029)
    winner = application_with_file(
        user, edition, status=ApplicationStatus.WINNER, reference="QP-2029-0001"
    )
    AwardFactory(edition=edition, application=winner, kind=AwardKind.PRIZE, statement_en="Bold.")
    keys = file_keys(winner)
    auth.login("mia@example.org")

    delete(client)

    db.session.expire_all()
    assert winner.artist_name == "Mia Sommer Trio"
    assert [(w.title, w.description) for w in winner.works] == [("Nachtstück", "")]
    assert (winner.contact_email, winner.phone, winner.biography) == ("", "", "")
    assert [stored(key) for key in keys] == [False, False]
    page = client.get("/editions/2029", headers={"Accept-Language": "en"}).text
    assert "Mia Sommer Trio" in page
    assert "Nachtstück" in page
    assert "Born in Konz" not in page


def test_delete_with_a_wrong_password_is_refused_with_a_translated_message(client, auth):
    user = musician(language="de")
    application = application_with_file(
        user, running_edition(), status=ApplicationStatus.SUBMITTED, reference="QP-2031-0001"
    )
    keys = file_keys(application)
    auth.login("mia@example.org")

    response = delete(client, password="not-my-password")

    assert response.status_code == 400
    assert translated("Your current password is not correct.", "de") in response.text
    db.session.expire_all()
    assert (user.active, user.email, user.deleted_at) == (True, "mia@example.org", None)
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.biography == "Born in Konz, studies in Saarbrücken."
    assert all(stored(key) for key in keys)
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_delete_is_logged_and_confirmed_by_mail_to_the_old_address(client, auth, mailbox):
    user = musician(language="en")
    user_id = user.id
    application_with_file(
        user, published_edition(), status=ApplicationStatus.NOT_FINALIST, reference="QP-2029-0009"
    )
    application_with_file(user, running_edition(), status=ApplicationStatus.DRAFT)
    auth.login("mia@example.org")

    delete(client)

    [message] = mailbox.wait_for(1)
    assert message["To"] == "mia@example.org"
    body = text_of(message)
    assert "QP-2029-0009" in body
    assert "Your draft for the QuattroPole Music Prize 2031 is deleted with its files." in body
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "account.deleted"))
    assert (event.actor_id, event.target_type, event.target_id) == (user_id, "user", user_id)
    assert event.after == {
        "applications": {"delete": 1, "withdraw": 0, "anonymize": 1, "keep_public": 0},
        "files": 2,
    }


def test_delete_twice_changes_nothing_the_second_time(client, auth):
    user = musician()
    application_with_file(
        user, running_edition(), status=ApplicationStatus.SUBMITTED, reference="QP-2031-0002"
    )

    first = delete_account(user=user, password=PASSWORD, now=utcnow())
    db.session.commit()
    second = delete_account(user=user, password=PASSWORD, now=utcnow())
    db.session.commit()

    assert first["withdraw"] == 1
    assert second == {}
    deleted = select(func.count(AuditEvent.id)).where(AuditEvent.action == "account.deleted")
    assert db.session.scalar(deleted) == 1
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 1
    # The browser's second click comes from a session that has ended.
    response = delete(client)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_confirmation_page_says_what_happens_to_each_application(client, auth):
    user = musician(language="en")
    application_with_file(
        user,
        published_edition(2029),
        status=ApplicationStatus.NOT_FINALIST,
        reference="QP-2029-0005",
    )
    application_with_file(
        user, running_edition(2031), status=ApplicationStatus.SUBMITTED, reference="QP-2031-0003"
    )
    auth.login("mia@example.org")

    page = client.get("/profile/delete").text

    assert "Your application QP-2031-0003 to the QuattroPole Music Prize 2031 is withdrawn" in page
    assert "Your application QP-2029-0005 to the QuattroPole Music Prize 2029 is anonymised" in page
    assert 'name="password"' in page


def test_staff_accounts_are_refused_with_a_reason(client, auth):
    juror = UserFactory(email="claire@example.org", role=Role.JUROR, language="en")
    auth.login("claire@example.org")

    page = client.get("/profile/delete").text
    response = delete(client)

    assert "cannot be deleted here" in page
    assert 'name="password"' not in page
    assert response.status_code == 200
    db.session.refresh(juror)
    assert (juror.active, juror.deleted_at) == (True, None)


def test_a_finalist_of_a_running_edition_is_asked_to_write_to_the_office(client, auth):
    user = musician(language="en")
    edition = EditionFactory(year=2031, phase=EditionPhase.FINAL)
    application = application_with_file(
        user, edition, status=ApplicationStatus.FINALIST, reference="QP-2031-0001"
    )
    auth.login("mia@example.org")

    response = delete(client)

    assert "You are a finalist of an edition that is still running." in response.text
    db.session.expire_all()
    assert (user.active, application.artist_name) == (True, "Mia Sommer Trio")
