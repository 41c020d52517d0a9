"""Deadline reminders: each unsubmitted draft hears once a week before and once a day before."""

from datetime import datetime
from html import unescape
from zoneinfo import ZoneInfo

import pytest
import time_machine

from qpmusic.applications.reminders import send_deadline_reminders
from qpmusic.enums import ApplicationStatus
from qpmusic.extensions import db
from tests.factories import ApplicationFactory, EditionFactory, UserFactory
from tests.translations import translated

LUXEMBOURG = ZoneInfo("Europe/Luxembourg")
DEADLINE = datetime(2026, 12, 15, 23, 59, 59, tzinfo=LUXEMBOURG)


@pytest.fixture
def call():
    return EditionFactory(
        year=2026, opens_at=datetime(2026, 10, 1, tzinfo=LUXEMBOURG), closes_at=DEADLINE
    )


def run(now):
    with time_machine.travel(now, tick=False):
        count = send_deadline_reminders(now=now)
        db.session.commit()
    return count


def test_drafts_are_reminded_a_week_and_a_day_before_once_each(call, mailbox):
    ApplicationFactory(
        edition=call, applicant=UserFactory(email="draft@example.org", language="fr")
    )
    ApplicationFactory(edition=call, status=ApplicationStatus.SUBMITTED, reference="QP-2026-0001")

    assert run(datetime(2026, 12, 1, 12, tzinfo=LUXEMBOURG)) == 0
    assert run(datetime(2026, 12, 9, 12, tzinfo=LUXEMBOURG)) == 1
    assert run(datetime(2026, 12, 9, 13, tzinfo=LUXEMBOURG)) == 0
    assert run(datetime(2026, 12, 15, 8, tzinfo=LUXEMBOURG)) == 1
    assert run(datetime(2026, 12, 15, 9, tzinfo=LUXEMBOURG)) == 0

    mails = mailbox.wait_for(2)
    assert [m["To"] for m in mails] == ["draft@example.org"] * 2
    assert all(m["Content-Language"] == "fr" for m in mails)
    assert {m["Subject"] for m in mails} == {
        unescape(translated("Your application is not submitted yet", "fr"))
    }


def test_a_draft_started_on_the_last_day_gets_only_the_last_reminder(call, mailbox):
    ApplicationFactory(edition=call, applicant=UserFactory(language="en"))

    assert run(datetime(2026, 12, 15, 10, tzinfo=LUXEMBOURG)) == 1
    assert run(datetime(2026, 12, 15, 11, tzinfo=LUXEMBOURG)) == 0
    body = mailbox.wait_for(1)[0].get_body(("plain",)).get_content()
    assert "less than a day is left" in body


def test_no_reminders_after_the_deadline(call):
    ApplicationFactory(edition=call)

    assert run(datetime(2026, 12, 16, 0, 0, 1, tzinfo=LUXEMBOURG)) == 0


def test_the_command_sends_the_due_reminders(runner, call):
    ApplicationFactory(edition=call)

    with time_machine.travel(datetime(2026, 12, 10, tzinfo=LUXEMBOURG), tick=False):
        result = runner.invoke(args=["qp", "send-reminders"])

    assert result.exit_code == 0
    assert "1 reminder(s) queued." in result.output
