"""The reviewer's pages: their list, one application with the review form, the office's reopen.

Only an assignment's own reviewer reaches it; anyone else gets 404, other jurors included.
Pre-selection votes are cast on the screening page, so its assignments redirect there.
Listening, conflicts and the deliberation are in ``juror_actions`` (same blueprint).
"""

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import format_time, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from qpmusic.accounts.guards import role_required
from qpmusic.accounts.views import safe_next
from qpmusic.enums import Role, RoundKind
from qpmusic.extensions import db
from qpmusic.jury import conflicts, juror_pages, reviews
from qpmusic.jury.deliberation import deliberation, may_deliberate_on_own
from qpmusic.jury.models import Assignment, Round
from qpmusic.jury.review_forms import (
    RECOMMENDATION_LABELS,
    MessageForm,
    ReopenForm,
    plain_number,
    read_review,
    scale_points,
)
from qpmusic.results.ballot_roll import open_ballots_of_juror

bp = Blueprint("jury", __name__)

reviewers_only = role_required(Role.JUROR, Role.COORDINATOR)


def me():
    return current_user._get_current_object()


def own_or_404(assignment_id: int) -> Assignment:
    return juror_pages.own_assignment(me(), assignment_id) or abort(404)


def review_or_404(assignment_id: int) -> Assignment:
    """The reviewer's own jury-round assignment: pre-selection is not reviewed here."""
    assignment = own_or_404(assignment_id)
    if reviews.is_preselection(assignment):
        abort(404)
    return assignment


def _back(assignment: Assignment):
    return redirect(url_for("jury.assignment", assignment_id=assignment.id))


def next_or(endpoint: str, **values) -> str:
    """Where a small form sends the reviewer back: its ``next`` (same site only), else a page."""
    return safe_next(request.form.get("next")) or url_for(endpoint, **values)


def criteria_of(round_: Round) -> list:
    """The criteria a round scores: none in pre-selection (a vote with a comment)."""
    return [] if round_.kind == RoundKind.PRESELECTION else round_.edition.criteria


def votes_url(assignment: Assignment) -> str:
    return url_for("screening.detail", application_id=assignment.application_id) + "#votes-title"


@bp.route("/jury/")
@reviewers_only
def index():
    return render_template(
        "jury/index.html",
        rounds=juror_pages.reviewer_rounds(me()),
        ballots=open_ballots_of_juror(me().id),
        conflict_labels=conflicts.CONFLICT_TYPE_LABELS,
    )


def render_assignment(
    assignment: Assignment, *, typed=None, kept=None, error=None, field_errors=None, status=200
):
    """The page. After a refused save nothing typed is lost: a value to correct comes back
    in the form (``typed``); text refused as a whole (stale page, final review) is shown
    below the form to copy (``kept``), while the form holds the latest saved version.
    """
    round_ = assignment.round
    conflict = juror_pages.conflict_of(assignment)
    conflicted = conflict is not None and conflict.is_effective
    shared = None
    if may_deliberate_on_own(me(), assignment, conflicted=conflicted):
        shared = deliberation(round_, assignment.application_id, viewer_id=me().id)
    page = render_template(
        "jury/assignment.html",
        assignment=assignment,
        application=assignment.application,
        round=round_,
        edition=round_.edition,
        blind=not juror_pages.sees_names(me(), round_.edition),
        criteria=criteria_of(round_),
        language=str(get_locale()),
        fields=typed if typed is not None else juror_pages.saved_fields(assignment),
        kept=kept,
        error=error,
        field_errors=field_errors or {},
        conflict=conflict if conflicted else None,
        conflict_labels=conflicts.CONFLICT_TYPE_LABELS,
        editable=round_.is_open and not assignment.is_final and not conflicted,
        coverage=juror_pages.coverage_by_work(assignment),
        recommendation_labels=RECOMMENDATION_LABELS,
        deliberation=shared,
        message_form=MessageForm(),
    )
    return page, status


@bp.route("/jury/assignments/<int:assignment_id>")
@login_required
def assignment(assignment_id):
    assignment = own_or_404(assignment_id)
    if reviews.is_preselection(assignment):
        return redirect(votes_url(assignment))
    return render_assignment(assignment)


# Refusals of the whole save (not of one value): the page the reviewer typed on is out of date.
REFUSED_WHOLE = frozenset({"stale", "final", "closed", "conflict"})


def _apply(assignment: Assignment, review):
    return reviews.save_draft(
        assignment=assignment,
        version=review.version,
        values=review.values,
        comments=review.comments,
        comment=review.comment,
    )


def _refused_post(assignment_id: int, review, error: reviews.ReviewError, *, finalize: bool):
    """The answer to a refused save: the page again, with the typed text kept or to correct."""
    db.session.rollback()
    if error.code == "gone":
        abort(404)  # a rebuild took the application off the reviewer's list meanwhile
    fresh = review_or_404(assignment_id)
    if finalize and error.code == "final" and juror_pages.matches_saved(review.typed, fresh):
        # A second click on "Finalize" (or another tab finalizing the same text): nothing lost.
        flash(_("Your review is final."), "success")
        return _back(fresh)
    if error.code in REFUSED_WHOLE:
        return render_assignment(fresh, kept=review.typed, error=str(error), status=409)
    return render_assignment(
        fresh,
        typed=review.typed,
        error=str(error),
        field_errors={error.criterion_id: str(error)} if error.criterion_id else {},
        status=422,
    )


@bp.route("/jury/assignments/<int:assignment_id>/review", methods=["POST"])
@login_required
def save_review(assignment_id):
    """The form without JavaScript: "Save draft" or "Finalize", then back to the page."""
    assignment = review_or_404(assignment_id)
    review = read_review(request.form, [c.id for c in criteria_of(assignment.round)])
    if review.errors:
        return render_assignment(
            assignment,
            typed=review.typed,
            error=_("Please correct the marked fields."),
            field_errors=review.errors,
            status=422,
        )
    finalize = review.action == "finalize"
    try:
        _apply(assignment, review)
    except reviews.ReviewError as error:
        return _refused_post(assignment_id, review, error, finalize=finalize)
    if finalize:
        try:
            reviews.finalize_review(assignment=assignment, version=assignment.version)
        except reviews.ReviewError as error:
            db.session.commit()  # the draft is kept; only finalizing waits
            flash(str(error), "error")
            return _back(assignment)
        db.session.commit()
        flash(_("Your review is final. Thank you!"), "success")
        return _back(assignment)
    db.session.commit()
    flash(_("Your draft has been saved."), "success")
    return _back(assignment)


def _saved_label(assignment: Assignment) -> str:
    return _("Saved at %(time)s", time=format_time(assignment.saved_at, "short"))


@bp.route("/jury/assignments/<int:assignment_id>/autosave", methods=["POST"])
@login_required
def autosave(assignment_id):
    """The page's script saves the draft while the reviewer types; JSON in both directions."""
    assignment = review_or_404(assignment_id)
    review = read_review(request.form, [c.id for c in criteria_of(assignment.round)])
    if review.errors:
        criterion_id, message = next(iter(review.errors.items()))
        return jsonify(
            code="invalid", message=message, criterion_id=criterion_id, typed=review.typed
        ), 422
    try:
        _apply(assignment, review)
    except reviews.ReviewError as error:
        db.session.rollback()
        if error.code == "gone":
            return jsonify(code="gone", message=str(error), typed=review.typed), 404
        status = 409 if error.code in REFUSED_WHOLE else 422
        return jsonify(
            code=error.code,
            message=str(error),
            criterion_id=error.criterion_id,
            typed=review.typed,
        ), status
    db.session.commit()
    return jsonify(
        version=assignment.version,
        saved_at=assignment.saved_at.isoformat(),
        message=_saved_label(assignment),
    )


bp.add_app_template_global(scale_points, "scale_points")
bp.add_app_template_global(plain_number, "plain_number")


@bp.route("/admin/assignments/<int:assignment_id>/reopen", methods=["POST"])
@role_required(Role.ADMIN)
def reopen(assignment_id):
    """The office sends a final review back to its juror as a draft."""
    assignment = db.session.get(Assignment, assignment_id) or abort(404)
    if reviews.is_preselection(assignment):
        abort(404)  # a pre-selection vote is changed on the screening page, never a draft
    form = ReopenForm()
    target = next_or("jury_office.progress", round_id=assignment.round_id)
    if not form.validate_on_submit():
        flash(_("Please give a reason for reopening the review."), "error")
        return redirect(target)
    try:
        reviews.reopen_review(actor=me(), assignment=assignment, reason=form.reason.data)
    except reviews.ReviewError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(target)
    db.session.commit()
    flash(_("The review is open again for its juror."), "success")
    return redirect(target)


# The listening, conflict and deliberation routes attach to ``bp``: imported last, so that they
# are on the blueprint before create_app registers it.
from qpmusic.jury import juror_actions  # noqa: E402, F401
