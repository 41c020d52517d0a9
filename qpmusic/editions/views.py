"""Editions: the admin's pages (settings, criteria, phases) and the public deadline file."""

from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from qpmusic.accounts.guards import role_required
from qpmusic.editions import criteria, display, ics, phases
from qpmusic.editions.forms import CriterionForm, EditionForm, MoveCriterionForm, PhaseForm
from qpmusic.editions.models import Criterion, Edition
from qpmusic.editions.overview import edition_overview
from qpmusic.editions.services import (
    EditionError,
    admin_editions,
    create_edition,
    public_edition,
    update_edition,
)
from qpmusic.enums import EditionPhase, Role
from qpmusic.extensions import db
from qpmusic.results import publication
from qpmusic.results.finalists import set_final_concert
from qpmusic.timestamps import utcnow

bp = Blueprint("editions", __name__)
display.register(bp)


def _edition_or_404(edition_id: int) -> Edition:
    return db.session.get(Edition, edition_id) or abort(404)


def _criterion_or_404(criterion_id: int) -> Criterion:
    return db.session.get(Criterion, criterion_id) or abort(404)


def _to_detail(edition: Edition):
    return redirect(url_for("editions.detail", edition_id=edition.id))


@bp.route("/admin/editions")
@role_required(Role.ADMIN)
def admin_index():
    return render_template("editions/admin_index.html", rows=admin_editions())


@bp.route("/admin/editions/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def new():
    form = EditionForm()
    if form.validate_on_submit():
        try:
            edition = create_edition(actor=current_user, **form.settings())
        except EditionError as error:
            form.show_error(error.field, error.message)
        else:
            db.session.commit()
            flash(_("The edition %(year)s has been created.", year=edition.year), "success")
            return _to_detail(edition)
    return render_template("editions/edit.html", form=form, edition=None)


@bp.route("/admin/editions/<int:edition_id>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit(edition_id):
    edition = _edition_or_404(edition_id)
    form = EditionForm.for_edition(edition)
    if form.validate_on_submit():
        try:
            update_edition(actor=current_user, edition=edition, **form.settings())
            set_final_concert(actor=current_user, edition=edition, **form.concert_settings())
        except EditionError as error:
            form.show_error(error.field, error.message)
        else:
            db.session.commit()
            flash(_("The changes have been saved."), "success")
            return _to_detail(edition)
    return render_template("editions/edit.html", form=form, edition=edition)


def _render_detail(edition: Edition, criterion_form: CriterionForm):
    overview = edition_overview(edition=edition, now=utcnow())
    return render_template(
        "editions/detail.html",
        overview=overview,
        edition=edition,
        criterion_form=criterion_form,
        phase_form=PhaseForm(formdata=None),
    )


@bp.route("/admin/editions/<int:edition_id>")
@role_required(Role.ADMIN)
def detail(edition_id):
    return _render_detail(_edition_or_404(edition_id), CriterionForm(formdata=None))


@bp.route("/admin/editions/<int:edition_id>/phase", methods=["POST"])
@role_required(Role.ADMIN)
def change_phase(edition_id):
    edition = _edition_or_404(edition_id)
    form = PhaseForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        if edition.phase == EditionPhase.FINAL and form.phase == EditionPhase.PUBLISHED:
            # Publishing is more than a phase: statements and ballot checked, the date kept,
            # the announcement sent. The same step as on the awards page, never a bare change.
            publication.publish_results(edition=edition, actor=current_user, now=utcnow())
        else:
            phases.change_phase(
                edition=edition, to=form.phase, actor=current_user, reason=form.reason.data or ""
            )
    except (EditionError, publication.PublicationError) as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        label = display.PHASE_LABELS[edition.phase]
        flash(_("The edition is now in the phase “%(phase)s”.", phase=label), "success")
    return _to_detail(edition)


@bp.route("/admin/editions/<int:edition_id>/criteria", methods=["POST"])
@role_required(Role.ADMIN)
def add_criterion(edition_id):
    edition = _edition_or_404(edition_id)
    form = CriterionForm()
    if form.validate_on_submit():
        try:
            criteria.add_criterion(actor=current_user, edition=edition, **form.settings())
        except EditionError as error:
            form.show_error(error.field, error.message)
        else:
            db.session.commit()
            flash(_("The criterion has been added."), "success")
            return _to_detail(edition)
    return _render_detail(edition, form)


@bp.route("/admin/criteria/<int:criterion_id>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_criterion(criterion_id):
    criterion = _criterion_or_404(criterion_id)
    form = CriterionForm(obj=criterion)
    if form.validate_on_submit():
        try:
            criteria.update_criterion(actor=current_user, criterion=criterion, **form.settings())
        except EditionError as error:
            form.show_error(error.field, error.message)
            if error.field is None:
                flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("The criterion has been saved."), "success")
            return _to_detail(criterion.edition)
    return render_template(
        "editions/criterion.html",
        form=form,
        criterion=criterion,
        locked=criteria.criteria_locked(criterion.edition),
    )


@bp.route("/admin/criteria/<int:criterion_id>/delete", methods=["POST"])
@role_required(Role.ADMIN)
def remove_criterion(criterion_id):
    criterion = _criterion_or_404(criterion_id)
    edition = criterion.edition
    try:
        criteria.remove_criterion(actor=current_user, criterion=criterion)
    except EditionError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("The criterion has been removed."), "success")
    return _to_detail(edition)


@bp.route("/admin/criteria/<int:criterion_id>/move", methods=["POST"])
@role_required(Role.ADMIN)
def move_criterion(criterion_id):
    criterion = _criterion_or_404(criterion_id)
    form = MoveCriterionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        criteria.move_criterion(actor=current_user, criterion=criterion, offset=form.offset)
    except EditionError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
    return _to_detail(criterion.edition)


@bp.route("/editions/<int:year>/deadline.ics")
def deadline_ics(year):
    """The deadline for the visitor's calendar, its texts in the page's language."""
    edition = public_edition(year) or abort(404)
    base_url = current_app.config["BASE_URL"]
    home = base_url + url_for("home.index")
    title = edition.title(str(get_locale()))
    body = ics.deadline_calendar(
        edition=edition,
        summary=_("Application deadline: %(title)s", title=title),
        description=_(
            "Applications close on %(deadline)s (Luxembourg time).",
            deadline=display.moment(edition.closes_at),
        )
        + "\n"
        + home,
        url=home,
        host=urlsplit(base_url).hostname or "qpmusic",
        now=utcnow(),
    )
    filename = f"quattropole-{edition.year}-deadline.ics"
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
