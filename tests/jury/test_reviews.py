"""Scoring: drafts with a version check, the scale, finalizing, the office's reopen, conflicts."""

import threading
from decimal import Decimal

import pytest
from sqlalchemy import delete, select

from qpmusic.audit.models import AuditEvent
from qpmusic.enums import (
    ApplicationStatus,
    AssignmentStatus,
    ConflictSource,
    ConflictType,
    Role,
    RoundKind,
    RoundStatus,
)
from qpmusic.extensions import db
from qpmusic.jury import review_checks
from qpmusic.jury.models import Assignment, Conflict, Round, Score
from qpmusic.jury.reviews import ReviewError, finalize_review, reopen_review, save_draft
from qpmusic.jury.rounds import RoundError, close_round
from qpmusic.timestamps import utcnow
from tests.factories import (
    ApplicationFactory,
    AssignmentFactory,
    CriterionFactory,
    RoundFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def english(app):
    """Messages read in English, as a service called from an English page would show them."""
    with app.test_request_context("/?lang=en"):
        yield


@pytest.fixture
def jury_round():
    return RoundFactory()


@pytest.fixture
def criteria(jury_round):
    """Originality 0 to 10 in whole points (radio buttons), craft 0 to 20 in halves (a number)."""
    edition = jury_round.edition
    return [
        CriterionFactory(edition=edition, label_en="Originality", weight=Decimal("2")),
        CriterionFactory(
            edition=edition,
            label_en="Craft",
            scale_max=Decimal("20"),
            scale_step=Decimal("0.5"),
        ),
    ]


@pytest.fixture
def juror():
    return UserFactory(role=Role.JUROR, language="en", name="Claire Metz")


@pytest.fixture
def assignment(jury_round, juror, criteria):
    application = ApplicationFactory(
        edition=jury_round.edition,
        status=ApplicationStatus.SHORTLISTED,
        reference="QP-2026-0007",
    )
    return AssignmentFactory(round=jury_round, juror=juror, application=application)


def in_conflict(juror, application) -> Conflict:
    """Declared by the juror, so in force (ConflictFactory passes an ``edition`` Conflict lacks)."""
    conflict = Conflict(
        edition_id=application.edition_id,
        juror_id=juror.id,
        application_id=application.id,
        type=ConflictType.FAMILY,
        source=ConflictSource.JUROR,
    )
    db.session.add(conflict)
    db.session.commit()
    return conflict


def reload(assignment) -> Assignment:
    db.session.expire_all()
    return db.session.get(Assignment, assignment.id)


def values(criteria, *numbers):
    return {c.id: None if n is None else Decimal(n) for c, n in zip(criteria, numbers, strict=True)}


def draft(assignment, criteria, *numbers, version=None, **fields):
    save_draft(
        assignment=assignment,
        version=assignment.version if version is None else version,
        values=values(criteria, *numbers),
        **fields,
    )
    db.session.commit()
    return reload(assignment)


def refusal(call, **kwargs) -> ReviewError:
    with pytest.raises(ReviewError) as caught:
        call(**kwargs)
    db.session.rollback()
    return caught.value


# --- services ---------------------------------------------------------------------------------


def test_save_draft_stores_scores_and_comments_and_bumps_the_version(assignment, criteria):
    saved = draft(
        assignment,
        criteria,
        "7",
        "3.5",
        comments={criteria[0].id: "Bold form."},
        comment="A strong application.",
    )

    assert saved.status == AssignmentStatus.DRAFT
    assert saved.version == 2
    assert saved.saved_at is not None
    assert saved.comment == "A strong application."
    scores = {s.criterion_id: (s.value, s.comment) for s in saved.scores}
    assert scores == {
        criteria[0].id: (Decimal("7.00"), "Bold form."),
        criteria[1].id: (Decimal("3.50"), ""),
    }


def test_a_draft_may_leave_a_criterion_empty(assignment, criteria):
    saved = draft(assignment, criteria, "7", None)

    assert {s.criterion_id: s.value for s in saved.scores} == {
        criteria[0].id: Decimal("7.00"),
        criteria[1].id: None,
    }


def test_a_second_tab_saving_with_the_same_version_is_refused_as_stale(assignment, criteria):
    first_tab_version = second_tab_version = assignment.version
    draft(assignment, criteria, "7", "3", version=first_tab_version)

    error = refusal(
        save_draft,
        assignment=reload(assignment),
        version=second_tab_version,
        values=values(criteria, "2", "1"),
    )

    assert error.code == "stale"
    assert str(error).startswith("This review was changed in another tab or on another device at ")
    assert str(error).endswith("Reload to see the latest version; your text is kept below.")
    kept = reload(assignment)
    assert kept.version == 2
    assert {s.criterion_id: s.value for s in kept.scores}[criteria[0].id] == Decimal("7.00")


@pytest.mark.parametrize(
    ("originality", "craft", "code_name"),
    [("11", "3", 0), ("-1", "3", 0), ("7", "20.5", 1), ("7", "2.25", 1), ("7.5", "3", 0)],
    ids=["above", "below", "above-halves", "off-step", "half-on-whole-scale"],
)
def test_a_value_outside_the_scale_or_off_its_step_is_refused(
    assignment, criteria, originality, craft, code_name
):
    error = refusal(
        save_draft,
        assignment=assignment,
        version=1,
        values=values(criteria, originality, craft),
    )

    assert error.code == "invalid"
    assert error.criterion_id == criteria[code_name].id
    assert reload(assignment).version == 1
    assert db.session.scalars(select(Score)).all() == []


def test_scale_messages_name_the_bounds_and_the_step(assignment, criteria):
    outside = refusal(
        save_draft, assignment=assignment, version=1, values=values(criteria, "11", None)
    )
    off_step = refusal(
        save_draft, assignment=assignment, version=1, values=values(criteria, None, "2.2")
    )

    assert str(outside) == "A score must lie between 0 and 10."
    assert str(off_step) == "A score must be 0 plus a multiple of 0.5."


def test_a_criterion_of_another_edition_is_refused(assignment, criteria):
    stranger = CriterionFactory()

    error = refusal(
        save_draft, assignment=assignment, version=1, values={stranger.id: Decimal("5")}
    )

    assert error.code == "invalid"


def test_finalize_needs_every_criterion_scored(assignment, criteria):
    saved = draft(assignment, criteria, "7", None)

    error = refusal(finalize_review, assignment=saved, version=saved.version)

    assert error.code == "incomplete"
    assert str(error) == "Give a score for every criterion (1 missing)."
    assert reload(assignment).status == AssignmentStatus.DRAFT


def test_a_final_review_cannot_change_until_the_office_reopens_it(assignment, criteria):
    saved = draft(assignment, criteria, "7", "3")
    finalize_review(assignment=saved, version=saved.version)
    db.session.commit()
    final = reload(assignment)
    assert final.status == AssignmentStatus.FINAL
    assert final.finalized_at is not None

    error = refusal(
        save_draft, assignment=final, version=final.version, values=values(criteria, "1", "1")
    )
    assert error.code == "final"

    admin = UserFactory(role=Role.ADMIN)
    reopen_review(actor=admin, assignment=final, reason="Score given to the wrong application.")
    db.session.commit()
    reopened = reload(assignment)
    assert reopened.status == AssignmentStatus.DRAFT
    assert reopened.finalized_at is None

    changed = draft(reopened, criteria, "1", "1")
    assert {s.criterion_id: s.value for s in changed.scores}[criteria[0].id] == Decimal("1.00")
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "assignment.reopened")
    ).one()
    assert event.actor_id == admin.id
    assert event.after["reason"] == "Score given to the wrong application."


def test_only_an_admin_reopens_a_review(assignment, criteria, juror):
    saved = draft(assignment, criteria, "7", "3")
    finalize_review(assignment=saved, version=saved.version)
    db.session.commit()

    error = refusal(reopen_review, actor=juror, assignment=reload(assignment), reason="Oops")

    assert error.code == "forbidden"
    assert reload(assignment).status == AssignmentStatus.FINAL


def test_finalizing_twice_changes_nothing_the_second_time(assignment, criteria):
    saved = draft(assignment, criteria, "7", "3")
    version = saved.version
    finalize_review(assignment=saved, version=version)
    db.session.commit()

    again = finalize_review(assignment=reload(assignment), version=version)
    db.session.commit()

    assert again.status == AssignmentStatus.FINAL
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "assignment.finalized")
    ).all()
    assert len(events) == 1


def test_a_conflicted_juror_cannot_score(assignment, criteria, juror):
    in_conflict(juror, assignment.application)

    error = refusal(save_draft, assignment=assignment, version=1, values=values(criteria, "7", "3"))

    assert error.code == "conflict"
    assert db.session.scalars(select(Score)).all() == []


def test_nothing_is_saved_once_the_round_is_closed(assignment, criteria, jury_round):
    jury_round.status = RoundStatus.CLOSED
    db.session.commit()

    error = refusal(save_draft, assignment=assignment, version=1, values=values(criteria, "7", "3"))

    assert error.code == "closed"


def test_a_review_of_a_closed_round_is_not_reopened(assignment, criteria, jury_round):
    saved = draft(assignment, criteria, "7", "3")
    finalize_review(assignment=saved, version=saved.version)
    jury_round.status = RoundStatus.CLOSED
    db.session.commit()

    error = refusal(
        reopen_review,
        actor=UserFactory(role=Role.ADMIN),
        assignment=reload(assignment),
        reason="The juror asked for it.",
    )

    assert (error.code, str(error)) == ("closed", "Reopen the round first.")
    assert reload(assignment).status == AssignmentStatus.FINAL


def test_a_save_after_the_round_was_closed_elsewhere_is_refused(
    app, assignment, criteria, jury_round
):
    assert assignment.round.is_open  # as this request loaded it, before the office closes it

    def close_elsewhere():
        with app.test_request_context("/?lang=en"):
            close_round(round_=db.session.get(Round, jury_round.id), actor=None, now=utcnow())
            db.session.commit()

    thread = threading.Thread(target=close_elsewhere)
    thread.start()
    thread.join(timeout=30)

    error = refusal(save_draft, assignment=assignment, version=1, values=values(criteria, "7", "3"))

    assert error.code == "closed"
    assert db.session.scalars(select(Score)).all() == []


def test_closing_waits_for_a_save_under_way_and_counts_its_draft(
    app, assignment, criteria, jury_round
):
    save_draft(assignment=assignment, version=1, values=values(criteria, "7", None))  # uncommitted
    outcome = []

    def close_elsewhere():
        with app.test_request_context("/?lang=en"):
            try:
                close_round(round_=db.session.get(Round, jury_round.id), actor=None, now=utcnow())
                db.session.commit()
                outcome.append("closed")
            except RoundError as error:
                db.session.rollback()
                outcome.append(str(error))

    thread = threading.Thread(target=close_elsewhere)
    thread.start()
    thread.join(timeout=1)
    waiting = thread.is_alive()
    db.session.commit()
    thread.join(timeout=30)

    assert waiting
    assert outcome == [
        "1 review is still a draft. Tick “Close anyway” to close the round all the same."
    ]


def test_a_save_on_a_row_a_rebuild_removed_meanwhile_is_refused(assignment, criteria):
    loaded = db.session.get(Assignment, assignment.id)
    with db.engine.begin() as elsewhere:
        elsewhere.execute(delete(Assignment).where(Assignment.id == assignment.id))

    error = refusal(save_draft, assignment=loaded, version=1, values=values(criteria, "7", "3"))

    assert error.code == "gone"
    assert db.session.scalars(select(Score)).all() == []


def test_a_preselection_vote_is_not_saved_as_a_review():
    round_ = RoundFactory(kind=RoundKind.PRESELECTION)
    coordinator = UserFactory(role=Role.COORDINATOR, language="en")
    application = ApplicationFactory(edition=round_.edition, status=ApplicationStatus.ELIGIBLE)
    assignment = AssignmentFactory(round=round_, juror=coordinator, application=application)

    error = refusal(save_draft, assignment=assignment, version=1, values={}, comment="Fresh.")

    assert error.code == "preselection"
    untouched = reload(assignment)
    assert (untouched.status, untouched.version) == (AssignmentStatus.TODO, 1)


def test_value_problem_tells_outside_from_off_step():
    scale = {"scale_min": Decimal("1"), "scale_max": Decimal("4"), "scale_step": Decimal("0.5")}

    assert review_checks.value_problem(Decimal("2.5"), **scale) is None
    assert review_checks.value_problem(Decimal("4"), **scale) is None
    assert review_checks.value_problem(Decimal("0.5"), **scale) == "outside"
    assert review_checks.value_problem(Decimal("2.2"), **scale) == "off_step"
    assert review_checks.value_problem(Decimal("NaN"), **scale) == "outside"


# --- pages and endpoints ----------------------------------------------------------------------


@pytest.fixture
def as_juror(client, auth, juror):
    auth.login(juror.email)
    return client


def form(criteria, *numbers, version, action="save", **extra):
    data = {"version": str(version), "action": action, **extra}
    for criterion, number in zip(criteria, numbers, strict=True):
        data[f"score-{criterion.id}"] = number
    return data


def test_autosave_answers_the_new_version_and_the_time_saved(as_juror, assignment, criteria):
    response = as_juror.post(
        f"/jury/assignments/{assignment.id}/autosave",
        data=form(criteria, "7", "", version=1, comment="Draft thought."),
    )

    assert response.status_code == 200
    answer = response.get_json()
    assert answer["version"] == 2
    assert answer["message"].startswith("Saved at ")
    saved = reload(assignment)
    assert saved.comment == "Draft thought."


def test_autosave_from_a_stale_tab_is_409_and_gives_the_typed_text_back(
    as_juror, assignment, criteria
):
    url = f"/jury/assignments/{assignment.id}/autosave"
    as_juror.post(url, data=form(criteria, "7", "3", version=1, comment="From tab one."))

    response = as_juror.post(url, data=form(criteria, "2", "1", version=1, comment="Tab two."))

    assert response.status_code == 409
    answer = response.get_json()
    assert answer["code"] == "stale"
    assert "changed in another tab or on another device" in answer["message"]
    assert answer["typed"]["comment"] == "Tab two."
    assert answer["typed"][f"score-{criteria[0].id}"] == "2"
    assert reload(assignment).comment == "From tab one."


def test_autosave_of_an_out_of_scale_value_is_422_naming_the_criterion(
    as_juror, assignment, criteria
):
    response = as_juror.post(
        f"/jury/assignments/{assignment.id}/autosave",
        data=form(criteria, "12", "", version=1),
    )

    assert response.status_code == 422
    assert response.get_json()["criterion_id"] == criteria[0].id
    assert response.get_json()["message"] == "A score must lie between 0 and 10."


def test_without_javascript_save_then_finalize_post_and_redirect(as_juror, assignment, criteria):
    url = f"/jury/assignments/{assignment.id}/review"
    saved = as_juror.post(url, data=form(criteria, "7", "", version=1))
    assert saved.status_code == 302
    assert saved.headers["Location"] == f"/jury/assignments/{assignment.id}"

    finalized = as_juror.post(url, data=form(criteria, "8", "4,5", version=2, action="finalize"))

    assert finalized.status_code == 302
    final = reload(assignment)
    assert final.status == AssignmentStatus.FINAL
    assert sorted(s.value for s in final.scores) == [Decimal("4.50"), Decimal("8.00")]
    page = as_juror.get(f"/jury/assignments/{assignment.id}").get_data(as_text=True)
    assert "Your review is final. Thank you!" in page
    assert 'class="review-form"' not in page


def test_a_double_click_on_finalize_is_harmless(as_juror, assignment, criteria):
    url = f"/jury/assignments/{assignment.id}/review"
    data = form(criteria, "8", "4,0", version=1, action="finalize", comment="Done.\r\n")

    first = as_juror.post(url, data=data)
    second = as_juror.post(url, data=data)

    assert (first.status_code, second.status_code) == (302, 302)
    assert reload(assignment).status == AssignmentStatus.FINAL
    page = as_juror.get(f"/jury/assignments/{assignment.id}").get_data(as_text=True)
    assert "Your review is final." in page


def test_finalizing_again_with_a_number_too_large_to_write_out_is_refused(
    as_juror, assignment, criteria
):
    url = f"/jury/assignments/{assignment.id}/review"
    as_juror.post(url, data=form(criteria, "8", "4", version=1, action="finalize"))

    again = as_juror.post(url, data=form(criteria, "1e10000000", "4", version=1, action="finalize"))

    assert again.status_code == 409
    assert [s.value for s in reload(assignment).scores] == [Decimal("8.00"), Decimal("4.00")]


def test_finalizing_other_text_from_a_second_tab_keeps_that_text(as_juror, assignment, criteria):
    url = f"/jury/assignments/{assignment.id}/review"
    first_tab = form(criteria, "8", "4", version=1, action="finalize", comment="Tab one.")
    second_tab = form(criteria, "8", "5", version=1, action="finalize", comment="Tab two, longer.")

    first = as_juror.post(url, data=first_tab)
    second = as_juror.post(url, data=second_tab)

    assert (first.status_code, second.status_code) == (302, 409)
    page = second.get_data(as_text=True)
    assert "This review is final. Ask the office to reopen it if you need to change it." in page
    assert '<dd class="prose">Tab two, longer.</dd>' in page
    assert '<dd class="prose">5</dd>' in page
    final = reload(assignment)
    assert (final.status, final.comment) == (AssignmentStatus.FINAL, "Tab one.")


def test_the_admin_cannot_reopen_a_preselection_vote_here(client, auth):
    round_ = RoundFactory(kind=RoundKind.PRESELECTION)
    vote = AssignmentFactory(
        round=round_,
        juror=UserFactory(role=Role.COORDINATOR),
        application=ApplicationFactory(edition=round_.edition, status=ApplicationStatus.ELIGIBLE),
        status=AssignmentStatus.FINAL,
    )
    auth.login(UserFactory(role=Role.ADMIN).email)

    response = client.post(f"/admin/assignments/{vote.id}/reopen", data={"reason": "Redo."})

    assert response.status_code == 404
    assert reload(vote).status == AssignmentStatus.FINAL


def test_finalize_with_a_score_missing_keeps_the_draft_and_says_why(as_juror, assignment, criteria):
    url = f"/jury/assignments/{assignment.id}/review"

    response = as_juror.post(url, data=form(criteria, "8", "", version=1, action="finalize"))

    assert response.status_code == 302
    kept = reload(assignment)
    assert kept.status == AssignmentStatus.DRAFT
    page = as_juror.get(f"/jury/assignments/{assignment.id}").get_data(as_text=True)
    assert "Give a score for every criterion (1 missing)." in page


def test_a_stale_post_without_javascript_shows_the_latest_and_keeps_the_typed_text(
    as_juror, assignment, criteria
):
    url = f"/jury/assignments/{assignment.id}/review"
    as_juror.post(url, data=form(criteria, "7", "", version=1, comment="Saved on the laptop."))

    response = as_juror.post(
        url, data=form(criteria, "3", "", version=1, comment="Typed on the phone.")
    )

    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "This review was changed in another tab or on another device at" in page
    assert "Typed on the phone." in page
    assert '<textarea id="review-comment" name="comment" rows="5">Saved on the laptop.' in page
    assert 'name="version" value="2"' in page


def test_a_typo_in_a_number_comes_back_in_the_form_with_a_message(as_juror, assignment, criteria):
    response = as_juror.post(
        f"/jury/assignments/{assignment.id}/review",
        data=form(criteria, "7", "four", version=1, comment="Kept."),
    )

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Enter a number." in page
    assert 'value="four"' in page
    assert reload(assignment).version == 1


def test_a_conflicted_juror_sees_no_form_and_a_post_is_refused(
    as_juror, assignment, criteria, juror
):
    in_conflict(juror, assignment.application)

    page = as_juror.get(f"/jury/assignments/{assignment.id}").get_data(as_text=True)
    response = as_juror.post(
        f"/jury/assignments/{assignment.id}/review", data=form(criteria, "7", "3", version=1)
    )

    assert "You have a conflict of interest with this application" in page
    assert 'class="review-form"' not in page
    assert response.status_code == 409
    assert db.session.scalars(select(Score)).all() == []


def test_the_admin_reopens_a_final_review_from_its_route(client, auth, assignment, criteria):
    saved = draft(assignment, criteria, "7", "3")
    finalize_review(assignment=saved, version=saved.version)
    db.session.commit()
    auth.login(UserFactory(role=Role.ADMIN).email)

    refused = client.post(f"/admin/assignments/{assignment.id}/reopen", data={"reason": ""})
    response = client.post(
        f"/admin/assignments/{assignment.id}/reopen",
        data={"reason": "The juror asked for it.", "next": "/jury/"},
    )

    assert refused.status_code == 302
    assert response.status_code == 302
    assert response.headers["Location"] == "/jury/"
    assert reload(assignment).status == AssignmentStatus.DRAFT


@pytest.mark.parametrize("role", [Role.JUROR, Role.COORDINATOR])
def test_only_admins_may_use_the_reopen_route(client, auth, assignment, criteria, role):
    saved = draft(assignment, criteria, "7", "3")
    finalize_review(assignment=saved, version=saved.version)
    db.session.commit()
    auth.login(UserFactory(role=role).email)

    response = client.post(f"/admin/assignments/{assignment.id}/reopen", data={"reason": "x"})

    assert response.status_code == 403
    assert reload(assignment).status == AssignmentStatus.FINAL
