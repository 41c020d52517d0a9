"""The office's progress matrix of a round, and reminders to reviewers who are behind."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from qpmusic.accounts.guards import role_required
from qpmusic.accounts.models import User
from qpmusic.enums import Role
from qpmusic.extensions import db
from qpmusic.jury.models import Round
from qpmusic.jury.progress import round_for_office, round_progress
from qpmusic.jury.reminders import remind_juror, remind_late_jurors

bp = Blueprint("jury_office", __name__)


def _round_or_404(round_id: int) -> Round:
    return round_for_office(round_id) or abort(404)


def _back(round_: Round):
    return redirect(url_for("jury_office.progress", round_id=round_.id))


@bp.route("/admin/rounds/<int:round_id>/progress")
@role_required(Role.ADMIN, Role.COORDINATOR)
def progress(round_id):
    round_ = _round_or_404(round_id)
    return render_template(
        "jury/progress.html",
        round=round_,
        progress=round_progress(round_, language=str(get_locale())),
        can_remind=current_user.has_role(Role.ADMIN) and round_.is_open,
    )


@bp.route("/admin/rounds/<int:round_id>/progress/remind/<int:juror_id>", methods=["POST"])
@role_required(Role.ADMIN)
def remind(round_id, juror_id):
    round_ = _round_or_404(round_id)
    juror = db.session.get(User, juror_id) or abort(404)
    if remind_juror(round_=round_, juror=juror, actor=current_user._get_current_object()):
        db.session.commit()
        flash(_("Reminder sent to %(name)s.", name=juror.display_name), "success")
    else:
        flash(_("%(name)s has no unfinished review in an open round.", name=juror.display_name))
    return _back(round_)


@bp.route("/admin/rounds/<int:round_id>/progress/remind-all", methods=["POST"])
@role_required(Role.ADMIN)
def remind_all(round_id):
    round_ = _round_or_404(round_id)
    count = remind_late_jurors(round_=round_, actor=current_user._get_current_object())
    db.session.commit()
    flash(
        ngettext("%(num)d reminder sent.", "%(num)d reminders sent.", count),
        "success" if count else "info",
    )
    return _back(round_)
