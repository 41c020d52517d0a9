"""axe-core over every main page, as each role, at desktop and phone widths, with form errors."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from qpmusic.applications.models import Application
from qpmusic.demo import DEMO_PASSWORD, seed_demo
from qpmusic.editions.models import Edition
from qpmusic.enums import ApplicationStatus
from qpmusic.extensions import db
from qpmusic.jury.models import Round
from tests.e2e.axe import FAILING_IMPACTS, accessibility_violations
from tests.translations import translated

pytestmark = pytest.mark.browser

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 740}}
# Downloads, media streams and one-time links are not pages.
NOT_PAGES = re.compile(
    r"\.(csv|pdf|zip|ics|json|xlsx)$|^/(media|static|uploads|_debug|verify|invitation|password/reset)/"
)
MAX_PAGES = 80


def demo_emails() -> dict[str, str | None]:
    draft = db.session.scalar(
        select(Application)
        .where(Application.status == ApplicationStatus.DRAFT)
        .order_by(Application.id)
    )
    submitted = db.session.scalar(
        select(Application)
        .where(Application.status == ApplicationStatus.SUBMITTED)
        .order_by(Application.id)
    )
    return {
        "visitor": None,
        "new applicant": "musician@qpmusic.example.org",
        "applicant with a draft": draft.applicant.email,
        "applicant who submitted": submitted.applicant.email,
        "juror": "juror@qpmusic.example.org",
        "coordinator": "coordinator@qpmusic.example.org",
        "admin": "admin@qpmusic.example.org",
    }


def page_kind(path: str) -> str:
    """/screening/12 and /screening/31 are the same page to axe: one visit is enough."""
    return re.sub(r"\d+", "N", path)


def same_site_links(page, origin: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    paths = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" == origin and not NOT_PAGES.search(parts.path):
            paths.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return paths


def log_in(page, email: str) -> None:
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/login" not in url)


def crawl(page, origin: str, start: list[str], report) -> list[str]:
    """The start pages and every other kind of page reachable by links, each checked once."""
    queue, seen, visited = [(path, True) for path in start], set(), []
    while queue and len(visited) < MAX_PAGES:
        path, always = queue.pop(0)
        kind = page_kind(urlsplit(path).path)
        if (kind in seen and not always) or path in visited:
            continue
        seen.add(kind)
        response = page.goto(path)
        if (
            response is None
            or response.status != 200
            or "text/html" not in response.headers.get("content-type", "")
        ):
            continue
        visited.append(path)
        report(page, path)
        queue.extend((link, False) for link in same_site_links(page, origin))
    return visited


def start_pages(role: str) -> list[str]:
    """Where a crawl begins: a role's home and, for the office, every edition and round."""
    common = ["/", "/profile/", "/privacy"]
    if role == "visitor":
        return [*common, "/eligibility?place=Trier", "/eligibility?place=Bastogne"]
    if role != "admin":
        return common
    pages = []
    for edition in db.session.scalars(select(Edition).order_by(Edition.year.desc())):
        pages.append(f"/admin/editions/{edition.id}")
    for round_ in db.session.scalars(select(Round)):
        pages += [f"/admin/rounds/{round_.id}", f"/admin/rounds/{round_.id}/progress"]
        pages += [f"/admin/rounds/{round_.id}/results"]
    return [*common, *pages]


# The pages each role must have reached, so that a broken login or link cannot pass unseen.
MUST_VISIT = {
    "visitor": {"/", "/login", "/register", "/eligibility", "/editions/N", "/privacy"},
    "new applicant": {"/apply/", "/profile/"},
    "applicant with a draft": {"/applications/N/profile", "/applications/N/works/N"},
    "applicant who submitted": {"/applications/N/review", "/applications/N/withdraw"},
    "juror": {"/jury/", "/jury/assignments/N"},
    "coordinator": {"/screening/", "/screening/N"},
    "admin": {
        "/admin/editions/N",
        "/admin/rounds/N",
        "/admin/rounds/N/progress",
        "/admin/rounds/N/results",
        "/admin/editions/N/jury",
        "/admin/editions/N/awards",
        "/admin/audit",
        "/admin/cities/",
    },
}

FORM_ERRORS = {
    "visitor": ["/login", "/register", "/password/forgot"],
    "applicant with a draft": ["profile", "biography", "works/new"],
    "admin": ["/admin/editions/new", "/admin/cities/new"],
}


def show_form_errors(page, path: str) -> None:
    """Submits the page's main form empty, so the errors are on screen."""
    page.goto(path)
    form = page.locator("main form[method=post]:has(.field)").first
    for field in form.locator(
        "input[type=text], input[type=email], input[type=password], input[type=number], textarea"
    ).all():
        if field.is_editable():
            field.fill("")
    form.locator("button[type=submit]").last.click()
    page.wait_for_load_state()


@pytest.mark.parametrize(
    "role",
    [
        "visitor",
        "new applicant",
        "applicant with a draft",
        "applicant who submitted",
        "juror",
        "coordinator",
        "admin",
    ],
)
def test_every_page_has_no_serious_accessibility_violation(browser, live_server, role):
    seed_demo()
    db.session.commit()
    email = demo_emails()[role]
    problems = []

    def report(page, path, width="desktop"):
        for violation in accessibility_violations(page):
            if violation["impact"] in FAILING_IMPACTS:
                problems.append(
                    f"{path} ({width}): {violation['id']} ({violation['impact']}) "
                    f"{violation['help']} — {', '.join(violation['targets'][:5])}"
                )

    context = browser.new_context(locale="en-GB", base_url=live_server)
    context.set_default_timeout(10_000)
    page = context.new_page()
    if email:
        log_in(page, email)
    start = [page.url.removeprefix(live_server) or "/", *start_pages(role)]
    visited = crawl(page, live_server, start, report)
    assert MUST_VISIT[role] <= {page_kind(urlsplit(path).path) for path in visited}, visited

    error_pages = []
    for path in FORM_ERRORS.get(role, []):
        if not path.startswith("/"):
            draft = db.session.scalar(
                select(Application).where(Application.applicant.has(email=email))
            )
            path = f"/applications/{draft.id}/{path}"
        error_pages.append(path)
    for width, viewport in VIEWPORTS.items():
        page.set_viewport_size(viewport)
        if width != "desktop":
            for path in visited:
                page.goto(path)
                report(page, path, width)
        for path in error_pages:
            show_form_errors(page, path)
            expect(page.locator("[data-error-summary]")).to_be_focused()
            report(page, f"{path} with errors", width)
    context.close()

    assert not problems, f"{role}: {len(problems)} violation(s):\n" + "\n".join(problems)


def test_a_table_wider_than_a_phone_is_a_named_region_the_keyboard_can_scroll(browser, live_server):
    seed_demo()
    db.session.commit()
    context = browser.new_context(locale="en-GB", base_url=live_server, viewport=VIEWPORTS["phone"])
    page = context.new_page()
    log_in(page, "admin@qpmusic.example.org")
    page.goto("/admin/audit")
    box = page.locator(".table-wrap")

    expect(box).to_have_attribute("tabindex", "0")
    expect(box).to_have_role("region")
    # The demo's admin reads German.
    expect(box).to_have_accessible_name(translated("Recorded changes, newest first", "de"))
    box.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('.table-wrap').scrollLeft > 0")

    # On a wide screen the table fits: no extra stop for the Tab key.
    page.set_viewport_size({"width": 1900, "height": 900})
    expect(box).not_to_have_attribute("tabindex", "0")
    expect(box).not_to_have_attribute("role", "region")
    context.close()
