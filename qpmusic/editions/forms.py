"""Forms of the edition admin pages; dates and times are entered in Luxembourg time."""

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from qpmusic.editions.localtime import NonExistentLocalTime, local_to_utc, utc_to_local
from qpmusic.enums import EditionPhase

REQUIRED = _l("Please fill in this field.")
POSITIVE = _l("Please enter a number greater than zero.")
NUMBER = _l("Please enter a number.")
DATE = _l("Please enter a date.")
TIME = _l("Please enter a time.")
# The largest values the Numeric(6, 2) and Numeric(10, 2) columns hold.
SCALE_LIMIT = Decimal("9999.99")
PRIZE_LIMIT = Decimal("99999999.99")


class StorableDecimal:
    """Stops NaN, infinities and more than two decimal places before any comparison.

    ``Decimal("NaN") < 1`` raises instead of answering, so this runs before ``NumberRange``.
    """

    def __call__(self, form, field):
        value = field.data
        if value is None:
            return
        if not value.is_finite():
            raise StopValidation(NUMBER)
        if value.as_tuple().exponent < -2:
            raise StopValidation(_l("Please use at most two decimal places."))


def time_field(label):
    """Hours, minutes and seconds: a deadline of 23:59:59 must survive an unrelated save."""
    return TimeField(
        label,
        format=["%H:%M:%S", "%H:%M"],
        render_kw={"step": 1},
        validators=[InputRequired(TIME)],
    )


def count_field(label, default, maximum, description=None):
    return IntegerField(
        label,
        default=default,
        description=description,
        validators=[
            InputRequired(NUMBER),
            NumberRange(min=1, max=maximum, message=_l("Please enter a number from 1 to %(max)s.")),
        ],
    )


def decimal_field(label, default, description=None):
    return DecimalField(
        label,
        default=default,
        description=description,
        validators=[
            InputRequired(NUMBER),
            StorableDecimal(),
            NumberRange(
                min=-SCALE_LIMIT,
                max=SCALE_LIMIT,
                message=_l("Please enter a number from %(min)s to %(max)s."),
            ),
        ],
    )


class EditionForm(FlaskForm):
    year = IntegerField(
        _l("Year"),
        validators=[
            InputRequired(NUMBER),
            NumberRange(min=2000, max=2100, message=_l("Please enter a year from 2000 to 2100.")),
        ],
    )
    title_de = StringField(_l("Title (German)"), validators=[Length(max=200)])
    title_fr = StringField(_l("Title (French)"), validators=[Length(max=200)])
    title_en = StringField(_l("Title (English)"), validators=[Length(max=200)])
    rules_de = TextAreaField(_l("Rules (German)"), render_kw={"rows": 8})
    rules_fr = TextAreaField(_l("Rules (French)"), render_kw={"rows": 8})
    rules_en = TextAreaField(_l("Rules (English)"), render_kw={"rows": 8})
    opens_on = DateField(_l("Call opens on"), validators=[InputRequired(DATE)])
    opens_time = time_field(_l("Opening time"))
    closes_on = DateField(_l("Call closes on"), validators=[InputRequired(DATE)])
    closes_time = time_field(_l("Closing time"))
    max_works = count_field(_l("Works per application, at most"), 3, 10)
    work_age_limit = count_field(
        _l("Works composed within the last … years"),
        5,
        50,
        description=_l("Works in progress always count as recent."),
    )
    radius_km = count_field(_l("Eligibility radius around the cities (km)"), 50, 500)
    prize_amount = DecimalField(
        _l("Prize amount (EUR)"),
        default=10000,
        places=2,
        validators=[
            InputRequired(NUMBER),
            StorableDecimal(),
            NumberRange(min=1, message=POSITIVE),
            NumberRange(max=PRIZE_LIMIT, message=_l("Please enter an amount up to %(max)s.")),
        ],
    )
    finalists_count = count_field(_l("Number of finalists"), 4, 20)
    blind_review = BooleanField(_l("Blind review: jurors do not see names or biographies"))
    # Optional until the finalists are invited; the invitation refuses to go out without them.
    final_concert_on = DateField(_l("Final concert on"), validators=[Optional()])
    final_concert_time = TimeField(
        _l("Time of the final concert"), format=["%H:%M", "%H:%M:%S"], validators=[Optional()]
    )
    final_concert_place = StringField(
        _l("Place of the final concert"),
        validators=[Length(max=300)],
        description=_l("As the invitation to the finalists names it, e.g. hall, street and city."),
    )

    # Which input shows a service error about a stored setting.
    FIELD_FOR = {"opens_at": "opens_on", "closes_at": "closes_on"}

    @classmethod
    def for_edition(cls, edition):
        """The form pre-filled from ``edition``, its instants shown in Luxembourg time."""
        opens_on, opens_time = utc_to_local(edition.opens_at)
        closes_on, closes_time = utc_to_local(edition.closes_at)
        concert_on, concert_time = (
            utc_to_local(edition.final_concert_at) if edition.final_concert_at else (None, None)
        )
        return cls(
            obj=edition,
            data={
                "opens_on": opens_on,
                "opens_time": opens_time,
                "closes_on": closes_on,
                "closes_time": closes_time,
                "final_concert_on": concert_on,
                "final_concert_time": concert_time,
            },
        )

    def validate_title_en(self, field):
        if not any(f.data and f.data.strip() for f in (self.title_de, self.title_fr, field)):
            raise ValidationError(_l("Please give the edition a title in at least one language."))

    def validate_opens_time(self, field):
        self._instant(self.opens_on, field)

    def validate_closes_time(self, field):
        self._instant(self.closes_on, field)

    def validate_final_concert_time(self, field):
        self._instant(self.final_concert_on, field)

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        # Each half is optional on its own (Optional stops its checks), so the pair is checked here.
        day, at = self.final_concert_on, self.final_concert_time
        missing = at if at.data is None else day
        if (day.data is None) != (at.data is None) and not missing.errors:
            missing.errors = [_l("Please give both the date and the time of the concert.")]
            return False
        return valid

    def _instant(self, day_field, time_field):
        if day_field.data is None or time_field.data is None:
            return None
        try:
            return local_to_utc(day_field.data, time_field.data)
        except NonExistentLocalTime as error:
            raise ValidationError(
                _l(
                    "There is no %(time)s on %(date)s in Luxembourg: the clocks go forward that "
                    "night. Please choose another time.",
                    time=time_field.data.strftime("%H:%M"),
                    date=day_field.data.isoformat(),
                )
            ) from error

    def settings(self) -> dict:
        """The validated input as edition settings (instants in UTC)."""
        names = (
            "year",
            "title_de",
            "title_fr",
            "title_en",
            "rules_de",
            "rules_fr",
            "rules_en",
            "max_works",
            "work_age_limit",
            "radius_km",
            "prize_amount",
            "finalists_count",
            "blind_review",
        )
        values = {name: self[name].data for name in names}
        for name in ("title_de", "title_fr", "title_en", "rules_de", "rules_fr", "rules_en"):
            values[name] = (values[name] or "").strip()
        values["opens_at"] = local_to_utc(self.opens_on.data, self.opens_time.data)
        values["closes_at"] = local_to_utc(self.closes_on.data, self.closes_time.data)
        return values

    def concert_settings(self) -> dict:
        """The final concert's instant (UTC, or None) and place."""
        day, at = self.final_concert_on.data, self.final_concert_time.data
        return {
            "at": local_to_utc(day, at) if day and at else None,
            "place": (self.final_concert_place.data or "").strip(),
        }

    def show_error(self, field: str | None, message) -> None:
        name = self.FIELD_FOR.get(field, field)
        if name in self:
            self[name].errors = [*self[name].errors, message]


class CriterionForm(FlaskForm):
    label_de = StringField(
        _l("Label (German)"), validators=[InputRequired(REQUIRED), Length(max=200)]
    )
    label_fr = StringField(
        _l("Label (French)"), validators=[InputRequired(REQUIRED), Length(max=200)]
    )
    label_en = StringField(
        _l("Label (English)"), validators=[InputRequired(REQUIRED), Length(max=200)]
    )
    help_de = TextAreaField(_l("Help for jurors (German)"), render_kw={"rows": 3})
    help_fr = TextAreaField(_l("Help for jurors (French)"), render_kw={"rows": 3})
    help_en = TextAreaField(_l("Help for jurors (English)"), render_kw={"rows": 3})
    weight = decimal_field(_l("Weight"), 1, _l("Relative to the other criteria, e.g. 1 or 2."))
    scale_min = decimal_field(_l("Lowest score"), 0)
    scale_max = decimal_field(_l("Highest score"), 10)
    scale_step = decimal_field(_l("Step"), 1, _l("E.g. 1 for whole points, 0.5 for half points."))

    def settings(self) -> dict:
        values = {name: field.data for name, field in self._fields.items() if name != "csrf_token"}
        for name in ("label_de", "label_fr", "label_en", "help_de", "help_fr", "help_en"):
            values[name] = (values[name] or "").strip()
        return values

    def show_error(self, field: str | None, message) -> None:
        if field in self:
            self[field].errors = [*self[field].errors, message]


class MoveCriterionForm(FlaskForm):
    direction = SelectField(
        choices=[SelectChoice("up", _l("Move up")), SelectChoice("down", _l("Move down"))]
    )

    @property
    def offset(self) -> int:
        return -1 if self.direction.data == "up" else 1


class PhaseForm(FlaskForm):
    to = HiddenField(validators=[InputRequired()])
    reason = TextAreaField(
        _l("Reason"),
        validators=[Optional(), Length(max=1000)],
        render_kw={"rows": 2},
        description=_l("Required when going back a phase; it is kept in the audit log."),
    )

    def validate_to(self, field):
        if field.data not in {phase.value for phase in EditionPhase}:
            raise ValidationError(_l("Unknown phase."))

    @property
    def phase(self) -> EditionPhase:
        return EditionPhase(self.to.data)
