"""The profile: name, language, password and e-mail address."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user
from flask_login.config import COOKIE_NAME as REMEMBER_COOKIE

from qpmusic.accounts import services
from qpmusic.accounts.forms import ChangeEmailForm, ChangePasswordForm, ProfileForm
from qpmusic.accounts.services import AccountError
from qpmusic.accounts.views import renew_session
from qpmusic.extensions import db

bp = Blueprint("profile", __name__, url_prefix="/profile")


def forms(**bound):
    return {
        "profile_form": bound.get("profile_form") or ProfileForm(obj=current_user, formdata=None),
        "password_form": bound.get("password_form") or ChangePasswordForm(formdata=None),
        "email_form": bound.get("email_form") or ChangeEmailForm(formdata=None),
    }


@bp.route("/", methods=["GET", "POST"])
@login_required
def edit():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        services.update_profile(user=current_user, name=form.name.data, language=form.language.data)
        db.session.commit()
        flash(_("Your profile has been saved."), "success")
        return redirect(url_for("profile.edit"))
    return render_template("accounts/profile.html", **forms(profile_form=form))


@bp.route("/password", methods=["POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                user=current_user,
                current_password=form.current_password.data,
                new_password=form.password.data,
            )
        except AccountError as error:
            form.current_password.errors.append(str(error))
        else:
            db.session.commit()
            # The account's token changed: a fresh session on this device carries the new one,
            # and a device that was remembered stays remembered (with a cookie of the new token).
            user = current_user._get_current_object()
            cookie = current_app.config.get("REMEMBER_COOKIE_NAME", REMEMBER_COOKIE)
            remembered = cookie in request.cookies
            renew_session()
            login_user(user, remember=remembered)
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("profile.edit"))
    return render_template("accounts/profile.html", **forms(password_form=form)), 400


@bp.route("/email", methods=["POST"])
@login_required
def change_email():
    form = ChangeEmailForm()
    if form.validate_on_submit():
        try:
            services.request_email_change(
                user=current_user, new_email=form.email.data, password=form.current_password.data
            )
        except AccountError as error:
            form.current_password.errors.append(str(error))
        else:
            db.session.commit()
            flash(
                _(
                    "We have sent a confirmation link to %(email)s. Your address changes when "
                    "you open it.",
                    email=form.email.data,
                ),
                "info",
            )
            return redirect(url_for("profile.edit"))
    return render_template("accounts/profile.html", **forms(email_form=form)), 400


@bp.route("/email/confirm/<token>")
def confirm_email(token):
    try:
        services.confirm_email_change(token=token)
    except AccountError as error:
        return render_template("accounts/link_problem.html", message=str(error)), 400
    db.session.commit()
    flash(_("Your e-mail address has been changed."), "success")
    return redirect(url_for("profile.edit"))
