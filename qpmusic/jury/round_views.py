"""The admin's round pages: an edition's rounds, and one round with its settings and assignments."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from qpmusic.accounts.guards import role_required
from qpmusic.editions.models import Edition
from qpmusic.enums import AssignmentStatus, Role, RoundKind, RoundStatus
from qpmusic.extensions import db
from qpmusic.jury import assignments, rounds
from qpmusic.jury.assignments import AssignmentError
from qpmusic.jury.board import round_board
from qpmusic.jury.models import Assignment, Round
from qpmusic.jury.round_forms import (
    ASSIGNMENT_STATUS_LABELS,
    KIND_LABELS,
    MODE_LABELS,
    ROUND_STATUS_LABELS,
    AddAssignmentForm,
    CloseForm,
    DeadlineForm,
    NewRoundForm,
    ReopenForm,
    RoundForm,
)
from qpmusic.jury.rounds import RoundError
from qpmusic.timestamps import utcnow

bp = Blueprint("rounds", __name__)
admin_only = role_required(Role.ADMIN)


@bp.app_context_processor
def round_labels():
    return {
        "round_kind_labels": KIND_LABELS,
        "round_status_labels": ROUND_STATUS_LABELS,
        "assignment_mode_labels": MODE_LABELS,
        "assignment_status_labels": ASSIGNMENT_STATUS_LABELS,
    }


def _me():
    return current_user._get_current_object()


def _round_or_404(round_id: int) -> Round:
    return db.session.get(Round, round_id) or abort(404)


def _to_detail(round_: Round):
    return redirect(url_for("rounds.detail", round_id=round_.id))


def _new_round_form(edition: Edition, existing: list[Round], **kwargs) -> NewRoundForm | None:
    taken = {r.kind for r in existing}
    kinds = [kind for kind in rounds.OFFERED_KINDS if kind not in taken]
    return NewRoundForm(**kwargs).offer(kinds) if kinds else None


@bp.route("/admin/editions/<int:edition_id>/rounds", methods=["GET", "POST"])
@admin_only
def index(edition_id):
    edition = db.session.get(Edition, edition_id) or abort(404)
    existing = rounds.edition_rounds(edition.id)
    form = _new_round_form(edition, existing)
    if form is not None and form.validate_on_submit():
        try:
            round_ = rounds.create_round(
                edition=edition, kind=form.round_kind, actor=_me(), now=utcnow(), **form.settings()
            )
        except RoundError as error:
            form.show_error(error.field, error.message)
        else:
            db.session.commit()
            flash(_("The round has been created."), "success")
            return _to_detail(round_)
    return render_template(
        "jury/rounds.html",
        edition=edition,
        rounds=existing,
        counts=rounds.assignment_counts([r.id for r in existing]),
        form=form,
    )


def _settings_form(round_: Round, **kwargs):
    if round_.status == RoundStatus.DRAFT:
        return RoundForm.for_round(round_, **kwargs)
    if round_.status == RoundStatus.OPEN:
        return DeadlineForm.for_round(round_, **kwargs)
    return None


def _render_detail(round_: Round, **forms):
    """The round's page; ``forms`` replaces a blank form with the one just submitted."""
    now = utcnow()
    board = round_board(round_)
    language = str(get_locale())
    defaults = {
        "settings_form": lambda: _settings_form(round_, formdata=None),
        "close_form": lambda: CloseForm(formdata=None),
        "reopen_form": lambda: ReopenForm.for_round(round_, formdata=None),
        "add_form": lambda: AddAssignmentForm(formdata=None),
    }
    forms = {name: forms.get(name) or make() for name, make in defaults.items()}
    candidates = [
        row.application
        for row in board.rows
        if row.application.status in assignments.CANDIDATE_STATUSES[round_.kind]
    ]
    forms["add_form"].offer(members=board.members, applications=candidates, language=language)
    references = board.references

    def messages(problems):
        return [assignments.problem_message(p, references) for p in problems or []]

    preview = None
    if round_.status == RoundStatus.DRAFT:
        plan = assignments.plan_for(round_)
        preview = {
            "count": len(plan.pairs),
            "problems": messages(assignments.problem_rows(plan.problems)),
        }
    built = assignments.last_build_problems(round_)
    return render_template(
        "jury/round_detail.html",
        round=round_,
        edition=round_.edition,
        board=board,
        readiness=(
            []
            if round_.status == RoundStatus.OPEN
            else rounds.readiness_problems(
                round_=round_, now=now, deadline=round_.status == RoundStatus.DRAFT
            )
        ),
        drafts=board.counts[AssignmentStatus.DRAFT],
        preview=preview,
        built_problems=None if built is None else messages(built),
        **forms,
    )


@bp.route("/admin/rounds/<int:round_id>")
@admin_only
def detail(round_id):
    round_ = _round_or_404(round_id)
    if round_.kind == RoundKind.FINAL:
        # The final round is a ballot, not a scoring round: it has its own page.
        return redirect(url_for("ballot.admin", edition_id=round_.edition_id))
    return _render_detail(round_)


@bp.route("/admin/rounds/<int:round_id>/settings", methods=["POST"])
@admin_only
def settings(round_id):
    round_ = _round_or_404(round_id)
    form = _settings_form(round_)
    if form is None:
        flash(_("A closed round cannot be changed; reopen it first."), "error")
        return _to_detail(round_)
    if form.validate_on_submit():
        try:
            rounds.update_round(round_=round_, actor=_me(), now=utcnow(), **form.settings())
        except RoundError as error:
            form.show_error(error.field, error.message)
            if error.field is None:
                flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("The changes have been saved."), "success")
            return _to_detail(round_)
    return _render_detail(round_, settings_form=form)


def _built_message(build) -> str:
    return ngettext(
        "%(num)d assignment in all: %(created)d added, %(removed)d removed.",
        "%(num)d assignments in all: %(created)d added, %(removed)d removed.",
        build.total,
        created=build.created,
        removed=build.removed,
    )


@bp.route("/admin/rounds/<int:round_id>/open", methods=["POST"])
@admin_only
def open_round(round_id):
    round_ = _round_or_404(round_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        build = rounds.open_round(round_=round_, actor=_me(), now=utcnow())
    except RoundError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("The round is open. %(built)s", built=_built_message(build)), "success")
    return _to_detail(round_)


@bp.route("/admin/rounds/<int:round_id>/rebuild", methods=["POST"])
@admin_only
def rebuild(round_id):
    round_ = _round_or_404(round_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        build = rounds.rebuild_round(round_=round_, actor=_me())
    except RoundError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(
            _("The assignments have been rebuilt. %(built)s", built=_built_message(build)),
            "success",
        )
    return _to_detail(round_)


@bp.route("/admin/rounds/<int:round_id>/close", methods=["POST"])
@admin_only
def close(round_id):
    round_ = _round_or_404(round_id)
    form = CloseForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        rounds.close_round(round_=round_, actor=_me(), now=utcnow(), anyway=form.anyway.data)
    except RoundError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("The round is closed."), "success")
    return _to_detail(round_)


@bp.route("/admin/rounds/<int:round_id>/reopen", methods=["POST"])
@admin_only
def reopen(round_id):
    round_ = _round_or_404(round_id)
    form = ReopenForm.for_round(round_)
    if form.validate_on_submit():
        try:
            build = rounds.reopen_round(
                round_=round_,
                actor=_me(),
                now=utcnow(),
                reason=form.reason.data,
                closes_at=form.closes_at,
            )
        except RoundError as error:
            form.show_error(error.field, error.message)
            if error.field is None:
                flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("The round is open again. %(built)s", built=_built_message(build)), "success")
            return _to_detail(round_)
    return _render_detail(round_, reopen_form=form)


@bp.route("/admin/rounds/<int:round_id>/assignments", methods=["POST"])
@admin_only
def add_assignment(round_id):
    round_ = _round_or_404(round_id)
    form = AddAssignmentForm()
    if form.validate_on_submit():
        try:
            assignments.add_assignment(
                round_=round_,
                juror_id=form.juror.data,
                application_id=form.application.data,
                actor=_me(),
            )
        except AssignmentError as error:
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("The assignment has been added."), "success")
            return _to_detail(round_)
    return _render_detail(round_, add_form=form)


@bp.route("/admin/rounds/<int:round_id>/assignments/<int:assignment_id>/remove", methods=["POST"])
@admin_only
def remove_assignment(round_id, assignment_id):
    round_ = _round_or_404(round_id)
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.round_id != round_.id:
        abort(404)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        assignments.remove_assignment(assignment=assignment, actor=_me())
    except AssignmentError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("The assignment has been removed."), "success")
    return _to_detail(round_)
