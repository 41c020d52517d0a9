"""Decision letters: groups, previews, sending as batches in each applicant's language, progress."""

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from qpmusic.audit.models import AuditEvent
from qpmusic.editions.models import Edition
from qpmusic.enums import ApplicationStatus, EditionPhase, OutboxStatus, Role
from qpmusic.extensions import db
from qpmusic.notifications.models import NotificationBatch, OutboxMessage
from qpmusic.results.letters import groups
from tests.editions.conftest import edition_form, input_value
from tests.factories import ApplicationFactory, EditionFactory, UserFactory
from tests.mail_sink import html_of, text_of

# 20:00 in Luxembourg (summer time).
CONCERT = datetime(2031, 6, 14, 18, 0, tzinfo=UTC)
PLACE = "Arsenal, Avenue Ney 3, Metz"


@pytest.fixture
def admin(auth):
    user = UserFactory(email="office@example.org", role=Role.ADMIN, language="en")
    auth.login("office@example.org")
    return user


@pytest.fixture
def edition():
    return EditionFactory(
        year=2031,
        phase=EditionPhase.FINAL,
        final_concert_at=CONCERT,
        final_concert_place=PLACE,
    )


def applicant(edition, status, email, language, *, name, artist, number, reason=""):
    return ApplicationFactory(
        edition=edition,
        status=status,
        reference=f"QP-2031-{number:04d}",
        artist_name=artist,
        applicant__email=email,
        applicant__name=name,
        applicant__language=language,
        screening_reason=reason,
    )


# (key, status, language, name, artist, screening reason)
PEOPLE = [
    ("amelie", ApplicationStatus.FINALIST, "fr", "Amélie", "Trio Amélie", ""),
    ("bernd", ApplicationStatus.FINALIST, "de", "Bernd", "Bernd Klang", ""),
    ("chris", ApplicationStatus.NOT_FINALIST, "en", "Chris", "Chris Noise", ""),
    ("dana", ApplicationStatus.INELIGIBLE, "en", "Dana", "Dana", "Lives 120 km from the city."),
    ("emil", ApplicationStatus.NOT_SHORTLISTED, "de", "Emil", "Emil", ""),
    # Eligible but never shortlisted: once the jury has the shortlist, screened out too.
    ("fanny", ApplicationStatus.ELIGIBLE, "fr", "Fanny", "Fanny", ""),
    ("gus", ApplicationStatus.WITHDRAWN, "en", "Gus", "Gus", ""),
]


@pytest.fixture
def people(edition):
    return {
        key: applicant(
            edition,
            status,
            f"{key}@example.org",
            language,
            name=name,
            artist=artist,
            number=number,
            reason=reason,
        )
        for number, (key, status, language, name, artist, reason) in enumerate(PEOPLE, start=1)
    }


def letters_url(edition) -> str:
    return f"/admin/editions/{edition.id}/letters"


def send(client, edition, kind, **extra):
    data = {f"{kind}-confirm": "y", **{f"{kind}-{k}": v for k, v in extra.items()}}
    return client.post(f"{letters_url(edition)}/{kind}", data=data)


def messages(kind=None) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.recipient)
    if kind:
        query = query.where(OutboxMessage.template == kind)
    return db.session.scalars(query).all()


def batches() -> list[NotificationBatch]:
    return db.session.scalars(select(NotificationBatch).order_by(NotificationBatch.id)).all()


# --- groups and preview ----------------------------------------------------------------------


def test_each_group_counts_its_recipients(client, admin, edition, people):
    counts = {g.kind: g.count for g in groups(edition)}
    page = client.get(letters_url(edition)).text

    assert counts == {"finalist_invitation": 2, "not_finalist": 1, "screened_out": 3}
    assert page.count("2 recipients") == 1
    assert page.count("1 recipient<") == 1
    assert page.count("3 recipients") == 1
    assert "Send 2 letters" in page


def test_before_the_jury_phase_an_eligible_application_is_not_screened_out(edition, people):
    edition.phase = EditionPhase.PRESELECTION
    db.session.commit()

    assert {g.kind: g.count for g in groups(edition)}["screened_out"] == 2


def test_the_preview_shows_the_letter_in_each_language_for_a_real_recipient(
    client, admin, edition, people
):
    page = client.get(f"{letters_url(edition)}/finalist_invitation/preview").text

    assert "Prix de musique QuattroPole 2031" in page
    assert "QuattroPole Musikpreis 2031" in page
    assert "QuattroPole Music Prize 2031" in page
    assert "samedi 14 juin 2031" in page
    assert "Samstag, 14. Juni 2031" in page
    assert "Saturday, June 14, 2031" in page
    assert page.count(PLACE) >= 3
    # The French letter is written for the French finalist, the German one for Bernd.
    assert "Trio Amélie (QP-2031-0001), amelie@example.org" in page
    assert "Bernd Klang (QP-2031-0002), bernd@example.org" in page
    assert "Sie sind im Finale des QuattroPole Musikpreises" in page
    assert "Vous êtes finaliste du Prix de musique QuattroPole" in page
    assert "You are a finalist of the QuattroPole Music Prize" in page
    for language in ("de", "fr", "en"):
        assert f"language={language}&amp;part=html" in page


def test_the_html_preview_is_the_e_mail_itself_framed_by_this_site_only(
    client, admin, edition, people
):
    response = client.get(f"{letters_url(edition)}/not_finalist/preview?language=fr&part=html")

    assert response.status_code == 200
    assert response.text.startswith("<!doctype html>")
    assert '<html lang="fr">' in response.text
    assert "Chris Noise" in response.text
    assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]
    assert "script-src" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_the_screened_out_letter_gives_the_coordinators_reason_and_no_scores(
    client, admin, edition, people
):
    page = client.get(f"{letters_url(edition)}/screened_out/preview").text

    assert "Lives 120 km from the city." in page
    assert "does not meet them" in page


@pytest.mark.parametrize(
    "phase", [EditionPhase.CLOSED, EditionPhase.PRESELECTION], ids=["closed", "preselection"]
)
def test_screened_out_letters_are_refused_while_screening_decisions_can_change(
    client, admin, edition, people, phase
):
    edition.phase = phase
    db.session.commit()
    reason = (
        "Screening decisions can still change until the edition reaches the jury phase: "
        "send these letters from then on."
    )

    page = client.get(letters_url(edition)).text
    response = send(client, edition, "screened_out")

    assert reason in page
    # Only the finalists' group (two letters too) still has a send button.
    assert page.count("Send 2 letters") == 1
    assert f'action="/admin/editions/{edition.id}/letters/screened_out"' not in page
    assert response.status_code == 302
    assert reason in client.get(response.headers["Location"]).text
    assert batches() == []
    assert messages() == []


def test_screened_out_letters_go_out_from_the_jury_phase(client, admin, edition, people):
    edition.phase = EditionPhase.JURY
    db.session.commit()

    page = client.get(letters_url(edition)).text
    response = send(client, edition, "screened_out")

    assert f'action="/admin/editions/{edition.id}/letters/screened_out"' in page

    [batch] = batches()
    assert response.headers["Location"] == f"/admin/letters/{batch.id}"
    assert [m.recipient for m in messages()] == [
        "dana@example.org",
        "emil@example.org",
        "fanny@example.org",
    ]


def test_an_unknown_letter_is_404(client, admin, edition):
    assert client.get(f"{letters_url(edition)}/winner/preview").status_code == 404
    assert send(client, edition, "winner").status_code == 404


# --- sending ---------------------------------------------------------------------------------


def test_sending_writes_one_letter_per_finalist_in_their_language(
    client, admin, edition, people, mailbox
):
    response = send(client, edition, "finalist_invitation")

    [batch] = batches()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/letters/{batch.id}"
    assert (batch.kind, batch.total, batch.edition_id, batch.created_by_id) == (
        "finalist_invitation",
        2,
        edition.id,
        admin.id,
    )
    sent = messages()
    assert [(m.recipient, m.language, m.batch_id) for m in sent] == [
        ("amelie@example.org", "fr", batch.id),
        ("bernd@example.org", "de", batch.id),
    ]
    mails = mailbox.wait_for(2)
    [french] = [m for m in mails if m["To"] == "amelie@example.org"]
    assert french["Content-Language"] == "fr"
    body = text_of(french)
    assert "Prix de musique QuattroPole 2031" in body
    assert "samedi 14 juin 2031" in body
    assert "20:00" in body
    assert PLACE in body
    assert "Trio Amélie" in body
    assert "Trio Amélie" in html_of(french)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "edition.letters_sent"))
    assert (event.actor_id, event.target_id) == (admin.id, edition.id)
    assert event.after == {
        "kind": "finalist_invitation",
        "batch_id": batch.id,
        "total": 2,
        "only_new": False,
    }


def test_the_screened_out_go_to_each_in_their_language(client, admin, edition, people, mailbox):
    send(client, edition, "screened_out")

    assert [(m.recipient, m.language, m.context["outcome"]) for m in messages()] == [
        ("dana@example.org", "en", "ineligible"),
        ("emil@example.org", "de", "not_shortlisted"),
        ("fanny@example.org", "fr", "not_shortlisted"),
    ]
    mailbox.wait_for(3)
    assert "Lives 120 km from the city." in text_of(mailbox.to("dana@example.org")[0])


def test_sending_a_group_twice_is_refused(client, admin, edition, people, mailbox):
    send(client, edition, "finalist_invitation")
    mailbox.wait_for(2)

    response = send(client, edition, "finalist_invitation")

    assert response.status_code == 302
    page = client.get(response.headers["Location"]).text
    assert "These letters have already been sent." in page
    assert len(batches()) == 1
    assert len(messages()) == 2


def test_sending_to_those_not_yet_written_to_skips_the_others(
    client, admin, edition, people, mailbox
):
    send(client, edition, "not_finalist")
    mailbox.wait_for(1)
    late = applicant(
        edition,
        ApplicationStatus.NOT_FINALIST,
        "hana@example.org",
        "fr",
        name="Hana",
        artist="Hana",
        number=8,
    )
    page = client.get(letters_url(edition)).text
    assert "1 applicant in this group has not received this letter yet." in page

    response = send(client, edition, "not_finalist", only_new="y")

    first, second = batches()
    assert response.headers["Location"] == f"/admin/letters/{second.id}"
    assert second.total == 1
    assert [(m.recipient, m.batch_id) for m in messages()] == [
        ("chris@example.org", first.id),
        ("hana@example.org", second.id),
    ]
    assert late.id == messages()[1].context["application_id"]
    assert mailbox.wait_for(2)[1]["To"] == "hana@example.org"
    again = send(client, edition, "not_finalist", only_new="y")
    assert (
        "There is nobody to write to in this group." in client.get(again.headers["Location"]).text
    )
    assert (
        "Everyone in this group has received this letter." in client.get(letters_url(edition)).text
    )


def test_the_invitation_is_refused_without_the_concerts_date_and_place(
    client, admin, edition, people
):
    edition.final_concert_place = ""
    db.session.commit()

    page = client.get(letters_url(edition)).text
    response = send(client, edition, "finalist_invitation")

    assert "set its date, time and place in the edition's settings first" in page
    assert "Send 2 letters" not in page
    assert "set its date, time and place" in client.get(response.headers["Location"]).text
    assert batches() == []
    assert messages() == []


def test_sending_without_confirming_is_refused(client, admin, edition, people):
    response = client.post(f"{letters_url(edition)}/not_finalist", data={})

    assert (
        "Please confirm that the letters should be sent."
        in client.get(response.headers["Location"]).text
    )
    assert batches() == []


# --- progress --------------------------------------------------------------------------------


def batch_with(edition, admin, states) -> NotificationBatch:
    batch = NotificationBatch(
        edition_id=edition.id, kind="not_finalist", total=len(states), created_by_id=admin.id
    )
    db.session.add(batch)
    db.session.flush()
    for n, (status, error) in enumerate(states):
        db.session.add(
            OutboxMessage(
                recipient=f"r{n}@example.org",
                language="en",
                template="not_finalist",
                context={"application_id": n},
                status=status,
                last_error=error,
                attempts=6 if status == OutboxStatus.FAILED else 1,
                batch_id=batch.id,
            )
        )
    db.session.commit()
    return batch


def count_of(page: str, status: str) -> int:
    return int(re.search(rf'<dd id="count-{status}">(\d+)</dd>', page).group(1))


def test_the_progress_counts_each_state_and_lists_the_failures(client, admin, edition):
    s = OutboxStatus
    batch = batch_with(
        edition,
        admin,
        [
            (s.SENT, None),
            (s.SENT, None),
            (s.PENDING, None),
            (s.SENDING, None),
            (s.FAILED, "SMTPRecipientsRefused: 550 mailbox unavailable"),
        ],
    )

    page = client.get(f"/admin/letters/{batch.id}").text

    assert {k: count_of(page, k) for k in ("pending", "sending", "sent", "failed")} == {
        "pending": 1,
        "sending": 1,
        "sent": 2,
        "failed": 1,
    }
    assert "r4@example.org" in page
    assert "SMTPRecipientsRefused: 550 mailbox unavailable" in page
    assert 'data-refresh="5"' in page
    assert "js/batch-progress.js" in page


def test_the_progress_page_stops_refreshing_when_nothing_is_waiting(client, admin, edition):
    batch = batch_with(edition, admin, [(OutboxStatus.SENT, None)])

    page = client.get(f"/admin/letters/{batch.id}").text

    assert count_of(page, "sent") == 1
    assert "data-refresh" not in page
    assert "Nothing is waiting to be sent." in page


def test_a_real_sending_shows_as_sent(client, admin, edition, people, mailbox):
    response = send(client, edition, "screened_out")
    mailbox.wait_for(3)

    page = client.get(response.headers["Location"]).text

    assert count_of(page, "sent") == 3
    assert count_of(page, "pending") == 0


# --- access ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.JUROR, Role.APPLICANT])
def test_others_than_admins_get_403(client, auth, edition, people, role):
    UserFactory(email="someone@example.org", role=role)
    auth.login("someone@example.org")
    batch = NotificationBatch(edition_id=edition.id, kind="not_finalist", total=0)
    db.session.add(batch)
    db.session.commit()

    assert client.get(letters_url(edition)).status_code == 403
    assert client.get(f"{letters_url(edition)}/not_finalist/preview").status_code == 403
    assert send(client, edition, "not_finalist").status_code == 403
    assert client.get(f"/admin/letters/{batch.id}").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


# --- the final concert on the edition form ---------------------------------------------------


def test_the_final_concert_is_entered_in_luxembourg_time_and_logged(client, admin):
    edition = EditionFactory(
        year=2031,
        phase=EditionPhase.JURY,
        opens_at=datetime(2031, 1, 15, 9, 0, tzinfo=UTC),
        closes_at=datetime(2031, 7, 31, 21, 59, tzinfo=UTC),
        title_de="QuattroPole Musikpreis 2031",
        title_fr="Prix de musique QuattroPole 2031",
        title_en="QuattroPole Music Prize 2031",
        rules_de="Regeln.",
        rules_fr="Règles.",
        rules_en="Rules.",
    )
    form = edition_form(
        final_concert_on="2031-06-14", final_concert_time="20:00", final_concert_place=f" {PLACE} "
    )

    response = client.post(f"/admin/editions/{edition.id}/edit", data=form)

    assert response.status_code == 302
    edition = db.session.get(Edition, edition.id)
    db.session.refresh(edition)
    assert (edition.final_concert_at, edition.final_concert_place) == (CONCERT, PLACE)
    [event] = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "edition.updated")
    ).all()
    assert event.before == {"final_concert_at": None, "final_concert_place": ""}
    assert event.after == {
        "final_concert_at": "2031-06-14T18:00:00+00:00",
        "final_concert_place": PLACE,
    }
    page = client.get(f"/admin/editions/{edition.id}/edit").text
    assert input_value(page, "final_concert_on") == "2031-06-14"
    assert input_value(page, "final_concert_time") == "20:00"
    assert input_value(page, "final_concert_place") == PLACE


def test_a_concert_date_without_a_time_is_refused(client, admin, edition):
    response = client.post(
        f"/admin/editions/{edition.id}/edit",
        data=edition_form(
            final_concert_on="2031-06-20", final_concert_time="", final_concert_place=PLACE
        ),
    )

    assert response.status_code == 200
    assert "Please give both the date and the time of the concert." in response.text
    db.session.refresh(edition)
    assert edition.final_concert_at == CONCERT


def test_a_concert_time_skipped_by_the_clocks_is_refused(client, admin, edition):
    response = client.post(
        f"/admin/editions/{edition.id}/edit",
        data=edition_form(
            final_concert_on="2031-03-30", final_concert_time="02:30", final_concert_place=PLACE
        ),
    )

    assert response.status_code == 200
    assert "There is no 02:30 on 2031-03-30 in Luxembourg" in response.text
