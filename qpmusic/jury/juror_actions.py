"""The reviewer's smaller actions on the ``jury`` blueprint: listening, conflicts, deliberation."""

from flask import abort, flash, jsonify, redirect, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select

from qpmusic.applications.models import Application, Work
from qpmusic.errors import accepts_json
from qpmusic.extensions import db
from qpmusic.jury import conflicts, juror_pages, listening, reviews
from qpmusic.jury.deliberation import DeliberationError, add_comment, deliberation, may_deliberate
from qpmusic.jury.models import Round
from qpmusic.jury.review_forms import RECOMMENDATION_LABELS, ConflictForm, MessageForm
from qpmusic.jury.views import bp, criteria_of, me, next_or, own_or_404, review_or_404
from qpmusic.media.display import clock
from qpmusic.media.models import MediaFile


@bp.route("/jury/assignments/<int:assignment_id>/listening", methods=["POST"])
@accepts_json
@login_required
def report_listening(assignment_id):
    """The player's report: the ranges of one file played since the page loaded."""
    assignment = review_or_404(assignment_id)
    payload = request.get_json(silent=True)
    if payload is None:
        payload = request.form
    if not isinstance(payload, dict):  # a JSON array or number; the form is a dict too
        return jsonify(code="bad_request"), 400
    if not assignment.round.is_open:
        # Listening after the deadline cannot count toward a review that can no longer change.
        return jsonify(code="closed"), 409
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


@bp.route("/jury/assignments/<int:assignment_id>/conflict", methods=["POST"])
@login_required
def declare_conflict(assignment_id):
    # Pre-selection assignments too: the reviewer's list offers a conflict on every row.
    assignment = own_or_404(assignment_id)
    form = ConflictForm()
    target = next_or("jury.assignment", assignment_id=assignment.id)
    if not form.validate_on_submit():
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
        return redirect(target)
    try:
        conflicts.declare_conflict(
            juror=me(),
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
    assignment = own_or_404(assignment_id)
    target = next_or("jury.assignment", assignment_id=assignment.id)
    conflict = juror_pages.conflict_of(assignment) or abort(404)
    try:
        conflicts.withdraw_conflict(juror=me(), conflict=conflict)
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
    if not may_deliberate(me(), round_, application.id):
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
        blind=not juror_pages.sees_names(me(), round_.edition),
        criteria=criteria_of(round_),
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
    target = next_or("jury.deliberation_page", round_id=round_.id, application_id=application.id)
    if not form.validate_on_submit():
        flash(_("Please write a message."), "error")
        return redirect(target)
    try:
        add_comment(round_=round_, application=application, author=me(), body=form.body.data)
    except DeliberationError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(target)
    db.session.commit()
    flash(_("Your message has been added."), "success")
    return redirect(target)
