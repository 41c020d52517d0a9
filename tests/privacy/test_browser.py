"""In a real browser: a musician downloads their data, then deletes their account."""

import json
import zipfile

import pytest
from playwright.sync_api import expect

from qpmusic.enums import ApplicationStatus
from tests.conftest import PASSWORD
from tests.privacy.builders import (
    application_with_file,
    file_keys,
    musician,
    running_edition,
    stored,
)

pytestmark = pytest.mark.browser


def test_download_then_delete_from_the_profile(browser, live_server, mailbox, tmp_path):
    user = musician(language="en")
    application = application_with_file(
        user, running_edition(2031), status=ApplicationStatus.SUBMITTED, reference="QP-2031-0006"
    )
    keys = file_keys(application)
    context = browser.new_context(locale="en-GB", base_url=live_server, accept_downloads=True)
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("E-mail address").fill("mia@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto("/profile/")

    with page.expect_download() as download:
        page.get_by_role("button", name="Download my data").click()
    path = tmp_path / "data.zip"
    download.value.save_as(path)
    with zipfile.ZipFile(path) as archive:
        data = json.loads(archive.read("data.json"))
    assert data["applications"][0]["reference"] == "QP-2031-0006"

    page.get_by_role("link", name="Delete my account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete my account")
    expect(page.get_by_text("Your application QP-2031-0006 to the")).to_be_visible()
    page.get_by_label("Your password").fill("not my password")
    page.get_by_role("button", name="Delete my account for good").click()
    # The message is both under the field and, as a link to it, in the summary above the form.
    expect(page.locator("#password-error")).to_contain_text("Your current password is not correct.")
    assert page.get_by_label("Your password").get_attribute("aria-invalid") == "true"

    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account for good").click()

    expect(page.get_by_text("Your account has been deleted.")).to_be_visible()
    [message] = mailbox.wait_for(1)
    assert message["To"] == "mia@example.org"
    assert [stored(key) for key in keys] == [False, False]
    page.goto("/profile/")
    expect(page).to_have_url(f"{live_server}/login?next=%2Fprofile%2F")
    context.close()
