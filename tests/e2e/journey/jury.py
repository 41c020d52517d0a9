"""The jury round: the office opens it, jurors declare a conflict, listen, score and finalize."""

from datetime import date

from playwright.sync_api import expect

from tests.e2e.journey.office_setup import de, flash
from tests.e2e.journey.people import JURORS, log_in, new_page, t

# How far above or below the jury each juror scores (harsh or lenient).
OFFSETS = (0, 1, -1, 0, 1, -1, 0, 0)
# The jury's base score per musician (in MUSICIANS order): Moselle Drones, then Raumklang
# Kollektiv, then Feedback Choir, two points apart, so every tally method agrees.
BASES = (6, 9, 3)
CONFLICTED = (2, 1)  # Camille Fournier taught the musician of Moselle Drones.
LISTENER = 0  # Anouk Weber listens to a recording before scoring it.


def open_round(page, check, *, edition_url: str, deadline: date) -> None:
    page.goto(edition_url)
    page.get_by_role("link", name=de("Rounds"), exact=True).click()
    page.locator("#kind").select_option("jury")
    page.locator("#closes_on").fill(deadline.isoformat())
    page.locator("#closes_time").fill("23:59:59")
    check(page, "admin-rounds")
    page.get_by_role("button", name=de("Create the round")).click()
    flash(page, de("The round has been created."))
    check(page, "admin-round-draft")
    page.get_by_role("button", name=de("Open the round")).click()
    expect(page.locator(".flash-success")).to_be_visible()
    check(page, "admin-round-open")


def scores(juror: int, application: int) -> tuple[int, int]:
    total = BASES[application] + OFFSETS[juror]
    return total, total - (juror + application) % 2


def jurors_score(browser, inspector, live_server, musicians) -> None:
    for j, (name, email, _city, lang) in enumerate(JURORS):
        page = new_page(browser, inspector, live_server, lang, phone=lang == "en")
        log_in(page, email)
        nav = page.get_by_role("navigation", name=t(lang, "Main navigation"))
        nav.get_by_role("link", name=t(lang, "My reviews")).click()
        expect(page.locator("table.jury-list tbody tr")).to_have_count(len(musicians))
        inspector.page(page, f"jury-list-{lang}", language=lang)
        for a, musician in enumerate(musicians):
            row = page.locator("table.jury-list tbody tr", has_text=musician.reference)
            if (j, a) == CONFLICTED:
                row.locator("summary").click()
                row.locator("select[name=type]").select_option("teacher")
                row.locator("textarea[name=note]").fill("Élève de ma classe de composition.")
                inspector.page(page, "jury-conflict-form", language=lang)
                row.locator("form button[type=submit]").click()
                expect(page.locator(".flash").first).to_contain_text(
                    t(lang, "Your conflict has been recorded. You will not score this application.")
                )
                continue
            page.get_by_role(
                "link", name=t(lang, "Application %(reference)s", reference=musician.reference)
            ).click()
            expect(page.locator("h1")).to_contain_text(musician.reference)
            if j == LISTENER:
                page.locator("button.player-toggle").first.click()
                page.wait_for_function("() => document.querySelector('audio').currentTime > 2")
                page.locator("button.player-toggle").first.click()
            criteria = page.locator("fieldset.criterion")
            for n, value in enumerate(scores(j, a)):
                criteria.nth(n).locator(f"input[value='{value}']").check()
            page.locator("#review-comment").fill(f"{name}: {musician.work}, klar und eigen.")
            inspector.page(page, f"jury-review-{lang}", language=lang)
            page.get_by_role("button", name=t(lang, "Finalize")).click()
            expect(page.locator(".flash").first).to_contain_text(
                t(lang, "Your review is final. Thank you!")
            )
            inspector.page(page, "jury-review-final", language=lang)
            nav.get_by_role("link", name=t(lang, "My reviews")).click()
        page.context.close()


def close_round(page, check, *, edition_url: str) -> None:
    page.goto(edition_url)
    page.get_by_role("link", name=de("Rounds"), exact=True).click()
    page.get_by_role("link", name=de("Jury")).last.click()
    page.get_by_role("button", name=de("Close the round")).click()
    flash(page, de("The round is closed."))
    check(page, "admin-round-closed")
