"""What the reviewer's forms send: the review (one field per criterion), conflicts, messages."""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from qpmusic.enums import Recommendation
from qpmusic.jury.conflicts import CONFLICT_TYPE_LABELS, NOTE_MAX_LENGTH
from qpmusic.jury.deliberation import COMMENT_MAX_LENGTH as MESSAGE_MAX_LENGTH

RECOMMENDATION_LABELS = {
    Recommendation.YES: _l("Yes"),
    Recommendation.MAYBE: _l("Maybe"),
    Recommendation.NO: _l("No"),
}


@dataclass
class ReviewInput:
    """The review form as typed: ``values`` parsed, ``typed`` raw (to give back on a refusal)."""

    version: int | None
    action: str
    values: dict[int, Decimal | None] = field(default_factory=dict)
    comments: dict[int, str] = field(default_factory=dict)
    comment: str | None = None
    typed: dict[str, str] = field(default_factory=dict)
    # Criterion id → message, for values that are not numbers at all.
    errors: dict[int, str] = field(default_factory=dict)


def _number(text: str) -> Decimal | None:
    text = text.strip().replace(",", ".")
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(text) from None
    if not number.is_finite():
        raise ValueError(text)
    return number


def read_review(data, criterion_ids) -> ReviewInput:
    """Parse ``score-<id>``, ``comment-<id>``, ``comment`` and ``version``.

    Only the criteria named in ``criterion_ids`` are read; a field that is not sent is left
    out (its saved value stays), a field sent empty clears the value.
    """
    try:
        version = int(data.get("version", ""))
    except ValueError:
        version = None
    review = ReviewInput(version=version, action=data.get("action", "save"))
    for criterion_id in criterion_ids:
        score_name, comment_name = f"score-{criterion_id}", f"comment-{criterion_id}"
        if score_name in data:
            raw = data.get(score_name, "")
            review.typed[score_name] = raw
            try:
                review.values[criterion_id] = _number(raw)
            except ValueError:
                review.errors[criterion_id] = str(_l("Enter a number."))
        if comment_name in data:
            review.comments[criterion_id] = review.typed[comment_name] = data.get(comment_name)
    if "comment" in data:
        review.comment = review.typed["comment"] = data.get("comment")
    return review


class ConflictForm(FlaskForm):
    type = SelectField(
        _l("Kind of relationship"),
        choices=[SelectChoice(t.value, label) for t, label in CONFLICT_TYPE_LABELS.items()],
        validators=[InputRequired()],
    )
    note = TextAreaField(
        _l("Note"),
        validators=[Length(max=NOTE_MAX_LENGTH)],
        description=_l("A sentence for the office, e.g. “taught the applicant until 2024”."),
    )


class MessageForm(FlaskForm):
    body = TextAreaField(
        _l("Your message to the jury"),
        validators=[DataRequired(), Length(max=MESSAGE_MAX_LENGTH)],
    )


class ReopenForm(FlaskForm):
    reason = TextAreaField(
        _l("Why the review is reopened"), validators=[DataRequired(), Length(max=2000)]
    )


# Up to this many points a scale shows as radio buttons (0 to 10 in steps of 1 is eleven).
RADIO_LIMIT = 11


def scale_points(criterion) -> list[str] | None:
    """The scale's points as the form sends them ("0", "0.5", …), None when too many for radios."""
    count = (criterion.scale_max - criterion.scale_min) / criterion.scale_step + 1
    if count > RADIO_LIMIT or count != count.to_integral_value():
        return None
    return [
        format((criterion.scale_min + n * criterion.scale_step).normalize(), "f")
        for n in range(int(count))
    ]


def plain_number(value) -> str:
    """``Decimal("7.50")`` → "7.5", ``Decimal("10.00")`` → "10", None → ""."""
    return "" if value is None else format(value.normalize(), "f")
