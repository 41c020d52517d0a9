"""Scoring criteria: labels in three languages, a weight, a scale; locked once the jury starts."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from qpmusic.audit.models import AuditEvent
from qpmusic.editions.criteria import scale_problem
from qpmusic.editions.models import Criterion
from qpmusic.enums import EditionPhase
from qpmusic.extensions import db
from tests.editions.conftest import criterion_form
from tests.factories import CriterionFactory, EditionFactory


def criteria_of(edition) -> list[Criterion]:
    db.session.expire_all()
    return db.session.scalars(
        select(Criterion).where(Criterion.edition_id == edition.id).order_by(Criterion.position)
    ).all()


def actions() -> list[str]:
    return db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()


def test_admin_adds_a_criterion_with_labels_help_weight_and_scale(client, admin):
    edition = EditionFactory(phase=EditionPhase.DRAFT)

    response = client.post(
        f"/admin/editions/{edition.id}/criteria", data=criterion_form(help_en="New ideas.")
    )

    assert response.status_code == 302
    [criterion] = criteria_of(edition)
    assert (criterion.label_de, criterion.label_fr, criterion.label_en) == (
        "Originalität",
        "Originalité",
        "Originality",
    )
    assert criterion.help_en == "New ideas."
    assert (criterion.weight, criterion.scale_min, criterion.scale_max, criterion.scale_step) == (
        Decimal("2"),
        Decimal("0"),
        Decimal("10"),
        Decimal("0.5"),
    )
    assert criterion.position == 1
    event = db.session.scalar(select(AuditEvent))
    assert (event.action, event.target_id) == ("edition.criterion_added", edition.id)
    assert event.after["label_en"] == "Originality"
    assert event.after["scale_step"] == "0.5"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"weight": "0"}, "The weight must be greater than zero."),
        ({"weight": "-1"}, "The weight must be greater than zero."),
        ({"scale_max": "0"}, "The highest score must be greater than the lowest."),
        ({"scale_step": "0"}, "The step must be greater than zero."),
        ({"scale_step": "3"}, "The step must divide the range from the lowest to the highest."),
        ({"label_fr": ""}, "Please fill in this field."),
    ],
)
def test_an_invalid_criterion_is_refused_with_a_message(client, admin, changes, message):
    edition = EditionFactory(phase=EditionPhase.DRAFT)

    response = client.post(f"/admin/editions/{edition.id}/criteria", data=criterion_form(**changes))

    assert response.status_code == 200
    assert message in response.text
    assert criteria_of(edition) == []


@pytest.mark.parametrize("name", ["weight", "scale_min", "scale_max", "scale_step"])
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("NaN", "Please enter a number."),
        ("sNaN", "Please enter a number."),
        ("Infinity", "Please enter a number."),
        ("-Infinity", "Please enter a number."),
        ("1e400", "Please enter a number from -9999.99 to 9999.99."),
        ("10000", "Please enter a number from -9999.99 to 9999.99."),
        ("-10000", "Please enter a number from -9999.99 to 9999.99."),
        ("0.125", "Please use at most two decimal places."),
    ],
)
def test_a_number_the_column_cannot_hold_is_refused(client, admin, name, value, message):
    criterion = CriterionFactory(edition__phase=EditionPhase.DRAFT, label_en="Craft")
    edition = criterion.edition

    added = client.post(
        f"/admin/editions/{edition.id}/criteria", data=criterion_form(**{name: value})
    )
    edited = client.post(
        f"/admin/criteria/{criterion.id}/edit", data=criterion_form(**{name: value})
    )

    for response in (added, edited):
        assert response.status_code == 200
        assert message in response.text
    assert [c.label_en for c in criteria_of(edition)] == ["Craft"]
    assert actions() == []


def test_the_widest_scale_the_column_holds_is_accepted(client, admin):
    edition = EditionFactory(phase=EditionPhase.DRAFT)

    response = client.post(
        f"/admin/editions/{edition.id}/criteria",
        data=criterion_form(
            weight="9999.99", scale_min="-9999.99", scale_max="9999.99", scale_step="0.01"
        ),
    )

    assert response.status_code == 302
    [criterion] = criteria_of(edition)
    assert (criterion.scale_min, criterion.scale_max) == (Decimal("-9999.99"), Decimal("9999.99"))


@pytest.mark.parametrize(
    ("scale", "expected"),
    [
        ((1, 0, 10, 1), None),
        ((1, 1, 5, Decimal("0.5")), None),
        ((Decimal("0.5"), 0, 100, 5), None),
        ((1, 0, 10, 3), "scale_step"),
        ((1, 5, 5, 1), "scale_max"),
        ((0, 0, 10, 1), "weight"),
    ],
)
def test_scale_problem_names_the_field_at_fault(scale, expected):
    weight, low, high, step = (Decimal(value) for value in scale)
    problem = scale_problem(weight=weight, scale_min=low, scale_max=high, scale_step=step)

    assert (problem[0] if problem else None) == expected


def test_admin_edits_a_criterion_and_the_change_is_logged(client, admin):
    criterion = CriterionFactory(edition__phase=EditionPhase.DRAFT, label_en="Craft")

    response = client.post(
        f"/admin/criteria/{criterion.id}/edit",
        data=criterion_form(label_en="Craft and sound", weight="1"),
    )

    assert response.status_code == 302
    db.session.refresh(criterion)
    assert criterion.label_en == "Craft and sound"
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "edition.criterion_updated")
    )
    assert event.before["label_en"] == "Craft"
    assert event.after["label_en"] == "Craft and sound"
    assert "weight" not in event.after


def test_the_edit_page_is_filled_in(client, admin):
    criterion = CriterionFactory(edition__phase=EditionPhase.DRAFT, label_fr="Sens du son")

    page = client.get(f"/admin/criteria/{criterion.id}/edit").text

    assert 'value="Sens du son"' in page


def test_removing_a_criterion_closes_the_gap(client, admin):
    edition = EditionFactory(phase=EditionPhase.DRAFT)
    criteria = [CriterionFactory(edition=edition, position=n, label_en=f"C{n}") for n in (1, 2, 3)]

    client.post(f"/admin/criteria/{criteria[1].id}/delete")

    assert [(c.label_en, c.position) for c in criteria_of(edition)] == [("C1", 1), ("C3", 2)]
    event = db.session.scalar(select(AuditEvent))
    assert event.action == "edition.criterion_removed"
    assert event.before["label_en"] == "C2"


def test_moving_a_criterion_reorders_the_list(client, admin):
    edition = EditionFactory(phase=EditionPhase.DRAFT)
    criteria = [CriterionFactory(edition=edition, position=n, label_en=f"C{n}") for n in (1, 2, 3)]

    client.post(f"/admin/criteria/{criteria[2].id}/move", data={"direction": "up"})
    client.post(f"/admin/criteria/{criteria[0].id}/move", data={"direction": "up"})

    assert [c.label_en for c in criteria_of(edition)] == ["C1", "C3", "C2"]
    assert [c.position for c in criteria_of(edition)] == [1, 2, 3]
    # Moving the first one up changes nothing and logs nothing.
    assert actions() == ["edition.criteria_reordered"]


@pytest.mark.parametrize(
    "phase",
    [EditionPhase.JURY, EditionPhase.FINAL, EditionPhase.PUBLISHED, EditionPhase.ARCHIVED],
)
def test_criteria_are_locked_once_the_jury_phase_has_begun(client, admin, phase):
    edition = EditionFactory(phase=phase)
    criterion = CriterionFactory(edition=edition, label_en="Originality")
    message = "The criteria cannot be changed once the jury phase has begun."

    added = client.post(f"/admin/editions/{edition.id}/criteria", data=criterion_form())
    edited = client.post(
        f"/admin/criteria/{criterion.id}/edit", data=criterion_form(label_en="Other")
    )
    removed = client.post(f"/admin/criteria/{criterion.id}/delete", follow_redirects=True)
    moved = client.post(
        f"/admin/criteria/{criterion.id}/move", data={"direction": "down"}, follow_redirects=True
    )

    for response in (added, edited, removed, moved):
        assert message in response.text
    assert [c.label_en for c in criteria_of(edition)] == ["Originality"]
    assert actions() == []


def test_criteria_can_still_change_during_the_preselection(client, admin):
    edition = EditionFactory(phase=EditionPhase.PRESELECTION)

    response = client.post(f"/admin/editions/{edition.id}/criteria", data=criterion_form())

    assert response.status_code == 302
    assert len(criteria_of(edition)) == 1
