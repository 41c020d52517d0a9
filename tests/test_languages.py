"""Every page of the call, the application and screening speaks German, French and English."""

from html import unescape

import pytest

from qpmusic.demo import seed_cities
from qpmusic.enums import ApplicationStatus, Role
from qpmusic.extensions import db
from tests.factories import (
    ApplicationFactory,
    CriterionFactory,
    EditionFactory,
    EligibilityBasisFactory,
    UserFactory,
    WorkFactory,
)
from tests.translations import translated

# (who looks, path, a phrase the page must show in the reader's language)
PAGES = [
    (None, "/", "Who may apply"),
    (None, "/eligibility?place=Konz", "Check your eligibility"),
    (Role.APPLICANT, "/apply/", "My application"),
    (Role.APPLICANT, "/applications/1/profile", "Artist or project name"),
    (Role.APPLICANT, "/applications/1/biography", "Biography"),
    (Role.APPLICANT, "/applications/1/eligibility", "Add a place"),
    (Role.APPLICANT, "/applications/1/works", "Add a work"),
    (Role.APPLICANT, "/applications/1/works/new", "Year composed"),
    (Role.APPLICANT, "/applications/1/works/1", "Techniques and instruments"),
    (Role.APPLICANT, "/applications/1/consents", "I have read and accept the rules of the prize."),
    (Role.APPLICANT, "/applications/1/review", "Review and submit"),
    (Role.APPLICANT, "/applications/1/withdraw", "Withdraw my application"),
    (Role.COORDINATOR, "/screening/", "Nearest city"),
    (Role.COORDINATOR, "/screening/1", "Decision"),
    (Role.ADMIN, "/admin/editions", "New edition"),
    (Role.ADMIN, "/admin/editions/new", "Plain text; leave an empty line between paragraphs."),
    (Role.ADMIN, "/admin/editions/1", "Scoring criteria"),
    (Role.ADMIN, "/admin/cities/", "Cities of the network"),
    (Role.ADMIN, "/admin/cities/new", "Country code"),
    (Role.ADMIN, "/admin/cities/1", "Save city"),
    (Role.ADMIN, "/admin/editions/1/edit", "Plain text; leave an empty line between paragraphs."),
    (Role.ADMIN, "/admin/criteria/1/edit", "Relative to the other criteria, e.g. 1 or 2."),
    (None, "/privacy", "Data protection notice"),
]


@pytest.fixture
def people():
    seed_cities()  # city 1 is Luxembourg
    applicant = UserFactory(email="mia@example.org")
    edition = EditionFactory()
    CriterionFactory(edition=edition)
    application = ApplicationFactory(
        edition=edition, applicant=applicant, status=ApplicationStatus.SUBMITTED, reference="QP-1"
    )
    WorkFactory(application=application)
    EligibilityBasisFactory(application=application)
    return {
        Role.APPLICANT: applicant,
        Role.COORDINATOR: UserFactory(email="claire@example.org", role=Role.COORDINATOR),
        Role.ADMIN: UserFactory(email="office@example.org", role=Role.ADMIN),
    }


@pytest.mark.parametrize("language", ["de", "fr", "en"])
@pytest.mark.parametrize(("role", "path", "phrase"), PAGES)
def test_every_new_page_speaks_the_readers_language(
    client, auth, people, role, path, phrase, language
):
    if role:
        user = people[role]
        user.language = language
        db.session.commit()
        auth.login(user.email)

    response = client.get(path, headers={"Accept-Language": language})

    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.text
    # Jinja leaves apostrophes of translated text alone while WTForms escapes them.
    assert unescape(translated(phrase, language)) in unescape(response.text)
