"""The steps of an application; each one saves on its own, so leaving mid-way loses nothing."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from qpmusic.applications import relationships, services
from qpmusic.applications.completeness import work_year_bounds
from qpmusic.applications.forms import (
    BasisForm,
    BiographyForm,
    ConfirmForm,
    ConsentsForm,
    ProfileForm,
    RelationshipForm,
    WorkForm,
    format_duration,
    parse_duration,
)
from qpmusic.applications.services import ApplicationError
from qpmusic.applications.views import applicant_only, bp, own_application, progress
from qpmusic.extensions import db
from qpmusic.geo.services import network_cities
from qpmusic.jury.conflicts import CONFLICT_TYPE_LABELS
from qpmusic.timestamps import utcnow

NEXT_STEP = {
    "profile": "biography",
    "biography": "eligibility",
    "eligibility": "works",
    "works": "consents",
    "consents": "review",
}


def saved(application, step: str, change, *, stay: bool = False, then: str = "", **values):
    """Run one service; on success commit and go on, on refusal explain and stay."""
    try:
        change(application=application, now=utcnow(), **values)
    except ApplicationError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for(f".{step}", application_id=application.id))
    db.session.commit()
    flash(_("Saved."), "success")
    target = step if stay else then or NEXT_STEP[step]
    return redirect(url_for(f".{target}", application_id=application.id))


def page(template: str, application, step: str, **context):
    return render_template(
        f"applications/{template}.html",
        application=application,
        step=step,
        **progress(application),
        **context,
    )


@bp.route("/applications/<int:application_id>/profile", methods=["GET", "POST"])
@applicant_only
def profile(application_id):
    application = own_application(application_id)
    form = ProfileForm(obj=application)
    if form.validate_on_submit():
        names = ("artist_name", "contact_email", "phone", "website", "links")
        fields = {name: form[name].data or "" for name in names}
        return saved(application, "profile", services.save_profile, **fields)
    return page("profile", application, "profile", form=form)


@bp.route("/applications/<int:application_id>/biography", methods=["GET", "POST"])
@applicant_only
def biography(application_id):
    application = own_application(application_id)
    form = BiographyForm(obj=application)
    if form.validate_on_submit():
        # The optional relationships step comes next only once there is a jury to name.
        jury = relationships.has_published_jurors(application.edition_id)
        return saved(
            application,
            "biography",
            services.save_biography,
            then=relationships.STEP if jury else "",
            biography=form.biography.data,
        )
    return page("biography", application, "biography", form=form)


@bp.app_template_global("application_steps")
def application_steps(step_labels: dict) -> dict:
    """The step list the navigation shows: the required steps and the optional one."""
    return relationships.with_step(step_labels)


@bp.route(
    "/applications/<int:application_id>/relationships",
    methods=["GET", "POST"],
    endpoint=relationships.STEP,
)
@applicant_only
def relationships_step(application_id):
    application = own_application(application_id)
    jurors = relationships.published_jurors(application.edition_id)
    form = RelationshipForm()
    form.juror.choices = [SelectChoice("", _("Choose a jury member"))] + [
        SelectChoice(member.user_id, relationships.juror_label(member, str(get_locale())))
        for member in jurors
    ]
    if jurors and form.validate_on_submit():
        return _named(application, form)
    context = progress(application)
    context["step_labels"] = relationships.with_step(context["step_labels"])
    return render_template(
        "applications/relationships.html",
        application=application,
        step=relationships.STEP,
        jurors=jurors,
        named=relationships.named_relationships(application),
        status_labels_named=relationships.STATUS_LABELS,
        conflict_type_labels=CONFLICT_TYPE_LABELS,
        form=form,
        confirm=ConfirmForm(),
        **context,
    )


def _named(application, form: RelationshipForm):
    here = url_for(".relationships", application_id=application.id)
    try:
        conflict = relationships.add_relationship(
            application=application,
            now=utcnow(),
            juror_id=form.juror.data,
            type=form.type.data,
            note=form.note.data or "",
        )
    except ApplicationError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(here)
    db.session.commit()
    if conflict.source.value == "applicant":
        flash(_("Saved. The office will look at this relationship."), "success")
    else:
        flash(_("Saved. The office already knows about this relationship."), "success")
    return redirect(here)


@bp.route(
    "/applications/<int:application_id>/relationships/<int:conflict_id>/remove", methods=["POST"]
)
@applicant_only
def remove_relationship(application_id, conflict_id):
    application = own_application(application_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for(".relationships", application_id=application_id))
    return saved(
        application,
        relationships.STEP,
        relationships.remove_relationship,
        stay=True,
        conflict_id=conflict_id,
    )


@bp.route("/applications/<int:application_id>/eligibility", methods=["GET", "POST"])
@applicant_only
def eligibility(application_id):
    application = own_application(application_id)
    form = BasisForm()
    if form.validate_on_submit():
        return saved(
            application,
            "eligibility",
            services.add_basis,
            stay=True,
            kind=form.kind_value,
            place_text=form.place.data,
            place_id=form.place_id.data,
            manual=form.manual.data,
            explanation=form.explanation.data or "",
        )
    return page(
        "eligibility",
        application,
        "eligibility",
        form=form,
        confirm=ConfirmForm(),
        cities=network_cities(),
    )


@bp.route("/applications/<int:application_id>/eligibility/<int:basis_id>/remove", methods=["POST"])
@applicant_only
def remove_basis(application_id, basis_id):
    application = own_application(application_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for(".eligibility", application_id=application_id))
    return saved(application, "eligibility", services.remove_basis, stay=True, basis_id=basis_id)


@bp.route("/applications/<int:application_id>/works")
@applicant_only
def works(application_id):
    application = own_application(application_id)
    return page("works", application, "works", confirm=ConfirmForm(), duration=format_duration)


def _work_form(application, work=None) -> WorkForm:
    form = WorkForm(obj=work)
    edition = application.edition
    form.year_bounds = work_year_bounds(
        edition_year=edition.year,
        age_limit=edition.work_age_limit,
        closes_year=edition.closes_at.year,
    )
    if work is not None and request.method == "GET":
        form.duration.data = format_duration(work.duration_seconds)
    return form


def _work_fields(form: WorkForm) -> dict:
    return {
        "title": form.title.data,
        "year_composed": form.year_composed.data,
        "in_progress": form.in_progress.data,
        "duration_seconds": parse_duration(form.duration.data),
        "description": form.description.data or "",
        "techniques": form.techniques.data or "",
        "links": form.links.data or "",
    }


@bp.route("/applications/<int:application_id>/works/new", methods=["GET", "POST"])
@applicant_only
def work_new(application_id):
    application = own_application(application_id)
    form = _work_form(application)
    if form.validate_on_submit():
        return saved(application, "works", services.save_work, stay=True, **_work_fields(form))
    return page("work_form", application, "works", form=form, work=None)


@bp.route("/applications/<int:application_id>/works/<int:work_id>", methods=["GET", "POST"])
@applicant_only
def work_edit(application_id, work_id):
    application = own_application(application_id)
    try:
        work = services.work_of(application, work_id)
    except ApplicationError:
        return page("work_form", application, "works", form=None, work=None), 404
    form = _work_form(application, work)
    if form.validate_on_submit():
        return saved(
            application,
            "works",
            services.save_work,
            stay=True,
            work_id=work.id,
            **_work_fields(form),
        )
    return page("work_form", application, "works", form=form, work=work)


@bp.route("/applications/<int:application_id>/works/<int:work_id>/remove", methods=["POST"])
@applicant_only
def remove_work(application_id, work_id):
    application = own_application(application_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for(".works", application_id=application_id))
    return saved(application, "works", services.remove_work, stay=True, work_id=work_id)


@bp.route("/applications/<int:application_id>/consents", methods=["GET", "POST"])
@applicant_only
def consents(application_id):
    application = own_application(application_id)
    form = ConsentsForm(
        data={
            "rules": application.consent_rules_at is not None,
            "privacy": application.consent_privacy_at is not None,
        }
        if request.method == "GET"
        else None
    )
    if form.validate_on_submit():
        return saved(
            application,
            "consents",
            services.save_consents,
            rules=form.rules.data,
            privacy=form.privacy.data,
        )
    return page("consents", application, "consents", form=form)
