"""The office's jury pages: members by city and their invitations, and the edition's conflicts."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from qpmusic.accounts import invitations
from qpmusic.accounts.guards import role_required
from qpmusic.accounts.models import Invitation
from qpmusic.accounts.services import AccountError
from qpmusic.editions.models import Edition
from qpmusic.enums import Role, RoundKind
from qpmusic.extensions import db
from qpmusic.geo.cities import cities_by_name
from qpmusic.geo.models import City
from qpmusic.jury import conflicts, members
from qpmusic.jury.member_forms import DismissConflictForm, MemberInviteForm
from qpmusic.jury.models import Conflict, JuryMember, Round

bp = Blueprint("jury_members", __name__)

admins_only = role_required(Role.ADMIN)


def _me():
    """The logged-in user itself, not the proxy, so it can be stored on a relationship."""
    return current_user._get_current_object()


def _edition_or_404(edition_id: int) -> Edition:
    return db.session.get(Edition, edition_id) or abort(404)


def _of_edition(model, row_id: int, edition: Edition):
    row = db.session.get(model, row_id)
    if row is None or row.edition_id != edition.id:
        abort(404)
    return row


def _to_index(edition: Edition):
    return redirect(url_for("jury_members.index", edition_id=edition.id))


def _to_conflicts(edition: Edition):
    return redirect(url_for("jury_members.conflicts", edition_id=edition.id))


def _invite_form() -> MemberInviteForm:
    form = MemberInviteForm()
    language = str(get_locale())
    form.city_id.choices = [SelectChoice(0, _("— no city —"))] + [
        SelectChoice(city.id, city.name(language)) for city in cities_by_name()
    ]
    return form


@bp.route("/admin/editions/<int:edition_id>/jury", methods=["GET", "POST"])
@admins_only
def index(edition_id):
    edition = _edition_or_404(edition_id)
    form = _invite_form()
    if form.validate_on_submit():
        city = db.session.get(City, form.city_id.data) if form.city_id.data else None
        try:
            members.invite_member(
                actor=_me(),
                edition=edition,
                email=form.email.data,
                role=Role(form.role.data),
                city=city,
                language=form.language.data,
            )
        except AccountError as error:
            form.email.errors = [*form.email.errors, str(error)]
        else:
            db.session.commit()
            flash(_("The invitation to %(email)s has been sent.", email=form.email.data), "success")
            return _to_index(edition)
    return render_template(
        "jury/members.html", edition=edition, jury=members.jury_overview(edition), form=form
    )


@bp.route(
    "/admin/editions/<int:edition_id>/jury/invitations/<int:invitation_id>/resend",
    methods=["POST"],
)
@admins_only
def resend(edition_id, invitation_id):
    edition = _edition_or_404(edition_id)
    invitation = _of_edition(Invitation, invitation_id, edition)
    try:
        invitations.resend_invitation(actor=_me(), invitation=invitation)
    except AccountError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("A new link has been sent to %(email)s.", email=invitation.email), "success")
    return _to_index(edition)


@bp.route(
    "/admin/editions/<int:edition_id>/jury/invitations/<int:invitation_id>/revoke",
    methods=["POST"],
)
@admins_only
def revoke(edition_id, invitation_id):
    edition = _edition_or_404(edition_id)
    invitation = _of_edition(Invitation, invitation_id, edition)
    try:
        invitations.revoke_invitation(actor=_me(), invitation=invitation)
    except AccountError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("The invitation to %(email)s has been revoked.", email=invitation.email), "info")
    return _to_index(edition)


@bp.route("/admin/editions/<int:edition_id>/jury/members/<int:member_id>/remove", methods=["POST"])
@admins_only
def remove(edition_id, member_id):
    edition = _edition_or_404(edition_id)
    member = _of_edition(JuryMember, member_id, edition)
    name = member.user.display_name
    try:
        members.remove_member(actor=_me(), member=member)
    except AccountError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("%(name)s is no longer on this jury.", name=name), "info")
    return _to_index(edition)


def _render_conflicts(edition: Edition, failed: tuple[int, DismissConflictForm] | None = None):
    rows = members.edition_conflicts(edition)
    forms = {
        row.conflict.id: DismissConflictForm(formdata=None, prefix=f"c{row.conflict.id}")
        for row in rows
    }
    if failed:
        forms[failed[0]] = failed[1]
    return render_template(
        "jury/conflicts.html",
        edition=edition,
        rows=rows,
        dismiss_forms=forms,
        type_labels=conflicts.CONFLICT_TYPE_LABELS,
        source_labels=conflicts.CONFLICT_SOURCE_LABELS,
        status_labels=conflicts.CONFLICT_STATUS_LABELS,
    )


@bp.route("/admin/editions/<int:edition_id>/conflicts", endpoint="conflicts")
@admins_only
def conflicts_page(edition_id):
    return _render_conflicts(_edition_or_404(edition_id))


@bp.route("/admin/editions/<int:edition_id>/conflicts/<int:conflict_id>/confirm", methods=["POST"])
@admins_only
def confirm(edition_id, conflict_id):
    edition = _edition_or_404(edition_id)
    conflict = _of_edition(Conflict, conflict_id, edition)
    try:
        conflicts.confirm_conflict(actor=_me(), conflict=conflict)
    except conflicts.ConflictError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("The conflict has been confirmed."), "success")
    return _to_conflicts(edition)


@bp.route("/admin/editions/<int:edition_id>/conflicts/<int:conflict_id>/dismiss", methods=["POST"])
@admins_only
def dismiss(edition_id, conflict_id):
    edition = _edition_or_404(edition_id)
    conflict = _of_edition(Conflict, conflict_id, edition)
    form = DismissConflictForm(prefix=f"c{conflict.id}")
    if not form.validate_on_submit():
        return _render_conflicts(edition, (conflict.id, form)), 400
    try:
        conflicts.dismiss_conflict(actor=_me(), conflict=conflict, reason=form.reason.data)
    except conflicts.ConflictError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("The conflict has been dismissed."), "info")
    return _to_conflicts(edition)


@bp.app_template_global()
def edition_rounds(edition_id: int) -> list[Round]:
    """The edition's rounds, for the links on the edition page (a view of another feature)."""
    rounds = db.session.scalars(select(Round).where(Round.edition_id == edition_id)).all()
    return sorted(rounds, key=lambda round_: list(RoundKind).index(round_.kind))


@bp.app_template_test("endpoint")
def is_endpoint(name: str) -> bool:
    """``{% if "rounds.index" is endpoint %}``: link only to pages that exist in this build."""
    return name in current_app.view_functions
