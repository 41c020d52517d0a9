"""The office tallies, chooses the finalists, writes to everyone, runs the final and publishes."""

from playwright.sync_api import expect

from tests.e2e.journey.office_setup import de, flash
from tests.e2e.journey.people import JURORS, log_in, new_page, t, tn

# (juror index, rank of Moselle Drones, rank of Raumklang Kollektiv): Moselle Drones wins 3:1.
VOTES = ((0, 1, 2), (1, 2, 1), (3, 1, 2), (4, 1, 2))
STATEMENTS = {
    "prize": {
        "de": "Eine Musik, die die Mosel hörbar macht.",
        "fr": "Une musique qui rend la Moselle audible.",
        "en": "Music that makes the Moselle audible.",
    },
    "special": {
        "de": "Für den Mut zum Lärm.",
        "fr": "Pour le courage du bruit.",
        "en": "For the courage to be loud.",
    },
}


def tally_and_choose(page, check, *, edition_url: str, ranking) -> None:
    """``ranking``: the musicians in the order the jury scored them."""
    page.goto(edition_url)
    page.get_by_role("link", name=de("Tally of the jury round")).click()
    check(page, "admin-results-empty")
    page.get_by_role("button", name=de("Tally now")).click()
    rows = page.locator("table.results-table tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.locator("th[scope=row] a")).to_have_text([m.reference for m in ranking])
    check(page, "admin-results")
    rows.first.locator("th[scope=row] a").click()
    expect(page.locator("h1")).to_contain_text(ranking[0].reference)
    # Eight jurors, one of them conflicted: seven reviews count.
    expect(page.locator("section[aria-labelledby=reviews] tbody tr")).to_have_count(7)
    check(page, "admin-results-explanation")

    page.goto(edition_url)
    page.get_by_role("link", name=de("Choose the finalists")).click()
    check(page, "admin-finalists-proposed")
    page.get_by_role("button", name=de("Confirm the finalists")).click()
    flash(page, de("The finalists have been chosen; the round's result is frozen."))
    check(page, "admin-finalists-chosen")


def send_letters(page, check, *, edition_url: str) -> None:
    page.goto(edition_url)
    page.get_by_role("link", name=de("Decision letters")).click()
    check(page, "admin-letters")
    group = page.locator("section[aria-labelledby=group-finalist_invitation]")
    group.get_by_role("link", name=de("Preview the letter in German, French and English")).click()
    expect(page.locator("iframe.mail-preview")).to_have_count(3)
    check(page, "admin-letter-preview")
    page.get_by_role("link", name=de("Back to the decision letters")).click()
    for kind, count in (("finalist_invitation", 2), ("not_finalist", 1)):
        group = page.locator(f"section[aria-labelledby=group-{kind}]")
        group.locator(f"#{kind}-confirm").check()
        send = tn("de", "Send %(num)d letter", "Send %(num)d letters", count)
        group.get_by_role("button", name=send).click()
        flash(
            page,
            tn("de", "%(num)d letter is on its way.", "%(num)d letters are on their way.", count),
        )
        check(page, "admin-letters-sent")
        page.get_by_role("link", name=de("Back to the decision letters")).click()


def open_ballot(page, check, *, edition_url: str) -> None:
    page.goto(edition_url)
    page.locator("form.phase-forward").get_by_role("button", name=de("Start the final")).click()
    expect(page.locator("li[aria-current=step]")).to_have_text(de("Final"))
    check(page, "admin-edition-final")
    page.get_by_role("link", name=de("Final ballot")).click()
    page.get_by_role("button", name=de("Prepare the final ballot")).click()
    check(page, "admin-ballot-prepared")
    page.get_by_role("button", name=de("Open the ballot")).click()
    flash(page, de("The final ballot is open: the jurors can now rank the finalists."))
    check(page, "admin-ballot-open")


def jurors_vote(browser, inspector, live_server, *, winner, runner_up) -> None:
    for juror, winner_rank, runner_up_rank in VOTES:
        _name, email, _city, lang = JURORS[juror]
        page = new_page(browser, inspector, live_server, lang, phone=True)
        log_in(page, email)
        nav = page.get_by_role("navigation", name=t(lang, "Main navigation"))
        nav.get_by_role("link", name=t(lang, "My reviews")).click()
        page.get_by_role("link", name=t(lang, "Rank the finalists")).click()
        for musician, rank in ((winner, winner_rank), (runner_up, runner_up_rank)):
            page.get_by_label(
                t(lang, "Your rank for %(name)s", name=musician.artist)
            ).select_option(str(rank))
        inspector.page(page, f"ballot-vote-{lang}", language=lang)
        page.get_by_role("button", name=t(lang, "Save my ballot")).click()
        expect(page.locator(".flash").first).to_contain_text(
            t(lang, "Your ballot has been saved. You can change it until the ballot closes.")
        )
        inspector.page(page, "ballot-vote-saved", language=lang)
        page.context.close()


def close_ballot_and_award(page, check, *, edition_url: str, winner, special) -> None:
    page.goto(edition_url)
    page.get_by_role("link", name=de("Final ballot")).click()
    page.get_by_label(de("Close anyway, although not every juror has voted")).check()
    page.get_by_role("button", name=de("Close the ballot")).click()
    flash(page, de("The final ballot is closed. The result is below."))
    result = page.locator("section[aria-labelledby=result-title]")
    expect(result).to_contain_text(f"{de('Winner by the Schulze method:')} {winner.artist}")
    check(page, "admin-ballot-closed")

    page.get_by_role("link", name=de("Awards and publication")).click()
    expect(page.locator("#prize option:checked")).to_contain_text(winner.artist)
    for language, text in STATEMENTS["prize"].items():
        page.locator(f"#prize_{language}").fill(text)
    value = page.locator("#special option", has_text=special.artist).get_attribute("value")
    page.locator("#special").select_option(value)
    for language, text in STATEMENTS["special"].items():
        page.locator(f"#special_{language}").fill(text)
    page.get_by_role("button", name=de("Record the awards")).click()
    flash(page, de("The awards have been recorded."))
    check(page, "admin-awards")
    page.locator("form[action$='/publish'] button").click()
    flash(
        page,
        tn(
            "de",
            "The results are published. %(num)d announcement e-mail is on its way.",
            "The results are published. %(num)d announcement e-mails are on their way.",
            3,
        ),
    )
    check(page, "admin-published")


def visitor_reads(browser, inspector, live_server, *, year: int, winner, special, finalists):
    page = new_page(browser, inspector, live_server, "de")
    page.goto("/")
    archive = page.locator("section.archive")
    expect(archive.locator(".award-prize .award-name")).to_have_text(winner.artist)
    inspector.page(page, "home-published", language="de")
    archive.get_by_role("link", name=f"QuattroPole Musikpreis {year}").click()
    expect(page).to_have_url(f"{live_server}/editions/{year}")

    def read(language):
        prize = page.locator("section.award-prize")
        expect(prize.locator(".award-kind")).to_have_text(t(language, "Prize winner"))
        expect(prize.locator(".award-name")).to_have_text(winner.artist)
        expect(prize.locator(".award-statement")).to_have_text(STATEMENTS["prize"][language])
        extra = page.locator("section.award-special")
        expect(extra.locator(".award-kind")).to_have_text(t(language, "Special prize"))
        expect(extra.locator(".award-name")).to_have_text(special.artist)
        expect(extra.locator(".award-statement")).to_have_text(STATEMENTS["special"][language])
        listed = page.locator("ul.finalists h3")
        expect(listed).to_have_count(2)
        assert sorted(listed.all_inner_texts()) == sorted(m.artist for m in finalists)
        expect(page.locator("ul.jury li")).to_have_count(8)
        inspector.page(page, f"public-edition-{language}", language=language)

    read("de")
    page.locator("form.language-switch button[value=fr]").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    read("fr")
    page.goto(f"/editions/{year}?lang=en")
    read("en")
    page.context.close()
