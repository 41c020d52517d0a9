"""Forms and labels of the finalists and decision-letter pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, SelectMultipleField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from qpmusic.results.letters import FINALISTS, NOT_FINALISTS, SCREENED_OUT

METHOD_LABELS = {
    "raw_mean": _l("Raw mean"),
    "raw_median": _l("Median"),
    "normalized": _l("Normalized"),
    "city_balanced": _l("City-balanced"),
}
LETTER_LABELS = {
    FINALISTS: _l("Finalists: invitation to the final concert"),
    NOT_FINALISTS: _l("Shortlisted, not finalists"),
    SCREENED_OUT: _l("Screened out: not eligible or not shortlisted"),
}


class ChooseFinalistsForm(FlaskForm):
    # The snapshot and method the page showed: a newer tally must be looked at first.
    snapshot_id = IntegerField(validators=[InputRequired()])
    method = HiddenField(validators=[InputRequired()])
    # The service checks what may be chosen; the form only carries the ticks.
    finalists = SelectMultipleField(_l("Finalists"), coerce=int, validate_choice=False)
    reason = TextAreaField(
        _l("Reason"),
        validators=[Optional(), Length(max=2000)],
        render_kw={"rows": 3},
        description=_l(
            "Required when the choice differs from the proposal or settles a tie at the cut. "
            "It is kept with the result and in the audit log."
        ),
    )

    def show_error(self, field: str | None, message) -> bool:
        if field in self:
            self[field].errors = [*self[field].errors, message]
            return True
        return False


class SendLettersForm(FlaskForm):
    confirm = BooleanField(
        _l("I have read the preview; send the letters now"),
        validators=[InputRequired(_l("Please confirm that the letters should be sent."))],
    )
    only_new = BooleanField(_l("Send only to those not yet written to"))
