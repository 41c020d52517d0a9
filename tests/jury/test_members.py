"""The office's jury page: invitations per edition and city, acceptance, resend, revoke, removal."""

import re
import threading
import time

import pytest
from sqlalchemy import func, select, text, update

from qpmusic.accounts.invitations import accept_invitation, invite_staff
from qpmusic.accounts.models import Invitation, User
from qpmusic.accounts.tokens import make_token
from qpmusic.audit.models import AuditEvent
from qpmusic.enums import AssignmentStatus, Role
from qpmusic.extensions import db
from qpmusic.jury.members import MemberError, remove_member
from qpmusic.jury.models import Assignment, JuryMember, Score
from tests.conftest import PASSWORD
from tests.factories import (
    AssignmentFactory,
    CityFactory,
    EditionFactory,
    JuryMemberFactory,
    RoundFactory,
    ScoreFactory,
    UserFactory,
)
from tests.mail_sink import link_in, text_of

STAFF_PASSWORD = "Partitur-Zeit-42"
# Sessions of this test database waiting for a row lock (other helpers' databases don't count).
BLOCKED_SESSIONS = text(
    "SELECT count(*) FROM pg_stat_activity"
    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
)


@pytest.fixture
def admin(auth):
    user = UserFactory(email="office@example.org", role=Role.ADMIN, name="Office", language="en")
    auth.login("office@example.org")
    return user


@pytest.fixture
def metz():
    return CityFactory(name_de="Metz", name_fr="Metz", name_en="Metz")


@pytest.fixture
def trier():
    return CityFactory(name_de="Trier", name_fr="Trèves", name_en="Trier")


@pytest.fixture
def edition():
    return EditionFactory(year=2030)


def jury_url(edition) -> str:
    return f"/admin/editions/{edition.id}/jury"


def invite(client, edition, **data):
    form = {"email": "jeanne@example.org", "role": "juror", "city_id": 0, "language": "fr", **data}
    return client.post(jury_url(edition), data=form)


def invitation_path(mailbox, count=1):
    return link_in(mailbox.wait_for(count)[-1], "/invitation/").removeprefix("http://localhost")


def accept(client, path, **data):
    form = {
        "name": "Jeanne Juror",
        "password": STAFF_PASSWORD,
        "confirm": STAFF_PASSWORD,
        "language": "fr",
        **data,
    }
    return client.post(path, data=form)


def city_section(page: str, name: str) -> str:
    """The part of the jury page about one city, from its heading to the next section."""
    sections = page.split('<section class="city-jury"')
    return next(s for s in sections[1:] if re.search(rf">{name}\s", s)).split("</section>")[0]


def test_admin_invites_a_juror_for_metz_and_the_email_is_in_french_with_the_edition(
    client, admin, mailbox, edition, metz
):
    response = invite(client, edition, city_id=metz.id)

    assert response.status_code == 302
    invitation = db.session.scalar(select(Invitation))
    assert (invitation.role, invitation.city_id, invitation.edition_id) == (
        Role.JUROR,
        metz.id,
        edition.id,
    )
    [message] = mailbox.wait_for(1)
    assert message["To"] == "jeanne@example.org"
    assert message["Content-Language"] == "fr"
    assert "Prix de musique QuattroPole 2030" in text_of(message)
    assert "Metz" in text_of(message)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "invitation.created"))
    assert event.after["edition_id"] == edition.id


def test_a_juror_invitation_needs_a_city(client, admin, mailbox, edition):
    response = invite(client, edition, city_id=0)

    assert response.status_code == 200
    assert "A juror needs a city." in response.text
    assert db.session.scalar(select(Invitation)) is None


def test_accepting_creates_the_jury_member_with_the_city(
    client, auth, admin, mailbox, edition, metz
):
    invite(client, edition, city_id=metz.id)
    path = invitation_path(mailbox)
    auth.logout()

    response = accept(client, path)

    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "jeanne@example.org"))
    [member] = db.session.scalars(select(JuryMember)).all()
    assert (member.edition_id, member.user_id, member.role, member.city_id) == (
        edition.id,
        user.id,
        Role.JUROR,
        metz.id,
    )
    assert user.roles == {Role.JUROR}
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["jury_member.joined", "invitation.accepted"]


def test_an_existing_account_joins_with_its_password(client, auth, admin, mailbox, edition):
    former = UserFactory(email="coord@example.org", role=Role.COORDINATOR)
    invite(client, edition, email="coord@example.org", role="coordinator", language="de")
    path = invitation_path(mailbox)
    auth.logout()

    response = client.post(path, data={"password": PASSWORD, "language": "de"})

    assert response.status_code == 302
    [member] = db.session.scalars(select(JuryMember)).all()
    assert (member.user_id, member.role, member.city_id) == (former.id, Role.COORDINATOR, None)
    db.session.refresh(former)
    assert former.roles == {Role.COORDINATOR}


def test_accepting_when_already_a_member_keeps_one_row(admin, edition, metz, trier):
    member = JuryMemberFactory(edition=edition, city=trier, user__email="jeanne@example.org")
    invitation = invite_staff(
        actor=admin,
        email="jeanne@example.org",
        role=Role.JUROR,
        city=metz,
        language="fr",
        edition=edition,
    )
    db.session.commit()
    token = make_token("invitation", {"id": invitation.id, "n": invitation.nonce})
    accept_invitation(token=token, name="", password=PASSWORD, language="fr")
    db.session.commit()

    assert db.session.scalar(select(func.count(JuryMember.id))) == 1
    db.session.refresh(member)
    assert member.city_id == metz.id


def test_the_page_counts_jurors_per_city_and_shows_what_is_missing(
    client, admin, edition, metz, trier
):
    JuryMemberFactory(edition=edition, city=metz, user__name="Anne")
    JuryMemberFactory(edition=edition, city=trier, user__name="Carla")
    JuryMemberFactory(edition=edition, city=trier, user__name="Dirk")
    JuryMemberFactory(edition=edition, role=Role.COORDINATOR, city=None, user__name="Cora")
    JuryMemberFactory(city=metz, user__name="Elsewhere")  # another edition's jury
    invite(client, edition, email="bruno@example.org", city_id=metz.id)

    page = client.get(jury_url(edition)).text

    metz_part = city_section(page, "Metz")
    assert "1 of 2" in metz_part
    assert "Missing 1 juror." in metz_part
    assert "1 invitation is open." in metz_part
    assert "Anne" in metz_part and "bruno@example.org" in metz_part
    assert "Elsewhere" not in page
    trier_part = city_section(page, "Trier")
    assert "2 of 2" in trier_part and "Complete." in trier_part
    assert "Carla" in trier_part and "Dirk" in trier_part
    coordinators = page.split('id="coordinators-title"')[1]
    assert "Cora" in coordinators and "Cora" not in metz_part + trier_part


def test_the_number_of_jurors_per_city_comes_from_the_edition(client, admin, metz):
    edition = EditionFactory(jurors_per_city=3)
    JuryMemberFactory(edition=edition, city=metz)

    page = client.get(jury_url(edition)).text

    assert "1 of 3" in city_section(page, "Metz")
    assert "Missing 2 jurors." in city_section(page, "Metz")


def test_resending_makes_the_old_link_invalid(client, auth, admin, mailbox, edition, metz):
    invite(client, edition, city_id=metz.id)
    old_path = invitation_path(mailbox)
    invitation = db.session.scalar(select(Invitation))

    response = client.post(f"{jury_url(edition)}/invitations/{invitation.id}/resend")

    assert response.status_code == 302
    new_path = invitation_path(mailbox, count=2)
    assert new_path != old_path
    assert "Prix de musique QuattroPole 2030" in text_of(mailbox.messages[-1])
    auth.logout()
    assert accept(client, old_path).status_code == 400
    assert accept(client, new_path).status_code == 302
    assert db.session.scalar(select(func.count(JuryMember.id))) == 1


def test_revoking_closes_the_invitation(client, auth, admin, mailbox, edition, metz):
    invite(client, edition, city_id=metz.id)
    path = invitation_path(mailbox)
    invitation = db.session.scalar(select(Invitation))
    assert "<td>jeanne@example.org</td>" in client.get(jury_url(edition)).text

    response = client.post(f"{jury_url(edition)}/invitations/{invitation.id}/revoke")

    assert response.status_code == 302
    assert "<td>jeanne@example.org</td>" not in client.get(jury_url(edition)).text
    auth.logout()
    assert accept(client, path).status_code == 400
    assert db.session.scalar(select(JuryMember)) is None


def test_inviting_someone_already_on_the_jury_or_already_invited_is_refused(
    client, admin, mailbox, edition, metz
):
    JuryMemberFactory(edition=edition, city=metz, user__email="anne@example.org")
    invite(client, edition, email="bruno@example.org", city_id=metz.id)

    member = invite(client, edition, email="Anne@example.org", city_id=metz.id)
    invited = invite(client, edition, email="bruno@example.org", city_id=metz.id)

    assert "anne@example.org is already on this jury." in member.text
    assert "An invitation to bruno@example.org is already open; send it again instead." in (
        invited.text
    )
    assert db.session.scalar(select(func.count(Invitation.id))) == 1


def test_an_invitation_of_another_edition_is_not_found(client, admin, edition, metz):
    other = EditionFactory()
    invitation = invite_staff(
        actor=admin, email="x@example.org", role=Role.COORDINATOR, language="en", edition=other
    )
    db.session.commit()

    response = client.post(f"{jury_url(edition)}/invitations/{invitation.id}/revoke")

    assert response.status_code == 404
    db.session.refresh(invitation)
    assert invitation.revoked_at is None


def test_removing_a_member_with_a_final_review_is_refused(client, admin, metz):
    jury_round = RoundFactory()
    member = JuryMemberFactory(edition=jury_round.edition, city=metz, user__name="Anne")
    AssignmentFactory(round=jury_round, juror=member.user, status=AssignmentStatus.FINAL)

    response = client.post(f"{jury_url(jury_round.edition)}/members/{member.id}/remove")

    assert response.status_code == 302
    assert db.session.get(JuryMember, member.id) is not None
    page = client.get(jury_url(jury_round.edition)).text
    assert "Anne has finalized reviews in this edition and cannot be removed." in page


def test_removing_a_member_takes_their_unfinished_reviews_with_them(client, admin, metz):
    jury_round = RoundFactory()
    member = JuryMemberFactory(edition=jury_round.edition, city=metz, user__name="Anne")
    draft = AssignmentFactory(round=jury_round, juror=member.user, status=AssignmentStatus.DRAFT)
    ScoreFactory(assignment=draft)
    others = AssignmentFactory(round=jury_round)

    response = client.post(f"{jury_url(jury_round.edition)}/members/{member.id}/remove")

    assert response.status_code == 302
    assert db.session.scalar(select(JuryMember).where(JuryMember.id == member.id)) is None
    assert db.session.scalars(select(Assignment.id)).all() == [others.id]
    assert db.session.scalar(select(func.count(Score.id))) == 0
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "jury_member.removed"))
    assert (event.before["user_id"], event.after["assignments_removed"]) == (member.user_id, 1)


def test_removing_a_member_never_deletes_a_review_finalized_meanwhile(admin, metz):
    jury_round = RoundFactory()
    member = JuryMemberFactory(edition=jury_round.edition, city=metz, user__name="Anne")
    review = AssignmentFactory(round=jury_round, juror=member.user, status=AssignmentStatus.DRAFT)
    db.session.commit()
    engine, review_id = db.engine, review.id
    holding = threading.Event()

    def finalize_while_the_removal_waits():
        # The juror's own transaction: holds the review, waits until the removal is blocked
        # on it, then finalizes. The removal must see the final review, not delete it.
        with engine.connect() as juror:
            juror.execute(select(Assignment.id).where(Assignment.id == review_id).with_for_update())
            holding.set()
            for _ in range(200):
                if juror.scalar(BLOCKED_SESSIONS):
                    break
                time.sleep(0.05)
            juror.execute(
                update(Assignment)
                .where(Assignment.id == review_id)
                .values(status=AssignmentStatus.FINAL)
            )
            juror.commit()

    thread = threading.Thread(target=finalize_while_the_removal_waits)
    thread.start()
    assert holding.wait(10)
    try:
        with pytest.raises(MemberError):
            remove_member(actor=admin, member=member)
    finally:
        db.session.rollback()
        thread.join(20)

    db.session.expire_all()
    assert db.session.scalar(select(Assignment.status).where(Assignment.id == review_id)) == (
        AssignmentStatus.FINAL
    )
    assert db.session.get(JuryMember, member.id) is not None


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.JUROR, Role.APPLICANT])
def test_only_admins_manage_the_jury(client, auth, mailbox, edition, metz, role):
    member = JuryMemberFactory(edition=edition, city=metz)
    invitation = invite_staff(
        actor=None, email="x@example.org", role=Role.COORDINATOR, language="en", edition=edition
    )
    db.session.commit()
    UserFactory(email="staff@example.org", role=role)
    auth.login("staff@example.org")

    assert client.get(jury_url(edition)).status_code == 403
    assert invite(client, edition, city_id=metz.id).status_code == 403
    base = jury_url(edition)
    assert client.post(f"{base}/invitations/{invitation.id}/resend").status_code == 403
    assert client.post(f"{base}/invitations/{invitation.id}/revoke").status_code == 403
    assert client.post(f"{base}/members/{member.id}/remove").status_code == 403
    assert db.session.scalar(select(func.count(Invitation.id))) == 1
    assert db.session.get(JuryMember, member.id) is not None


def test_the_global_invitations_page_can_name_an_edition(client, admin, mailbox, edition):
    response = client.post(
        "/admin/invitations",
        data={
            "email": "cora@example.org",
            "role": "coordinator",
            "city_id": 0,
            "edition_id": edition.id,
            "language": "en",
        },
    )

    assert response.status_code == 302
    assert db.session.scalar(select(Invitation.edition_id)) == edition.id
    assert "QuattroPole Music Prize 2030" in text_of(mailbox.wait_for(1)[0])
    assert "QuattroPole Music Prize 2030" in client.get("/admin/invitations").text


def test_an_administrator_is_not_invited_for_an_edition(client, admin, edition):
    response = client.post(
        "/admin/invitations",
        data={
            "email": "boss@example.org",
            "role": "admin",
            "city_id": 0,
            "edition_id": edition.id,
            "language": "en",
        },
    )

    assert response.status_code == 200
    assert "Only jurors and coordinators are invited for an edition." in response.text
    assert db.session.scalar(select(Invitation)) is None


def test_the_edition_page_links_to_the_jury_and_its_conflicts(client, admin):
    jury_round = RoundFactory()

    page = client.get(f"/admin/editions/{jury_round.edition_id}").text

    assert f'href="/admin/editions/{jury_round.edition_id}/jury"' in page
    assert f'href="/admin/editions/{jury_round.edition_id}/conflicts"' in page


def test_jury_changes_without_a_csrf_token_are_refused(csrf_app, edition, metz):
    UserFactory(email="office@example.org", role=Role.ADMIN, language="en")
    member = JuryMemberFactory(edition=edition, city=metz)
    invitation = invite_staff(
        actor=None, email="x@example.org", role=Role.COORDINATOR, language="en", edition=edition
    )
    db.session.commit()
    client = csrf_app.test_client()
    page = client.get("/login").text
    token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    client.post(
        "/login", data={"email": "office@example.org", "password": PASSWORD, "csrf_token": token}
    )
    base = jury_url(edition)

    for path in (
        base,
        f"{base}/invitations/{invitation.id}/resend",
        f"{base}/invitations/{invitation.id}/revoke",
        f"{base}/members/{member.id}/remove",
    ):
        data = {"email": "y@example.org", "role": "coordinator", "city_id": 0, "language": "en"}
        assert client.post(path, data=data).status_code == 400, path

    assert db.session.scalar(select(func.count(Invitation.id))) == 1
    db.session.refresh(invitation)
    assert invitation.revoked_at is None
    assert db.session.get(JuryMember, member.id) is not None
