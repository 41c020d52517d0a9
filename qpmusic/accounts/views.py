"""Registration, e-mail verification, login, logout and password reset."""

import re
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from qpmusic.accounts import services
from qpmusic.accounts.forms import ForgotPasswordForm, LoginForm, RegisterForm, ResetPasswordForm
from qpmusic.accounts.services import AccountError
from qpmusic.extensions import db, limiter

bp = Blueprint("accounts", __name__)


def attempt_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]


def renew_session() -> None:
    """Start a fresh session (a planted session id is worthless), keeping the chosen language."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language


# Browsers drop tabs and line breaks from a Location ("/\t/evil" becomes "//evil", another
# site) and read "\\" as "/": a target containing any of them is never followed.
UNSAFE_IN_NEXT = re.compile(r"[\x00-\x1f\x7f\\]")


def safe_next(target: str | None) -> str | None:
    """Only same-site paths; ``//evil.example`` and ``https://…`` are ignored."""
    if not target or UNSAFE_IN_NEXT.search(target):
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(attempt_limit, methods=["POST"])
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        services.register_user(
            email=form.email.data,
            password=form.password.data,
            name=form.name.data,
            language=str(get_locale()),
        )
        db.session.commit()
        return render_template("accounts/check_inbox.html", email=form.email.data)
    return render_template("accounts/register.html", form=form)


@bp.route("/verify/<token>")
def verify_email(token):
    try:
        services.verify_email(token=token)
    except AccountError as error:
        return render_template("accounts/link_problem.html", message=str(error)), 400
    db.session.commit()
    flash(_("Thank you, your e-mail address is confirmed. You can log in now."), "success")
    return redirect(url_for("accounts.login"))


def failed_login(response) -> bool:
    """Only a refused login counts: jurors logging in one after another on a venue's shared
    Wi-Fi (one address) must not lock each other out; a successful login redirects."""
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(attempt_limit, methods=["POST"], deduct_when=failed_login)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(email=form.email.data, password=form.password.data)
        if user is None:
            form.password.errors.append(_("E-mail address or password is not correct."))
        elif not user.email_verified:
            services.send_verification(user=user)
            db.session.commit()
            form.email.errors.append(
                _("Please confirm your e-mail address first. We have sent you a new link.")
            )
        else:
            renew_session()
            login_user(user, remember=form.remember.data)
            db.session.commit()
            flash(_("Welcome, %(name)s.", name=user.display_name), "success")
            return redirect(safe_next(request.args.get("next")) or url_for("home.index"))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    renew_session()
    flash(_("You are logged out."), "info")
    return redirect(url_for("home.index"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(attempt_limit, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(email=form.email.data)
        db.session.commit()
        return render_template("accounts/reset_sent.html", email=form.email.data)
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(attempt_limit, methods=["POST"])
def reset_password(token):
    try:
        user = services.user_for_reset(token)
    except AccountError as error:
        return render_template("accounts/link_problem.html", message=str(error)), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.reset_password(token=token, password=form.password.data)
        db.session.commit()
        flash(_("Your password has been changed. You can log in now."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form, user=user)
