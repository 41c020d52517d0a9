"""Session renewal: a fresh session at every login, and a password change ends the other ones."""

from qpmusic.accounts.models import User
from qpmusic.enums import Role
from qpmusic.extensions import db
from tests.conftest import PASSWORD
from tests.factories import UserFactory, has_password
from tests.mail_sink import link_in

NEW_PASSWORD = "Neue-Tonleiter-77"


def session_cookie(client) -> str | None:
    cookie = client.get_cookie("session")
    return cookie.value if cookie else None


def login(client, email="mia@example.org", **extra):
    return client.post("/login", data={"email": email, "password": PASSWORD, **extra})


def change_password(client):
    return client.post(
        "/profile/password",
        data={"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )


def replay(app, cookies: dict[str, str]):
    """Another browser that presents exactly ``cookies`` (as a thief would)."""
    client = app.test_client()
    for name, value in cookies.items():
        client.set_cookie(name, value)
    return client


def test_login_drops_what_the_session_held_before_and_keeps_the_language(client):
    UserFactory(email="mia@example.org", language="fr")
    client.post("/language", data={"lang": "en"})
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
        session["_fresh"] = True

    assert login(client).status_code == 302

    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["lang"] == "en"
        assert session["_user_id"] == db.session.scalar(
            db.select(User.auth_token).where(User.email == "mia@example.org")
        )


def test_a_session_cookie_captured_before_login_does_not_authenticate(app, client):
    UserFactory(email="mia@example.org")
    client.post("/language", data={"lang": "fr"})
    captured = session_cookie(client)
    assert captured is not None

    login(client)

    assert session_cookie(client) != captured
    assert client.get("/profile/").status_code == 200
    response = replay(app, {"session": captured}).get("/profile/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_password_change_keeps_this_browser_logged_in_and_logs_the_other_out(app):
    user = UserFactory(email="mia@example.org")
    here, elsewhere = app.test_client(), app.test_client()
    login(here)
    login(elsewhere)
    assert elsewhere.get("/profile/").status_code == 200

    response = change_password(here)

    assert response.status_code == 302
    assert has_password(user, NEW_PASSWORD)
    assert here.get("/profile/").status_code == 200
    assert elsewhere.get("/profile/").status_code == 302


def test_password_change_ends_a_remembered_login_on_another_device(app):
    UserFactory(email="mia@example.org")
    here, phone = app.test_client(), app.test_client()
    login(here)
    login(phone, remember="y")
    remembered = phone.get_cookie("remember_token").value

    change_password(here)

    # Only the remember-me cookie, as when the phone's browser restarts.
    assert replay(app, {"remember_token": remembered}).get("/profile/").status_code == 302


def test_password_change_keeps_this_device_remembered_with_a_new_cookie(app, client):
    UserFactory(email="mia@example.org")
    login(client, remember="y")
    old_cookie = client.get_cookie("remember_token").value

    change_password(client)

    new_cookie = client.get_cookie("remember_token").value
    assert new_cookie != old_cookie
    assert replay(app, {"remember_token": new_cookie}).get("/profile/").status_code == 200
    assert replay(app, {"remember_token": old_cookie}).get("/profile/").status_code == 302


def test_password_change_does_not_remember_a_device_that_was_not(client):
    UserFactory(email="mia@example.org")
    login(client)

    change_password(client)

    assert client.get_cookie("remember_token") is None
    assert client.get("/profile/").status_code == 200


def test_password_change_invalidates_this_browsers_earlier_session_cookie(app, client):
    UserFactory(email="mia@example.org")
    login(client)
    before_change = session_cookie(client)

    change_password(client)

    assert session_cookie(client) != before_change
    assert client.get("/profile/").status_code == 200
    assert replay(app, {"session": before_change}).get("/profile/").status_code == 302


def test_password_reset_logs_out_the_sessions_that_were_open(app, mailbox):
    UserFactory(email="mia@example.org")
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, remember="y")
    remembered = laptop.get_cookie("remember_token").value
    phone.post("/password/forgot", data={"email": "mia@example.org"})
    path = link_in(mailbox.wait_for(1)[0], "/password/reset/").removeprefix("http://localhost")

    phone.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    assert laptop.get("/profile/").status_code == 302
    assert replay(app, {"remember_token": remembered}).get("/profile/").status_code == 302


def test_accepting_an_invitation_starts_a_fresh_session(client, mailbox):
    admin = UserFactory(email="office@example.org", role=Role.ADMIN)
    login(client, admin.email)
    client.post(
        "/admin/invitations",
        data={"email": "jury@example.org", "role": "coordinator", "city_id": 0, "language": "de"},
    )
    path = link_in(mailbox.wait_for(1)[0], "/invitation/").removeprefix("http://localhost")
    client.post("/logout")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"

    response = client.post(
        path,
        data={
            "name": "Jeanne Jury",
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
            "language": "de",
        },
    )

    assert response.status_code == 302
    with client.session_transaction() as session:
        assert "planted" not in session
    assert client.get("/profile/").status_code == 200


def test_logout_clears_the_session_but_keeps_the_language(client):
    UserFactory(email="mia@example.org")
    client.post("/language", data={"lang": "fr"})
    login(client)
    with client.session_transaction() as session:
        session["left_over"] = "from the logged-in session"

    client.post("/logout")

    with client.session_transaction() as session:
        assert "left_over" not in session
        assert "_user_id" not in session
        assert session["lang"] == "fr"
