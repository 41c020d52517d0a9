"""The checks behind a review change, and messages that are formatted only when shown."""

from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

from qpmusic.editions.models import Criterion

COMMENT_MAX_LENGTH = 10_000


class ReviewError(Exception):
    """A review change that cannot be made; ``code`` for programs, the message for people.

    Codes: ``stale``, ``final``, ``closed``, ``conflict``, ``invalid`` (``criterion_id`` names
    the value), ``incomplete``, ``listening``, ``not_final``, ``forbidden``, ``gone`` (the row
    was removed by a rebuild), ``preselection`` (votes are cast on the screening page).
    """

    def __init__(self, message, *, code: str, criterion_id: int | None = None):
        super().__init__(message)
        self.code = code
        self.criterion_id = criterion_id

    def __str__(self) -> str:
        return str(self.args[0])


def value_problem(value: Decimal, *, scale_min, scale_max, scale_step) -> str | None:
    """``"outside"`` or ``"off_step"`` when ``value`` is not a point of the scale, else None."""
    if not value.is_finite() or value < scale_min or value > scale_max:
        return "outside"
    if (value - scale_min) % scale_step != 0:
        return "off_step"
    return None


class Shown:
    """A time or a share formatted only when the message is shown, in the reader's locale."""

    def __init__(self, format_, value):
        self.format_, self.value = format_, value

    def __str__(self) -> str:
        return self.format_(self.value)


class Joined:
    """Several lazy messages shown as one."""

    def __init__(self, parts):
        self.parts = parts

    def __str__(self) -> str:
        return " ".join(str(part) for part in self.parts)


def checked_value(criterion: Criterion, value) -> Decimal | None:
    """The value as stored, or a refusal naming the criterion when it is off the scale."""
    if value is None:
        return None
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        number = Decimal("NaN")
    problem = value_problem(
        number,
        scale_min=criterion.scale_min,
        scale_max=criterion.scale_max,
        scale_step=criterion.scale_step,
    )
    if problem is None:
        return number
    if problem == "outside":
        message = _l(
            "A score must lie between %(min)s and %(max)s.",
            min=plain(criterion.scale_min),
            max=plain(criterion.scale_max),
        )
    else:
        message = _l(
            "A score must be %(min)s plus a multiple of %(step)s.",
            min=plain(criterion.scale_min),
            step=plain(criterion.scale_step),
        )
    raise ReviewError(message, code="invalid", criterion_id=criterion.id)


def plain(number: Decimal) -> str:
    """``Decimal("10.00")`` → "10", ``Decimal("0.50")`` → "0.5"."""
    return format(number.normalize(), "f")


def checked_text(text: str | None) -> str:
    """The text trimmed, or a refusal when it is too long."""
    text = (text or "").strip()
    if len(text) > COMMENT_MAX_LENGTH:
        raise ReviewError(
            _l("Please keep a comment under %(n)d characters.", n=COMMENT_MAX_LENGTH),
            code="invalid",
        )
    return text
