"""The public place check: a place typed or picked from the list."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import Length, Optional


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
