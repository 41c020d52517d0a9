"""The scoring criteria of an edition: add, edit, remove and reorder until the jury starts.

Every change is logged on the edition (the aggregate the criteria belong to), so one audit
history shows the settings, the criteria and the phase changes together.
"""

from decimal import Decimal

from flask_babel import lazy_gettext as _l

from qpmusic.audit.services import record_event
from qpmusic.editions.models import Criterion, Edition
from qpmusic.editions.services import LANGUAGES, EditionError, apply_changes, snapshot
from qpmusic.enums import EditionPhase
from qpmusic.extensions import db

CRITERION_FIELDS = (
    *(f"label_{lang}" for lang in LANGUAGES),
    *(f"help_{lang}" for lang in LANGUAGES),
    "weight",
    "scale_min",
    "scale_max",
    "scale_step",
)
# From the jury phase on, jurors score against the criteria: changing them would change the
# meaning of scores already given.
LOCKED_PHASES = (
    EditionPhase.JURY,
    EditionPhase.FINAL,
    EditionPhase.PUBLISHED,
    EditionPhase.ARCHIVED,
)


DEFAULT_SCALE = {"weight": 1, "scale_min": 0, "scale_max": 10, "scale_step": 1}


def criteria_locked(edition: Edition) -> bool:
    return edition.phase in LOCKED_PHASES


def scale_problem(*, weight: Decimal, scale_min: Decimal, scale_max: Decimal, scale_step: Decimal):
    """``(field, message)`` for the first thing wrong with a weight and scale, else None."""
    if weight <= 0:
        return "weight", _l("The weight must be greater than zero.")
    if scale_max <= scale_min:
        return "scale_max", _l("The highest score must be greater than the lowest.")
    if scale_step <= 0:
        return "scale_step", _l("The step must be greater than zero.")
    if (scale_max - scale_min) % scale_step != 0:
        return "scale_step", _l("The step must divide the range from the lowest to the highest.")
    return None


def _check(edition: Edition, values: dict, current: Criterion | None = None) -> None:
    if criteria_locked(edition):
        raise EditionError(_l("The criteria cannot be changed once the jury phase has begun."))
    unknown = set(values) - set(CRITERION_FIELDS)
    if unknown:
        raise TypeError(f"not criterion settings: {sorted(unknown)}")
    scale = {
        name: Decimal(values[name] if name in values else getattr(current, name, default))
        for name, default in DEFAULT_SCALE.items()
    }
    problem = scale_problem(**scale)
    if problem:
        raise EditionError(problem[1], field=problem[0])


def add_criterion(*, actor, edition: Edition, **values) -> Criterion:
    """Append a criterion (names in ``CRITERION_FIELDS``) at the end of the edition's list."""
    _check(edition, values)
    position = max((c.position for c in edition.criteria), default=0) + 1
    criterion = Criterion(position=position, **values)
    edition.criteria.append(criterion)
    db.session.flush()
    record_event(
        actor=actor,
        action="edition.criterion_added",
        target=edition,
        after={"criterion_id": criterion.id, **snapshot(criterion, CRITERION_FIELDS)},
    )
    return criterion


def update_criterion(*, actor, criterion: Criterion, **values) -> Criterion:
    """Change a criterion's labels, help, weight or scale."""
    _check(criterion.edition, values, criterion)
    before, after = apply_changes(criterion, values)
    if after:
        db.session.flush()
        record_event(
            actor=actor,
            action="edition.criterion_updated",
            target=criterion.edition,
            before={"criterion_id": criterion.id, **before},
            after={"criterion_id": criterion.id, **after},
        )
    return criterion


def remove_criterion(*, actor, criterion: Criterion) -> None:
    """Delete a criterion and close the gap in the order."""
    edition = criterion.edition
    if criteria_locked(edition):
        raise EditionError(_l("The criteria cannot be changed once the jury phase has begun."))
    record_event(
        actor=actor,
        action="edition.criterion_removed",
        target=edition,
        before={"criterion_id": criterion.id, **snapshot(criterion, CRITERION_FIELDS)},
    )
    edition.criteria.remove(criterion)
    for position, remaining in enumerate(edition.criteria, start=1):
        remaining.position = position
    db.session.flush()


def move_criterion(*, actor, criterion: Criterion, offset: int) -> None:
    """Move a criterion ``offset`` places up (negative) or down (positive) in the order."""
    edition = criterion.edition
    if criteria_locked(edition):
        raise EditionError(_l("The criteria cannot be changed once the jury phase has begun."))
    order = list(edition.criteria)
    old = order.index(criterion)
    new = min(max(old + offset, 0), len(order) - 1)
    if new == old:
        return
    order.insert(new, order.pop(old))
    before = [c.id for c in edition.criteria]
    for position, item in enumerate(order, start=1):
        item.position = position
    db.session.flush()
    # The relationship keeps its loaded order until it is read again.
    db.session.expire(edition, ["criteria"])
    record_event(
        actor=actor,
        action="edition.criteria_reordered",
        target=edition,
        before={"order": before},
        after={"order": [c.id for c in order]},
    )
