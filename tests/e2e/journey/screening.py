"""After the deadline the office closes the call and the coordinator screens and shortlists."""

from playwright.sync_api import expect

from tests.e2e.journey.office_setup import de
from tests.e2e.journey.people import COORDINATOR, log_in, new_page, t


def move_phase(page, check, *, edition_url: str, button: str, phase: str, shot: str) -> None:
    page.goto(edition_url)
    page.locator("form.phase-forward").get_by_role("button", name=de(button)).click()
    expect(page.locator("li[aria-current=step]")).to_have_text(de(phase))
    check(page, shot)


def coordinator_shortlists(browser, inspector, live_server, musicians) -> None:
    email, _name, lang = COORDINATOR
    page = new_page(browser, inspector, live_server, lang)
    log_in(page, email)
    nav = page.get_by_role("navigation", name=t(lang, "Main navigation"))
    nav.get_by_role("link", name=t(lang, "Screening")).click()
    expect(page.locator("main table tbody tr")).to_have_count(len(musicians))
    inspector.page(page, "screening-list", language=lang)
    for musician in musicians:
        page.get_by_role("link", name=musician.reference).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(musician.artist)
        inspector.page(page, "screening-detail", language=lang)
        page.get_by_label(t(lang, "Eligible"), exact=True).check()
        page.get_by_label(t(lang, "Reason")).fill(f"{musician.place[1]} : moins de 50 km.")
        page.get_by_role("button", name=t(lang, "Save decision")).click()
        expect(page.get_by_text(t(lang, "The decision has been saved."))).to_be_visible()
        page.get_by_role("button", name=t(lang, "Add to shortlist")).click()
        expect(page.get_by_text(t(lang, "The application is on the shortlist."))).to_be_visible()
        expect(page.locator(".screening-head .badge")).to_have_text(t(lang, "Shortlisted"))
        inspector.page(page, "screening-shortlisted", language=lang)
        nav.get_by_role("link", name=t(lang, "Screening")).click()
    page.context.close()
