"""The prize (the ballot's winner proposed; another choice needs a reason) and the special prize."""

import re

from sqlalchemy import select

from qpmusic.audit.models import AuditEvent
from qpmusic.enums import ApplicationStatus, AwardKind
from qpmusic.extensions import db
from qpmusic.results.ballot_roll import finalist_ids
from qpmusic.results.models import Award
from tests.results.ballot_builders import (
    award_form,
    client_for,
    closed_ballot,
    final_edition,
    open_ballot,
    submitted,
)


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def awards(edition) -> dict:
    db.session.expire_all()
    rows = db.session.scalars(select(Award).where(Award.edition_id == edition.id))
    return {award.kind: award.application_id for award in rows}


def status(application) -> ApplicationStatus:
    db.session.refresh(application)
    return application.status


def post_awards(client, edition, data):
    return client.post(f"/admin/editions/{edition.id}/awards", data=data)


def test_the_ballots_winner_is_proposed_and_recorded_without_a_reason(app):
    final = final_edition()
    a, b, c = final.finalists
    closed_ballot(app, final, [{a: 1, b: 2, c: 3}, {a: 1, c: 2, b: 3}, {b: 1, c: 2, a: 3}])
    admin = client_for(app, final.admin)

    page = admin.get(f"/admin/editions/{final.edition.id}/awards")
    assert "Proposed prize winner (Schulze winner of the final ballot): Aurora ." in text(page)
    assert f'<option selected value="{a.id}">Aurora</option>' in page.get_data(as_text=True)
    response = post_awards(admin, final.edition, award_form(a))

    assert response.status_code == 302
    assert awards(final.edition) == {AwardKind.PRIZE: a.id}
    assert status(a) == ApplicationStatus.WINNER
    award = db.session.scalar(select(Award))
    assert award.statement("fr") == "Le jury salue un univers sonore d'une grande audace."
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "awards.recorded"))
    assert event.after["proposed"] == a.id
    assert event.after["reason"] == ""
    assert event.after["prize"]["application_id"] == a.id


def test_another_choice_than_the_ballots_winner_needs_a_reason_which_is_audited(app):
    final = final_edition()
    a, b, c = final.finalists
    closed_ballot(app, final, [{a: 1, b: 2, c: 3}])
    admin = client_for(app, final.admin)

    refused = post_awards(admin, final.edition, award_form(b))
    assert refused.status_code == 422
    assert (
        "The prize goes to someone other than the ballot's winner: please give a reason."
        in text(refused)
    )
    assert awards(final.edition) == {}

    reason = "Aurora withdrew after the concert."
    assert post_awards(admin, final.edition, award_form(b, reason=reason)).status_code == 302
    assert awards(final.edition) == {AwardKind.PRIZE: b.id}
    assert status(b) == ApplicationStatus.WINNER
    assert status(a) == ApplicationStatus.FINALIST
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "awards.recorded"))
    assert event.after["reason"] == reason
    assert event.after["proposed"] == a.id


def test_a_tie_for_first_leaves_the_choice_to_the_jury_with_a_reason(app):
    final = final_edition(jurors=2)
    a, b, c = final.finalists
    closed_ballot(app, final, [{a: 1, b: 2, c: 3}, {b: 1, a: 2, c: 3}])
    admin = client_for(app, final.admin)

    refused = post_awards(admin, final.edition, award_form(a))

    assert refused.status_code == 422
    assert "The ballot gives no single winner: please give the reason" in text(refused)
    accepted = post_awards(
        admin, final.edition, award_form(a, reason="The jury chose by show of hands.")
    )
    assert accepted.status_code == 302
    assert awards(final.edition) == {AwardKind.PRIZE: a.id}


def test_awards_wait_until_the_ballot_is_closed(app):
    final = final_edition()
    a = final.finalists[0]
    open_ballot(client_for(app, final.admin), final.edition)
    admin = client_for(app, final.admin)

    page = admin.get(f"/admin/editions/{final.edition.id}/awards")
    response = post_awards(admin, final.edition, award_form(a, reason="early"))

    assert "The final ballot is still open; close it first." in text(page)
    assert response.status_code == 422
    assert awards(final.edition) == {}


def test_a_special_prize_may_go_to_a_shortlisted_application_and_be_taken_back(app):
    final = final_edition()
    a, b, c = final.finalists
    shortlisted = submitted(final.edition, ApplicationStatus.NOT_FINALIST, "Drumlin")
    closed_ballot(app, final, [{a: 1, b: 2, c: 3}])
    admin = client_for(app, final.admin)

    response = post_awards(admin, final.edition, award_form(a, special=shortlisted))
    assert response.status_code == 302
    assert awards(final.edition) == {AwardKind.PRIZE: a.id, AwardKind.SPECIAL: shortlisted.id}
    assert status(shortlisted) == ApplicationStatus.SPECIAL_PRIZE
    # Still not a finalist: the public page and the ballot do not list it as one.
    assert shortlisted.id not in finalist_ids(final.edition.id)

    assert post_awards(admin, final.edition, award_form(a)).status_code == 302
    assert awards(final.edition) == {AwardKind.PRIZE: a.id}
    assert status(shortlisted) == ApplicationStatus.NOT_FINALIST


def test_swapping_prize_and_special_prize_gives_each_the_right_status(app):
    final = final_edition()
    a, b, c = final.finalists
    closed_ballot(app, final, [{a: 1, b: 2, c: 3}])
    admin = client_for(app, final.admin)
    post_awards(admin, final.edition, award_form(a, special=b))

    response = post_awards(admin, final.edition, award_form(b, special=a, reason="Jury vote."))

    assert response.status_code == 302
    assert awards(final.edition) == {AwardKind.PRIZE: b.id, AwardKind.SPECIAL: a.id}
    assert status(b) == ApplicationStatus.WINNER
    assert status(a) == ApplicationStatus.SPECIAL_PRIZE
    assert sorted(finalist_ids(final.edition.id)) == sorted([a.id, b.id, c.id])


def test_the_special_prize_goes_neither_to_the_winner_nor_outside_the_shortlist(app):
    final = final_edition()
    a, b, c = final.finalists
    screened_out = submitted(final.edition, ApplicationStatus.INELIGIBLE, "Erratic")
    closed_ballot(app, final, [{a: 1, b: 2, c: 3}])
    admin = client_for(app, final.admin)

    same = post_awards(admin, final.edition, award_form(a, special=a))
    data = award_form(a)
    data["special"] = str(screened_out.id)
    outside = post_awards(admin, final.edition, data)

    assert same.status_code == 422
    assert "The special prize goes to someone other than the winner." in text(same)
    assert outside.status_code == 422
    assert awards(final.edition) == {}
    assert status(screened_out) == ApplicationStatus.INELIGIBLE


def test_leaving_the_prize_unchosen_records_nothing(app):
    final = final_edition()
    a, b, c = final.finalists
    closed_ballot(app, final, [{a: 1, b: 2, c: 3}])
    admin = client_for(app, final.admin)
    data = award_form(a)
    data["prize"] = "0"

    response = post_awards(admin, final.edition, data)

    assert response.status_code == 422
    assert awards(final.edition) == {}


def test_recording_awards_after_publication_is_refused_and_changes_nothing(app):
    final = final_edition()
    a, b, c = final.finalists
    closed_ballot(app, final, [{a: 1, b: 2, c: 3}])
    admin = client_for(app, final.admin)
    assert post_awards(admin, final.edition, award_form(a)).status_code == 302
    assert admin.post(f"/admin/editions/{final.edition.id}/publish").status_code == 302

    response = post_awards(
        admin, final.edition, award_form(b, reason="Aurora withdrew.", prize_en="Changed.")
    )

    assert response.status_code == 422
    assert (
        "The results are published. To change an award, move the edition back to the final "
        "phase (with a reason) first." in text(response)
    )
    assert awards(final.edition) == {AwardKind.PRIZE: a.id}
    assert (status(a), status(b)) == (ApplicationStatus.WINNER, ApplicationStatus.FINALIST)
    award = db.session.scalar(select(Award))
    assert award.statement("en") == "The jury honours a sound world of great daring."
    recorded = select(AuditEvent).where(AuditEvent.action == "awards.recorded")
    assert len(db.session.scalars(recorded).all()) == 1
