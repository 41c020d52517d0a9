"""Forms and labels of the round pages; deadlines are entered in Luxembourg time."""

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from qpmusic.editions.forms import DATE, REQUIRED, count_field, time_field
from qpmusic.editions.localtime import NonExistentLocalTime, local_to_utc, utc_to_local
from qpmusic.enums import AssignmentMode, AssignmentStatus, RoundKind, RoundStatus

KIND_LABELS = {
    RoundKind.PRESELECTION: _l("Pre-selection"),
    RoundKind.JURY: _l("Jury"),
    RoundKind.FINAL: _l("Final"),
}
ROUND_STATUS_LABELS = {
    RoundStatus.DRAFT: _l("Not open yet"),
    RoundStatus.OPEN: _l("Open"),
    RoundStatus.CLOSED: _l("Closed"),
}
MODE_LABELS = {
    AssignmentMode.ALL: _l("Every juror reviews every application"),
    AssignmentMode.AUTOMATIC: _l("Automatic: a number of reviews per application"),
}
ASSIGNMENT_STATUS_LABELS = {
    AssignmentStatus.TODO: _l("To do"),
    AssignmentStatus.DRAFT: _l("Draft"),
    AssignmentStatus.FINAL: _l("Finalized"),
}


class DeadlineForm(FlaskForm):
    """The round's deadline, a Luxembourg date and time (all that changes once a round is open)."""

    closes_on = DateField(_l("Deadline (date)"), validators=[InputRequired(DATE)])
    closes_time = time_field(_l("Deadline (time)"))

    FIELD_FOR = {"closes_at": "closes_on"}

    @classmethod
    def for_round(cls, round_, data=None, **kwargs):
        """Pre-filled from ``round_``; ``formdata=None`` for a form not being submitted."""
        data = dict(data or {})
        if round_.closes_at is not None:
            data["closes_on"], data["closes_time"] = utc_to_local(round_.closes_at)
        return cls(obj=round_, data=data, **kwargs)

    def validate_closes_time(self, field):
        if self.closes_on.data is None or field.data is None:
            return
        try:
            local_to_utc(self.closes_on.data, field.data)
        except NonExistentLocalTime as error:
            raise ValidationError(
                _l(
                    "There is no %(time)s on %(date)s in Luxembourg: the clocks go forward that "
                    "night. Please choose another time.",
                    time=field.data.strftime("%H:%M"),
                    date=self.closes_on.data.isoformat(),
                )
            ) from error

    @property
    def closes_at(self):
        return local_to_utc(self.closes_on.data, self.closes_time.data)

    def settings(self) -> dict:
        return {"closes_at": self.closes_at}

    def show_error(self, field: str | None, message) -> None:
        name = self.FIELD_FOR.get(field, field)
        if name in self:
            self[name].errors = [*self[name].errors, message]


class RoundForm(DeadlineForm):
    """Every setting of a round that has not opened yet."""

    assignment_mode = RadioField(
        _l("Assignment"),
        default=AssignmentMode.ALL.value,
        choices=[SelectChoice(mode.value, label) for mode, label in MODE_LABELS.items()],
        validators=[InputRequired(REQUIRED)],
        description=_l("Jury round only: pre-selection gives every coordinator every application."),
    )
    reviews_per_application = count_field(
        _l("Reviews per application"), 4, 50, description=_l("Automatic assignment only.")
    )
    min_cities = count_field(
        _l("Cities per application, at least"), 2, 20, description=_l("Automatic assignment only.")
    )
    min_listening_percent = IntegerField(
        _l("Share of each work heard before a review can be finalized (%)"),
        validators=[
            Optional(),
            NumberRange(min=0, max=100, message=_l("Please enter a number from 0 to 100.")),
        ],
        description=_l("Leave empty for no minimum."),
    )

    FIELD_FOR = {"closes_at": "closes_on", "min_listening_share": "min_listening_percent"}

    @classmethod
    def for_round(cls, round_, data=None, **kwargs):
        share = round_.min_listening_share
        data = {"min_listening_percent": None if share is None else int(share * 100)}
        return super().for_round(round_, data, **kwargs)

    def validate_min_cities(self, field):
        automatic = self.assignment_mode.data == AssignmentMode.AUTOMATIC.value
        reviews = self.reviews_per_application.data
        if automatic and None not in (field.data, reviews) and field.data > reviews:
            raise ValidationError(
                _l("There cannot be more cities than reviews per application (%(n)s).", n=reviews)
            )

    def settings(self) -> dict:
        percent = self.min_listening_percent.data
        return {
            "closes_at": self.closes_at,
            "assignment_mode": AssignmentMode(self.assignment_mode.data),
            "reviews_per_application": self.reviews_per_application.data,
            "min_cities": self.min_cities.data,
            "min_listening_share": (
                None if percent is None else (Decimal(percent) / 100).quantize(Decimal("0.01"))
            ),
        }


class NewRoundForm(RoundForm):
    kind = SelectField(_l("Round"), validators=[InputRequired(REQUIRED)])

    def offer(self, kinds) -> "NewRoundForm":
        self.kind.choices = [SelectChoice(kind.value, KIND_LABELS[kind]) for kind in kinds]
        return self

    @property
    def round_kind(self) -> RoundKind:
        return RoundKind(self.kind.data)


class CloseForm(FlaskForm):
    anyway = BooleanField(_l("Close anyway, although some reviews are still drafts"))


class ReopenForm(DeadlineForm):
    reason = TextAreaField(
        _l("Reason for reopening"),
        validators=[
            InputRequired(_l("Please give a reason for reopening the round.")),
            Length(max=1000),
        ],
        render_kw={"rows": 2},
        description=_l("Kept in the audit log."),
    )


class AddAssignmentForm(FlaskForm):
    # The service checks who and what may be paired, with a reason; the lists only offer.
    juror = SelectField(
        _l("Reviewer"), coerce=int, validate_choice=False, validators=[InputRequired(REQUIRED)]
    )
    application = SelectField(
        _l("Application"), coerce=int, validate_choice=False, validators=[InputRequired(REQUIRED)]
    )

    def offer(self, *, members, applications, language: str) -> "AddAssignmentForm":
        self.juror.choices = [
            SelectChoice(
                m.user_id,
                f"{m.user.display_name} ({m.city.name(language)})"
                if m.city
                else m.user.display_name,
            )
            for m in members
        ]
        self.application.choices = [
            SelectChoice(a.id, f"{a.reference or '#' + str(a.id)} · {a.artist_name}")
            for a in applications
        ]
        return self
