"""An applicant's whole path with the keyboard alone: register, log in, every step, a recording,
review and submit. Only key presses move through the pages (never a click); the file input is
reached by Tab and given its file by Playwright, since a file dialog is not driven by keys."""

import math
import re
import struct
import wave
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from qpmusic.applications.models import Application
from qpmusic.demo import seed_cities
from qpmusic.enums import ApplicationStatus
from qpmusic.extensions import db
from qpmusic.timestamps import utcnow
from tests.conftest import PASSWORD
from tests.e2e.axe import assert_accessible
from tests.factories import EditionFactory
from tests.mail_sink import link_in

pytestmark = pytest.mark.browser

MAX_TABS = 60
# The focused element as a test can name it: id, else its accessible text.
FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return {id: "", text: "", tag: ""};
    const text = (el.getAttribute("aria-label") || el.innerText || el.value || "").trim();
    return {id: el.id, text: text.replace(/\\s+/g, " "), tag: el.tagName.toLowerCase()};
}"""
# A keyboard user must see where the focus is: an outline or a ring drawn as a box shadow.
FOCUS_RING = """() => {
    const style = getComputedStyle(document.activeElement);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
    return outline || style.boxShadow !== "none";
}"""


def write_wav(path, seconds: int = 3, rate: int = 16000) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(
            b"".join(
                struct.pack("<h", int(0.4 * 32767 * math.sin(2 * math.pi * 330 * n / rate)))
                for n in range(seconds * rate)
            )
        )


class Keyboard:
    """Moves the focus with Tab (and Shift+Tab) until it reaches what a person is looking for."""

    def __init__(self, page):
        self.page = page

    def focused(self) -> dict:
        return self.page.evaluate(FOCUSED)

    def tab_to(self, *, id: str = "", text: str = "", backwards: bool = False) -> None:
        key = "Shift+Tab" if backwards else "Tab"
        seen = []
        for _ in range(MAX_TABS):
            self.page.keyboard.press(key)
            now = self.focused()
            if (id and now["id"] == id) or (text and now["text"] == text):
                return
            seen.append(now["id"] or now["text"][:30])
        raise AssertionError(
            f"{key} never reached {id or text!r} on {self.page.url}; focus went: {seen}"
        )

    def skip_to_content(self) -> None:
        """The first Tab of a page lands on the skip link, which leads into the main content.

        A form sent from a page reached by the skip link (…#main) keeps the fragment through
        the redirect, so the next page opens with the focus on its main content already.
        """
        if self.page.url.endswith("#main"):
            assert self.focused()["id"] == "main"
            return
        self.page.keyboard.press("Tab")
        assert self.focused()["text"] == "Skip to content"
        self.assert_focus_visible()
        self.page.keyboard.press("Enter")
        assert self.focused()["id"] == "main"

    def activate(self, text: str) -> None:
        """A link or button that leads to another page: reached with Tab, pressed with Enter."""
        self.tab_to(text=text)
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")

    def type_into(self, field_id: str, value: str) -> None:
        self.tab_to(id=field_id)
        self.page.keyboard.type(value)

    def assert_focus_visible(self) -> None:
        assert self.page.evaluate(FOCUS_RING), f"no visible focus on {self.focused()}"


def test_an_applicant_applies_with_the_keyboard_alone(browser, live_server, mailbox, tmp_path):
    seed_cities()
    edition = EditionFactory(year=utcnow().year, closes_at=utcnow() + timedelta(days=20))
    db.session.commit()
    recording = tmp_path / "Nachtzug.wav"
    write_wav(recording)
    context = browser.new_context(
        locale="en-GB", base_url=live_server, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    keys = Keyboard(page)
    heading = page.get_by_role("heading", level=1)

    # Register from the home page's header link.
    page.goto("/")
    keys.activate("Create account")
    expect(heading).to_have_text("Create account")
    keys.type_into("name", "Jana Kettenbach")
    keys.assert_focus_visible()
    keys.type_into("email", "jana@example.org")
    keys.type_into("password", PASSWORD)
    keys.type_into("confirm", "not the same password")
    page.keyboard.press("Enter")
    # The error summary takes the focus and its link leads back to the field.
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    assert_accessible(page, context="registration with an error")
    keys.tab_to(text="Repeat the password: The passwords do not match.")
    page.keyboard.press("Enter")
    expect(page.locator("#confirm")).to_be_focused()
    expect(page.locator("#confirm")).to_have_attribute("aria-invalid", "true")
    # Back up to the password (Shift+Tab) and type both again.
    keys.tab_to(id="password", backwards=True)
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(heading).to_contain_text("Check your inbox")

    # The address is confirmed from the e-mail, outside the page.
    page.goto(link_in(mailbox.wait_for(1)[0], "/verify/"))
    expect(page.locator("#email")).to_be_visible()
    keys.type_into("email", "jana@example.org")
    keys.type_into("password", PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    keys.activate("My application")
    expect(heading).to_have_text("My application")
    keys.skip_to_content()
    keys.activate("Start my application")

    expect(heading).to_have_text("Name and contact")
    keys.skip_to_content()
    keys.type_into("artist_name", "Jana & the Night Trains")
    keys.assert_focus_visible()
    keys.activate("Save and continue")

    expect(heading).to_have_text("Biography")
    keys.skip_to_content()
    keys.type_into("biography", "Born in Konz. Field recordings of the Moselle railway.")
    keys.activate("Save and continue")

    expect(heading).to_have_text("Eligibility")
    keys.skip_to_content()
    keys.tab_to(id="kind")
    page.keyboard.press("ArrowDown")  # from "Born in" to "Lives in"
    expect(page.locator("#kind")).to_have_value("lives")
    keys.tab_to(id="place")
    keys.assert_focus_visible()
    page.keyboard.type("Konz", delay=40)
    expect(page.get_by_role("option", name="Konz (DE)", exact=True)).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("#place")).to_have_value("Konz")
    keys.activate("Add place")
    expect(page.locator(".bases")).to_contain_text("Konz")
    assert_accessible(page, context="eligibility with a place")
    keys.activate("Continue to works")

    expect(heading).to_have_text("Works")
    keys.skip_to_content()
    keys.activate("Add a work")
    keys.skip_to_content()
    keys.type_into("title", "Nachtzug")
    keys.type_into("year_composed", str(edition.year - 1))
    keys.type_into("duration", "0:03")
    keys.activate("Save work")

    # The work's page has the uploader: Tab to the file input; the file itself is given by
    # Playwright, as a person would choose it in the system's dialog.
    expect(page.locator(".works")).to_contain_text("Nachtzug")
    keys.activate("Edit Nachtzug")
    keys.tab_to(id="media-file")
    keys.assert_focus_visible()
    expect(page.locator(".upload-submit")).to_be_hidden()  # the uploader listens for the file
    page.locator("#media-file").set_input_files(recording)
    row = page.locator("tr.media-file", has_text="Nachtzug.wav")
    expect(row).to_have_attribute("data-status", "ready", timeout=30_000)
    expect(row.locator(".file-status")).to_have_text("Ready")
    assert_accessible(page, context="work with an uploaded recording")
    keys.activate("Back to the list of works")
    keys.activate("Continue to consents")

    expect(heading).to_have_text("Consents")
    keys.skip_to_content()
    keys.tab_to(id="rules")
    page.keyboard.press("Space")
    keys.assert_focus_visible()
    keys.tab_to(id="privacy")
    page.keyboard.press("Space")
    expect(page.locator("#rules")).to_be_checked()
    expect(page.locator("#privacy")).to_be_checked()
    keys.activate("Save and continue")

    expect(heading).to_have_text("Review and submit")
    expect(page.locator(".summary")).to_contain_text("Jana & the Night Trains")
    expect(page.get_by_role("slider", name="Position")).to_be_visible()
    assert_accessible(page, context="review before submitting")
    keys.skip_to_content()
    keys.tab_to(text="Submit application")
    keys.assert_focus_visible()
    page.keyboard.press("Enter")

    expect(page.locator(".flashes")).to_contain_text(re.compile(rf"QP-{edition.year}-0001"))
    db.session.expire_all()
    application = db.session.scalar(select(Application))
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.reference == f"QP-{edition.year}-0001"
    assert problems == []
    context.close()
