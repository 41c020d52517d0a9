"""The final ballot (the office's page and the juror's), the awards, and publishing the results."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from qpmusic.accounts.guards import role_required
from qpmusic.editions.models import Edition
from qpmusic.enums import Role, RoundKind
from qpmusic.extensions import db
from qpmusic.jury.conflicts import effective_conflicts
from qpmusic.jury.models import Round
from qpmusic.results import awards, ballots, publication
from qpmusic.results import ballot_roll as roll
from qpmusic.results.ballot_forms import (
    LANGUAGE_LABELS,
    AwardsForm,
    CloseForm,
    ReopenForm,
    read_ballot,
)
from qpmusic.results.ballot_result import final_result, proposed_winner
from qpmusic.timestamps import utcnow

bp = Blueprint("ballot", __name__)
admin_only = role_required(Role.ADMIN)


def _me():
    return current_user._get_current_object()


def _edition_or_404(edition_id: int) -> Edition:
    return db.session.get(Edition, edition_id) or abort(404)


def _to_admin(edition: Edition):
    return redirect(url_for("ballot.admin", edition_id=edition.id))


def _render_admin(edition: Edition, *, close_form=None, reopen_form=None, status=200):
    round_ = roll.final_round(edition.id)
    cast = roll.ballots(round_) if round_ else {}
    page = render_template(
        "results/ballot_admin.html",
        edition=edition,
        round=round_,
        finalists=roll.finalists(edition.id),
        jurors=roll.jurors(edition.id),
        cast=cast,
        conflicts=effective_conflicts(edition.id),
        problems=ballots.open_problems(round_, edition)
        if round_ is None or not round_.is_open
        else [],
        missing=len(roll.missing_voters(round_)) if round_ and round_.is_open else 0,
        final=final_result(round_),
        close_form=close_form or CloseForm(formdata=None),
        reopen_form=reopen_form or ReopenForm(formdata=None),
        has_awards=bool(awards.awards_of(edition.id)),
    )
    return page, status


@bp.route("/admin/editions/<int:edition_id>/final", methods=["GET", "POST"])
@admin_only
def admin(edition_id):
    edition = _edition_or_404(edition_id)
    if request.method == "GET":
        return _render_admin(edition)
    action = request.form.get("action")
    round_ = roll.final_round(edition.id)
    if action == "reopen":
        form = ReopenForm()
        if not form.validate_on_submit():
            return _render_admin(edition, reopen_form=form, status=422)
    elif action == "close":
        form = CloseForm()
        if not form.validate_on_submit():
            abort(400)
    elif action not in ("create", "open") or not FlaskForm().validate_on_submit():
        abort(400)
    if action != "create" and round_ is None:
        abort(404)
    now = utcnow()
    try:
        if action == "create":
            ballots.create_final_round(edition=edition, actor=_me())
            message = _("The final ballot is prepared. Open it when the jury is ready to vote.")
        elif action == "open":
            ballots.open_final(round_=round_, actor=_me(), now=now)
            message = _("The final ballot is open: the jurors can now rank the finalists.")
        elif action == "close":
            ballots.close_final(round_=round_, actor=_me(), now=now, anyway=form.anyway.data)
            message = _("The final ballot is closed. The result is below.")
        else:
            ballots.reopen_final(round_=round_, actor=_me(), reason=form.reason.data)
            message = _("The final ballot is open again.")
    except ballots.BallotError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _to_admin(edition)
    db.session.commit()
    flash(message, "success")
    return _to_admin(edition)


def _final_round_or_404(round_id: int) -> Round:
    """The final round, for one of its jurors only: anyone else gets 404."""
    round_ = db.session.get(Round, round_id)
    if round_ is None or round_.kind != RoundKind.FINAL:
        abort(404)
    if not roll.is_juror(_me(), round_.edition_id):
        abort(404)
    return round_


def _render_vote(round_: Round, *, typed=None, kept=None, error=None, missing=(), status=200):
    me = _me()
    ballot = roll.ballot_of(round_, me.id)
    saved = ballots.ranks_from_ranking(ballot.ranking) if ballot else {}
    conflicted = roll.conflicted_ids(round_.edition_id, me.id)
    finalists = roll.finalists(round_.edition_id)
    ranked = [a for a in finalists if a.id not in conflicted]
    page = render_template(
        "results/ballot_vote.html",
        round=round_,
        edition=round_.edition,
        ballot=ballot,
        finalists=finalists,
        conflicted=conflicted,
        places=range(1, len(ranked) + 1),
        ranks=typed if typed is not None else saved,
        kept=kept,
        names={a.id: a.artist_name for a in finalists},
        error=error,
        missing=set(missing),
    )
    return page, status


@bp.route("/jury/final/<int:round_id>", methods=["GET", "POST"])
@login_required
def vote(round_id):
    round_ = _final_round_or_404(round_id)
    if request.method == "GET":
        return _render_vote(round_)
    if not FlaskForm().validate_on_submit():
        abort(400)
    conflicted = roll.conflicted_ids(round_.edition_id, _me().id)
    candidates = [a for a in roll.finalist_ids(round_.edition_id) if a not in conflicted]
    typed = read_ballot(request.form, candidates)
    if typed.missing:
        return _render_vote(
            round_,
            typed=typed.ranks,
            error=_("Please give every finalist a rank."),
            missing=typed.missing,
            status=422,
        )
    try:
        ballots.save_ballot(
            round_=round_, juror=_me(), ranks=typed.ranks, version=typed.version, now=utcnow()
        )
    except ballots.BallotError as error:
        db.session.rollback()
        if error.code in ("stale", "closed"):
            return _render_vote(round_, kept=typed.ranks, error=str(error), status=409)
        return _render_vote(round_, typed=typed.ranks, error=str(error), status=422)
    db.session.commit()
    flash(_("Your ballot has been saved. You can change it until the ballot closes."), "success")
    return redirect(url_for("ballot.vote", round_id=round_.id))


def _awards_form(edition: Edition, form: AwardsForm | None = None) -> AwardsForm:
    """A blank form shows what is recorded, else the ballot's winner; a sent one what was sent."""
    blank = form is None
    if blank:
        form = AwardsForm.for_awards(awards.awards_of(edition.id), formdata=None)
    return form.offer(
        finalists=roll.finalists(edition.id),
        special_candidates=awards.special_candidates(edition.id),
        proposal=proposed_winner(edition.id) if blank else None,
    )


def _render_awards(edition: Edition, form: AwardsForm | None = None, status=200):
    now = utcnow()
    page = render_template(
        "results/ballot_awards.html",
        edition=edition,
        form=_awards_form(edition, form),
        awards=awards.awards_of(edition.id),
        final=final_result(roll.final_round(edition.id)),
        proposal=proposed_winner(edition.id),
        recording_problem=awards.recording_problem(edition),
        publish_problems=publication.publish_problems(edition, now=now),
        published=publication.is_published(edition),
        batch=publication.announcement_batch(edition.id),
        languages=LANGUAGE_LABELS,
    )
    return page, status


# Endpoint "ballot.awards"; the function has another name so it does not hide the module.
@bp.route("/admin/editions/<int:edition_id>/awards", methods=["GET", "POST"], endpoint="awards")
@admin_only
def awards_page(edition_id):
    edition = _edition_or_404(edition_id)
    if request.method == "GET":
        return _render_awards(edition)
    form = _awards_form(edition, AwardsForm())
    if not form.validate_on_submit():
        return _render_awards(edition, form, status=422)
    try:
        awards.record_awards(
            edition=edition,
            actor=_me(),
            prize=form.choice("prize"),
            special=form.choice("special"),
            reason=form.reason.data,
        )
    except awards.AwardError as error:
        db.session.rollback()
        if not form.show_error(error.field, error.message):
            flash(str(error), "error")
        return _render_awards(edition, form, status=422)
    db.session.commit()
    flash(_("The awards have been recorded."), "success")
    return redirect(url_for("ballot.awards", edition_id=edition.id))


@bp.route("/admin/editions/<int:edition_id>/publish", methods=["POST"])
@admin_only
def publish(edition_id):
    edition = _edition_or_404(edition_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        done = publication.publish_results(edition=edition, actor=_me(), now=utcnow())
    except publication.PublicationError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("ballot.awards", edition_id=edition.id))
    db.session.commit()
    sent = done.batch.total if done.batch else 0
    flash(
        ngettext(
            "The results are published. %(num)d announcement e-mail is on its way.",
            "The results are published. %(num)d announcement e-mails are on their way.",
            sent,
        ),
        "success",
    )
    return redirect(url_for("ballot.awards", edition_id=edition.id))
