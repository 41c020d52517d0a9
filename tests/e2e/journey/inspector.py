"""Every distinct page of the journey: screenshots at desktop and phone width, and its checks.

Problems are collected, not raised at once, so one run reports every page that needs work.
"""

from playwright.sync_api import expect

from tests.e2e.axe import FAILING_IMPACTS, accessibility_violations
from tests.e2e.conftest import ARTIFACTS

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# What a page must never show: template syntax, unformatted messages, Python's None, a crash.
RAW = ("{{", "{%", "%(", "None", "Traceback")
# The page's width, the window's, and the outermost elements sticking out of the window that no
# scroll box holds: what to fix first.
OVERFLOW = """() => {
    const width = window.innerWidth;
    const sticksOut = (el) => el.getBoundingClientRect().right > width + 1;
    const scrolls = (el) => ["auto", "scroll", "hidden"].includes(getComputedStyle(el).overflowX);
    const held = (el) => {
        for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
            if (scrolls(p)) return true;
        }
        return false;
    };
    const wide = (el) => el.getBoundingClientRect().width > width + 1;
    const all = [...document.querySelectorAll("body *")].filter((el) => !held(el));
    let culprits = all.filter((el) => sticksOut(el) && !sticksOut(el.parentElement));
    if (!culprits.length) {
        // The whole page is wider: name the innermost elements wider than the window.
        culprits = all.filter((el) => wide(el) && ![...el.children].some(wide));
    }
    const name = (el) => el.tagName.toLowerCase() + [...el.classList].map((c) => "." + c).join("");
    return [document.documentElement.scrollWidth, width, culprits.slice(0, 3).map(name)];
}"""


class Inspector:
    """Checks each page once by name; ``report()`` lists what is wrong, empty when all is well."""

    def __init__(self, shots):
        self.shots = shots
        # Only this run's pages: numbering differs between runs, so old shots would mislead.
        for old in ARTIFACTS.glob(f"{shots.prefix}-*.png"):
            old.unlink()
        self.seen: set[str] = set()
        self.raw: list[str] = []
        self.errors: list[str] = []
        self.overflows: list[str] = []
        self.violations: list[str] = []

    def watch(self, page) -> None:
        """Collect script errors and failed responses of ``page``."""
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))
        page.on(
            "console",
            lambda m: self.errors.append(f"{page.url}: {m.text}") if m.type == "error" else None,
        )
        page.on(
            "response",
            lambda r: self.errors.append(f"{r.status} {r.url}") if r.status >= 400 else None,
        )

    def page(self, page, name: str, *, language: str) -> None:
        """Check the page as it is now, under ``name``, unless a page of that name was checked."""
        expect(page.locator("html")).to_have_attribute("lang", language)
        if name in self.seen:
            return
        self.seen.add(name)
        text = page.locator("body").inner_text()
        self.raw.extend(f"{name}: {raw!r}" for raw in RAW if raw in text)
        for violation in accessibility_violations(page):
            if violation["impact"] in FAILING_IMPACTS:
                targets = ", ".join(violation["targets"][:3])
                self.violations.append(
                    f"{name}: {violation['id']} ({violation['impact']}) {targets}"
                )
        size = page.viewport_size
        self.shots.page = page
        page.set_viewport_size(DESKTOP)
        self.shots.shot(f"{name}-desktop")
        page.set_viewport_size(PHONE)
        wide, width, culprits = page.evaluate(OVERFLOW)
        if wide > width + 1:
            self.overflows.append(f"{name}: {wide}px wide at {width}px ({', '.join(culprits)})")
        self.shots.shot(f"{name}-phone")
        page.set_viewport_size(size)

    def report(self) -> dict[str, list[str]]:
        found = {
            "raw text": self.raw,
            "script errors and failed requests": self.errors,
            "wider than a phone": self.overflows,
            "axe serious/critical": self.violations,
        }
        return {kind: items for kind, items in found.items() if items}
