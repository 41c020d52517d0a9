"""Two worker processes run the jury reminder at the same moment: each juror gets one e-mail."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from qpmusic.enums import ApplicationStatus, AssignmentStatus, EditionPhase, RoundStatus
from qpmusic.extensions import db
from qpmusic.jury.models import JuryReminder
from qpmusic.jury.tasks import send_jury_reminders
from qpmusic.timestamps import utcnow
from tests.factories import (
    ApplicationFactory,
    AssignmentFactory,
    CityFactory,
    EditionFactory,
    JuryMemberFactory,
    RoundFactory,
)

pytestmark = pytest.mark.integration

LATE = ["anne@example.org", "bruno@example.org", "carla@example.org"]


@pytest.fixture
def round_closing_in_two_days():
    edition = EditionFactory(phase=EditionPhase.JURY)
    round_ = RoundFactory(
        edition=edition, status=RoundStatus.OPEN, closes_at=utcnow() + timedelta(days=2)
    )
    application = ApplicationFactory(edition=edition, status=ApplicationStatus.SHORTLISTED)
    for email in [*LATE, "done@example.org"]:
        juror = JuryMemberFactory(
            edition=edition, city=CityFactory(), user__email=email, user__language="en"
        ).user
        status = AssignmentStatus.FINAL if email == "done@example.org" else AssignmentStatus.TODO
        AssignmentFactory(round=round_, juror=juror, application=application, status=status)
    db.session.commit()
    return round_


def test_two_workers_running_the_reminder_at_once_send_one_email_each(
    broker_app, start_worker, mailbox, queue_name, round_closing_in_two_days
):
    celery_app = broker_app.extensions["celery"]
    workers = [start_worker(), start_worker()]
    for worker in workers:
        worker.wait_ready(celery_app)

    task = celery_app.tasks[send_jury_reminders.name]
    for _ in range(4):  # as when beat fired twice and a person ran the command meanwhile
        task.delay()
    mails = mailbox.wait_for(3)
    for worker in workers:
        worker.wait_idle(celery_app, queue_name)

    assert sorted(m["To"] for m in mails) == LATE
    assert len(mailbox.messages) == 3
    kinds = db.session.execute(select(JuryReminder.kind)).scalars().all()
    assert kinds == ["3d", "3d", "3d"]
    finished = sum(w.log_path.read_text().count(f"{send_jury_reminders.name}[") for w in workers)
    assert finished == 8  # each of the 4 runs: received, then succeeded
