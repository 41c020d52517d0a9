"""Forms of the data protection pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired

from qpmusic.accounts.forms import REQUIRED


class DeleteAccountForm(FlaskForm):
    password = PasswordField(
        _l("Your password"),
        description=_l("To be sure it is you, enter your password once more."),
        validators=[DataRequired(REQUIRED)],
        render_kw={"autocomplete": "current-password"},
    )
