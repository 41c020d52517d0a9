"""The admin's list and forms for the cities of the network."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from qpmusic.accounts.guards import role_required
from qpmusic.enums import Role
from qpmusic.extensions import db
from qpmusic.geo.cities import FIELDS, cities_by_name, save_city
from qpmusic.geo.forms import CityForm
from qpmusic.geo.models import City

bp = Blueprint("cities", __name__, url_prefix="/admin/cities")
admin_only = role_required(Role.ADMIN)


@bp.route("/")
@admin_only
def index():
    return render_template("geo/cities.html", cities=cities_by_name())


@bp.route("/new", methods=["GET", "POST"])
@admin_only
def new():
    return _form(None)


@bp.route("/<int:city_id>", methods=["GET", "POST"])
@admin_only
def edit(city_id):
    return _form(db.session.get(City, city_id) or abort(404))


def _form(city: City | None):
    form = CityForm(obj=city)
    if form.validate_on_submit():
        save_city(actor=current_user, city=city, **{name: form[name].data for name in FIELDS})
        db.session.commit()
        flash(_("The city has been saved."), "success")
        return redirect(url_for(".index"))
    return render_template("geo/city_form.html", form=form, city=city)
