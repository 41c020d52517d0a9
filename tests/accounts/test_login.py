"""Logging in and out, rate limits, remember-me and safe redirects."""

from qpmusic.extensions import db
from tests.conftest import PASSWORD
from tests.factories import UserFactory
from tests.translations import translated


def test_login_with_the_right_password_opens_a_session(client, auth):
    UserFactory(email="mia@example.org")

    response = auth.login("MIA@example.org")

    assert response.status_code == 302
    assert client.get("/profile/").status_code == 200


def test_login_with_a_wrong_password_is_refused_without_saying_which_field(client, auth):
    UserFactory(email="mia@example.org")

    wrong_password = auth.login("mia@example.org", "Not-the-password-1")
    no_account = auth.login("nobody@example.org")

    message = translated("E-mail address or password is not correct.", "de")
    assert message in wrong_password.text
    assert message in no_account.text
    assert client.get("/profile/").status_code == 302


def test_login_of_an_unverified_account_sends_a_new_link(client, auth, mailbox):
    UserFactory(email="mia@example.org", email_verified_at=None, language="fr")

    response = auth.login("mia@example.org")

    assert (
        translated("Please confirm your e-mail address first. We have sent you a new link.", "de")
        in response.text
    )
    [message] = mailbox.wait_for(1)
    assert message["Content-Language"] == "fr"
    assert client.get("/profile/").status_code == 302


def test_sixth_login_attempt_in_a_minute_gets_a_translated_429(client, auth):
    UserFactory(email="mia@example.org")
    for _ in range(5):
        assert auth.login("mia@example.org", "Wrong-password-1").status_code == 200

    response = client.post(
        "/login",
        data={"email": "mia@example.org", "password": PASSWORD},
        headers={"Accept-Language": "fr"},
    )

    assert response.status_code == 429
    assert translated("Too many attempts", "fr") in response.text
    assert client.get("/profile/").status_code == 302


def test_login_ignores_a_next_parameter_that_leaves_the_site(client):
    UserFactory(email="mia@example.org")
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.post(
            f"/login?next={target}", data={"email": "mia@example.org", "password": PASSWORD}
        )
        assert response.headers["Location"] == "/"
        client.post("/logout")


def test_login_follows_a_next_parameter_on_the_site(client):
    UserFactory(email="mia@example.org")

    response = client.post(
        "/login?next=/profile/", data={"email": "mia@example.org", "password": PASSWORD}
    )

    assert response.headers["Location"] == "/profile/"


def test_login_renews_the_session(client, auth):
    UserFactory(email="mia@example.org")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"

    auth.login("mia@example.org")

    with client.session_transaction() as session:
        assert "planted" not in session


def test_logout_ends_the_session(client, auth):
    UserFactory(email="mia@example.org")
    auth.login("mia@example.org")

    assert auth.logout().status_code == 302
    assert client.get("/profile/").status_code == 302


def test_deactivated_account_cannot_log_in(client, auth):
    user = UserFactory(email="mia@example.org")
    user.active = False
    db.session.commit()

    response = auth.login("mia@example.org")

    assert response.status_code == 200
    assert client.get("/profile/").status_code == 302


def test_remember_me_sets_a_persistent_cookie(client, auth):
    UserFactory(email="mia@example.org")

    response = auth.login("mia@example.org", remember="y")

    assert any("remember_token=" in c for c in response.headers.getlist("Set-Cookie"))


def test_successful_logins_from_one_address_do_not_count_against_the_limit(client, auth):
    people = [UserFactory(email=f"juror{n}@example.org") for n in range(8)]

    answers = []
    for person in people:
        answers.append(auth.login(person.email).status_code)
        client.post("/logout")

    assert answers == [302] * 8
