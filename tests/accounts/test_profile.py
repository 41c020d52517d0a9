"""The profile: name, preferred language, password and e-mail address."""

from qpmusic.extensions import db
from tests.conftest import PASSWORD
from tests.factories import UserFactory, has_password
from tests.mail_sink import link_in
from tests.translations import translated


def test_profile_saves_name_and_language(client, auth):
    user = UserFactory(email="mia@example.org", language="de")
    auth.login("mia@example.org")

    client.post("/profile/", data={"name": "Mia Klang", "language": "en"})

    db.session.refresh(user)
    assert (user.name, user.language) == ("Mia Klang", "en")
    assert '<html lang="en">' in client.get("/").text


def test_profile_refuses_an_unknown_language(client, auth):
    user = UserFactory(email="mia@example.org", language="de")
    auth.login("mia@example.org")

    client.post("/profile/", data={"name": "Mia", "language": "xx"})

    db.session.refresh(user)
    assert user.language == "de"


def test_change_password_needs_the_current_one(client, auth):
    user = UserFactory(email="mia@example.org")
    auth.login("mia@example.org")

    response = client.post(
        "/profile/password",
        data={
            "current_password": "wrong-one-123",
            "password": "Neue-Tonleiter-77",
            "confirm": "Neue-Tonleiter-77",
        },
    )

    assert response.status_code == 400
    assert translated("Your current password is not correct.", "de") in response.text
    assert has_password(user, PASSWORD)


def test_change_password_keeps_this_session_and_ends_the_others(app, mailbox):
    user = UserFactory(email="mia@example.org")
    here, elsewhere = app.test_client(), app.test_client()
    for client in (here, elsewhere):
        client.post("/login", data={"email": "mia@example.org", "password": PASSWORD})

    response = here.post(
        "/profile/password",
        data={
            "current_password": PASSWORD,
            "password": "Neue-Tonleiter-77",
            "confirm": "Neue-Tonleiter-77",
        },
    )

    assert response.status_code == 302
    assert has_password(user, "Neue-Tonleiter-77")
    assert here.get("/profile/").status_code == 200
    assert elsewhere.get("/profile/").status_code == 302
    assert mailbox.wait_for(1)[0]["To"] == "mia@example.org"


def test_change_email_waits_for_confirmation_from_the_new_address(client, auth, mailbox):
    user = UserFactory(email="mia@example.org")
    auth.login("mia@example.org")

    client.post("/profile/email", data={"email": "Mia@Klang.example", "current_password": PASSWORD})

    [message] = mailbox.wait_for(1)
    assert message["To"] == "mia@klang.example"
    db.session.refresh(user)
    assert user.email == "mia@example.org"
    path = link_in(message, "/profile/email/confirm/").removeprefix("http://localhost")
    assert client.get(path).status_code == 302
    db.session.refresh(user)
    assert user.email == "mia@klang.example"
    assert client.get(path).status_code == 400


def test_change_email_to_an_address_of_another_account_fails_at_confirmation(client, auth, mailbox):
    user = UserFactory(email="mia@example.org")
    UserFactory(email="taken@example.org")
    auth.login("mia@example.org")

    client.post("/profile/email", data={"email": "taken@example.org", "current_password": PASSWORD})
    path = link_in(mailbox.wait_for(1)[0], "/confirm/").removeprefix("http://localhost")
    response = client.get(path)

    assert response.status_code == 400
    assert translated("Another account already uses this e-mail address.", "de") in response.text
    db.session.refresh(user)
    assert user.email == "mia@example.org"


def test_change_email_needs_the_password(client, auth, mailbox):
    UserFactory(email="mia@example.org")
    auth.login("mia@example.org")

    response = client.post(
        "/profile/email", data={"email": "new@example.org", "current_password": "nope-nope-1"}
    )

    assert response.status_code == 400
    assert mailbox.messages == []
