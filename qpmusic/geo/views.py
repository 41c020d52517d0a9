"""Pages of the geo feature: place suggestions and the public eligibility check."""

from flask import Blueprint, jsonify, render_template, request

from qpmusic.geo.forms import PlaceCheckForm
from qpmusic.geo.places import search
from qpmusic.geo.services import check_eligibility

bp = Blueprint("geo", __name__)

MIN_QUERY = 2
MAX_QUERY = 100


@bp.app_context_processor
def place_check_form():
    # The home page includes the eligibility box without its view knowing about the form.
    return {"place_check_form": PlaceCheckForm}


@bp.get("/places")
def places():
    query = request.args.get("q", "").strip()[:MAX_QUERY]
    found = search(query) if len(query) >= MIN_QUERY else []
    response = jsonify(
        [{"id": p.id, "name": p.name, "label": p.label, "country": p.country} for p in found]
    )
    # The list only changes with a deployment.
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


@bp.get("/eligibility")
def eligibility():
    form = PlaceCheckForm(request.args)
    asked = form.asked and form.validate()
    answer = check_eligibility(
        text=form.place.data if asked else "", place_id=form.place_id.data if asked else None
    )
    return render_template("geo/eligibility.html", place_form=form, answer=answer)
