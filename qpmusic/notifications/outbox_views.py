"""The admin's mail page: what the outbox could not deliver, and sending it again."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from qpmusic.accounts.guards import role_required
from qpmusic.enums import Role
from qpmusic.extensions import db
from qpmusic.notifications.outbox import (
    OUTBOX_LABELS,
    message_for_update,
    outbox_overview,
    resend_failed,
    resend_message,
)

bp = Blueprint("outbox", __name__)


@bp.route("/admin/mail")
@role_required(Role.ADMIN)
def index():
    return render_template(
        "notifications/outbox.html", overview=outbox_overview(), outbox_labels=OUTBOX_LABELS
    )


@bp.route("/admin/mail/<int:message_id>/resend", methods=["POST"])
@role_required(Role.ADMIN)
def resend(message_id: int):
    message = message_for_update(message_id) or abort(404)
    if resend_message(actor=current_user, message=message):
        db.session.commit()
        flash(
            _("The message to %(email)s is on its way again.", email=message.recipient), "success"
        )
    else:
        db.session.rollback()
        flash(_("This message is not waiting to be resent (it may have gone out already)."), "info")
    return redirect(url_for("outbox.index"))


@bp.route("/admin/mail/resend-failed", methods=["POST"])
@role_required(Role.ADMIN)
def resend_all():
    count = resend_failed(actor=current_user)
    db.session.commit()
    if count:
        flash(
            ngettext(
                "%(num)d message is on its way again.",
                "%(num)d messages are on their way again.",
                count,
            ),
            "success",
        )
    else:
        flash(_("No message was waiting to be resent."), "info")
    return redirect(url_for("outbox.index"))
