"""The home page, the language switch and the health check."""

from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from sqlalchemy import text

from qpmusic.accounts.services import set_language
from qpmusic.accounts.views import safe_next
from qpmusic.editions.home_page import home_page
from qpmusic.enums import Role
from qpmusic.extensions import db
from qpmusic.timestamps import utcnow

bp = Blueprint("home", __name__)


@bp.route("/")
def index():
    """The current call, its deadline and who may apply; the archive of past winners."""
    # Only applicants have an application page; staff find their own pages in the menu.
    is_applicant = current_user.is_authenticated and current_user.has_role(Role.APPLICANT)
    return render_template(
        "home/index.html", page=home_page(now=utcnow()), is_applicant=is_applicant
    )


@bp.route("/language", methods=["POST"])
def switch_language():
    """The header's language buttons: remembered in the session and, when logged in, the profile."""
    language = request.form.get("lang")
    if language in current_app.config["LANGUAGES"]:
        session["lang"] = language
        if current_user.is_authenticated:
            set_language(user=current_user, language=language)
            db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("home.index"))


@bp.route("/healthz")
def healthz():
    """Machine-readable state of the database and the task broker, for the orchestrator."""
    checks = {"database": "ok", "broker": "eager"}
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:
        checks["database"] = f"error: {type(exc).__name__}"
    celery_app = current_app.extensions["celery"]
    if not celery_app.conf.task_always_eager:
        try:
            with celery_app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1, timeout=2)
            checks["broker"] = "ok"
        except Exception as exc:
            checks["broker"] = f"error: {type(exc).__name__}"
    healthy = all(value in {"ok", "eager"} for value in checks.values())
    return jsonify(status="ok" if healthy else "error", **checks), 200 if healthy else 503
