"""A musician from Thionville applies step by step, submits and edits; a coordinator screens it."""

import re
from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import expect
from sqlalchemy import select

from qpmusic.applications.models import Application
from qpmusic.demo import seed_cities
from qpmusic.enums import ApplicationStatus, Role
from qpmusic.extensions import db
from qpmusic.timestamps import utcnow
from tests.conftest import PASSWORD
from tests.e2e.axe import assert_accessible
from tests.factories import EditionFactory, UserFactory
from tests.mail_sink import link_in

pytestmark = pytest.mark.browser


def fr(msgid, **values):
    with force_locale("fr"):
        return gettext(msgid, **values)


def log_in(page, email):
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()


def log_out(page):
    page.get_by_role("button", name=fr("Log out")).click()


def open_nav(page, label):
    page.get_by_role("navigation", name=fr("Main navigation")).get_by_role(
        "link", name=label, exact=True
    ).click()


def save_and_continue(page):
    page.get_by_role("button", name=fr("Save and continue")).click()


def test_a_musician_from_thionville_applies_and_a_coordinator_shortlists(
    browser, live_server, mailbox, screens
):
    seed_cities()
    edition = EditionFactory(year=utcnow().year, closes_at=utcnow() + timedelta(days=20))
    UserFactory(email="claire@example.org", name="Claire", role=Role.COORDINATOR, language="fr")
    context = browser.new_context(locale="fr-FR", base_url=live_server)
    page = context.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: problems.append(r.url) if r.status == 404 else None)
    shots = screens(page)

    # Register and confirm the address, as in the account test.
    page.goto("/register")
    page.locator("#name").fill("Léa Moselle")
    page.locator("#email").fill("lea@example.org")
    page.locator("#password").fill(PASSWORD)
    page.locator("#confirm").fill(PASSWORD)
    page.get_by_role("button", name=fr("Create account")).click()
    page.goto(link_in(mailbox.wait_for(1)[0], "/verify/"))
    mailbox.clear()
    log_in(page, "lea@example.org")

    open_nav(page, fr("My application"))
    shots.shot("status-before-start")
    assert_accessible(shots.page, context="status-before-start")
    page.get_by_role("button", name=fr("Start my application")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(fr("Name and contact"))
    page.get_by_label(fr("Artist or project name")).fill("Léa & the Tape Loops")
    save_and_continue(page)

    expect(page.get_by_role("heading", level=1)).to_have_text(fr("Biography"))
    page.get_by_role("textbox", name=fr("Biography")).fill(
        "Née à Thionville. Musique pour bandes et voix."
    )
    shots.shot("biography")
    assert_accessible(shots.page, context="biography")
    save_and_continue(page)

    expect(page.get_by_role("heading", level=1)).to_have_text(fr("Eligibility"))
    page.get_by_label(fr("I was born, live, work or study here")).select_option("lives")
    place = page.get_by_role("combobox", name=fr("Place"))
    place.press_sequentially("Thionv", delay=40)
    expect(page.get_by_role("option", name="Thionville (FR)", exact=True)).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.get_by_role("button", name=fr("Add place")).click()
    expect(page.locator(".bases")).to_contain_text(re.compile(r"Thionville\s+— .*\d+ km"))
    expect(page.locator(".bases")).to_contain_text("Metz")
    shots.shot("eligibility")
    assert_accessible(shots.page, context="eligibility")

    # Leave mid-way and come back: everything so far is still there.
    log_out(page)
    log_in(page, "lea@example.org")
    open_nav(page, fr("My application"))
    expect(page.get_by_role("link", name=fr("Continue my application"))).to_be_visible()
    shots.shot("status-draft")
    assert_accessible(shots.page, context="status-draft")
    application = db.session.scalar(select(Application))
    page.goto(f"/applications/{application.id}/works")

    page.get_by_role("link", name=fr("Add a work")).click()
    page.get_by_label(fr("Title")).fill("Sillons")
    page.get_by_label(fr("Year composed")).fill(str(edition.year - 1))
    page.get_by_label(fr("Duration")).fill("7:30")
    page.get_by_label(fr("Links to this work")).fill("https://video.example.org/sillons")
    page.get_by_role("button", name=fr("Save work")).click()
    expect(page.locator(".works")).to_contain_text("Sillons")
    shots.shot("works")
    assert_accessible(shots.page, context="works")
    page.get_by_role("link", name=fr("Continue to consents")).click()

    page.get_by_label(fr("I have read and accept the rules of the prize.")).check()
    page.get_by_label(
        fr("I agree that my data is processed for this prize as the data protection notice says.")
    ).check()
    save_and_continue(page)

    expect(page.get_by_role("heading", level=1)).to_have_text(fr("Review and submit"))
    expect(page.locator(".summary")).to_contain_text("Léa & the Tape Loops")
    shots.shot("review")
    assert_accessible(shots.page, context="review")
    page.get_by_role("button", name=fr("Submit application")).click()
    db.session.expire_all()
    reference = db.session.scalar(select(Application)).reference
    assert reference == f"QP-{edition.year}-0001"
    expect(page.locator(".flashes")).to_contain_text(reference)
    shots.shot("submitted")
    assert_accessible(shots.page, context="submitted")

    [confirmation] = mailbox.wait_for(1)
    assert confirmation["To"] == "lea@example.org"
    assert reference in confirmation.get_body(("plain",)).get_content()

    # Edit before the deadline and submit the change; the reference stays.
    page.goto(f"/applications/{application.id}/biography")
    page.get_by_role("textbox", name=fr("Biography")).fill(
        "Née à Thionville. Musique pour bandes, voix et lumière."
    )
    save_and_continue(page)
    page.goto("/apply/")
    changed = fr(
        "You have changed your application since you submitted it. "
        "Submit it again so that the changes count."
    )
    expect(page.get_by_text(changed).first).to_be_visible()
    page.get_by_role("link", name=fr("Review and submit")).first.click()
    page.get_by_role("button", name=fr("Submit changes")).click()
    expect(page.locator(".flashes")).to_contain_text(reference)
    open_nav(page, fr("My application"))
    expect(page.locator(".status-facts")).to_contain_text(fr("Submitted"))
    expect(page.locator(".status-facts")).to_contain_text(reference)
    shots.shot("status-submitted")
    assert_accessible(shots.page, context="status-submitted")
    assert len(mailbox.wait_for(2)) == 2

    # After the deadline the coordinator screens it: eligible, then on the shortlist.
    edition.closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    log_out(page)
    log_in(page, "claire@example.org")
    open_nav(page, fr("Screening"))
    page.get_by_role("link", name=reference).click()
    shots.shot("screening-detail")
    assert_accessible(shots.page, context="screening-detail")
    page.get_by_label(fr("Eligible"), exact=True).check()
    page.get_by_role("button", name=fr("Save decision")).click()
    page.get_by_role("button", name=fr("Add to shortlist")).click()
    db.session.expire_all()
    assert db.session.scalar(select(Application)).status == ApplicationStatus.SHORTLISTED
    shots.shot("shortlisted")
    assert_accessible(shots.page, context="shortlisted")

    assert problems == []
    context.close()
