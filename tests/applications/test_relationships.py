"""The optional step where an applicant names relationships with the published jury."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from qpmusic.applications.completeness import gaps
from qpmusic.audit.models import AuditEvent
from qpmusic.enums import ConflictSource, ConflictStatus, ConflictType, Role
from qpmusic.extensions import db
from qpmusic.jury.models import Conflict
from qpmusic.timestamps import utcnow
from tests.applications.conftest import complete_draft, submitted
from tests.factories import ApplicationFactory, JuryMemberFactory, UserFactory


@pytest.fixture
def jury(edition, cities):
    """Two jurors (Metz, Trier) and a coordinator, who is not on the jury the applicant sees."""
    return {
        "metz": JuryMemberFactory(
            edition=edition, city=cities["Metz"], user__name="Claire Fontaine"
        ),
        "trier": JuryMemberFactory(edition=edition, city=cities["Trier"], user__name="Jonas Berg"),
        "coordinator": JuryMemberFactory(
            edition=edition, role=Role.COORDINATOR, city=None, user__name="Paula Ordner"
        ),
    }


def page_of(application) -> str:
    return f"/applications/{application.id}/relationships"


def name(client, application, member, *, type="teacher", note="Studied with her, 2019-2022."):
    return client.post(
        page_of(application), data={"juror": member.user_id, "type": type, "note": note}
    )


def conflicts() -> list[Conflict]:
    db.session.expire_all()
    return list(db.session.scalars(select(Conflict).order_by(Conflict.id)))


def test_the_step_lists_the_jurors_with_their_cities(client, draft, jury):
    response = client.get(page_of(draft))

    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "<strong>Claire Fontaine</strong> · Metz" in text
    assert "<strong>Jonas Berg</strong> · Trier" in text
    assert "Paula Ordner" not in text
    assert '<h1 id="step-title">Relationships with the jury</h1>' in text
    assert 'name="note"' in text


def test_without_jurors_the_step_says_the_jury_will_be_published(client, draft):
    text = client.get(page_of(draft)).get_data(as_text=True)

    assert "The jury will be published here once its members have accepted." in text
    assert 'name="juror"' not in text


def test_naming_a_relationship_records_a_pending_conflict_from_the_applicant(
    client, draft, jury, musician
):
    response = name(client, draft, jury["metz"])

    assert response.status_code == 302
    assert response.headers["Location"] == page_of(draft)
    [row] = conflicts()
    assert (row.juror_id, row.application_id, row.edition_id) == (
        jury["metz"].user_id,
        draft.id,
        draft.edition_id,
    )
    assert (row.type, row.note, row.source, row.status) == (
        ConflictType.TEACHER,
        "Studied with her, 2019-2022.",
        ConflictSource.APPLICANT,
        ConflictStatus.DECLARED,
    )
    assert row.is_effective is False
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "conflict.named"))
    assert (event.actor_id, event.target_id) == (musician.id, row.id)
    text = client.get(page_of(draft)).get_data(as_text=True)
    assert "Saved. The office will look at this relationship." in text
    assert "Teacher or student" in text
    assert "waiting for the office" in text


def test_naming_the_same_juror_again_changes_the_one_relationship(client, draft, jury):
    name(client, draft, jury["metz"])
    name(client, draft, jury["metz"], type="ensemble", note="Same band.")

    [row] = conflicts()
    assert (row.type, row.note) == (ConflictType.ENSEMBLE, "Same band.")


def test_a_relationship_is_removed_while_the_application_is_editable(client, draft, jury):
    name(client, draft, jury["metz"])
    [row] = conflicts()

    response = client.post(f"{page_of(draft)}/{row.id}/remove")

    assert response.headers["Location"] == page_of(draft)
    assert conflicts() == []
    removed = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "conflict.removed_by_applicant")
    )
    assert removed.before["juror_id"] == jury["metz"].user_id


def test_a_confirmed_relationship_cannot_be_removed(client, draft, jury):
    name(client, draft, jury["metz"])
    [row] = conflicts()
    row.status = ConflictStatus.CONFIRMED
    db.session.commit()

    client.post(f"{page_of(draft)}/{row.id}/remove")
    text = client.get(page_of(draft)).get_data(as_text=True)

    assert [c.id for c in conflicts()] == [row.id]
    assert "The office has already confirmed this relationship" in text
    assert "confirmed by the office" in text
    assert f"{row.id}/remove" not in text


def test_a_coordinator_cannot_be_named(client, draft, jury):
    name(client, draft, jury["coordinator"])
    text = client.get(page_of(draft)).get_data(as_text=True)

    assert conflicts() == []
    assert "This person is not on the jury of this edition." in text


def test_a_juror_of_another_edition_cannot_be_named(client, draft, jury):
    stranger = JuryMemberFactory()

    name(client, draft, stranger)

    assert conflicts() == []


def test_an_unknown_type_is_refused_with_the_field_marked(client, draft, jury):
    response = name(client, draft, jury["metz"], type="rival")

    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert conflicts() == []


def test_a_missing_juror_is_refused(client, draft, jury):
    response = client.post(page_of(draft), data={"juror": "", "type": "family"})

    assert "Choose a jury member." in response.get_data(as_text=True)
    assert conflicts() == []


def test_a_relationship_the_juror_declared_is_left_to_the_juror(client, draft, jury):
    own = Conflict(
        edition_id=draft.edition_id,
        juror_id=jury["trier"].user_id,
        application_id=draft.id,
        type=ConflictType.FAMILY,
        note="My cousin.",
        source=ConflictSource.JUROR,
    )
    db.session.add(own)
    db.session.commit()

    name(client, draft, jury["trier"], type="label", note="Same label.")
    text = client.get(page_of(draft)).get_data(as_text=True)

    [row] = conflicts()
    assert (row.source, row.type, row.note) == (
        ConflictSource.JUROR,
        ConflictType.FAMILY,
        "My cousin.",
    )
    assert "Saved. The office already knows about this relationship." in text
    assert "My cousin." not in text


def test_a_submitted_application_may_still_name_one_and_needs_no_resubmission(client, draft, jury):
    submitted(draft)

    name(client, draft, jury["metz"])

    assert len(conflicts()) == 1
    db.session.refresh(draft)
    assert draft.changed_since_submission is False


def test_after_the_deadline_nothing_can_be_named_or_removed(client, draft, jury):
    name(client, draft, jury["metz"])
    [row] = conflicts()
    draft.edition.closes_at = utcnow() - timedelta(hours=1)
    db.session.commit()

    name(client, draft, jury["trier"])
    client.post(f"{page_of(draft)}/{row.id}/remove")
    text = client.get(page_of(draft)).get_data(as_text=True)

    assert [c.id for c in conflicts()] == [row.id]
    assert 'name="juror"' not in text
    assert f"{row.id}/remove" not in text


def test_another_applicant_gets_404(client, auth, edition, cities, jury):
    other = complete_draft(applicant=UserFactory(), edition=edition, cities=cities)
    auth.login(UserFactory(email="mia@example.org", name="Mia Klang", language="en").email)

    assert client.get(page_of(other)).status_code == 404
    assert name(client, other, jury["metz"]).status_code == 404
    assert conflicts() == []


def test_a_relationship_of_another_application_cannot_be_removed(
    client, draft, jury, edition, cities
):
    other = ApplicationFactory(edition=edition)
    theirs = Conflict(
        edition_id=edition.id,
        juror_id=jury["metz"].user_id,
        application_id=other.id,
        type=ConflictType.OTHER,
        source=ConflictSource.APPLICANT,
    )
    db.session.add(theirs)
    db.session.commit()

    client.post(f"{page_of(draft)}/{theirs.id}/remove")

    assert [c.id for c in conflicts()] == [theirs.id]


def test_the_step_is_optional_and_adds_no_gap(client, draft, jury):
    assert gaps(draft, draft.edition) == []

    text = client.get(f"/applications/{draft.id}/review").get_data(as_text=True)

    assert "Still missing before you can submit" not in text
    assert "Relationships with the jury</span>" in text
    assert '<span class="step-state">optional</span>' in text
    assert text.index("Biography</span>") < text.index("Relationships with the jury</span>")
    assert text.index("Relationships with the jury</span>") < text.index("Eligibility</span>")


def test_the_biography_leads_to_the_relationships_once_a_jury_is_published(client, draft, jury):
    response = client.post(f"/applications/{draft.id}/biography", data={"biography": "Born."})

    assert response.headers["Location"] == page_of(draft)


def test_without_a_jury_the_biography_leads_to_the_eligibility(client, draft):
    response = client.post(f"/applications/{draft.id}/biography", data={"biography": "Born."})

    assert response.headers["Location"] == f"/applications/{draft.id}/eligibility"
