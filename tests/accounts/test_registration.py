"""Registering an applicant account and confirming its e-mail address."""

import re
from datetime import timedelta

import time_machine
from sqlalchemy import func, select

from qpmusic.accounts.models import User
from qpmusic.enums import Role
from qpmusic.extensions import db
from tests.conftest import PASSWORD
from tests.factories import UserFactory
from tests.mail_sink import html_of, link_in, text_of
from tests.translations import translated

FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9"}


def register(client, email="mia@example.org", password=PASSWORD, confirm=None, headers=None):
    data = {
        "name": "Mia Klang",
        "email": email,
        "password": password,
        "confirm": confirm or password,
    }
    return client.post("/register", data=data, headers=headers or {})


def user_count():
    return db.session.scalar(select(func.count(User.id)))


def test_register_creates_unverified_applicant_in_the_page_language(client, mailbox):
    response = register(client, email="Mia@Example.org", headers=FRENCH)

    assert response.status_code == 200
    assert translated("Check your inbox", "fr") in response.text
    user = db.session.scalar(select(User))
    assert user.email == "mia@example.org"
    assert user.language == "fr"
    assert user.roles == {Role.APPLICANT}
    assert user.email_verified_at is None
    [message] = mailbox.wait_for(1)
    assert message["To"] == "mia@example.org"
    assert message["Content-Language"] == "fr"
    assert "/verify/" in text_of(message)
    assert "/verify/" in html_of(message)


def same_page(html: str, email: str) -> str:
    """The page without what differs between any two answers: the address and the form tokens
    (signed with the second they were made in, so two answers a second apart differ there)."""
    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]+', r"\1TOKEN", html.replace(email, "X"))


def test_register_with_a_taken_address_in_any_case_reveals_nothing(client, mailbox):
    UserFactory(email="mia@example.org", language="de")
    fresh = same_page(register(client, email="new@example.org").text, "new@example.org")
    mailbox.wait_for(1)
    mailbox.clear()

    taken = same_page(register(client, email="MIA@EXAMPLE.ORG").text, "MIA@EXAMPLE.ORG")

    assert taken == fresh
    assert user_count() == 2
    [message] = mailbox.wait_for(1)
    assert message["To"] == "mia@example.org"
    assert "/password/forgot" in text_of(message)


def test_register_refuses_a_weak_password_with_a_translated_error(client, mailbox):
    response = register(client, password="kurz", headers={"Accept-Language": "de"})

    assert response.status_code == 200
    assert translated("Use at least %(n)d characters.", "de", n=10) in response.text
    assert 'aria-invalid="true"' in response.text
    assert user_count() == 0
    assert mailbox.messages == []


def test_register_refuses_a_password_made_of_the_address(client):
    response = register(
        client,
        email="klangfarbe@example.org",
        password="klangfarbe2026",
        headers={"Accept-Language": "en"},
    )

    assert translated("Do not use your name or e-mail address as password.", "en") in response.text
    assert user_count() == 0


def test_register_refuses_mismatched_passwords(client):
    response = register(client, confirm="Something-else-1", headers={"Accept-Language": "fr"})

    assert translated("The passwords do not match.", "fr") in response.text
    assert user_count() == 0


def test_verification_link_confirms_the_address_once(client, mailbox):
    register(client)
    link = link_in(mailbox.wait_for(1)[0], "/verify/")
    path = link.removeprefix("http://localhost")

    first = client.get(path)
    assert first.status_code == 302
    assert db.session.scalar(select(User)).email_verified_at is not None

    again = client.get(path, headers={"Accept-Language": "en"})
    assert again.status_code == 400
    assert translated("This link has already been used.", "en") in again.text


def test_forged_verification_link_is_refused(client, mailbox):
    register(client)
    path = link_in(mailbox.wait_for(1)[0], "/verify/").removeprefix("http://localhost")

    response = client.get(path[:-3] + "abc", headers={"Accept-Language": "de"})

    assert response.status_code == 400
    assert (
        translated("This link is not valid. Please check that you copied it completely.", "de")
        in response.text
    )
    assert db.session.scalar(select(User)).email_verified_at is None


def test_expired_verification_link_is_refused(client, mailbox):
    register(client)
    path = link_in(mailbox.wait_for(1)[0], "/verify/").removeprefix("http://localhost")

    with time_machine.travel(timedelta(hours=25)):
        response = client.get(path, headers={"Accept-Language": "fr"})

    assert response.status_code == 400
    assert translated("This link has expired. Please ask for a new one.", "fr") in response.text
    assert db.session.scalar(select(User)).email_verified_at is None
