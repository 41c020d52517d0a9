"""Deliberation: nothing of another juror while the round is open; reviews and a thread after."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from qpmusic.enums import (
    ApplicationStatus,
    AssignmentStatus,
    ConflictSource,
    ConflictType,
    Recommendation,
    Role,
    RoundKind,
    RoundStatus,
)
from qpmusic.extensions import db
from qpmusic.jury.models import Conflict, DeliberationComment, Score
from qpmusic.timestamps import utcnow
from tests.factories import (
    ApplicationFactory,
    AssignmentFactory,
    CityFactory,
    CriterionFactory,
    JuryMemberFactory,
    RoundFactory,
    UserFactory,
)


@pytest.fixture
def jury_round():
    return RoundFactory()


@pytest.fixture
def criterion(jury_round):
    return CriterionFactory(edition=jury_round.edition, label_en="Originality")


@pytest.fixture
def application(jury_round):
    return ApplicationFactory(
        edition=jury_round.edition, status=ApplicationStatus.SHORTLISTED, reference="QP-2026-0011"
    )


def juror_of(jury_round, name, city_name):
    member = JuryMemberFactory(
        edition=jury_round.edition,
        city=CityFactory(name_en=city_name),
        user__name=name,
        user__language="en",
    )
    return member.user


def review(jury_round, juror, application, criterion, value, comment, status):
    assignment = AssignmentFactory(
        round=jury_round, juror=juror, application=application, status=status, comment=comment
    )
    db.session.add(
        Score(
            assignment=assignment,
            criterion=criterion,
            value=Decimal(value),
            comment=f"{comment} (on originality)",
        )
    )
    db.session.commit()
    return assignment


@pytest.fixture
def panel(jury_round, application, criterion):
    """Anna (Metz, final), Ben (Trier, final), Chloé (Luxembourg, draft), Dirk (conflicted)."""
    people = {
        "anna": juror_of(jury_round, "Anna Adam", "Metz"),
        "ben": juror_of(jury_round, "Ben Bauer", "Trier"),
        "chloe": juror_of(jury_round, "Chloé Cravat", "Luxembourg"),
        "dirk": juror_of(jury_round, "Dirk Dorn", "Saarbrücken"),
    }
    final, draft = AssignmentStatus.FINAL, AssignmentStatus.DRAFT
    assignments = {
        "anna": review(jury_round, people["anna"], application, criterion, "8", "Anna says", final),
        "ben": review(jury_round, people["ben"], application, criterion, "4", "Ben says", final),
        "chloe": review(
            jury_round, people["chloe"], application, criterion, "9", "Chloé drafts", draft
        ),
        "dirk": review(jury_round, people["dirk"], application, criterion, "1", "Dirk says", final),
    }
    db.session.add(
        Conflict(
            edition_id=jury_round.edition_id,
            juror_id=people["dirk"].id,
            application_id=application.id,
            type=ConflictType.FAMILY,
            source=ConflictSource.JUROR,
        )
    )
    db.session.commit()
    return people, assignments


def close(jury_round):
    jury_round.status = RoundStatus.CLOSED
    jury_round.closed_at = utcnow()
    db.session.commit()


def page_of(client, auth, people, assignments, who) -> str:
    auth.login(people[who].email)
    return client.get(f"/jury/assignments/{assignments[who].id}").get_data(as_text=True)


def test_while_the_round_is_open_a_juror_sees_nothing_of_the_others(client, auth, panel):
    people, assignments = panel

    page = page_of(client, auth, people, assignments, "anna")

    assert "Anna says" in page
    for other in ("Ben says", "Ben Bauer", "Chloé drafts", "Chloé Cravat", "Dirk says"):
        assert other not in page
    assert "Deliberation" not in page


def test_a_juror_never_sees_another_jurors_draft_even_of_the_same_application(
    client, auth, jury_round, application, criterion
):
    anna = juror_of(jury_round, "Anna Adam", "Metz")
    ben = juror_of(jury_round, "Ben Bauer", "Trier")
    own = AssignmentFactory(round=jury_round, juror=anna, application=application)
    review(jury_round, ben, application, criterion, "9", "Secret draft", AssignmentStatus.DRAFT)
    auth.login(anna.email)

    page = client.get(f"/jury/assignments/{own.id}").get_data(as_text=True)

    assert "Secret draft" not in page
    assert 'value="9" checked' not in page


def test_after_closing_a_juror_reads_the_other_final_reviews_but_no_draft_or_conflict(
    client, auth, panel, jury_round
):
    people, assignments = panel
    close(jury_round)

    page = page_of(client, auth, people, assignments, "anna")

    assert '<h2 id="deliberation-title">Deliberation</h2>' in page
    assert "Ben Bauer (Trier)" in page
    assert "Ben says (on originality)" in page
    assert "<dd>4" in page
    assert "Chloé Cravat (Luxembourg)" in page
    assert "This juror did not finalize a review." in page
    assert "Chloé drafts" not in page
    assert "Dirk" not in page
    assert "Anna Adam (Metz)" not in page  # her own review is not listed among the others


def test_the_thread_is_shared_by_the_round_jurors_of_the_application(
    client, auth, panel, jury_round, application
):
    people, assignments = panel
    close(jury_round)
    url = f"/jury/rounds/{jury_round.id}/applications/{application.id}/messages"
    auth.login(people["anna"].email)

    response = client.post(
        url,
        data={
            "body": "Ben, what did you miss in the form?",
            "next": f"/jury/assignments/{assignments['anna'].id}",
        },
    )
    auth.logout()
    ben_page = page_of(client, auth, people, assignments, "ben")

    assert response.status_code == 302
    assert response.headers["Location"] == f"/jury/assignments/{assignments['anna'].id}"
    assert "Anna Adam" in ben_page
    assert "Ben, what did you miss in the form?" in ben_page
    comment = db.session.scalars(select(DeliberationComment)).one()
    assert (comment.author_id, comment.round_id) == (people["anna"].id, jury_round.id)


@pytest.mark.parametrize("who", ["dirk", "stranger", "applicant"])
def test_the_conflicted_and_the_unassigned_can_neither_read_nor_post(
    client, auth, panel, jury_round, application, who
):
    people, _ = panel
    close(jury_round)
    person = {
        "dirk": people["dirk"],
        "stranger": UserFactory(role=Role.JUROR),
        "applicant": application.applicant,
    }[who]
    base = f"/jury/rounds/{jury_round.id}/applications/{application.id}"
    auth.login(person.email)

    read = client.get(base)
    post = client.post(f"{base}/messages", data={"body": "Let me in."})

    assert (read.status_code, post.status_code) == (404, 404)
    assert db.session.scalars(select(DeliberationComment)).all() == []


def test_the_conflicted_juror_page_shows_no_deliberation(client, auth, panel, jury_round):
    people, assignments = panel
    close(jury_round)

    page = page_of(client, auth, people, assignments, "dirk")

    assert "Ben says" not in page
    assert "deliberation-title" not in page


def test_nobody_posts_while_the_round_is_open(client, auth, panel, jury_round, application):
    people, _ = panel
    auth.login(people["anna"].email)

    response = client.post(
        f"/jury/rounds/{jury_round.id}/applications/{application.id}/messages",
        data={"body": "Too early."},
    )

    assert response.status_code == 404
    assert db.session.scalars(select(DeliberationComment)).all() == []


def test_the_admin_reads_every_conflict_free_review_and_posts(
    client, auth, panel, jury_round, application
):
    close(jury_round)
    auth.login(UserFactory(role=Role.ADMIN, language="en").email)
    base = f"/jury/rounds/{jury_round.id}/applications/{application.id}"

    client.post(f"{base}/messages", data={"body": "Please settle QP-2026-0011 by Friday."})
    page = client.get(base).get_data(as_text=True)

    assert "Anna says (on originality)" in page
    assert "Ben says (on originality)" in page
    assert "Dirk says" not in page
    assert "Please settle QP-2026-0011 by Friday." in page


def test_the_preselection_deliberation_shows_votes_and_comments_without_criteria(client, auth):
    round_ = RoundFactory(
        kind=RoundKind.PRESELECTION, status=RoundStatus.CLOSED, closed_at=utcnow()
    )
    CriterionFactory(edition=round_.edition, label_en="Originality")
    application = ApplicationFactory(
        edition=round_.edition, status=ApplicationStatus.ELIGIBLE, reference="QP-2026-0031"
    )
    coordinator = JuryMemberFactory(
        edition=round_.edition, role=Role.COORDINATOR, user__name="Clara Koch"
    ).user
    AssignmentFactory(
        round=round_,
        juror=coordinator,
        application=application,
        status=AssignmentStatus.FINAL,
        recommendation=Recommendation.YES,
        comment="A voice of its own.",
    )
    auth.login(UserFactory(role=Role.ADMIN, language="en").email)

    page = client.get(f"/jury/rounds/{round_.id}/applications/{application.id}").text

    assert "Clara Koch" in page
    assert "<dt>Recommendation</dt><dd>Yes</dd>" in page
    assert "A voice of its own." in page
    assert "Originality" not in page
    assert "<dd>—</dd>" not in page
