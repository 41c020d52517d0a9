"""The reviewer's pages: their list, one application with the review form, listening, conflicts.

Only an assignment's own reviewer reaches it; anyone else gets 404, other jurors included.
"""

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import format_time, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from qpmusic.accounts.guards import role_required
from qpmusic.accounts.views import safe_next
from qpmusic.applications.models import Application, Work
from qpmusic.enums import Role
from qpmusic.extensions import db
from qpmusic.jury import conflicts, juror_pages, listening, reviews
from qpmusic.jury.deliberation import (
    DeliberationError,
    add_comment,
    deliberation,
    may_deliberate,
)
from qpmusic.jury.models import Assignment, Round
from qpmusic.jury.review_forms import (
    RECOMMENDATION_LABELS,
    ConflictForm,
    MessageForm,
    ReopenForm,
    plain_number,
    read_review,
    scale_points,
)
from qpmusic.media.display import clock
from qpmusic.media.models import MediaFile

bp = Blueprint("jury", __name__)

reviewers_only = role_required(Role.JUROR, Role.COORDINATOR)


def _me():
    return current_user._get_current_object()


def _own_or_404(assignment_id: int) -> Assignment:
    return juror_pages.own_assignment(_me(), assignment_id) or abort(404)


def _back(assignment: Assignment):
    return redirect(url_for("jury.assignment", assignment_id=assignment.id))


def _next_or(endpoint: str, **values) -> str:
    """Where a small form sends the reviewer back: its ``next`` (same site only), else a page."""
    return safe_next(request.form.get("next")) or url_for(endpoint, **values)


@bp.route("/jury/")
@reviewers_only
def index():
    return render_template(
        "jury/index.html",
        rounds=juror_pages.reviewer_rounds(_me()),
        conflict_labels=conflicts.CONFLICT_TYPE_LABELS,
    )


def _criteria(assignment: Assignment) -> list:
    return [] if reviews.is_preselection(assignment) else assignment.round.edition.criteria


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
    if may_deliberate(_me(), round_, assignment.application_id):
        shared = deliberation(round_, assignment.application_id, viewer_id=_me().id)
    page = render_template(
        "jury/assignment.html",
        assignment=assignment,
        application=assignment.application,
        round=round_,
        edition=round_.edition,
        blind=not juror_pages.sees_names(_me(), round_.edition),
        criteria=_criteria(assignment),
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
    return render_assignment(_own_or_404(assignment_id))


# Refusals of the whole save (not of one value): the page the reviewer typed on is out of date.
REFUSED_WHOLE = frozenset({"stale", "final", "closed", "conflict"})


def _apply(assignment: Assignment, review):
    return reviews.save_draft(
        assignment=assignment,
        version=review.version,
        values=review.values,
        comments=review.comments,
        comment=review.comment,
        recommendation=review.recommendation,
    )


@bp.route("/jury/assignments/<int:assignment_id>/review", methods=["POST"])
@login_required
def save_review(assignment_id):
    """The form without JavaScript: "Save draft" or "Finalize", then back to the page."""
    assignment = _own_or_404(assignment_id)
    review = read_review(request.form, [c.id for c in _criteria(assignment)])
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
        if finalize and error.code == "final":
            flash(_("Your review is final."), "success")  # a second click on "Finalize"
            return _back(assignment)
        db.session.rollback()
        fresh = _own_or_404(assignment_id)
        if error.code in REFUSED_WHOLE:
            return render_assignment(fresh, kept=review.typed, error=str(error), status=409)
        return render_assignment(
            fresh,
            typed=review.typed,
            error=str(error),
            field_errors={error.criterion_id: str(error)} if error.criterion_id else {},
            status=422,
        )
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
    assignment = _own_or_404(assignment_id)
    review = read_review(request.form, [c.id for c in _criteria(assignment)])
    if review.errors:
        criterion_id, message = next(iter(review.errors.items()))
        return jsonify(
            code="invalid", message=message, criterion_id=criterion_id, typed=review.typed
        ), 422
    try:
        _apply(assignment, review)
    except reviews.ReviewError as error:
        db.session.rollback()
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


@bp.route("/jury/assignments/<int:assignment_id>/listening", methods=["POST"])
@login_required
def report_listening(assignment_id):
    """The player's report: the ranges of one file played since the page loaded."""
    assignment = _own_or_404(assignment_id)
    payload = request.get_json(silent=True) or request.form
    ranges = payload.get("ranges")
    if isinstance(ranges, str):
        ranges = listening.parse_ranges(ranges)
    if not isinstance(ranges, list):
        return jsonify(code="bad_request"), 400
    media = db.session.scalar(
        select(MediaFile)
        .join(Work, MediaFile.work_id == Work.id)
        .where(
            MediaFile.public_id == str(payload.get("media", "")),
            Work.application_id == assignment.application_id,
        )
    )
    if media is None or not listening.playable(media):
        abort(404)
    if reviews.is_conflicted(assignment):
        return jsonify(code="conflict"), 409
    listened = listening.record_listening(assignment=assignment, media=media, ranges=ranges)
    db.session.commit()
    coverage = juror_pages.coverage_by_work(assignment).get(media.work_id)
    return jsonify(
        heard=listened.heard_seconds,
        work_id=media.work_id,
        label=coverage_label(coverage) if coverage else "",
    )


def coverage_label(coverage) -> str:
    return _(
        "You have heard %(heard)s of %(total)s (%(share)s %%).",
        heard=clock(coverage.heard),
        total=clock(coverage.duration),
        share=int(coverage.share * 100),
    )


bp.add_app_template_global(coverage_label, "coverage_label")
bp.add_app_template_global(scale_points, "scale_points")
bp.add_app_template_global(plain_number, "plain_number")


@bp.route("/jury/assignments/<int:assignment_id>/conflict", methods=["POST"])
@login_required
def declare_conflict(assignment_id):
    assignment = _own_or_404(assignment_id)
    form = ConflictForm()
    target = _next_or("jury.assignment", assignment_id=assignment.id)
    if not form.validate_on_submit():
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
        return redirect(target)
    try:
        conflicts.declare_conflict(
            juror=_me(),
            application=assignment.application,
            edition=assignment.round.edition,
            type=form.type.data,
            note=form.note.data,
        )
    except conflicts.ConflictError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(target)
    db.session.commit()
    flash(_("Your conflict has been recorded. You will not score this application."), "success")
    return redirect(target)


@bp.route("/jury/assignments/<int:assignment_id>/conflict/withdraw", methods=["POST"])
@login_required
def withdraw_conflict(assignment_id):
    assignment = _own_or_404(assignment_id)
    target = _next_or("jury.assignment", assignment_id=assignment.id)
    conflict = juror_pages.conflict_of(assignment) or abort(404)
    try:
        conflicts.withdraw_conflict(juror=_me(), conflict=conflict)
    except conflicts.ConflictError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(target)
    db.session.commit()
    flash(_("Your conflict has been withdrawn."), "success")
    return redirect(target)


def _deliberation_or_404(round_id: int, application_id: int):
    round_ = db.session.get(Round, round_id) or abort(404)
    application = db.session.get(Application, application_id) or abort(404)
    if application.edition_id != round_.edition_id:
        abort(404)
    if not may_deliberate(_me(), round_, application.id):
        abort(404)
    return round_, application


@bp.route("/jury/rounds/<int:round_id>/applications/<int:application_id>")
@login_required
def deliberation_page(round_id, application_id):
    """The office's view of one application's deliberation (jurors see it on their page)."""
    round_, application = _deliberation_or_404(round_id, application_id)
    return render_template(
        "jury/deliberation.html",
        round=round_,
        application=application,
        edition=round_.edition,
        blind=not juror_pages.sees_names(_me(), round_.edition),
        criteria=round_.edition.criteria,
        language=str(get_locale()),
        deliberation=deliberation(round_, application.id, viewer_id=None),
        recommendation_labels=RECOMMENDATION_LABELS,
        message_form=MessageForm(),
    )


@bp.route(
    "/jury/rounds/<int:round_id>/applications/<int:application_id>/messages", methods=["POST"]
)
@login_required
def post_message(round_id, application_id):
    round_, application = _deliberation_or_404(round_id, application_id)
    form = MessageForm()
    target = _next_or("jury.deliberation_page", round_id=round_.id, application_id=application.id)
    if not form.validate_on_submit():
        flash(_("Please write a message."), "error")
        return redirect(target)
    try:
        add_comment(round_=round_, application=application, author=_me(), body=form.body.data)
    except DeliberationError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(target)
    db.session.commit()
    flash(_("Your message has been added."), "success")
    return redirect(target)


@bp.route("/admin/assignments/<int:assignment_id>/reopen", methods=["POST"])
@role_required(Role.ADMIN)
def reopen(assignment_id):
    """The office sends a final review back to its juror as a draft."""
    assignment = db.session.get(Assignment, assignment_id) or abort(404)
    form = ReopenForm()
    target = _next_or("jury_office.progress", round_id=assignment.round_id)
    if not form.validate_on_submit():
        flash(_("Please give a reason for reopening the review."), "error")
        return redirect(target)
    try:
        reviews.reopen_review(actor=_me(), assignment=assignment, reason=form.reason.data)
    except reviews.ReviewError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(target)
    db.session.commit()
    flash(_("The review is open again for its juror."), "success")
    return redirect(target)
