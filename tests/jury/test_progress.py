"""The office's progress matrix of a round: states, totals, listening and a constant query count."""

import itertools
import secrets
from contextlib import contextmanager

import pytest
from sqlalchemy import event, insert, select

from qpmusic.accounts.models import User, UserRole
from qpmusic.applications.models import Application
from qpmusic.enums import (
    ApplicationStatus,
    AssignmentStatus,
    ConflictSource,
    ConflictStatus,
    ConflictType,
    EditionPhase,
    MediaKind,
    MediaStatus,
    Role,
    RoundStatus,
)
from qpmusic.extensions import db
from qpmusic.jury.models import Assignment, Conflict, Listening
from qpmusic.jury.progress import round_progress
from qpmusic.media.models import MediaFile
from tests.factories import (
    ApplicationFactory,
    AssignmentFactory,
    CityFactory,
    EditionFactory,
    JuryMemberFactory,
    RoundFactory,
    UserFactory,
    WorkFactory,
)

_references = itertools.count(1)


def shortlisted(edition):
    return ApplicationFactory(
        edition=edition,
        status=ApplicationStatus.SHORTLISTED,
        reference=f"QP-{edition.year}-{next(_references):04d}",
    )


def recording(application, *, seconds, kind=MediaKind.AUDIO, status=MediaStatus.READY):
    media = MediaFile(
        work=WorkFactory(application=application),
        kind=kind,
        original_name="take.flac",
        storage_key=secrets.token_hex(16),
        size=1000,
        duration_seconds=seconds,
        status=status,
    )
    db.session.add(media)
    db.session.commit()
    return media


def heard(assignment, media, seconds):
    db.session.add(
        Listening(assignment_id=assignment.id, media_file_id=media.id, heard_seconds=seconds)
    )
    db.session.commit()


def conflict(application, juror, **fields):
    # ConflictFactory passes ``edition=``, which Conflict has no relationship for.
    fields.setdefault("source", ConflictSource.JUROR)
    row = Conflict(
        edition_id=application.edition_id,
        application_id=application.id,
        juror_id=juror.id,
        type=ConflictType.FAMILY,
        **fields,
    )
    db.session.add(row)
    db.session.commit()
    return row


def assign(round_, juror, application, status=AssignmentStatus.TODO):
    return AssignmentFactory(round=round_, juror=juror, application=application, status=status)


@pytest.fixture
def jury_round():
    edition = EditionFactory(year=2031, phase=EditionPhase.JURY)
    return RoundFactory(edition=edition)


@pytest.fixture
def metz():
    return CityFactory(name_de="Metz", name_fr="Metz", name_en="Metz", country="FR")


@pytest.fixture
def trier():
    return CityFactory(name_de="Trier", name_fr="Trèves", name_en="Trier")


def juror(round_, city, name, **fields):
    member = JuryMemberFactory(
        edition=round_.edition, city=city, user__name=name, user__language="en", **fields
    )
    return member.user


@pytest.fixture
def matrix(jury_round, metz, trier):
    """Anne and Bruno (Metz), Carla (Trier); three applications in every state."""
    anne, bruno = juror(jury_round, metz, "Anne"), juror(jury_round, metz, "Bruno")
    carla = juror(jury_round, trier, "Carla")
    first, second, third = (shortlisted(jury_round.edition) for _ in range(3))
    anne_first = assign(jury_round, anne, first, AssignmentStatus.FINAL)
    assign(jury_round, anne, second, AssignmentStatus.DRAFT)
    assign(jury_round, anne, third)
    assign(jury_round, bruno, first, AssignmentStatus.FINAL)
    assign(jury_round, bruno, second, AssignmentStatus.DRAFT)  # conflicted: never counts
    assign(jury_round, carla, first, AssignmentStatus.FINAL)
    assign(jury_round, carla, third, AssignmentStatus.FINAL)
    conflict(second, bruno)
    # Named by the applicant and not confirmed yet: no conflict so far.
    conflict(third, carla, source=ConflictSource.APPLICANT)
    conflict(
        first,
        anne,
        source=ConflictSource.APPLICANT,
        status=ConflictStatus.DISMISSED,
    )
    long_take = recording(first, seconds=150)
    short_take = recording(first, seconds=50)
    recording(first, seconds=999, kind=MediaKind.DOCUMENT)
    recording(first, seconds=999, status=MediaStatus.PROCESSING)
    heard(anne_first, long_take, 150)
    heard(anne_first, short_take, 80)  # a replayed ending counts once: 50 s
    return {"anne": anne, "bruno": bruno, "carla": carla, "apps": (first, second, third)}


def counts(tally):
    return (tally.final, tally.draft, tally.todo, tally.conflict)


@pytest.fixture
def admin(auth):
    user = UserFactory(email="office@example.org", role=Role.ADMIN, language="en")
    auth.login("office@example.org")
    return user


def test_round_progress_has_each_state_with_city_juror_and_application_totals(jury_round, matrix):
    progress = round_progress(jury_round, language="en")

    assert [(g.name, [r.name for r in g.reviewers]) for g in progress.groups] == [
        ("Metz", ["Anne", "Bruno"]),
        ("Trier", ["Carla"]),
    ]
    assert [[c.state for c in row.cells] for row in progress.rows] == [
        ["final", "final", "final"],
        ["draft", "conflict", "none"],
        ["todo", "none", "final"],
    ]
    anne, bruno, carla = progress.reviewers
    assert (anne.tally.final, anne.tally.draft, anne.tally.todo, anne.tally.conflict) == (
        1,
        1,
        1,
        0,
    )
    assert (bruno.tally.final, bruno.tally.conflict, bruno.tally.reviews) == (1, 1, 1)
    assert (carla.tally.final, carla.tally.reviews) == (2, 2)
    metz, trier = progress.groups
    assert (metz.tally.final, metz.tally.draft, metz.tally.todo, metz.tally.conflict) == (
        2,
        1,
        1,
        1,
    )
    assert (trier.tally.final, trier.tally.reviews) == (2, 2)
    assert [(r.tally.final, r.tally.reviews) for r in progress.rows] == [(3, 3), (0, 1), (1, 2)]
    assert (progress.tally.final, progress.tally.reviews, progress.tally.percent_final) == (
        4,
        6,
        67,
    )
    assert [r.name for r in progress.late] == ["Anne"]


def test_round_progress_counts_heard_seconds_against_the_recordings(jury_round, matrix):
    progress = round_progress(jury_round, language="en")

    first_row = progress.rows[0]
    assert [c.heard for c in first_row.cells] == [1.0, 0.0, 0.0]
    assert progress.rows[1].cells[0].heard is None  # no timed recording at all
    anne = progress.reviewers[0]
    assert anne.heard == 1.0  # the only timed media of her three applications
    assert progress.reviewers[2].heard == 0.0


def test_round_progress_shows_a_partly_heard_recording_as_a_share(jury_round, metz):
    dora = juror(jury_round, metz, "Dora")
    application = shortlisted(jury_round.edition)
    take = recording(application, seconds=200)
    heard(assign(jury_round, dora, application, AssignmentStatus.DRAFT), take, 164)

    cell = round_progress(jury_round, language="en").rows[0].cells[0]

    assert (cell.state, cell.heard) == ("draft", 0.82)


def test_the_page_shows_states_as_text_with_the_share_heard(client, admin, jury_round, metz):
    dora = juror(jury_round, metz, "Dora")
    application = shortlisted(jury_round.edition)
    take = recording(application, seconds=200)
    heard(assign(jury_round, dora, application, AssignmentStatus.FINAL), take, 164)

    response = client.get(f"/admin/rounds/{jury_round.id}/progress")

    assert response.status_code == 200
    assert "finalized · 82 % heard" in response.text
    assert application.reference in response.text
    assert "100 % of the reviews are final" in response.text
    assert "Nobody is late: every assigned review is final." in response.text


def test_the_page_lists_late_jurors_with_reminder_buttons_for_the_admin(
    client, admin, jury_round, matrix
):
    response = client.get(f"/admin/rounds/{jury_round.id}/progress")

    assert response.status_code == 200
    text = response.text
    assert "67 % of the reviews are final" in text
    assert 'class="nowrap cell-conflict"><span aria-hidden="true">⊘ </span>conflict<' in text
    assert (
        'class="nowrap cell-none"><span aria-hidden="true">\N{EN DASH} </span>not assigned<' in text
    )
    assert "1 to do, 1 in draft" in text
    assert f"/admin/rounds/{jury_round.id}/progress/remind/{matrix['anne'].id}" in text
    assert f"/admin/rounds/{jury_round.id}/progress/remind/{matrix['carla'].id}" not in text
    assert "Remind the late juror" in text


def test_a_coordinator_reads_the_page_without_reminder_buttons(client, auth, jury_round, matrix):
    UserFactory(email="coord@example.org", role=Role.COORDINATOR, language="en")
    auth.login("coord@example.org")

    response = client.get(f"/admin/rounds/{jury_round.id}/progress")

    assert response.status_code == 200
    assert "Anne" in response.text
    assert "/remind" not in response.text


@pytest.mark.parametrize("role", [Role.JUROR, Role.APPLICANT])
def test_jurors_and_applicants_get_403(client, auth, jury_round, matrix, role):
    UserFactory(email="someone@example.org", role=role)
    auth.login("someone@example.org")

    assert client.get(f"/admin/rounds/{jury_round.id}/progress").status_code == 403
    remind = f"/admin/rounds/{jury_round.id}/progress/remind/{matrix['anne'].id}"
    assert client.post(remind).status_code == 403


def test_an_anonymous_visitor_is_sent_to_the_login(client, jury_round):
    response = client.get(f"/admin/rounds/{jury_round.id}/progress")

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_an_unknown_round_is_not_found(client, admin):
    assert client.get("/admin/rounds/999/progress").status_code == 404


def test_a_round_without_assignments_says_so(client, admin, jury_round):
    response = client.get(f"/admin/rounds/{jury_round.id}/progress")

    assert response.status_code == 200
    assert "No application is assigned in this round yet." in response.text


# --- query count ------------------------------------------------------------------------------


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


def bulk_round(year, *, applications, jurors):
    """A round with ``jurors`` jurors in two cities on ``applications`` applications, in bulk."""
    round_ = RoundFactory(edition=EditionFactory(year=year, phase=EditionPhase.JURY))
    cities = [CityFactory(), CityFactory()]
    members = [juror(round_, cities[n % 2], f"Juror {year}-{n}") for n in range(jurors)]
    people = [{"email": f"a{year}-{n}@example.org", "name": f"A {n}"} for n in range(applications)]
    applicant_ids = db.session.scalars(insert(User).returning(User.id), people).all()
    db.session.execute(
        insert(UserRole), [{"user_id": i, "role": Role.APPLICANT} for i in applicant_ids]
    )
    application_ids = db.session.scalars(
        insert(Application).returning(Application.id),
        [
            {
                "edition_id": round_.edition_id,
                "applicant_id": applicant_id,
                "status": ApplicationStatus.SHORTLISTED,
                "reference": f"QP-{year}-{n:04d}",
            }
            for n, applicant_id in enumerate(applicant_ids)
        ],
    ).all()
    statuses = list(AssignmentStatus)
    db.session.execute(
        insert(Assignment),
        [
            {
                "round_id": round_.id,
                "juror_id": member.id,
                "application_id": application_id,
                "status": statuses[(n + m) % 3],
            }
            for n, application_id in enumerate(application_ids)
            for m, member in enumerate(members)
        ],
    )
    db.session.commit()
    some = db.session.scalars(select(Application).where(Application.id.in_(application_ids[:3])))
    for application in some:
        conflict(application, members[0])
        take = recording(application, seconds=120)
        assignment = db.session.scalar(
            select(Assignment).where(
                Assignment.application_id == application.id, Assignment.juror_id == members[1].id
            )
        )
        heard(assignment, take, 60)
    return round_


def test_the_matrix_takes_the_same_number_of_queries_for_10_and_500_applications(client, admin):
    small = bulk_round(2031, applications=10, jurors=2).id
    large = bulk_round(2032, applications=500, jurors=8).id
    client.get(f"/admin/rounds/{small}/progress")  # first request: warm caches

    with counted_statements() as for_10:
        response_10 = client.get(f"/admin/rounds/{small}/progress")
    with counted_statements() as for_500:
        response_500 = client.get(f"/admin/rounds/{large}/progress")

    assert response_10.status_code == response_500.status_code == 200
    assert response_500.text.count('<th scope="row" class="nowrap"><a href') == 500
    assert response_500.text.count('class="nowrap cell-conflict"') == 3
    assert len(for_10) == len(for_500)
    assert len(for_500) <= 10


@pytest.mark.parametrize("language", ["de", "fr", "en"])
def test_the_page_renders_in_every_language(client, auth, jury_round, matrix, language):
    UserFactory(email="office@example.org", role=Role.ADMIN, language=language)
    auth.login("office@example.org")

    response = client.get(f"/admin/rounds/{jury_round.id}/progress")

    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.text
    assert jury_round.edition.title(language) in response.text
    assert response.text.count('class="nowrap cell-final"') == 4


def test_a_closed_round_has_no_late_jurors_and_no_reminder_buttons(
    client, admin, jury_round, matrix
):
    jury_round.status = RoundStatus.CLOSED
    db.session.commit()

    response = client.get(f"/admin/rounds/{jury_round.id}/progress")

    assert "Reminders can be sent while the round is open." in response.text
    assert "/remind" not in response.text
    assert round_progress(jury_round, language="en").late == []
