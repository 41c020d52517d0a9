"""A live server on loopback and Debian's Chromium driven by Playwright."""

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium_path():
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail("Chromium is missing: `make test` installs Debian's chromium package.")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


class Screens:
    """Saves one screenshot per distinct page under tests/e2e/artifacts/."""

    def __init__(self, page, prefix):
        self.page = page
        self.prefix = prefix
        self.count = 0
        ARTIFACTS.mkdir(exist_ok=True)

    def shot(self, name):
        self.count += 1
        self.page.screenshot(
            path=ARTIFACTS / f"{self.prefix}-{self.count:02d}-{name}.png", full_page=True
        )


@pytest.fixture
def screens(request):
    def make(page):
        return Screens(page, request.node.name.removeprefix("test_"))

    return make
