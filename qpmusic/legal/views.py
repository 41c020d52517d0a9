"""The data protection notice applicants agree to."""

from flask import Blueprint, render_template

bp = Blueprint("legal", __name__)


@bp.route("/privacy")
def privacy():
    return render_template("legal/privacy.html")
