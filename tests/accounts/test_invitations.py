"""Staff accounts by invitation: jurors with a city, coordinators, admins."""

from datetime import timedelta

import time_machine
from sqlalchemy import select

from qpmusic.accounts.models import Invitation, User
from qpmusic.audit.models import AuditEvent
from qpmusic.enums import Role
from qpmusic.extensions import db
from tests.conftest import PASSWORD
from tests.factories import CityFactory, UserFactory
from tests.mail_sink import link_in, text_of
from tests.translations import translated

STAFF_PASSWORD = "Partitur-Zeit-42"


def as_admin(auth):
    UserFactory(email="office@example.org", role=Role.ADMIN, name="Office")
    auth.login("office@example.org")


def invite(client, **data):
    form = {"email": "jury@example.org", "role": "juror", "city_id": 0, "language": "fr", **data}
    return client.post("/admin/invitations", data=form)


def accept(client, path, **data):
    form = {
        "name": "Jeanne Jury",
        "password": STAFF_PASSWORD,
        "confirm": STAFF_PASSWORD,
        "language": "fr",
        **data,
    }
    return client.post(path, data=form)


def staff_account():
    return db.session.scalar(select(User).where(User.email == "jury@example.org"))


def invitation_path(mailbox):
    return link_in(mailbox.wait_for(1)[-1], "/invitation/").removeprefix("http://localhost")


def test_admin_invites_a_juror_for_a_city_in_the_invitees_language(client, auth, mailbox):
    metz = CityFactory(name_fr="Metz", name_de="Metz", name_en="Metz")
    as_admin(auth)

    response = invite(client, city_id=metz.id)

    assert response.status_code == 302
    invitation = db.session.scalar(select(Invitation))
    assert (invitation.role, invitation.city_id) == (Role.JUROR, metz.id)
    [message] = mailbox.wait_for(1)
    assert message["Content-Language"] == "fr"
    assert "Metz" in text_of(message)
    assert db.session.scalar(select(AuditEvent.action)) == "invitation.created"


def test_a_juror_needs_a_city(client, auth, mailbox):
    as_admin(auth)

    response = invite(client, city_id=0)

    assert translated("A juror needs a city.", "de") in response.text
    assert db.session.scalar(select(Invitation)) is None
    assert mailbox.messages == []


def test_accepting_creates_a_verified_staff_account_and_uses_up_the_link(client, auth, mailbox):
    trier = CityFactory()
    as_admin(auth)
    invite(client, city_id=trier.id)
    path = invitation_path(mailbox)
    auth.logout()

    response = accept(client, path)

    assert response.status_code == 302
    user = staff_account()
    assert user.roles == {Role.JUROR}
    assert user.city_id == trier.id
    assert user.email_verified
    assert user.language == "fr"
    auth.logout()
    again = accept(client, path)
    assert again.status_code == 400
    assert translated("This link has already been used.", "de") in again.text


def test_an_existing_account_gets_the_role_after_confirming_its_password(client, auth, mailbox):
    as_admin(auth)
    musician = UserFactory(email="coord@example.org")
    invite(client, email="coord@example.org", role="coordinator")
    path = invitation_path(mailbox)
    auth.logout()

    wrong = client.post(path, data={"password": "not-my-password", "language": "de"})
    assert wrong.status_code == 200
    right = client.post(path, data={"password": PASSWORD, "language": "de"})

    assert right.status_code == 302
    db.session.refresh(musician)
    assert musician.roles == {Role.APPLICANT, Role.COORDINATOR}


def test_a_revoked_invitation_cannot_be_accepted(client, auth, mailbox):
    as_admin(auth)
    invite(client, role="coordinator")
    path = invitation_path(mailbox)
    invitation = db.session.scalar(select(Invitation))
    client.post(f"/admin/invitations/{invitation.id}/revoke")
    auth.logout()

    response = accept(client, path)

    assert response.status_code == 400
    assert staff_account() is None


def test_resending_replaces_the_link(client, auth, mailbox):
    as_admin(auth)
    invite(client, role="coordinator")
    old_path = invitation_path(mailbox)
    invitation = db.session.scalar(select(Invitation))
    client.post(f"/admin/invitations/{invitation.id}/resend")
    mailbox.wait_for(2)
    new_path = invitation_path(mailbox)
    auth.logout()

    assert old_path != new_path
    assert accept(client, old_path).status_code == 400
    assert accept(client, new_path).status_code == 302


def test_an_expired_invitation_cannot_be_accepted(client, auth, mailbox):
    as_admin(auth)
    invite(client, role="coordinator")
    path = invitation_path(mailbox)
    auth.logout()

    with time_machine.travel(timedelta(days=15)):
        response = accept(client, path)

    assert response.status_code == 400
    assert staff_account() is None


def test_only_admins_see_invitations(client, auth):
    UserFactory(email="juror@example.org", role=Role.JUROR)

    assert client.get("/admin/invitations").status_code == 302
    auth.login("juror@example.org")
    assert client.get("/admin/invitations").status_code == 403
    assert invite(client, role="admin").status_code == 403
    assert db.session.scalar(select(Invitation)) is None
