"""Admins invite staff; invitees accept through the e-mailed link."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from qpmusic.accounts import invitations
from qpmusic.accounts.forms import AcceptInvitationForm, ExistingAccountInvitationForm, InviteForm
from qpmusic.accounts.guards import role_required
from qpmusic.accounts.models import Invitation
from qpmusic.accounts.services import AccountError, find_user
from qpmusic.accounts.views import renew_session
from qpmusic.editions.models import Edition
from qpmusic.enums import Role
from qpmusic.extensions import db
from qpmusic.geo.models import City

bp = Blueprint("invitations", __name__)


def invite_form() -> InviteForm:
    form = InviteForm()
    language = str(get_locale())
    cities = db.session.scalars(select(City).order_by(City.name_en)).all()
    form.city_id.choices = [SelectChoice(0, _("— no city —"))] + [
        SelectChoice(c.id, c.name(language)) for c in cities
    ]
    editions = db.session.scalars(select(Edition).order_by(Edition.year.desc())).all()
    form.edition_id.choices = [SelectChoice(0, _("— no edition —"))] + [
        SelectChoice(e.id, e.title(language)) for e in editions
    ]
    return form


@bp.route("/admin/invitations", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def index():
    form = invite_form()
    if form.validate_on_submit():
        city = db.session.get(City, form.city_id.data) if form.city_id.data else None
        edition = db.session.get(Edition, form.edition_id.data) if form.edition_id.data else None
        invitations.invite_staff(
            actor=current_user,
            email=form.email.data,
            role=Role(form.role.data),
            city=city,
            edition=edition,
            language=form.language.data,
        )
        db.session.commit()
        flash(_("The invitation to %(email)s has been sent.", email=form.email.data), "success")
        return redirect(url_for("invitations.index"))
    rows = db.session.scalars(
        select(Invitation)
        .options(selectinload(Invitation.city), selectinload(Invitation.edition))
        .order_by(Invitation.created_at.desc())
    ).all()
    return render_template("accounts/invitations.html", form=form, invitations=rows)


def _invitation_or_404(invitation_id: int) -> Invitation:
    return db.session.get(Invitation, invitation_id) or abort(404)


@bp.route("/admin/invitations/<int:invitation_id>/resend", methods=["POST"])
@role_required(Role.ADMIN)
def resend(invitation_id):
    invitation = _invitation_or_404(invitation_id)
    try:
        invitations.resend_invitation(actor=current_user, invitation=invitation)
    except AccountError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("A new link has been sent to %(email)s.", email=invitation.email), "success")
    return redirect(url_for("invitations.index"))


@bp.route("/admin/invitations/<int:invitation_id>/revoke", methods=["POST"])
@role_required(Role.ADMIN)
def revoke(invitation_id):
    invitation = _invitation_or_404(invitation_id)
    try:
        invitations.revoke_invitation(actor=current_user, invitation=invitation)
    except AccountError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("The invitation to %(email)s has been revoked.", email=invitation.email), "info")
    return redirect(url_for("invitations.index"))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept(token):
    try:
        invitation = invitations.invitation_from_token(token)
    except AccountError as error:
        return render_template("accounts/link_problem.html", message=str(error)), 400
    existing = find_user(invitation.email)
    form_class = ExistingAccountInvitationForm if existing else AcceptInvitationForm
    form = form_class(data={"email": invitation.email, "language": invitation.language})
    if form.validate_on_submit():
        try:
            user = invitations.accept_invitation(
                token=token,
                name=form.name.data if "name" in form else "",
                password=form.password.data,
                language=form.language.data,
            )
        except AccountError as error:
            form.password.errors.append(str(error))
        else:
            db.session.commit()
            # A fresh session, as at every login: nothing planted before carries over.
            renew_session()
            login_user(user)
            flash(_("Welcome to the QuattroPole Music Prize."), "success")
            return redirect(url_for("home.index"))
    return render_template(
        "accounts/accept_invitation.html", form=form, invitation=invitation, existing=existing
    )
