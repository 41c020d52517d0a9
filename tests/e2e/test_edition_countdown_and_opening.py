"""In a real browser: the home page's live countdown, and an admin setting up and opening a call."""

from datetime import date, time, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from qpmusic.editions.localtime import utc_to_local
from qpmusic.editions.models import Edition
from qpmusic.enums import EditionPhase, Role
from qpmusic.extensions import db
from qpmusic.timestamps import utcnow
from tests.conftest import PASSWORD
from tests.e2e.axe import assert_accessible
from tests.factories import CriterionFactory, EditionFactory, UserFactory

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def open_call(left: timedelta):
    edition = EditionFactory(
        year=2031, opens_at=utcnow() - timedelta(days=7), closes_at=utcnow() + left
    )
    CriterionFactory(edition=edition)
    return edition


def watch_errors(page) -> list[str]:
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def test_the_countdown_updates_every_minute_on_a_phone(browser, live_server, screens):
    open_call(timedelta(days=2, hours=3, minutes=30, seconds=40))
    context = browser.new_context(base_url=live_server, viewport=PHONE, locale="en-GB")
    page = context.new_page()
    errors = watch_errors(page)
    page.clock.install()

    page.goto("/?lang=en")
    countdown = page.locator("[data-countdown]")
    expect(countdown).to_have_text("2 days, 3 hours, 30 minutes left")
    screens(page).shot("home-phone")
    page.clock.fast_forward("01:00")

    expect(countdown).to_have_text("2 days, 3 hours, 29 minutes left")
    expect(countdown).to_have_class("countdown ticked")
    page.clock.fast_forward("52:00:00")
    expect(countdown).to_have_text("The deadline has passed.")
    assert errors == []
    context.close()


def test_the_countdown_does_not_flash_for_people_who_ask_for_less_motion(
    browser,
    live_server,
):
    open_call(timedelta(hours=5, minutes=10, seconds=40))
    context = browser.new_context(base_url=live_server, reduced_motion="reduce")
    page = context.new_page()
    page.clock.install()

    page.goto("/?lang=en")
    page.clock.fast_forward("01:00")

    countdown = page.locator("[data-countdown]")
    expect(countdown).to_have_text("5 hours, 9 minutes left")
    expect(countdown).to_have_class("countdown")
    context.close()


def test_an_admin_sets_up_a_call_and_opens_it(browser, live_server, screens):
    UserFactory(email="office@example.org", role=Role.ADMIN, language="en")
    context = browser.new_context(base_url=live_server, locale="en-GB")
    page = context.new_page()
    errors = watch_errors(page)
    shots = screens(page)
    page.goto("/login?lang=en")
    page.get_by_label("E-mail address").fill("office@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("link", name="Editions").first.click()
    page.get_by_role("link", name="New edition").click()
    year = str(utcnow().year + 1)
    page.get_by_role("spinbutton", name="Year (required)").fill(year)
    page.get_by_label("Title (German)").fill(f"QuattroPole Musikpreis {year}")
    page.get_by_label("Title (French)").fill(f"Prix de musique QuattroPole {year}")
    page.get_by_label("Title (English)").fill(f"QuattroPole Music Prize {year}")
    page.get_by_label("Call opens on").fill(f"{year}-01-15")
    page.get_by_label("Opening time").fill("10:00")
    page.get_by_label("Call closes on").fill(f"{year}-03-31")
    page.get_by_label("Closing time").fill("23:59:59")
    shots.shot("new-edition")
    assert_accessible(shots.page, context="new-edition")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("button", name="Open the call")).to_be_disabled()
    page.get_by_text("Add a criterion").click()
    page.get_by_label("Label (German)").fill("Originalität")
    page.get_by_label("Label (French)").fill("Originalité")
    page.get_by_label("Label (English)").fill("Originality")
    page.get_by_role("button", name="Add the criterion").click()
    page.get_by_role("button", name="Open the call").click()

    expect(page.locator(".flash-success")).to_contain_text("Call open")
    shots.shot("edition-open")
    assert_accessible(shots.page, context="edition-open")
    # Saving the settings again keeps the deadline to the second.
    page.get_by_role("link", name="Edit settings").click()
    expect(page.get_by_label("Closing time")).to_have_value("23:59:59")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("link", name="Edit settings")).to_be_visible()
    edition = db.session.scalar(select(Edition))
    assert edition.phase == EditionPhase.OPEN
    assert utc_to_local(edition.closes_at) == (date(int(year), 3, 31), time(23, 59, 59))
    assert errors == []
    context.close()
