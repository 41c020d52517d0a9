"""The reviewer's list and application page: only their own, names hidden when blind."""

import contextlib
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlalchemy import event, select

from qpmusic.accounts.models import User, UserRole
from qpmusic.applications.models import Application
from qpmusic.enums import (
    ApplicationStatus,
    AssignmentStatus,
    ConflictSource,
    ConflictType,
    EditionPhase,
    MediaKind,
    Role,
    RoundKind,
    RoundStatus,
)
from qpmusic.extensions import db
from qpmusic.jury.models import Assignment, Conflict, Score
from qpmusic.timestamps import utcnow
from tests.conftest import PASSWORD
from tests.factories import (
    ApplicationFactory,
    AssignmentFactory,
    CriterionFactory,
    EditionFactory,
    JuryMemberFactory,
    RoundFactory,
    UserFactory,
    WorkFactory,
)
from tests.media.playback import media_file

DEADLINE = datetime(2026, 12, 2, 17, 0, tzinfo=UTC)  # 18:00 in Luxembourg


@pytest.fixture
def jury_round():
    return RoundFactory(closes_at=DEADLINE)


@pytest.fixture
def juror():
    return UserFactory(role=Role.JUROR, language="en", email="claire@example.org")


@pytest.fixture
def as_juror(client, auth, juror):
    auth.login(juror.email)
    return client


def shortlisted(edition, reference, **fields):
    return ApplicationFactory(
        edition=edition, status=ApplicationStatus.SHORTLISTED, reference=reference, **fields
    )


def assign(round_, juror, reference, status=AssignmentStatus.TODO, **fields):
    application = shortlisted(round_.edition, reference, **fields)
    return AssignmentFactory(round=round_, juror=juror, application=application, status=status)


def in_conflict(juror, application, source=ConflictSource.JUROR) -> Conflict:
    conflict = Conflict(
        edition_id=application.edition_id,
        juror_id=juror.id,
        application_id=application.id,
        type=ConflictType.ENSEMBLE,
        source=source,
    )
    db.session.add(conflict)
    db.session.commit()
    return conflict


def text(response) -> str:
    """The page with narrow no-break spaces (English times) as plain spaces."""
    return response.get_data(as_text=True).replace("\u202f", " ")


# --- the list ---------------------------------------------------------------------------------


def test_the_list_shows_progress_deadline_and_a_state_per_application(as_juror, jury_round, juror):
    assign(jury_round, juror, "QP-2026-0001", AssignmentStatus.FINAL)
    assign(jury_round, juror, "QP-2026-0002", AssignmentStatus.DRAFT)
    assign(jury_round, juror, "QP-2026-0003")
    conflicted = assign(jury_round, juror, "QP-2026-0004")
    in_conflict(juror, conflicted.application)

    page = text(as_juror.get("/jury/"))

    assert "Please finish your reviews by Wednesday, December 2, 2026, 6:00 PM" in page
    assert "(Luxembourg time)" in page
    assert f'max="4" value="2" aria-describedby="progress-text-{jury_round.id}"' in page
    assert "1 final, 1 with a conflict, 2 to do (1 in draft) — 4 in all." in page
    states = re.findall(r"Application (QP-2026-000\d)</a>.*?review-state-(\w+)", page, re.S)
    assert states == [
        ("QP-2026-0001", "final"),
        ("QP-2026-0002", "draft"),
        ("QP-2026-0003", "todo"),
        ("QP-2026-0004", "conflict"),
    ]
    assert "Same ensemble or band" in page


def test_the_list_has_open_and_recently_closed_rounds_only(as_juror, juror):
    open_round = RoundFactory(edition=EditionFactory(phase=EditionPhase.JURY, year=2040))
    recent = RoundFactory(
        edition=EditionFactory(phase=EditionPhase.JURY, year=2038),
        status=RoundStatus.CLOSED,
        closed_at=utcnow() - timedelta(days=3),
    )
    old = RoundFactory(
        edition=EditionFactory(phase=EditionPhase.JURY, year=2036),
        status=RoundStatus.CLOSED,
        closed_at=utcnow() - timedelta(days=90),
    )
    draft = RoundFactory(
        edition=EditionFactory(phase=EditionPhase.JURY, year=2034), status=RoundStatus.DRAFT
    )
    for number, round_ in enumerate([open_round, recent, old, draft], start=1):
        assign(round_, juror, f"QP-2040-000{number}")
    assign(open_round, UserFactory(role=Role.JUROR), "QP-2040-0099")

    page = text(as_juror.get("/jury/"))

    assert re.findall(r"Application (QP-\d+-\d+)</a>", page) == ["QP-2040-0001", "QP-2040-0002"]
    assert "QuattroPole Music Prize 2040" in page
    assert "This round closed on" in page


def test_conflicts_come_first_until_the_juror_has_scored(as_juror, jury_round, juror):
    first = assign(jury_round, juror, "QP-2026-0001")
    assign(jury_round, juror, "QP-2026-0002")

    before = text(as_juror.get("/jury/"))
    first.status = AssignmentStatus.DRAFT
    db.session.commit()
    after = text(as_juror.get("/jury/"))

    assert "Conflicts first." in before
    assert before.count("Declare a conflict") == 2
    assert "Conflicts first." not in after


def test_a_conflict_declared_from_the_list_counts_at_once(as_juror, jury_round, juror):
    assignment = assign(jury_round, juror, "QP-2026-0001")

    response = as_juror.post(
        f"/jury/assignments/{assignment.id}/conflict",
        data={"type": "teacher", "note": "Taught her until 2024.", "next": "/jury/"},
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/jury/"
    conflict = db.session.scalars(select(Conflict)).one()
    assert (conflict.type, conflict.note, conflict.source) == (
        ConflictType.TEACHER,
        "Taught her until 2024.",
        ConflictSource.JUROR,
    )
    page = text(as_juror.get("/jury/"))
    assert "review-state-conflict" in page
    assert "Teacher or student" in page

    withdrawn = as_juror.post(
        f"/jury/assignments/{assignment.id}/conflict/withdraw", data={"next": "/jury/"}
    )
    assert withdrawn.status_code == 302
    assert db.session.scalars(select(Conflict)).all() == []


def test_a_conflict_named_by_the_applicant_does_not_count_until_confirmed(
    as_juror, jury_round, juror
):
    assignment = assign(jury_round, juror, "QP-2026-0001")
    in_conflict(juror, assignment.application, source=ConflictSource.APPLICANT)

    page = text(as_juror.get("/jury/"))

    assert "review-state-todo" in page
    assert "review-state-conflict" not in page


def test_a_juror_without_rounds_is_told_so(as_juror):
    page = text(as_juror.get("/jury/"))

    assert "No applications are waiting for you." in page


def test_the_list_is_for_jurors_and_coordinators(client, auth):
    auth.login(UserFactory(language="en").email)

    assert client.get("/jury/").status_code == 403


def test_jurors_find_the_list_in_the_navigation(as_juror, client, auth):
    juror_page = text(as_juror.get("/"))
    auth.logout()
    auth.login(UserFactory(language="en").email)
    applicant_page = text(client.get("/"))

    assert '<a href="/jury/"' in juror_page and "My reviews" in juror_page
    assert '<a href="/jury/"' not in applicant_page


# --- the application page ---------------------------------------------------------------------


@pytest.fixture
def criteria(jury_round):
    return [
        CriterionFactory(
            edition=jury_round.edition,
            label_de="Originalität",
            label_en="Originality",
            help_de="Wie neu ist die Sprache?",
            help_en="How new is the musical language?",
            weight=Decimal("2"),
        ),
        CriterionFactory(
            edition=jury_round.edition,
            label_en="Craft",
            scale_max=Decimal("100"),
            scale_step=Decimal("0.5"),
        ),
    ]


@pytest.fixture
def application(jury_round):
    application = shortlisted(
        jury_round.edition,
        "QP-2026-0007",
        artist_name="Nora Quist Ensemble",
        applicant=UserFactory(name="Nora Quist", email="nora.quist@example.org"),
        contact_email="booking.quist@example.org",
        phone="+352 621 000 111",
        website="https://noraquist.example.org",
        biography="Plays a modular synthesizer built from radio parts.",
    )
    work = WorkFactory(application=application, title="Radio Garden", duration_seconds=420)
    media_file(
        work,
        original_name="Nora Quist - Radio Garden.wav",
        duration_seconds=420.0,
        blind_data=b"tagless",
    )
    return application


@pytest.fixture
def assignment(jury_round, juror, application, criteria):
    return AssignmentFactory(round=jury_round, juror=juror, application=application)


def test_the_page_shows_the_application_and_the_criteria_with_scale_and_weight(
    as_juror, assignment
):
    page = text(as_juror.get(f"/jury/assignments/{assignment.id}"))

    assert "Application QP-2026-0007 · Nora Quist Ensemble" in page
    assert "Plays a modular synthesizer built from radio parts." in page
    assert "1. Radio Garden" in page
    assert f'src="/media/{assignment.application.works[0].media[0].public_id}"' in page
    assert "<legend>Originality</legend>" in page
    assert "How new is the musical language?" in page
    assert "Scale 0 to 10 in steps of 1; weight 2." in page
    assert "Scale 0 to 100 in steps of 0.5; weight 1." in page
    assert page.count('type="radio" name="score-') == 12  # 0 to 10 and "no score yet"
    assert 'type="number"' in page and 'min="0" max="100" step="0.5"' in page
    assert "booking.quist@example.org" in page and "+352 621 000 111" in page


def test_the_criteria_are_in_the_readers_language(client, auth, assignment, juror):
    juror.language = "de"
    db.session.commit()
    auth.login(juror.email)

    page = text(client.get(f"/jury/assignments/{assignment.id}"))

    assert "<legend>Originalität</legend>" in page
    assert "Wie neu ist die Sprache?" in page


@pytest.fixture
def work_link_and_photo(application):
    """A link on the work and a press photo: both show who the applicant is."""
    work = application.works[0]
    work.links = "https://noraquist.example.org/radio-garden"
    db.session.commit()
    return media_file(
        work,
        kind=MediaKind.IMAGE,
        detected_type="image/jpeg",
        original_name="press-photo.jpg",
    )


def test_a_blind_edition_hides_every_name_and_contact(
    as_juror, assignment, jury_round, work_link_and_photo
):
    jury_round.edition.blind_review = True
    db.session.commit()

    page = text(as_juror.get(f"/jury/assignments/{assignment.id}"))
    listing = text(as_juror.get("/jury/"))

    assert "<h1>Application QP-2026-0007</h1>" in page
    for secret in (
        "Nora Quist",
        "nora.quist@example.org",
        "booking.quist@example.org",
        "+352 621 000 111",
        "noraquist.example.org",
        work_link_and_photo.public_id,
        "Press photo",
        "press-photo.jpg",
    ):
        assert secret not in page
        assert secret not in listing
    assert "Recording" in page
    assert "Radio Garden" in page


def test_without_blind_review_the_work_links_and_the_press_photo_show(
    as_juror, client, auth, assignment, application, work_link_and_photo
):
    page = text(as_juror.get(f"/jury/assignments/{assignment.id}"))
    auth.logout()
    auth.login(application.applicant.email)
    own = text(client.get(f"/applications/{application.id}/review"))

    link = '<a href="https://noraquist.example.org/radio-garden"'
    photo = f'<img src="/media/{work_link_and_photo.public_id}"'
    assert link in page and photo in page
    assert photo in own


def test_a_blind_juror_is_served_the_copy_without_tags(as_juror, assignment, jury_round):
    jury_round.edition.blind_review = True
    db.session.commit()
    media = assignment.application.works[0].media[0]

    response = as_juror.get(f"/media/{media.public_id}")

    assert response.status_code == 200
    assert response.get_data() == b"tagless"


@pytest.mark.parametrize("who", ["other juror", "applicant", "admin", "coordinator"])
def test_only_the_assigned_juror_opens_the_page(client, auth, assignment, who):
    people = {
        "other juror": lambda: UserFactory(role=Role.JUROR),
        "applicant": lambda: assignment.application.applicant,
        "admin": lambda: UserFactory(role=Role.ADMIN),
        "coordinator": lambda: UserFactory(role=Role.COORDINATOR),
    }
    auth.login(people[who]().email)

    assert client.get(f"/jury/assignments/{assignment.id}").status_code == 404
    assert client.post(f"/jury/assignments/{assignment.id}/autosave").status_code == 404
    assert client.post(f"/jury/assignments/{assignment.id}/review").status_code == 404
    assert client.post(f"/jury/assignments/{assignment.id}/listening").status_code == 404


def test_a_visitor_is_sent_to_the_login(client, assignment):
    response = client.get(f"/jury/assignments/{assignment.id}")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_a_closed_round_shows_the_review_read_only_without_players(
    as_juror, assignment, jury_round, criteria
):
    db.session.add(Score(assignment=assignment, criterion=criteria[0], value=Decimal("6")))
    assignment.status = AssignmentStatus.FINAL
    assignment.finalized_at = utcnow()
    jury_round.status = RoundStatus.CLOSED
    jury_round.closed_at = utcnow()
    db.session.commit()

    page = text(as_juror.get(f"/jury/assignments/{assignment.id}"))

    assert 'class="review-form"' not in page
    assert "<dt>Originality</dt>\n    <dd>6" in page
    assert "<audio" not in page
    assert "The recordings can be heard while the round is open." in page


# --- query count ------------------------------------------------------------------------------


@contextlib.contextmanager
def counted_statements():
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def bulk_assignments(round_, juror, number):
    """``number`` applications assigned to ``juror`` in every state, added in one commit."""
    states = [AssignmentStatus.TODO, AssignmentStatus.DRAFT, AssignmentStatus.FINAL]
    applicants = [
        User(email=f"bulk-{juror.id}-{n}@example.org", role_rows=[UserRole(role=Role.APPLICANT)])
        for n in range(number)
    ]
    applications = [
        Application(
            edition=round_.edition,
            applicant=applicant,
            status=ApplicationStatus.SHORTLISTED,
            reference=f"QP-{juror.id}-{n:04d}",
            artist_name=f"Artist {n}",
        )
        for n, applicant in enumerate(applicants)
    ]
    assignments = [
        Assignment(round=round_, juror=juror, application=application, status=states[n % 3])
        for n, application in enumerate(applications)
    ]
    db.session.add_all(assignments)
    db.session.flush()
    db.session.add_all(
        Conflict(
            edition_id=round_.edition_id,
            juror_id=juror.id,
            application_id=application.id,
            type=ConflictType.OTHER,
            source=ConflictSource.JUROR,
        )
        for application in applications[::7]
    )
    db.session.commit()


def test_the_list_takes_the_same_number_of_queries_for_10_and_500(client, auth, jury_round):
    counts = {}
    for number in (10, 500):
        juror = UserFactory(role=Role.JUROR, language="en")
        bulk_assignments(jury_round, juror, number)
        auth.login(juror.email)
        with counted_statements() as statements:
            response = client.get("/jury/")
        auth.logout()
        assert response.status_code == 200
        assert text(response).count('<a href="/jury/assignments/') == number
        counts[number] = len(statements)

    assert counts[10] == counts[500]


def test_a_preselection_assignment_leads_to_the_vote_on_the_screening_page(client, auth):
    round_ = RoundFactory(
        kind=RoundKind.PRESELECTION,
        edition=EditionFactory(phase=EditionPhase.PRESELECTION, blind_review=True),
    )
    coordinator = UserFactory(role=Role.COORDINATOR, language="en")
    application = ApplicationFactory(
        edition=round_.edition,
        status=ApplicationStatus.ELIGIBLE,
        reference="QP-2026-0021",
        artist_name="Duo Sauer",
    )
    assignment = AssignmentFactory(round=round_, juror=coordinator, application=application)
    auth.login(coordinator.email)

    listing = text(client.get("/jury/"))
    page = client.get(f"/jury/assignments/{assignment.id}")
    vote = {"version": "1", "recommendation": "yes", "comment": "Fresh.", "action": "finalize"}
    posts = [
        client.post(f"/jury/assignments/{assignment.id}/{path}", data=vote).status_code
        for path in ("review", "autosave", "listening")
    ]

    assert "Pre-selection" in listing and "Duo Sauer" in listing
    assert page.status_code == 302
    assert page.headers["Location"] == f"/screening/{application.id}#votes-title"
    assert posts == [404, 404, 404]
    db.session.expire_all()
    untouched = db.session.get(Assignment, assignment.id)
    assert (untouched.status, untouched.recommendation, untouched.version) == (
        AssignmentStatus.TODO,
        None,
        1,
    )


# --- autosave in the browser ------------------------------------------------------------------


@pytest.fixture
def chromium(browser):
    """The run's one Chromium (tests/conftest.py)."""
    return browser


ENDED = (
    "Your session has ended or this review moved; your text is kept below. "
    "Please log in again and paste it."
)


def _session_ends(context, assignment):
    context.clear_cookies()


def _the_row_goes(context, assignment):
    db.session.delete(db.session.get(Assignment, assignment.id))
    db.session.commit()


@pytest.mark.browser
@pytest.mark.parametrize("change", [_session_ends, _the_row_goes], ids=["logged-out", "rebuilt"])
def test_autosave_stops_and_keeps_the_text_when_the_answer_is_not_its_own(
    chromium, live_server, assignment, juror, change
):
    context = chromium.new_context(base_url=live_server)
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    saves = []
    page.on("request", lambda r: saves.append(r.url) if r.url.endswith("/autosave") else None)
    page.goto("/login?lang=en")
    page.locator("#email").fill(juror.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    expect(page.locator("a[href='/logout'], form[action='/logout']").first).to_be_attached()
    page.goto(f"/jury/assignments/{assignment.id}")

    change(context, assignment)
    page.locator("#review-comment").fill("A long thought about the second movement.")

    expect(page.locator(".review-error")).to_have_text(ENDED)
    expect(page.locator("[data-kept]")).to_be_visible()
    expect(page.locator("[data-kept] .kept-list")).to_contain_text(
        "A long thought about the second movement."
    )
    page.locator("#review-comment").fill("More text typed afterwards.")
    page.wait_for_timeout(2500)  # longer than the autosave's pause after typing
    assert len(saves) == 1
    assert problems == []
    context.close()


def test_the_juror_list_links_an_open_final_ballot(client, auth):
    from qpmusic.enums import RoundKind, RoundStatus

    member = JuryMemberFactory(edition=EditionFactory(phase=EditionPhase.FINAL))
    member.user.language = "en"
    final = RoundFactory(edition=member.edition, kind=RoundKind.FINAL, status=RoundStatus.OPEN)
    db.session.commit()
    auth.login(member.user.email)

    page = client.get("/jury/").text

    assert f'href="/jury/final/{final.id}"' in page
