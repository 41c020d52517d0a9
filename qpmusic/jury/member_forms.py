"""Forms of the office's jury pages: inviting a member, dismissing a conflict."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from qpmusic.accounts.forms import LANGUAGE_CHOICES, email_field


class MemberInviteForm(FlaskForm):
    email = email_field(_l("E-mail address"))
    role = SelectField(
        _l("Role"),
        choices=[
            SelectChoice("juror", _l("Juror")),
            SelectChoice("coordinator", _l("Music coordinator")),
        ],
    )
    # Choices are the cities, set by the view; 0 is "no city", which only coordinators may have.
    city_id = SelectField(
        _l("City"),
        coerce=int,
        default=0,
        description=_l("Required for jurors: the city they speak for."),
    )
    language = SelectField(
        _l("Language of the invitation"),
        choices=LANGUAGE_CHOICES,
        description=_l("The e-mail is written in this language."),
    )

    def validate_city_id(self, field):
        if self.role.data == "juror" and not field.data:
            raise ValidationError(_l("A juror needs a city."))


class DismissConflictForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for dismissing"),
        validators=[
            DataRequired(_l("Please give a reason for dismissing the conflict.")),
            Length(max=2000),
        ],
        render_kw={"rows": 2},
    )
