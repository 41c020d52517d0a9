"""A coordinator screens in a real browser: filters the list, marks eligible, shortlists."""

import pytest
from playwright.sync_api import expect

from qpmusic.enums import ApplicationStatus, EligibilityKind, Role
from qpmusic.extensions import db
from tests.conftest import PASSWORD
from tests.e2e.axe import assert_accessible
from tests.factories import CityFactory, EligibilityBasisFactory, UserFactory
from tests.screening.builders import submitted
from tests.screening.conftest import after_the_deadline

pytestmark = pytest.mark.browser


def test_coordinator_filters_marks_eligible_and_shortlists(browser, live_server, screens):
    # Screening starts once the call has closed.
    edition = after_the_deadline(year=2031)
    trier = CityFactory(name_de="Trier", name_fr="Trèves", name_en="Trier")
    metz = CityFactory(name_de="Metz", name_fr="Metz", name_en="Metz", country="FR")
    UserFactory(email="coord@example.org", name="Clara Coord", role=Role.COORDINATOR, language="en")
    wanted = submitted(edition, city=trier, distance=8, artist_name="Moselklang")
    for n in range(12):
        submitted(edition, city=metz if n % 2 else trier, distance=5 + n, works=1 + n % 3)
    flagged = submitted(edition, city=metz, distance=20, status=ApplicationStatus.ELIGIBLE)
    EligibilityBasisFactory(
        application=flagged,
        kind=EligibilityKind.STUDIES,
        place_id=None,
        place_name="Hof Weiler",
        manual=True,
        explanation="A farm near Perl.",
        distance_km=None,
    )
    db.session.commit()
    errors = []
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    # A blocked inline style or script (Content-Security-Policy) shows as a console error.
    page.on("console", lambda m: errors.append(m.text) if "Content Security" in m.text else None)
    page.on("response", lambda r: errors.append(r.url) if r.status >= 400 else None)
    shots = screens(page)

    page.goto("/login")
    page.get_by_label("E-mail address").fill("coord@example.org")
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Screening").click()
    expect(page.get_by_text("14 of 14 applications")).to_be_visible()
    shots.shot("list")
    assert_accessible(shots.page, context="list")

    page.get_by_label("Search").fill("mosel")
    page.get_by_label("Nearest city").select_option(label="Trier")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("1 of 14 applications")).to_be_visible()
    page.get_by_role("link", name=wanted.reference).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{wanted.reference} · Moselklang")

    page.get_by_label("Eligible", exact=True).check()
    page.get_by_label("Reason").fill("Lives in Konz, 8 km from Trier.")
    page.get_by_role("button", name="Save decision").click()
    expect(page.get_by_text("The decision has been saved.")).to_be_visible()
    page.get_by_role("button", name="Add to shortlist").click()
    expect(page.get_by_text("The application is on the shortlist.")).to_be_visible()
    expect(page.locator(".screening-head .badge")).to_have_text("Shortlisted")
    shots.shot("detail-shortlisted")
    assert_accessible(shots.page, context="detail-shortlisted")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/screening/")
    search, status = page.get_by_label("Search"), page.get_by_label("Status")
    assert search.bounding_box()["y"] < status.bounding_box()["y"]
    shots.shot("list-phone")
    assert_accessible(shots.page, context="list-phone")
    page.goto(f"/screening/{flagged.id}")
    expect(page.locator(".flag-panel").get_by_text("A farm near Perl.")).to_be_visible()
    shots.shot("detail-flagged-phone")
    assert_accessible(shots.page, context="detail-flagged-phone")
    assert errors == []
    context.close()
