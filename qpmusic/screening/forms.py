"""Forms of the screening pages: list filters, the eligibility decision, notes."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SearchField,
    SelectField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from qpmusic.applications.labels import BASIS_LABELS, STATUS_LABELS
from qpmusic.enums import ApplicationStatus, EligibilityKind
from qpmusic.screening.labels import VOTE_LABELS
from qpmusic.screening.listing import LISTED_STATUSES, ScreeningFilter
from qpmusic.screening.services import NOTE_MAX_LENGTH
from qpmusic.screening.votes import COMMENT_MAX_LENGTH

SORT_CHOICES = [
    SelectChoice("reference", _l("Reference")),
    SelectChoice("newest", _l("Newest first")),
    SelectChoice("artist", _l("Artist name")),
    SelectChoice("distance", _l("Distance")),
    SelectChoice("votes", _l("Pre-selection votes")),
]


# PostgreSQL's integer: no row has a larger id, and binding one fails in the database.
MAX_ID = 2**31 - 1


def _int_or_none(value):
    if value in (None, "", "None"):
        return None
    number = int(value)
    if not -MAX_ID <= number <= MAX_ID:
        raise ValueError(value)  # a mangled value: ignored like any other
    return number


class FilterForm(FlaskForm):
    """Read from the query string, so a filtered list can be bookmarked and shared."""

    class Meta:
        csrf = False

    q = SearchField(
        _l("Search"),
        validators=[Optional(), Length(max=200)],
        render_kw={"placeholder": _l("Reference, name or e-mail")},
    )
    # Choices are the cities, set by the view; an unknown id simply matches nothing.
    city = SelectField(_l("Nearest city"), coerce=_int_or_none, validate_choice=False)
    kind = SelectField(
        _l("Basis"),
        choices=[SelectChoice("", _l("All bases"))]
        + [SelectChoice(k.value, BASIS_LABELS[k]) for k in EligibilityKind],
        validators=[Optional()],
    )
    status = SelectField(
        _l("Status"),
        choices=[SelectChoice("", _l("All but withdrawn"))]
        + [SelectChoice(s.value, STATUS_LABELS[s]) for s in LISTED_STATUSES],
        validators=[Optional()],
    )
    flagged = BooleanField(_l("Flagged only"))
    sort = SelectField(_l("Sort by"), choices=SORT_CHOICES, default="reference")

    def to_filter(self) -> ScreeningFilter:
        """The valid parts of the query string; a mangled value is ignored, not an error page."""
        self.validate()

        def valid(field):
            return field.data if field.data and not field.errors else None

        kind, status = valid(self.kind), valid(self.status)
        return ScreeningFilter(
            search=valid(self.q) or "",
            city_id=valid(self.city),
            kind=EligibilityKind(kind) if kind else None,
            status=ApplicationStatus(status) if status else None,
            flagged=bool(self.flagged.data),
            sort=valid(self.sort) or "reference",
        )


class DecisionForm(FlaskForm):
    decision = RadioField(
        _l("Is the application eligible?"),
        choices=[
            SelectChoice("eligible", _l("Eligible")),
            SelectChoice("ineligible", _l("Not eligible")),
        ],
        validators=[InputRequired(_l("Please choose eligible or not eligible."))],
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[Length(max=2000)],
        description=_l("Required when the application is not eligible."),
        render_kw={"rows": 3},
    )

    def validate_reason(self, field):
        if self.decision.data == "ineligible" and not (field.data or "").strip():
            raise ValidationError(_l("Please give a reason why the application is not eligible."))


class NoteForm(FlaskForm):
    body = TextAreaField(
        _l("New note"),
        validators=[
            DataRequired(_l("Please write a note.")),
            Length(max=NOTE_MAX_LENGTH),
        ],
        description=_l("Only coordinators and administrators see notes."),
        render_kw={"rows": 3},
    )


def _version(value):
    text = str(value or "")
    return int(text) if text.isascii() and text.isdecimal() and len(text) <= 9 else None


class VoteForm(FlaskForm):
    recommendation = RadioField(
        _l("Should this application go to the jury?"),
        choices=[SelectChoice(kind.value, label) for kind, label in VOTE_LABELS.items()],
        validators=[InputRequired(_l("Please choose yes, maybe or no."))],
    )
    comment = TextAreaField(
        _l("Comment"),
        validators=[
            DataRequired(_l("Write a comment on your vote.")),
            Length(max=COMMENT_MAX_LENGTH),
        ],
        description=_l("Coordinators and administrators see every vote and comment."),
        render_kw={"rows": 3},
    )
    # The assignment's version when the page was loaded: a save from an older page is refused.
    version = HiddenField(filters=[_version], validators=[InputRequired()])
