"""The public place check, and the admin's form for the cities of the network."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FloatField, HiddenField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

REQUIRED = _l("Please fill in this field.")


class PlaceCheckForm(FlaskForm):
    """Sent with GET, so results can be bookmarked and shared; nothing changes, no CSRF token."""

    class Meta:
        csrf = False

    place = StringField(
        _l("Place"),
        validators=[Optional(), Length(max=200)],
        description=_l("A town or village where you were born, live, work or study."),
        id="eligibility-place",
    )
    place_id = HiddenField(id="eligibility-place-id")

    @property
    def asked(self) -> bool:
        return bool((self.place.data or "").strip() or (self.place_id.data or "").strip())


class CityForm(FlaskForm):
    """A city of the network; names per language, so every page can say it in its own."""

    name_de = StringField(_l("Name (German)"), validators=[DataRequired(REQUIRED), Length(max=80)])
    name_fr = StringField(_l("Name (French)"), validators=[DataRequired(REQUIRED), Length(max=80)])
    name_en = StringField(_l("Name (English)"), validators=[DataRequired(REQUIRED), Length(max=80)])
    name_lb = StringField(
        _l("Name (Luxembourgish, optional)"), validators=[Optional(), Length(max=80)]
    )
    country = StringField(
        _l("Country code"),
        validators=[
            DataRequired(REQUIRED),
            Regexp(r"^[A-Za-z]{2}$", message=_l("Two letters, for example LU, FR, DE or BE.")),
        ],
    )
    latitude = FloatField(
        _l("Latitude"),
        validators=[
            InputRequired(REQUIRED),
            NumberRange(-90, 90, message=_l("A latitude lies between -90 and 90.")),
        ],
        description=_l("Decimal degrees, for example 49.7557."),
    )
    longitude = FloatField(
        _l("Longitude"),
        validators=[
            InputRequired(REQUIRED),
            NumberRange(-180, 180, message=_l("A longitude lies between -180 and 180.")),
        ],
        description=_l("Decimal degrees, for example 6.6394."),
    )
