"""Forms of the account pages; every label and message is translatable."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from qpmusic.accounts.passwords import MAX_LENGTH, MIN_LENGTH, password_problem
from qpmusic.i18n import LANGUAGE_NAMES

REQUIRED = _l("Please fill in this field.")
PASSWORD_PROBLEMS = {
    "too_short": _l("Use at least %(n)d characters.", n=MIN_LENGTH),
    "too_long": _l("Use at most %(n)d characters.", n=MAX_LENGTH),
    "too_simple": _l("Use more different characters."),
    "personal": _l("Do not use your name or e-mail address as password."),
    "common": _l("This password is too common. Please choose another one."),
}
LANGUAGE_CHOICES = [SelectChoice(code, name) for code, name in LANGUAGE_NAMES.items()]


class StrongPassword:
    """Refuses passwords that are short, repetitive, common or made of the person's own data."""

    def __init__(self, email_field: str | None = "email", name_field: str | None = "name"):
        self.email_field = email_field
        self.name_field = name_field

    def __call__(self, form, field):
        email = form[self.email_field].data if self.email_field in form else ""
        name = form[self.name_field].data if self.name_field in form else ""
        problem = password_problem(field.data or "", email=email or "", name=name or "")
        if problem:
            raise ValidationError(PASSWORD_PROBLEMS[problem])


def email_field(label):
    return EmailField(
        label,
        validators=[
            DataRequired(REQUIRED),
            Length(max=254, message=_l("This address is too long.")),
            Email(_l("Please enter a valid e-mail address, e.g. name@example.org.")),
        ],
        render_kw={"autocomplete": "email"},
    )


def new_password_fields():
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(REQUIRED), StrongPassword()],
        description=_l("At least %(n)d characters.", n=MIN_LENGTH),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(REQUIRED), EqualTo("password", _l("The passwords do not match."))],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm


class RegisterForm(FlaskForm):
    name = StringField(
        _l("Your name"),
        validators=[DataRequired(REQUIRED), Length(max=120)],
        render_kw={"autocomplete": "name"},
    )
    email = email_field(_l("E-mail address"))
    password, confirm = new_password_fields()


class LoginForm(FlaskForm):
    email = email_field(_l("E-mail address"))
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(REQUIRED)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Stay logged in on this device"))


class ForgotPasswordForm(FlaskForm):
    email = email_field(_l("E-mail address"))


class ResetPasswordForm(FlaskForm):
    password, confirm = new_password_fields()


class ProfileForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=120)])
    language = SelectField(
        _l("Preferred language"),
        choices=LANGUAGE_CHOICES,
        description=_l("Pages and e-mails reach you in this language."),
    )


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(REQUIRED)],
        render_kw={"autocomplete": "current-password"},
    )
    password, confirm = new_password_fields()


class ChangeEmailForm(FlaskForm):
    email = email_field(_l("New e-mail address"))
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(REQUIRED)],
        render_kw={"autocomplete": "current-password"},
    )


class InviteForm(FlaskForm):
    email = email_field(_l("E-mail address"))
    role = SelectField(
        _l("Role"),
        choices=[
            SelectChoice("juror", _l("Juror")),
            SelectChoice("coordinator", _l("Music coordinator")),
            SelectChoice("admin", _l("Administrator")),
        ],
    )
    city_id = SelectField(
        _l("City"),
        coerce=int,
        description=_l("Jurors represent one of the cities."),
    )
    # Choices are the editions, set by the view; 0 is "no edition".
    edition_id = SelectField(
        _l("Edition"),
        coerce=int,
        default=0,
        description=_l("Jurors and coordinators join this edition's jury when they accept."),
    )
    language = SelectField(
        _l("Language of the invitation"),
        choices=LANGUAGE_CHOICES,
    )

    def validate_city_id(self, field):
        if self.role.data == "juror" and not field.data:
            raise ValidationError(_l("A juror needs a city."))

    def validate_edition_id(self, field):
        if self.role.data == "admin" and field.data:
            raise ValidationError(_l("Only jurors and coordinators are invited for an edition."))


class AcceptInvitationForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[DataRequired(REQUIRED), Length(max=120)])
    email = EmailField(_l("E-mail address"), render_kw={"readonly": True})
    password, confirm = new_password_fields()
    language = SelectField(_l("Preferred language"), choices=LANGUAGE_CHOICES)


class ExistingAccountInvitationForm(FlaskForm):
    password = PasswordField(
        _l("Password of your existing account"),
        validators=[DataRequired(REQUIRED)],
        render_kw={"autocomplete": "current-password"},
    )
    language = SelectField(_l("Preferred language"), choices=LANGUAGE_CHOICES)
