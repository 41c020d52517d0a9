"""The applicant's status page, review, submission and withdrawal (steps: ``step_views``)."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from qpmusic.accounts.guards import role_required
from qpmusic.applications.completeness import BIOGRAPHY_MAX_CHARS, STEPS, gaps
from qpmusic.applications.forms import ConfirmForm
from qpmusic.applications.labels import STATUS_HELP, STEP_LABELS, gap_message
from qpmusic.applications.models import Application
from qpmusic.applications.services import (
    ApplicationError,
    application_for,
    earlier_applications,
    start_application,
)
from qpmusic.applications.submission import (
    WITHDRAWABLE,
    Outcome,
    submit_application,
    withdraw_application,
)
from qpmusic.editions.services import current_edition
from qpmusic.enums import Role
from qpmusic.extensions import db
from qpmusic.timestamps import utcnow

bp = Blueprint("applications", __name__)
applicant_only = role_required(Role.APPLICANT)


def own_application(application_id: int) -> Application:
    """The current user's application, or 404: nobody learns that another one exists."""
    application = db.session.get(Application, application_id)
    if application is None or application.applicant_id != current_user.id:
        abort(404)
    return application


def progress(application: Application) -> dict:
    """What the step list and review page show: the gaps and which steps are complete."""
    found = gaps(application, application.edition)
    open_steps = {gap.step for gap in found}
    return {
        "gaps": found,
        "done_steps": [step for step in STEPS if step not in open_steps],
        "editable": application.is_draft or application.status.value == "submitted",
        "is_open": application.edition.is_open(utcnow()),
        "step_labels": STEP_LABELS,
        "gap_message": gap_message,
        "biography_max": BIOGRAPHY_MAX_CHARS,
    }


@bp.route("/apply/")
@applicant_only
def status():
    edition = current_edition()
    application = edition and application_for(applicant=current_user, edition=edition)
    return render_template(
        "applications/status.html",
        edition=edition,
        application=application,
        earlier=earlier_applications(applicant=current_user, current=application),
        form=ConfirmForm(),
        now=utcnow(),
        status_help=STATUS_HELP,
        withdrawable=[status.value for status in WITHDRAWABLE],
        **(progress(application) if application else {}),
    )


@bp.route("/apply/start", methods=["POST"])
@applicant_only
def start():
    edition = current_edition()
    if edition is None or not ConfirmForm().validate_on_submit():
        return redirect(url_for(".status"))
    try:
        application = start_application(applicant=current_user, edition=edition, now=utcnow())
    except ApplicationError as error:
        flash(error.message, "error")
        return redirect(url_for(".status"))
    db.session.commit()
    return redirect(url_for(".profile", application_id=application.id))


@bp.route("/applications/<int:application_id>/review")
@applicant_only
def review(application_id):
    application = own_application(application_id)
    return render_template(
        "applications/review.html",
        application=application,
        form=ConfirmForm(),
        **progress(application),
    )


@bp.route("/applications/<int:application_id>/submit", methods=["POST"])
@applicant_only
def submit(application_id):
    application = own_application(application_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        outcome = submit_application(
            application_id=application.id, applicant=current_user, now=utcnow()
        )
    except ApplicationError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for(".review", application_id=application_id))
    db.session.commit()
    messages = {
        Outcome.SUBMITTED: _(
            "Thank you! Your application %(reference)s has been submitted. "
            "A confirmation is on its way to your e-mail.",
            reference=application.reference,
        ),
        Outcome.RESUBMITTED: _(
            "Your changes to %(reference)s have been submitted.", reference=application.reference
        ),
        Outcome.UNCHANGED: _(
            "Your application %(reference)s was already submitted; nothing has changed since.",
            reference=application.reference,
        ),
    }
    flash(messages[outcome], "success")
    return redirect(url_for(".status"))


@bp.route("/applications/<int:application_id>/withdraw", methods=["GET", "POST"])
@applicant_only
def withdraw(application_id):
    application = own_application(application_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            withdraw_application(application=application, applicant=current_user, now=utcnow())
        except ApplicationError as error:
            flash(error.message, "error")
            return redirect(url_for(".status"))
        db.session.commit()
        flash(_("Your application has been withdrawn."), "success")
        return redirect(url_for(".status"))
    return render_template("applications/withdraw.html", application=application, form=form)


# The step pages register their routes on ``bp``.
from qpmusic.applications import step_views  # noqa: E402, F401
