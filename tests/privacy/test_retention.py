"""Files of non-finalists go MEDIA_RETENTION_MONTHS after their edition's publication."""

from datetime import UTC, datetime

import time_machine
from sqlalchemy import func, select

from qpmusic.audit.models import AuditEvent
from qpmusic.enums import ApplicationStatus
from qpmusic.extensions import db
from qpmusic.media.models import MediaFile
from qpmusic.privacy.retention import months_before
from qpmusic.privacy.tasks import apply_media_retention
from tests.privacy.builders import (
    PUBLISHED_AT,
    application_with_file,
    file_keys,
    musician,
    published_edition,
    stored,
)

# PUBLISHED_AT is 20 June 2029; the default period is 12 months.
JUST_BEFORE = datetime(2030, 6, 20, 17, 59, tzinfo=UTC)
AFTER = datetime(2030, 6, 21, 3, 0, tzinfo=UTC)


def scene():
    """A published edition with a finalist and a musician who was not chosen."""
    edition = published_edition(2029)
    finalist = application_with_file(
        musician(email="ana@example.org"),
        edition,
        status=ApplicationStatus.FINALIST,
        reference="QP-2029-0001",
        data=b"finalist take",
    )
    other = application_with_file(
        musician(),
        edition,
        status=ApplicationStatus.NOT_FINALIST,
        reference="QP-2029-0002",
        data=b"other take",
    )
    return finalist, other


def media_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(MediaFile.id)))


def test_dry_run_lists_the_files_and_keeps_them(runner):
    _, other = scene()
    keys = file_keys(other)

    with time_machine.travel(AFTER, tick=False):
        result = runner.invoke(args=["qp", "apply-retention", "--dry-run"])

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "2029  QP-2029-0002  nachtstueck.flac  10 bytes",
        "1 file(s) would be deleted (dry run, nothing changed).",
    ]
    assert media_count() == 2
    assert all(stored(key) for key in keys)


def test_retention_deletes_non_finalists_files_and_keeps_the_finalists(runner):
    finalist, other = scene()
    gone, kept = file_keys(other), file_keys(finalist)

    with time_machine.travel(AFTER, tick=False):
        result = runner.invoke(args=["qp", "apply-retention"])

    assert result.output.splitlines()[-1] == "1 file(s) deleted."
    assert media_count() == 1
    assert [stored(key) for key in gone] == [False, False]
    assert [stored(key) for key in kept] == [True, True]
    # The application itself stays, with its works.
    db.session.refresh(other)
    assert [w.title for w in other.works] == ["Nachtstück"]
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "media.retention_deleted")
    )
    assert (event.actor_id, event.target_type) == (None, "edition")
    assert event.after == {"files": 1, "bytes": 10, "months": 12}


def test_retention_waits_the_set_number_of_months_after_publication(runner):
    scene()

    with time_machine.travel(JUST_BEFORE, tick=False):
        result = runner.invoke(args=["qp", "apply-retention"])

    assert result.output.splitlines() == ["0 file(s) deleted."]
    assert media_count() == 2


def test_retention_task_is_idempotent(app):
    scene()

    with time_machine.travel(AFTER, tick=False):
        first = apply_media_retention()
        second = apply_media_retention()

    assert (first, second) == (1, 0)
    assert media_count() == 1
    events = select(func.count(AuditEvent.id)).where(AuditEvent.action == "media.retention_deleted")
    assert db.session.scalar(events) == 1


def test_retention_period_follows_the_setting(app, runner):
    scene()
    app.config["MEDIA_RETENTION_MONTHS"] = 24
    try:
        with time_machine.travel(AFTER, tick=False):
            result = runner.invoke(args=["qp", "apply-retention"])
    finally:
        app.config["MEDIA_RETENTION_MONTHS"] = 12

    assert result.output.splitlines() == ["0 file(s) deleted."]
    assert media_count() == 2


def test_months_before_keeps_the_day_or_takes_the_month_end():
    assert months_before(datetime(2030, 6, 20, 18, 0, tzinfo=UTC), 12) == PUBLISHED_AT
    assert months_before(datetime(2031, 3, 31, tzinfo=UTC), 1) == datetime(2031, 2, 28, tzinfo=UTC)
    assert months_before(datetime(2030, 1, 15, tzinfo=UTC), 13) == datetime(
        2028, 12, 15, tzinfo=UTC
    )


def test_privacy_page_states_the_retention_period_and_the_rights(client, app):
    app.config["MEDIA_RETENTION_MONTHS"] = 18
    try:
        page = client.get("/privacy", headers={"Accept-Language": "en"}).text
    finally:
        app.config["MEDIA_RETENTION_MONTHS"] = 12

    assert "are deleted 18 months after the results of their edition are published" in page
    assert "you can download all your data yourself" in page
    assert "There you can also delete your account." in page
