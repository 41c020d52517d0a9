"""Jury reminders: by hand from the progress page, and automatically 3 days and 1 day before."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from flask_babel import force_locale, gettext
from sqlalchemy import select

from qpmusic.accounts.models import User
from qpmusic.audit.models import AuditEvent
from qpmusic.celery_app import bound_task
from qpmusic.enums import (
    ApplicationStatus,
    AssignmentStatus,
    ConflictSource,
    ConflictType,
    EditionPhase,
    Role,
    RoundStatus,
)
from qpmusic.extensions import db
from qpmusic.jury.models import Assignment, Conflict, JuryReminder
from qpmusic.jury.reminders import send_jury_reminders
from qpmusic.jury.tasks import send_jury_reminders as send_jury_reminders_task
from tests.factories import (
    ApplicationFactory,
    AssignmentFactory,
    CityFactory,
    EditionFactory,
    JuryMemberFactory,
    RoundFactory,
    UserFactory,
)
from tests.mail_sink import html_of, text_of

LUXEMBOURG = ZoneInfo("Europe/Luxembourg")
DEADLINE = datetime(2031, 3, 20, 18, 0, tzinfo=LUXEMBOURG)


def subject_in(language: str) -> str:
    with force_locale(language):
        return gettext("Reminder: your jury reviews are waiting")


@pytest.fixture
def jury_round():
    edition = EditionFactory(year=2031, phase=EditionPhase.JURY)
    return RoundFactory(edition=edition, closes_at=DEADLINE)


def member(round_, email, language, name):
    return JuryMemberFactory(
        edition=round_.edition,
        city=CityFactory(),
        user__email=email,
        user__language=language,
        user__name=name,
    ).user


@pytest.fixture
def jury(jury_round):
    """Anne (fr) has one to do, Bruno (de) one draft; Carla is done, Dora only conflicted."""
    anne = member(jury_round, "anne@example.org", "fr", "Anne")
    bruno = member(jury_round, "bruno@example.org", "de", "Bruno")
    carla = member(jury_round, "carla@example.org", "en", "Carla")
    dora = member(jury_round, "dora@example.org", "en", "Dora")
    first, second = (
        ApplicationFactory(
            edition=jury_round.edition,
            status=ApplicationStatus.SHORTLISTED,
            reference=f"QP-2031-000{n}",
        )
        for n in (1, 2)
    )
    for juror, status in [
        (anne, AssignmentStatus.TODO),
        (bruno, AssignmentStatus.DRAFT),
        (carla, AssignmentStatus.FINAL),
        (dora, AssignmentStatus.FINAL),
    ]:
        AssignmentFactory(round=jury_round, juror=juror, application=first, status=status)
    for juror in (anne, carla, dora):
        status = AssignmentStatus.FINAL if juror != dora else AssignmentStatus.TODO
        AssignmentFactory(round=jury_round, juror=juror, application=second, status=status)
    db.session.add(
        Conflict(
            edition_id=jury_round.edition_id,
            juror_id=dora.id,
            application_id=second.id,
            type=ConflictType.ENSEMBLE,
            source=ConflictSource.JUROR,
        )
    )
    db.session.commit()
    return {"anne": anne, "bruno": bruno, "carla": carla, "dora": dora}


@pytest.fixture
def admin(auth):
    user = UserFactory(email="office@example.org", role=Role.ADMIN, language="en")
    auth.login("office@example.org")
    return user


def remind(client, round_, juror):
    return client.post(
        f"/admin/rounds/{round_.id}/progress/remind/{juror.id}", follow_redirects=True
    )


# --- by hand -----------------------------------------------------------------------------------


def test_reminding_one_juror_emails_only_them_in_french(client, admin, jury_round, jury, mailbox):
    response = remind(client, jury_round, jury["anne"])

    assert response.status_code == 200
    assert "Reminder sent to Anne." in response.text
    [mail] = mailbox.wait_for(1)
    assert mail["To"] == "anne@example.org"
    assert mail["Content-Language"] == "fr"
    assert mail["Subject"] == subject_in("fr")
    body = text_of(mail)
    assert "20 mars 2031" in body  # the deadline in French, in Luxembourg time
    assert "18:00" in body
    assert "Prix de musique QuattroPole 2031" in body
    assert "1 candidature reste à évaluer." in body
    assert "http://localhost/jury/" in body
    assert "http://localhost/jury/" in html_of(mail)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "round.juror_reminded"))
    assert (event.actor_id, event.target_id) == (admin.id, jury_round.id)
    assert event.after == {"juror_id": jury["anne"].id, "todo": 1, "draft": 0}


def test_reminding_a_german_juror_writes_in_german(client, admin, jury_round, jury, mailbox):
    remind(client, jury_round, jury["bruno"])

    [mail] = mailbox.wait_for(1)
    assert (mail["To"], mail["Content-Language"]) == ("bruno@example.org", "de")
    assert mail["Subject"] == subject_in("de")
    body = text_of(mail)
    assert "20. März 2031" in body
    assert "QuattroPole Musikpreis 2031" in body
    assert "1 Bewertung ist als Entwurf gespeichert und noch nicht abgeschlossen." in body


def test_a_juror_with_nothing_unfinished_is_not_reminded(client, admin, jury_round, jury, mailbox):
    response = remind(client, jury_round, jury["dora"])

    assert "Dora has no unfinished review in an open round." in response.text
    assert mailbox.messages == []
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action.like("round.%"))) is None


def test_no_reminder_once_the_round_is_closed(client, admin, jury_round, jury, mailbox):
    jury_round.status = RoundStatus.CLOSED
    db.session.commit()

    response = client.post(
        f"/admin/rounds/{jury_round.id}/progress/remind-all", follow_redirects=True
    )

    assert "0 reminders sent." in response.text
    assert mailbox.messages == []


def test_remind_all_emails_the_late_jurors_only(client, admin, jury_round, jury, mailbox):
    response = client.post(
        f"/admin/rounds/{jury_round.id}/progress/remind-all", follow_redirects=True
    )

    assert "2 reminders sent." in response.text
    mails = mailbox.wait_for(2)
    assert sorted(m["To"] for m in mails) == ["anne@example.org", "bruno@example.org"]
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "round.juror_reminded")
    ).all()
    assert sorted(e.after["juror_id"] for e in events) == [jury["anne"].id, jury["bruno"].id]


def test_a_coordinator_cannot_send_reminders(client, auth, jury_round, jury, mailbox):
    UserFactory(email="coord@example.org", role=Role.COORDINATOR)
    auth.login("coord@example.org")

    assert client.post(f"/admin/rounds/{jury_round.id}/progress/remind-all").status_code == 403
    assert mailbox.messages == []


def test_the_reminder_forms_carry_a_csrf_token(csrf_app, jury_round, jury):
    UserFactory(email="office@example.org", role=Role.ADMIN, language="en")
    client = csrf_app.test_client()
    page = client.get("/login").text
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    client.post(
        "/login",
        data={"email": "office@example.org", "password": "Klangfarbe-2026!", "csrf_token": token},
    )
    url = f"/admin/rounds/{jury_round.id}/progress/remind-all"

    assert client.post(url).status_code == 400
    page = client.get(f"/admin/rounds/{jury_round.id}/progress").text
    assert f'action="{url}"' in page
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    assert client.post(url, data={"csrf_token": token}).status_code == 302


# --- automatically -----------------------------------------------------------------------------


def run(now) -> int:
    with time_machine.travel(now, tick=False):
        count = send_jury_reminders(now=now)
        db.session.commit()
    return count


def kinds() -> list[tuple[str, str]]:
    return db.session.execute(
        select(JuryReminder.kind, User.email).join(User, User.id == JuryReminder.juror_id)
    ).all()


def test_late_jurors_hear_three_days_and_one_day_before_once_each(jury_round, jury, mailbox):
    assert run(DEADLINE - timedelta(days=3, minutes=1)) == 0
    assert run(DEADLINE - timedelta(days=3) + timedelta(minutes=5)) == 2
    assert run(DEADLINE - timedelta(days=2)) == 0
    assert run(DEADLINE - timedelta(hours=23)) == 2
    assert run(DEADLINE - timedelta(hours=1)) == 0
    assert run(DEADLINE + timedelta(minutes=1)) == 0

    mails = mailbox.wait_for(4)
    assert sorted(m["To"] for m in mails) == ["anne@example.org"] * 2 + ["bruno@example.org"] * 2
    anne = [text_of(m) for m in mails if m["To"] == "anne@example.org"]
    assert "dans trois jours" in anne[0] and "moins d'un jour" in anne[1]
    assert sorted(kinds()) == [
        ("1d", "anne@example.org"),
        ("1d", "bruno@example.org"),
        ("3d", "anne@example.org"),
        ("3d", "bruno@example.org"),
    ]


def test_inside_the_last_day_only_the_one_day_reminder_goes_out(jury_round, jury, mailbox):
    assert run(DEADLINE - timedelta(hours=12)) == 2
    assert run(DEADLINE - timedelta(hours=11)) == 0

    assert len(mailbox.wait_for(2)) == 2
    assert {kind for kind, _ in kinds()} == {"1d"}


def test_a_juror_who_finishes_gets_no_further_reminder(jury_round, jury, mailbox):
    assert run(DEADLINE - timedelta(days=2)) == 2
    draft = db.session.scalar(select(Assignment).where(Assignment.juror_id == jury["bruno"].id))
    draft.status = AssignmentStatus.FINAL
    db.session.commit()

    assert run(DEADLINE - timedelta(hours=2)) == 1
    assert mailbox.wait_for(3)[-1]["To"] == "anne@example.org"


def test_rounds_that_are_not_open_send_nothing(jury_round, jury, mailbox):
    jury_round.status = RoundStatus.DRAFT
    db.session.commit()

    assert run(DEADLINE - timedelta(hours=2)) == 0
    assert mailbox.messages == []


def test_two_runs_at_once_send_one_email_per_juror(app, jury_round, jury, mailbox):
    now = DEADLINE - timedelta(hours=5)
    start = threading.Barrier(2)
    counts, errors = [], []

    def worker():
        try:
            with app.app_context():
                start.wait(timeout=10)
                counts.append(send_jury_reminders(now=now))
                db.session.commit()
        except Exception as exc:  # reported below, a thread cannot fail the test itself
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(counts) in ([0, 2], [1, 1])
    mails = mailbox.wait_for(2)
    assert sorted(m["To"] for m in mails) == ["anne@example.org", "bruno@example.org"]
    assert len(kinds()) == 2


def test_a_run_waits_for_an_uncommitted_run_and_then_sends_nothing(app, jury_round, jury, mailbox):
    now = DEADLINE - timedelta(hours=5)
    assert send_jury_reminders(now=now) == 2  # this session holds its rows, uncommitted
    second = []

    def worker():
        with app.app_context():
            second.append(send_jury_reminders(now=now))
            db.session.commit()

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(timeout=1)
    assert thread.is_alive()  # blocked on the unique key the first run has inserted
    db.session.commit()
    thread.join(timeout=30)

    assert second == [0]
    assert len(mailbox.wait_for(2)) == 2
    assert len(kinds()) == 2


def test_the_task_sends_the_due_reminders(jury_round, jury, mailbox):
    with time_machine.travel(DEADLINE - timedelta(hours=5), tick=False):
        assert bound_task(send_jury_reminders_task).apply().get() == 2
        assert bound_task(send_jury_reminders_task).apply().get() == 0

    assert len(mailbox.wait_for(2)) == 2


def test_the_beat_runs_the_task_every_hour(app):
    entry = app.config["CELERY"]["beat_schedule"]["jury-reminders"]

    assert entry == {"task": "qpmusic.jury.tasks.send_jury_reminders", "schedule": 3600.0}
    assert entry["task"] in app.extensions["celery"].tasks


def test_the_command_sends_the_due_reminders(runner, jury_round, jury, mailbox):
    with time_machine.travel(DEADLINE - timedelta(days=2), tick=False):
        result = runner.invoke(args=["qp", "send-jury-reminders"])
        again = runner.invoke(args=["qp", "send-jury-reminders"])

    assert result.exit_code == 0
    assert "2 jury reminder(s) queued." in result.output
    assert "0 jury reminder(s) queued." in again.output
    assert len(mailbox.wait_for(2)) == 2
