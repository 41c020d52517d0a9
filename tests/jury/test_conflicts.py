"""Conflicts of interest: the juror's declaration, the applicant's naming, the office's decision."""

from decimal import Decimal

import pytest
from sqlalchemy import event, func, select

from qpmusic.audit.models import AuditEvent
from qpmusic.enums import (
    ApplicationStatus,
    AssignmentStatus,
    ConflictSource,
    ConflictStatus,
    ConflictType,
    Role,
    RoundKind,
    RoundStatus,
)
from qpmusic.extensions import db
from qpmusic.jury.conflicts import (
    CONFLICT_TYPE_LABELS,
    ConflictError,
    confirm_conflict,
    declare_conflict,
    dismiss_conflict,
    effective_conflicts,
    name_relationship,
    withdraw_conflict,
)
from qpmusic.jury.members import edition_conflicts
from qpmusic.jury.models import Assignment, Conflict, Score
from tests.conftest import PASSWORD
from tests.factories import (
    ApplicationFactory,
    AssignmentFactory,
    CityFactory,
    JuryMemberFactory,
    RoundFactory,
    ScoreFactory,
    UserFactory,
)


@pytest.fixture
def review():
    """A juror of Metz with a draft review (one score) of a shortlisted application."""
    metz = CityFactory(name_de="Metz", name_fr="Metz", name_en="Metz")
    member = JuryMemberFactory(city=metz, user__name="Anne Juror", user__language="en")
    assignment = AssignmentFactory(
        juror=member.user,
        round__edition=member.edition,
        status=AssignmentStatus.DRAFT,
        application__reference="QP-2030-0007",
        application__artist_name="Trio Nord",
    )
    ScoreFactory(assignment=assignment, value=Decimal("8"))
    return assignment


@pytest.fixture
def admin(auth):
    user = UserFactory(email="office@example.org", role=Role.ADMIN, language="en")
    auth.login("office@example.org")
    return user


def conflict_row(application, juror, **fields) -> Conflict:
    """A conflict straight into the table (ConflictFactory passes an ``edition`` Conflict lacks)."""
    fields = {"type": ConflictType.OTHER, "source": ConflictSource.JUROR, **fields}
    row = Conflict(
        edition_id=application.edition_id,
        application_id=application.id,
        juror_id=juror.id,
        **fields,
    )
    db.session.add(row)
    db.session.commit()
    return row


def declare(assignment, **values):
    values = {"type": ConflictType.TEACHER, "note": "Taught them.", **values}
    return declare_conflict(
        juror=assignment.juror,
        application=assignment.application,
        edition=assignment.round.edition,
        **values,
    )


def pair(assignment):
    return (assignment.juror_id, assignment.application_id)


def scores_of(assignment) -> int:
    return db.session.scalar(
        select(func.count(Score.id)).where(Score.assignment_id == assignment.id)
    )


def test_declare_conflict_counts_at_once_and_takes_the_draft_scores_out(review):
    version = review.version

    conflict = declare(review)
    db.session.commit()

    assert (conflict.source, conflict.status) == (ConflictSource.JUROR, ConflictStatus.DECLARED)
    assert effective_conflicts(review.round.edition_id) == {pair(review)}
    assert scores_of(review) == 0
    db.session.refresh(review)
    assert (review.status, review.version) == (AssignmentStatus.TODO, version + 1)
    event_ = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "conflict.declared"))
    assert event_.after["reviews_reset"] == 1


def test_declare_conflict_after_a_final_review_is_refused(review):
    review.status = AssignmentStatus.FINAL
    db.session.commit()

    with pytest.raises(ConflictError):
        declare(review)

    assert scores_of(review) == 1
    assert db.session.scalar(select(func.count(Conflict.id))) == 0


def test_declare_conflict_after_the_round_closed_is_refused(app, review):
    review.round.status = RoundStatus.CLOSED
    review.status = AssignmentStatus.FINAL
    db.session.commit()

    with pytest.raises(ConflictError) as refused:
        declare(review)

    with app.test_request_context("/?lang=en"):
        assert str(refused.value) == (
            "A conflict can only be declared while a round is open; please contact the office."
        )
    db.session.rollback()
    assert effective_conflicts(review.round.edition_id) == set()
    assert scores_of(review) == 1


def test_declare_conflict_with_a_draft_in_a_closed_round_is_refused(review):
    review.round.status = RoundStatus.CLOSED
    db.session.commit()

    with pytest.raises(ConflictError):
        declare(review)

    db.session.rollback()
    assert db.session.scalar(select(func.count(Conflict.id))) == 0
    assert scores_of(review) == 1


def test_declare_conflict_with_a_final_review_in_an_earlier_round_is_refused(app, review):
    review.round.status = RoundStatus.CLOSED
    review.status = AssignmentStatus.FINAL
    final_round = RoundFactory(edition=review.round.edition, kind=RoundKind.FINAL)
    AssignmentFactory(round=final_round, juror=review.juror, application=review.application)
    db.session.commit()

    with pytest.raises(ConflictError) as refused:
        declare(review)

    with app.test_request_context("/?lang=en"):
        assert str(refused.value).startswith(
            "You have already finalized your review of this application."
        )
    db.session.rollback()
    assert effective_conflicts(review.round.edition_id) == set()
    assert scores_of(review) == 1


def test_a_conflict_posted_after_the_round_closed_is_refused(client, auth, review):
    review.status = AssignmentStatus.FINAL
    review.round.status = RoundStatus.CLOSED
    db.session.commit()
    auth.login(review.juror.email)

    response = client.post(
        f"/jury/assignments/{review.id}/conflict?lang=en",
        data={"type": "teacher", "note": "Taught them."},
    )

    assert response.status_code == 302
    assert db.session.scalar(select(func.count(Conflict.id))) == 0
    assert effective_conflicts(review.round.edition_id) == set()
    db.session.refresh(review)
    assert (review.status, scores_of(review)) == (AssignmentStatus.FINAL, 1)


def test_declaring_twice_keeps_one_conflict_with_the_new_type_and_note(review):
    declare(review)
    declare(review, type=ConflictType.FAMILY, note="My cousin.")
    db.session.commit()

    [conflict] = db.session.scalars(select(Conflict)).all()
    assert (conflict.type, conflict.note) == (ConflictType.FAMILY, "My cousin.")


def test_applicant_named_conflict_counts_only_after_the_office_confirms(review, admin):
    conflict = name_relationship(
        application=review.application, juror=review.juror, type="ensemble", note="Same band."
    )
    db.session.commit()

    assert (conflict.source, conflict.status) == (ConflictSource.APPLICANT, ConflictStatus.DECLARED)
    assert effective_conflicts(review.round.edition_id) == set()
    assert scores_of(review) == 1

    confirm_conflict(actor=admin, conflict=conflict)
    db.session.commit()

    assert effective_conflicts(review.round.edition_id) == {pair(review)}
    assert (conflict.status, conflict.decided_by_id) == (ConflictStatus.CONFIRMED, admin.id)
    assert scores_of(review) == 0
    db.session.refresh(review)
    assert review.status == AssignmentStatus.TODO


def test_confirming_takes_out_a_finalized_review_too(review, admin):
    conflict = name_relationship(
        application=review.application, juror=review.juror, type="label", note=""
    )
    review.status = AssignmentStatus.FINAL
    db.session.commit()

    confirm_conflict(actor=admin, conflict=conflict)
    db.session.commit()

    db.session.refresh(review)
    assert (review.status, review.finalized_at, scores_of(review)) == (
        AssignmentStatus.TODO,
        None,
        0,
    )


def test_juror_declaration_makes_an_applicant_named_conflict_count(review):
    name_relationship(application=review.application, juror=review.juror, type="label", note="")
    db.session.commit()

    declare(review, type=ConflictType.ENSEMBLE, note="We played together.")
    db.session.commit()

    [conflict] = db.session.scalars(select(Conflict)).all()
    assert (conflict.source, conflict.status, conflict.type) == (
        ConflictSource.JUROR,
        ConflictStatus.DECLARED,
        ConflictType.ENSEMBLE,
    )
    assert effective_conflicts(review.round.edition_id) == {pair(review)}


def test_withdrawing_over_an_applicant_naming_gives_it_back_to_the_applicant(review):
    name_relationship(
        application=review.application, juror=review.juror, type="label", note="Same label."
    )
    db.session.commit()
    conflict = declare(review, type=ConflictType.ENSEMBLE, note="We played together.")
    db.session.commit()

    withdraw_conflict(juror=review.juror, conflict=conflict)
    db.session.commit()

    [row] = db.session.scalars(select(Conflict)).all()
    assert (row.id, row.source, row.status, row.type, row.note) == (
        conflict.id,
        ConflictSource.APPLICANT,
        ConflictStatus.DECLARED,
        ConflictType.LABEL,
        "Same label.",
    )
    assert effective_conflicts(review.round.edition_id) == set()
    event_ = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "conflict.withdrawn"))
    assert (event_.before["source"], event_.after["source"]) == ("juror", "applicant")


def test_declaring_over_a_dismissed_naming_counts_and_withdrawing_restores_the_dismissal(
    review, admin
):
    named = name_relationship(
        application=review.application, juror=review.juror, type="family", note="Cousins."
    )
    db.session.commit()
    dismiss_conflict(actor=admin, conflict=named, reason="Not related at all.")
    db.session.commit()
    decided_at = named.decided_at

    conflict = declare(review, note="Actually we are related.")
    db.session.commit()

    assert (conflict.source, conflict.status) == (ConflictSource.JUROR, ConflictStatus.DECLARED)
    assert effective_conflicts(review.round.edition_id) == {pair(review)}
    assert scores_of(review) == 0
    event_ = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "conflict.declared"))
    assert (event_.before["source"], event_.before["status"]) == ("applicant", "dismissed")

    withdraw_conflict(juror=review.juror, conflict=conflict)
    db.session.commit()

    db.session.expire_all()
    [row] = db.session.scalars(select(Conflict)).all()
    assert (row.source, row.status, row.type, row.note) == (
        ConflictSource.APPLICANT,
        ConflictStatus.DISMISSED,
        ConflictType.FAMILY,
        "Cousins.",
    )
    assert (row.decided_by_id, row.decided_at) == (admin.id, decided_at)
    assert effective_conflicts(review.round.edition_id) == set()
    [listed] = edition_conflicts(review.round.edition)
    assert listed.reason == "Not related at all."


def test_declaring_over_a_confirmed_naming_leaves_the_office_decision_alone(review, admin):
    named = name_relationship(
        application=review.application, juror=review.juror, type="family", note="Cousins."
    )
    db.session.commit()
    confirm_conflict(actor=admin, conflict=named)
    db.session.commit()

    conflict = declare(review, type=ConflictType.OTHER, note="Mine.")
    db.session.commit()

    assert conflict.id == named.id
    assert (conflict.source, conflict.status, conflict.type, conflict.note) == (
        ConflictSource.APPLICANT,
        ConflictStatus.CONFIRMED,
        ConflictType.FAMILY,
        "Cousins.",
    )
    assert effective_conflicts(review.round.edition_id) == {pair(review)}
    with pytest.raises(ConflictError):
        withdraw_conflict(juror=review.juror, conflict=conflict)
    db.session.rollback()
    assert db.session.scalar(select(func.count(Conflict.id))) == 1


def test_a_taken_over_naming_declared_again_is_still_given_back(review):
    name_relationship(application=review.application, juror=review.juror, type="label", note="")
    db.session.commit()
    declare(review)
    db.session.commit()
    conflict = declare(review, type=ConflictType.FAMILY, note="Second thoughts.")
    db.session.commit()

    withdraw_conflict(juror=review.juror, conflict=conflict)
    db.session.commit()

    db.session.expire_all()
    [row] = db.session.scalars(select(Conflict)).all()
    assert (row.source, row.status, row.type) == (
        ConflictSource.APPLICANT,
        ConflictStatus.DECLARED,
        ConflictType.LABEL,
    )


def test_dismissed_conflicts_never_count(review, admin):
    juror_declared = declare(review)
    other = AssignmentFactory(round=review.round)
    JuryMemberFactory(edition=review.round.edition, user=other.juror)
    applicant_named = name_relationship(
        application=other.application, juror=other.juror, type="family", note=""
    )
    db.session.commit()

    dismiss_conflict(actor=admin, conflict=juror_declared, reason="Only met once at a festival.")
    dismiss_conflict(actor=admin, conflict=applicant_named, reason="Not on the jury then.")
    db.session.commit()

    assert effective_conflicts(review.round.edition_id) == set()
    assert not juror_declared.is_effective
    assert not applicant_named.is_effective


def test_dismissing_without_a_reason_is_refused(review, admin):
    conflict = declare(review)
    db.session.commit()

    with pytest.raises(ConflictError):
        dismiss_conflict(actor=admin, conflict=conflict, reason="  ")

    assert conflict.status == ConflictStatus.DECLARED


def test_naming_someone_not_on_the_jury_is_refused(review):
    stranger = UserFactory(role=Role.JUROR)

    with pytest.raises(ConflictError):
        name_relationship(application=review.application, juror=stranger, type="other", note="")


def test_juror_withdraws_an_undecided_declaration_while_the_round_is_open(review):
    conflict = declare(review)
    db.session.commit()

    withdraw_conflict(juror=review.juror, conflict=conflict)
    db.session.commit()

    assert effective_conflicts(review.round.edition_id) == set()
    assert db.session.scalar(select(func.count(Conflict.id))) == 0


def test_juror_cannot_withdraw_a_confirmed_declaration(review, admin):
    conflict = declare(review)
    confirm_conflict(actor=admin, conflict=conflict)
    db.session.commit()

    with pytest.raises(ConflictError):
        withdraw_conflict(juror=review.juror, conflict=conflict)


def test_juror_cannot_withdraw_after_the_round_closed(review):
    conflict = declare(review)
    review.round.status = RoundStatus.CLOSED
    db.session.commit()

    with pytest.raises(ConflictError):
        withdraw_conflict(juror=review.juror, conflict=conflict)


def test_juror_cannot_withdraw_someone_elses_conflict(review):
    conflict = declare(review)
    db.session.commit()
    other = UserFactory(role=Role.JUROR)

    with pytest.raises(ConflictError):
        withdraw_conflict(juror=other, conflict=conflict)


def test_effective_conflicts_is_a_single_query_whatever_the_number(review):
    edition = review.round.edition
    for index in range(12):
        application = ApplicationFactory(edition=edition, status=ApplicationStatus.SHORTLISTED)
        source = ConflictSource.APPLICANT if index % 3 else ConflictSource.JUROR
        status = ConflictStatus.CONFIRMED if index % 2 else ConflictStatus.DECLARED
        conflict_row(application, review.juror, source=source, status=status)
    edition_id = edition.id
    db.session.expire_all()
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        result = effective_conflicts(edition_id)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)

    assert len(statements) == 1
    expected = {
        (c.juror_id, c.application_id)
        for c in db.session.scalars(select(Conflict))
        if c.is_effective
    }
    assert result == expected
    assert len(result) == 8


def test_conflict_type_labels_cover_every_type(app):
    assert set(CONFLICT_TYPE_LABELS) == set(ConflictType)
    with app.test_request_context("/?lang=en"):
        assert str(CONFLICT_TYPE_LABELS[ConflictType.ENSEMBLE]) == "Same ensemble or band"


# The office's page


def test_conflicts_page_lists_pending_applicant_named_ones_first(client, review, admin):
    declare(review, note="Taught them counterpoint.")
    other = AssignmentFactory(
        round=review.round, application__reference="QP-2030-0001", application__artist_name="Lux"
    )
    JuryMemberFactory(edition=review.round.edition, user=other.juror, user__name="Bruno")
    name_relationship(
        application=other.application, juror=other.juror, type="family", note="His sister."
    )
    db.session.commit()

    page = client.get(f"/admin/editions/{review.round.edition_id}/conflicts").text

    assert page.index("His sister.") < page.index("Taught them counterpoint.")
    assert "Awaits your decision" in page
    assert "QP-2030-0007" in page and "Trio Nord" in page
    assert "Metz" in page
    assert "Same ensemble or band" not in page
    assert "Family" in page and "Teacher or student" in page


def test_office_confirms_an_applicant_named_conflict_on_the_page(client, review, admin):
    conflict = name_relationship(
        application=review.application, juror=review.juror, type="family", note=""
    )
    db.session.commit()
    edition_id = review.round.edition_id

    response = client.post(f"/admin/editions/{edition_id}/conflicts/{conflict.id}/confirm")

    assert response.status_code == 302
    assert effective_conflicts(edition_id) == {pair(review)}
    assert (
        db.session.scalar(
            select(AuditEvent.actor_id).where(AuditEvent.action == "conflict.confirmed")
        )
        == admin.id
    )


def test_office_dismisses_with_a_reason_shown_on_the_page(client, review, admin):
    conflict = declare(review)
    db.session.commit()
    edition_id = review.round.edition_id
    url = f"/admin/editions/{edition_id}/conflicts/{conflict.id}/dismiss"

    refused = client.post(url, data={f"c{conflict.id}-reason": ""})
    assert refused.status_code == 400
    assert "Please give a reason for dismissing the conflict." in refused.text
    response = client.post(url, data={f"c{conflict.id}-reason": "Met once, years ago."})

    assert response.status_code == 302
    assert effective_conflicts(edition_id) == set()
    page = client.get(f"/admin/editions/{edition_id}/conflicts?lang=en").text
    assert "Met once, years ago." in page


def test_a_conflict_of_another_edition_is_not_found(client, review, admin):
    foreign = conflict_row(ApplicationFactory(), UserFactory(role=Role.JUROR))
    edition_id = review.round.edition_id

    response = client.post(f"/admin/editions/{edition_id}/conflicts/{foreign.id}/confirm")

    assert response.status_code == 404


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.JUROR])
def test_coordinators_and_jurors_get_403_on_the_office_pages(client, auth, review, role):
    conflict = declare(review)
    db.session.commit()
    UserFactory(email="staff@example.org", role=role)
    auth.login("staff@example.org")
    edition_id = review.round.edition_id

    assert client.get(f"/admin/editions/{edition_id}/conflicts").status_code == 403
    assert client.get(f"/admin/editions/{edition_id}/jury").status_code == 403
    url = f"/admin/editions/{edition_id}/conflicts/{conflict.id}/confirm"
    assert client.post(url).status_code == 403
    assert db.session.scalar(select(Assignment.status)) == AssignmentStatus.TODO
    db.session.refresh(conflict)
    assert conflict.status == ConflictStatus.DECLARED


def test_the_dismiss_form_carries_its_own_csrf_token(csrf_app, review):
    conflict = declare(review)
    db.session.commit()
    UserFactory(email="office@example.org", role=Role.ADMIN, language="en")
    client = csrf_app.test_client()
    page = client.get("/login").text
    token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    client.post(
        "/login", data={"email": "office@example.org", "password": PASSWORD, "csrf_token": token}
    )
    edition_id = review.round.edition_id
    page = client.get(f"/admin/editions/{edition_id}/conflicts").text
    name = f"c{conflict.id}-csrf_token"
    form_token = page.split(f'name="{name}" type="hidden" value="')[1].split('"')[0]
    url = f"/admin/editions/{edition_id}/conflicts/{conflict.id}/dismiss"
    data = {f"c{conflict.id}-reason": "Never met."}

    forged = client.post(url, data={**data, name: "forged"})
    response = client.post(url, data={**data, name: form_token})

    assert forged.status_code == 400
    assert response.status_code == 302
    db.session.refresh(conflict)
    assert conflict.status == ConflictStatus.DISMISSED
