"""Three languages: how the language is chosen, the switcher, and complete catalogs."""

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from qpmusic.extensions import db
from tests.factories import EditionFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]


def page_language(response) -> str:
    return response.text.split('<html lang="', 1)[1].split('"', 1)[0]


def test_german_is_the_default(client):
    assert page_language(client.get("/")) == "de"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("fr-FR,fr;q=0.9,en;q=0.5", "fr"),
        ("en-GB,en;q=0.8", "en"),
        ("lb-LU,de;q=0.7", "de"),
        ("es-ES", "de"),
    ],
)
def test_the_browser_language_is_used_when_nothing_else_says(client, header, expected):
    assert page_language(client.get("/", headers={"Accept-Language": header})) == expected


def test_the_lang_parameter_wins_over_the_browser_and_is_remembered(client):
    french_browser = {"Accept-Language": "fr"}

    assert page_language(client.get("/?lang=en", headers=french_browser)) == "en"
    assert page_language(client.get("/", headers=french_browser)) == "en"


def test_the_users_preference_wins_over_everything(client, auth):
    UserFactory(email="mia@example.org", language="fr")
    auth.login("mia@example.org")

    response = client.get("/?lang=en", headers={"Accept-Language": "de"})

    assert page_language(response) == "fr"


def test_the_switcher_changes_the_page_and_the_logged_in_users_preference(client, auth):
    user = UserFactory(email="mia@example.org", language="fr")
    auth.login("mia@example.org")

    response = client.post("/language", data={"lang": "de", "next": "/profile/"})

    assert response.headers["Location"] == "/profile/"
    assert page_language(client.get("/profile/")) == "de"
    db.session.refresh(user)
    assert user.language == "de"


def test_the_switcher_for_visitors_is_remembered_and_stays_on_site(client):
    response = client.post("/language", data={"lang": "fr", "next": "https://evil.example/"})

    assert response.headers["Location"] == "/"
    assert page_language(client.get("/", headers={"Accept-Language": "en"})) == "fr"


def test_dates_follow_the_page_language_in_luxembourg_time(client):
    from datetime import UTC, datetime

    EditionFactory(closes_at=datetime(2031, 3, 31, 21, 59, 59, tzinfo=UTC), year=2031)

    german = client.get("/?lang=de").text
    french = client.get("/?lang=fr").text
    english = client.get("/?lang=en").text

    assert "31. März 2031" in german and "23:59:59" in german
    assert "31 mars 2031" in french
    assert "March 31, 2031" in english


def extracted_messages(tmp_path) -> set[str]:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "--no-location",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as handle:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}


@pytest.mark.parametrize("language", ["de", "fr"])
def test_every_string_in_the_code_is_translated(tmp_path, language):
    catalog_path = ROOT / f"qpmusic/translations/{language}/LC_MESSAGES/messages.po"
    with catalog_path.open("rb") as handle:
        catalog = read_po(handle)
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in catalog
        if m.id and not m.fuzzy and all(m.string if isinstance(m.string, tuple) else [m.string])
    }

    missing = extracted_messages(tmp_path) - translated

    assert not missing, f"untranslated in {language}: {sorted(missing)}"


@pytest.mark.parametrize("language", ["de", "fr", "en"])
def test_every_page_of_the_foundation_speaks_one_language(client, language):
    for path in ("/", "/login", "/register", "/password/forgot", "/nope"):
        response = client.get(f"{path}?lang={language}")
        assert page_language(response) == language
