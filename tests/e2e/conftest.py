"""Screenshots of every page a journey visits (browser and live server: tests/conftest.py)."""

from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).parent / "artifacts"


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
            path=ARTIFACTS / f"{self.prefix}-{self.count:03d}-{name}.png", full_page=True
        )


@pytest.fixture
def screens(request):
    def make(page):
        return Screens(page, request.node.name.removeprefix("test_"))

    return make
