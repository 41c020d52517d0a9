"""A French-speaking musician registers, confirms the address, logs in and switches to German."""

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import expect
from sqlalchemy import select

from qpmusic.accounts.models import User
from qpmusic.extensions import db
from tests.conftest import PASSWORD
from tests.e2e.axe import assert_accessible
from tests.mail_sink import link_in

pytestmark = pytest.mark.browser


def in_(language, msgid, **values):
    with force_locale(language):
        return gettext(msgid, **values)


def fr(msgid, **values):
    return in_("fr", msgid, **values)


def test_register_verify_login_and_switch_language(browser, live_server, mailbox, screens):
    context = browser.new_context(locale="fr-FR", base_url=live_server)
    page = context.new_page()
    shots = screens(page)

    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    shots.shot("home-fr")
    assert_accessible(shots.page, context="home-fr")

    page.get_by_role("link", name=fr("Create account")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(fr("Create account"))
    page.get_by_label(fr("Your name")).fill("Camille Son")
    page.get_by_label(fr("E-mail address")).fill("camille@example.org")
    page.get_by_label(fr("Password"), exact=False).first.fill("court")
    page.get_by_label(fr("Repeat the password")).fill("court")
    page.get_by_role("button", name=fr("Create account")).click()
    expect(page.locator("#password-error")).to_contain_text(
        fr("Use at least %(n)d characters.", n=10)
    )
    shots.shot("register-weak-password")
    assert_accessible(shots.page, context="register-weak-password")

    page.locator("#password").fill(PASSWORD)
    page.get_by_label(fr("Repeat the password")).fill(PASSWORD)
    page.get_by_role("button", name=fr("Create account")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(fr("Check your inbox"))
    shots.shot("check-inbox")
    assert_accessible(shots.page, context="check-inbox")

    [message] = mailbox.wait_for(1)
    assert message["Content-Language"] == "fr"
    page.goto(link_in(message, "/verify/"))
    expect(
        page.get_by_text(fr("Thank you, your e-mail address is confirmed. You can log in now."))
    ).to_be_visible()
    shots.shot("verified-login")
    assert_accessible(shots.page, context="verified-login")

    page.get_by_label(fr("E-mail address")).fill("camille@example.org")
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name=fr("Log in")).click()
    expect(page.get_by_text(fr("Welcome, %(name)s.", name="Camille Son"))).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    shots.shot("logged-in-fr")
    assert_accessible(shots.page, context="logged-in-fr")

    page.get_by_role("link", name=fr("Profile")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(fr("Profile"))
    shots.shot("profile-fr")
    assert_accessible(shots.page, context="profile-fr")

    page.get_by_role("button", name="Deutsch").click()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", level=1)).to_have_text(in_("de", "Profile"))
    shots.shot("profile-de")
    assert_accessible(shots.page, context="profile-de")

    page.get_by_role("link", name=in_("de", "Home")).click()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    user = db.session.scalar(select(User).where(User.email == "camille@example.org"))
    assert user.language == "de"
    context.close()
