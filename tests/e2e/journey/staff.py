"""Jurors and the coordinator accept their invitations from the e-mailed link."""

from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.journey.people import COORDINATOR, JURORS, mail_to, new_page, t
from tests.mail_sink import link_in


def accept_invitations(browser, inspector, live_server, mailbox) -> None:
    people = [(name, email, lang) for name, email, _city, lang in JURORS]
    people.append((COORDINATOR[1], COORDINATOR[0], COORDINATOR[2]))
    for name, email, lang in people:
        [message] = mail_to(mailbox, email)
        assert message["Content-Language"] == lang
        page = new_page(browser, inspector, live_server, lang, phone=lang == "en")
        page.goto(link_in(message, "/invitation/"))
        expect(page.locator("h1")).to_have_text(t(lang, "Accept invitation"))
        page.locator("#name").fill(name)
        page.locator("#password").fill(PASSWORD)
        page.locator("#confirm").fill(PASSWORD)
        page.locator("#language").select_option(lang)
        inspector.page(page, f"accept-invitation-{lang}", language=lang)
        page.get_by_role("button", name=t(lang, "Accept invitation")).click()
        expect(page.locator(".flash").first).to_contain_text(
            t(lang, "Welcome to the QuattroPole Music Prize.")
        )
        page.context.close()
