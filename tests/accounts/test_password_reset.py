"""Forgotten passwords: a single-use, expiring link that never reveals who has an account."""

from datetime import timedelta

import time_machine

from tests.conftest import PASSWORD
from tests.factories import UserFactory, has_password
from tests.mail_sink import link_in
from tests.translations import translated

NEW_PASSWORD = "Neue-Tonleiter-77"


def ask_for_reset(client, mailbox, email="mia@example.org"):
    client.post("/password/forgot", data={"email": email})
    return link_in(mailbox.wait_for(1)[0], "/password/reset/").removeprefix("http://localhost")


def choose(client, path, password):
    return client.post(path, data={"password": password, "confirm": password})


def test_reset_request_looks_the_same_for_known_and_unknown_addresses(client, mailbox):
    UserFactory(email="mia@example.org")

    known = client.post("/password/forgot", data={"email": "mia@example.org"})
    mailbox.wait_for(1)
    unknown = client.post("/password/forgot", data={"email": "nobody@example.org"})

    assert known.status_code == unknown.status_code == 200
    assert known.text.replace("mia@example.org", "X") == unknown.text.replace(
        "nobody@example.org", "X"
    )
    assert [m["To"] for m in mailbox.messages] == ["mia@example.org"]


def test_reset_link_sets_a_new_password_once(client, auth, mailbox):
    user = UserFactory(email="mia@example.org", language="fr")
    path = ask_for_reset(client, mailbox)
    assert mailbox.messages[0]["Content-Language"] == "fr"

    response = choose(client, path, NEW_PASSWORD)

    assert response.status_code == 302
    assert has_password(user, NEW_PASSWORD)
    again = choose(client, path, "Dritte-Fassung-99")
    assert again.status_code == 400
    assert translated("This link has already been used.", "de") in again.text
    assert has_password(user, NEW_PASSWORD)


def test_expired_reset_link_is_refused(client, mailbox):
    user = UserFactory(email="mia@example.org")
    path = ask_for_reset(client, mailbox)

    with time_machine.travel(timedelta(days=1, seconds=1)):
        response = choose(client, path, NEW_PASSWORD)

    assert response.status_code == 400
    assert translated("This link has expired. Please ask for a new one.", "de") in response.text
    assert has_password(user, PASSWORD)


def test_forged_reset_link_is_refused(client, mailbox):
    user = UserFactory(email="mia@example.org")
    path = ask_for_reset(client, mailbox)

    response = choose(client, path + "x", NEW_PASSWORD)

    assert response.status_code == 400
    assert has_password(user, PASSWORD)


def test_reset_refuses_a_weak_password_and_keeps_the_link_usable(client, mailbox):
    user = UserFactory(email="mia@example.org")
    path = ask_for_reset(client, mailbox)

    weak = choose(client, path, "aaaaaaaaaa1")

    assert weak.status_code == 200
    assert translated("Use more different characters.", "de") in weak.text
    assert has_password(user, PASSWORD)
    assert client.get(path).status_code == 200


def test_reset_logs_out_every_other_session(app, mailbox):
    UserFactory(email="mia@example.org")
    laptop, phone = app.test_client(), app.test_client()
    laptop.post("/login", data={"email": "mia@example.org", "password": PASSWORD})
    path = ask_for_reset(phone, mailbox)

    choose(phone, path, NEW_PASSWORD)

    assert laptop.get("/profile/").status_code == 302


def test_reset_requests_are_rate_limited(client, mailbox):
    UserFactory(email="mia@example.org")
    for _ in range(5):
        client.post("/password/forgot", data={"email": "mia@example.org"})
    mailbox.wait_for(5)

    response = client.post("/password/forgot", data={"email": "mia@example.org"})

    assert response.status_code == 429
    assert len(mailbox.messages) == 5
