"""An applicant's own data: download it all, or delete the account."""

import tempfile

from flask import Blueprint, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from qpmusic.accounts.views import renew_session
from qpmusic.audit.services import record_event
from qpmusic.extensions import db
from qpmusic.privacy.deletion import (
    DeletionError,
    delete_account,
    deletion_plan,
    deletion_problems,
)
from qpmusic.privacy.export import write_personal_data_zip
from qpmusic.privacy.forms import DeleteAccountForm
from qpmusic.timestamps import utcnow

bp = Blueprint("privacy", __name__, url_prefix="/profile")


@bp.route("/data.zip", methods=["POST"])
@login_required
def export():
    # A POST (CSRF-checked like every other) so no other site can start the download.
    user = current_user._get_current_object()
    now = utcnow()
    # On disk, not in memory; the response closes the file once sent, which deletes it.
    archive = tempfile.TemporaryFile(prefix="qpmusic-data-", suffix=".zip")  # noqa: SIM115
    try:
        counts = write_personal_data_zip(user, archive, now=now)
        size = archive.tell()
        archive.seek(0)
    except BaseException:
        archive.close()
        raise
    record_event(actor=user, action="account.exported", target=user, after=counts)
    db.session.commit()
    response = send_file(
        archive,
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"qpmusic-my-data-{now.strftime('%Y%m%d-%H%M')}.zip",
        conditional=False,
        etag=False,
        max_age=0,
    )
    response.content_length = size
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/delete", methods=["GET", "POST"])
@login_required
def delete():
    user = current_user._get_current_object()
    form = DeleteAccountForm()
    plan = deletion_plan(user)
    problems = deletion_problems(user, plan)
    if not problems and form.validate_on_submit():
        try:
            delete_account(user=user, password=form.password.data, now=utcnow())
        except DeletionError as error:
            db.session.rollback()
            form.password.errors.append(str(error))
        else:
            db.session.commit()
            logout_user()
            renew_session()
            flash(
                _("Your account has been deleted. We have sent a last e-mail to confirm it."),
                "info",
            )
            return redirect(url_for("home.index"))
    status = 400 if form.errors else 200
    return render_template("privacy/delete.html", form=form, plan=plan, problems=problems), status
