"""A musician registers, applies step by step with a recording and a score, and submits."""

import re

from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.journey.people import mail_to, new_page, recording, score_pdf, t
from tests.mail_sink import link_in


def register(page, check, musician, mailbox) -> None:
    lang = musician.language
    page.goto("/")
    check(page, "home-call-open", lang)
    page.get_by_role("link", name=t(lang, "Create account")).first.click()
    page.locator("#name").fill(musician.name)
    page.locator("#email").fill(musician.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#confirm").fill(PASSWORD)
    check(page, "register", lang)
    page.get_by_role("button", name=t(lang, "Create account")).click()
    check(page, "register-check-inbox", lang)
    [message] = mail_to(mailbox, musician.email)
    page.goto(link_in(message, "/verify/"))
    check(page, "login-after-verify", lang)
    page.locator("#email").fill(musician.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("form[action='/logout']")).to_be_attached()


def save_and_continue(page, lang) -> None:
    page.get_by_role("button", name=t(lang, "Save and continue")).click()


def step_title(page, lang, title) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, title))


def apply(page, check, musician, *, year: int, files_dir) -> None:
    lang = musician.language
    page.get_by_role("navigation", name=t(lang, "Main navigation")).get_by_role(
        "link", name=t(lang, "My application"), exact=True
    ).click()
    check(page, "application-status-new", lang)
    page.get_by_role("button", name=t(lang, "Start my application")).click()

    step_title(page, lang, "Name and contact")
    page.get_by_label(t(lang, "Artist or project name")).fill(musician.artist)
    check(page, "application-profile", lang)
    save_and_continue(page, lang)

    step_title(page, lang, "Biography")
    page.get_by_role("textbox", name=t(lang, "Biography")).fill(
        f"{musician.name} makes electronic music with field recordings from the Moselle valley."
    )
    check(page, "application-biography", lang)
    save_and_continue(page, lang)

    # The jury has accepted: its members are listed; none of them knows this musician.
    step_title(page, lang, "Relationships with the jury")
    expect(page.locator(".jury-list li")).to_have_count(8)
    check(page, "application-relationships", lang)
    page.get_by_role("link", name=t(lang, "Continue to eligibility")).click()

    step_title(page, lang, "Eligibility")
    page.get_by_label(t(lang, "I was born, live, work or study here")).select_option(musician.basis)
    typed, option = musician.place
    page.get_by_role("combobox", name=t(lang, "Place"), exact=True).press_sequentially(
        typed, delay=40
    )
    expect(page.get_by_role("option", name=option, exact=True)).to_be_visible()
    page.get_by_role("option", name=option, exact=True).click()
    page.get_by_role("button", name=t(lang, "Add place")).click()
    expect(page.locator(".bases")).to_contain_text(re.compile(r"\d+ km"))
    check(page, "application-eligibility", lang)
    page.get_by_role("link", name=t(lang, "Continue to works")).click()

    step_title(page, lang, "Works")
    check(page, "application-works-empty", lang)
    page.get_by_role("link", name=t(lang, "Add a work")).click()
    page.get_by_label(t(lang, "Title")).fill(musician.work)
    page.get_by_label(t(lang, "Year composed")).fill(str(year - 1))
    page.get_by_label(t(lang, "Duration")).fill("0:06")
    page.get_by_label(t(lang, "Techniques and instruments")).fill("Modular synthesizer, voice")
    check(page, "application-work-new", lang)
    page.get_by_role("button", name=t(lang, "Save work")).click()
    expect(page.locator(".works")).to_contain_text(musician.work)
    page.locator(".works").get_by_role("link", name=re.compile(musician.work)).click()

    audio = files_dir / f"{musician.work}.wav"
    recording(audio, musician.pitch)
    score = files_dir / f"{musician.work} (score).pdf"
    score_pdf(score, musician.work)
    # uploader.js hides the plain button once it listens for a chosen file; a file chosen
    # before that (a deferred script on a busy machine) would never be sent.
    expect(page.locator(".upload-submit")).to_be_hidden()
    for path, kind in ((audio, "Audio"), (score, "Document")):
        page.get_by_label(t(lang, "File"), exact=True).set_input_files(path)
        row = page.locator("tr.media-file", has_text=path.name)
        expect(row).to_have_attribute("data-status", "ready")
        expect(row).to_contain_text(t(lang, kind))
    check(page, "application-work-files", lang)
    page.get_by_role("link", name=t(lang, "Back to the list of works")).click()
    page.get_by_role("link", name=t(lang, "Continue to consents")).click()

    step_title(page, lang, "Consents")
    page.get_by_label(t(lang, "I have read and accept the rules of the prize.")).check()
    page.get_by_label(
        t(
            lang,
            "I agree that my data is processed for this prize as the data protection notice says.",
        )
    ).check()
    check(page, "application-consents", lang)
    save_and_continue(page, lang)

    step_title(page, lang, "Review and submit")
    expect(page.locator(".summary")).to_contain_text(musician.artist)
    check(page, "application-review", lang)
    page.get_by_role("button", name=t(lang, "Submit application")).click()
    flashes = page.locator(".flashes")
    expect(flashes).to_contain_text(f"QP-{year}-")
    musician.reference = re.search(rf"QP-{year}-\d{{4}}", flashes.inner_text()).group(0)
    check(page, "application-submitted", lang)
    page.get_by_role("navigation", name=t(lang, "Main navigation")).get_by_role(
        "link", name=t(lang, "My application"), exact=True
    ).click()
    expect(page.locator(".status-facts")).to_contain_text(musician.reference)
    check(page, "application-status-submitted", lang)


def musician_applies(browser, inspector, live_server, musician, mailbox, *, year, files_dir):
    page = new_page(browser, inspector, live_server, musician.language)

    def check(p, name, language):
        # Each language once: the applicant's pages are where untranslated text would hurt most.
        inspector.page(p, f"{name}-{language}", language=language)

    register(page, check, musician, mailbox)
    apply(page, check, musician, year=year, files_dir=files_dir)
    page.context.close()
