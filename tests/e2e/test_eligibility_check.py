"""From the home page's box, with the keyboard only: type "Trev", pick Trier, read the result."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from qpmusic.demo import seed_cities
from qpmusic.extensions import db
from tests.e2e.axe import assert_accessible
from tests.factories import EditionFactory

pytestmark = pytest.mark.browser

VENDOR = Path(__file__).resolve().parents[2] / "qpmusic/static/vendor/accessible-autocomplete"


@pytest.fixture
def vendored_widget():
    if not (VENDOR / "accessible-autocomplete.min.js").exists():
        pytest.fail(
            "The front-end libraries are missing: `make test` (or `make vendor`) fetches them."
        )


def test_pick_a_place_with_the_keyboard_and_see_the_result(
    browser, live_server, screens, vendored_widget
):
    seed_cities()
    EditionFactory()  # the home page shows the box with an open call
    db.session.commit()
    context = browser.new_context(locale="en-GB", base_url=live_server)
    page = context.new_page()
    problems = []
    # A Content-Security-Policy violation or a missing script shows up as a console error.
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    # Suggestion requests overtaken by the next keystroke are aborted on purpose.
    page.on(
        "requestfailed",
        lambda r: problems.append(f"{r.url}: {r.failure}") if "ABORTED" not in r.failure else None,
    )
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    shots = screens(page)

    page.goto("/")
    box = page.locator(".eligibility-box")
    expect(box.get_by_role("heading")).to_have_text("Check your eligibility")
    combobox = box.get_by_role("combobox", name="Place")
    expect(combobox).to_have_attribute("aria-expanded", "false")
    listbox_id = combobox.get_attribute("aria-controls")

    combobox.focus()
    combobox.press_sequentially("Trev", delay=50)
    option = page.get_by_role("option", name="Trier (DE)")
    expect(option).to_be_visible()
    expect(combobox).to_have_attribute("aria-expanded", "true")
    expect(page.locator(f"#{listbox_id}")).to_have_attribute("role", "listbox")
    expect(page.get_by_role("status").filter(has_text="1 place found.")).to_have_count(1)
    shots.shot("suggestions")
    assert_accessible(shots.page, context="suggestions")

    page.keyboard.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    expect(combobox).to_have_attribute("aria-activedescendant", option.get_attribute("id"))
    page.keyboard.press("Enter")
    expect(combobox).to_have_value("Trier")
    expect(combobox).to_have_attribute("aria-expanded", "false")
    expect(box.locator("input[name=place_id]")).to_have_value("2821164")

    combobox.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server}/eligibility?place=Trier&place_id=2821164")
    expect(page.locator(".place-result")).to_contain_text(
        "Trier — 0 km from Trier: within the 50 km of the current call."
    )
    shots.shot("result")
    assert_accessible(shots.page, context="result")

    # Typing again forgets the picked place; Escape closes the list without choosing, and the
    # server then goes by the name alone, as it does without JavaScript.
    combobox = page.get_by_role("combobox", name="Place")
    combobox.fill("")
    combobox.press_sequentially("Bastogne", delay=30)
    expect(page.get_by_role("option", name="Bastogne (BE)")).to_be_visible()
    expect(page.locator("input[name=place_id]")).to_have_value("")
    page.keyboard.press("Escape")
    expect(combobox).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server}/eligibility?place=Bastogne&place_id=")
    expect(page.locator(".place-result")).to_contain_text(
        "Bastogne — 53 km from Luxembourg: more than 50 km from every city of the network"
    )
    shots.shot("outside")
    assert_accessible(shots.page, context="outside")

    assert problems == []
    context.close()
