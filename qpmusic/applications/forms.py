"""Forms of the application steps; drafts may be incomplete, so few fields are required."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, ValidationError

from qpmusic.applications.completeness import BIOGRAPHY_MAX_CHARS, work_year_problem
from qpmusic.applications.labels import BASIS_LABELS
from qpmusic.enums import EligibilityKind
from qpmusic.jury.conflicts import CONFLICT_TYPE_LABELS
from qpmusic.jury.conflicts import NOTE_MAX_LENGTH as RELATIONSHIP_NOTE_MAX

REQUIRED = _l("Please fill in this field.")
URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
DURATION = re.compile(r"^(?:(\d{1,2}):)?(\d{1,3}):([0-5]\d)$", re.ASCII)


def normalize_newlines(text):
    # Browsers send a text area's line breaks as CRLF; count and store them as one character.
    return text.replace("\r\n", "\n").replace("\r", "\n") if isinstance(text, str) else text


def link_lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def valid_links(form, field):
    for line in link_lines(field.data):
        if not URL.match(line) or len(line) > 500:
            raise ValidationError(
                _l("“%(link)s” is not a web address starting with https://", link=line[:80])
            )
    if len(link_lines(field.data)) > 10:
        raise ValidationError(_l("Give at most 10 links."))


def parse_duration(text: str) -> int | None:
    """Seconds from "7:30", "1:02:03" or whole minutes ("12"); None when unreadable."""
    text = (text or "").strip()
    # isascii: "²".isdigit() is true but int("²") fails; the length keeps int() cheap.
    if text.isascii() and text.isdecimal() and len(text) <= 4:
        return int(text) * 60
    match = DURATION.match(text)
    if not match:
        return None
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def format_duration(seconds: int | None) -> str:
    if not seconds:
        return ""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class ProfileForm(FlaskForm):
    artist_name = StringField(
        _l("Artist or project name"),
        validators=[DataRequired(REQUIRED), Length(max=200)],
        description=_l("As it should appear in the programme if you are chosen."),
    )
    contact_email = EmailField(
        _l("Contact e-mail"),
        validators=[
            DataRequired(REQUIRED),
            Email(_l("Enter a valid e-mail address.")),
            Length(max=254),
        ],
    )
    phone = StringField(_l("Phone (optional)"), validators=[Optional(), Length(max=40)])
    website = StringField(
        _l("Website (optional)"), validators=[Optional(), Length(max=500), valid_links]
    )
    links = TextAreaField(
        _l("Other links (optional)"),
        filters=[normalize_newlines],
        validators=[Optional(), valid_links],
        description=_l("One address per line: streaming profiles, videos, press."),
    )


class BiographyForm(FlaskForm):
    biography = TextAreaField(
        _l("Biography"),
        filters=[normalize_newlines],
        validators=[
            DataRequired(REQUIRED),
            Length(
                max=BIOGRAPHY_MAX_CHARS,
                message=_l("Use at most %(max)d characters.", max=BIOGRAPHY_MAX_CHARS),
            ),
        ],
        description=_l(
            "Up to %(max)d characters: your training, your artistic work, important performances.",
            max=BIOGRAPHY_MAX_CHARS,
        ),
    )


class BasisForm(FlaskForm):
    kind = SelectField(
        _l("I was born, live, work or study here"),
        choices=[SelectChoice(kind.value, label) for kind, label in BASIS_LABELS.items()],
        validators=[DataRequired(REQUIRED)],
    )
    place = StringField(
        _l("Place"),
        validators=[Length(max=200)],
        description=_l("Start typing and choose the town or village from the list."),
    )
    place_id = HiddenField()
    manual = BooleanField(_l("My place is not in the list"))
    explanation = TextAreaField(
        _l("Explanation"),
        filters=[normalize_newlines],
        validators=[Length(max=2000)],
        description=_l("For a place not in the list: where it is and how far from which city."),
    )

    def validate_place(self, field):
        if not (field.data or "").strip():
            raise ValidationError(REQUIRED)

    def validate_explanation(self, field):
        if self.manual.data and not (field.data or "").strip():
            raise ValidationError(_l("Please explain where this place is."))

    @property
    def kind_value(self) -> EligibilityKind:
        return EligibilityKind(self.kind.data)


class WorkForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(REQUIRED), Length(max=300)])
    year_composed = IntegerField(
        _l("Year composed"),
        validators=[Optional(), NumberRange(min=1900, max=2100, message=_l("Enter a year."))],
    )
    in_progress = BooleanField(_l("This work is still in progress"))
    duration = StringField(
        _l("Duration"),
        validators=[DataRequired(REQUIRED)],
        description=_l("Minutes and seconds, for example 7:30."),
    )
    description = TextAreaField(
        _l("Description"), filters=[normalize_newlines], validators=[Optional(), Length(max=3000)]
    )
    techniques = TextAreaField(
        _l("Techniques and instruments"),
        filters=[normalize_newlines],
        validators=[Optional(), Length(max=1000)],
        description=_l("Electronics, software, instruments, visuals, performance."),
    )
    links = TextAreaField(
        _l("Links to this work"),
        filters=[normalize_newlines],
        validators=[Optional(), valid_links],
        description=_l(
            "One address per line. The jury needs to hear or see each work: upload a recording "
            "below, or give a link to one here."
        ),
    )

    def validate_duration(self, field):
        seconds = parse_duration(field.data)
        if seconds is None or not 0 < seconds <= 24 * 3600:
            raise ValidationError(_l("Write the duration as minutes:seconds, for example 7:30."))

    # (oldest, newest) year allowed by the edition; set by the view before validating.
    year_bounds: tuple[int, int] | None = None

    def validate_year_composed(self, field):
        problem = work_year_problem(field.data, self.in_progress.data, bounds=self.year_bounds)
        if problem == "work_year_missing":
            raise ValidationError(_l("Enter the year, or mark the work as in progress."))
        if problem == "work_too_old":
            raise ValidationError(
                _l(
                    "This call accepts works composed in %(year)d or later; works in progress "
                    "count as new.",
                    year=self.year_bounds[0],
                )
            )
        if problem == "work_in_future":
            raise ValidationError(_l("This year lies in the future."))


class ConsentsForm(FlaskForm):
    rules = BooleanField(_l("I have read and accept the rules of the prize."))
    privacy = BooleanField(
        _l("I agree that my data is processed for this prize as the data protection notice says.")
    )


def _int_or_none(value):
    text = str(value or "")
    return int(text) if text.isascii() and text.isdecimal() and len(text) <= 10 else None


class RelationshipForm(FlaskForm):
    # Choices are the edition's jurors, set by the view; the service checks the one chosen.
    juror = SelectField(
        _l("Jury member"),
        coerce=_int_or_none,
        validate_choice=False,
        validators=[DataRequired(_l("Choose a jury member."))],
    )
    type = SelectField(
        _l("Kind of relationship"),
        choices=[SelectChoice(kind.value, label) for kind, label in CONFLICT_TYPE_LABELS.items()],
        validators=[DataRequired(REQUIRED)],
    )
    note = TextAreaField(
        _l("Note (optional)"),
        filters=[normalize_newlines],
        validators=[Optional(), Length(max=RELATIONSHIP_NOTE_MAX)],
        description=_l("For example: “studied composition with her from 2019 to 2022”."),
    )


class ConfirmForm(FlaskForm):
    """A POST with nothing but the CSRF token: submit, withdraw, remove."""
