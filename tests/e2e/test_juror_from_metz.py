"""A juror from Metz joins by invitation, declares a conflict, listens, scores and finalizes.

Tried as a new juror would: everything happens through the pages (the office's invitation and
round, the juror's e-mail link, list, player and score form), in French for the juror. The
admin's progress matrix is read before and after.
"""

import re
from decimal import Decimal

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import expect
from sqlalchemy import select

from qpmusic.accounts.models import User
from qpmusic.enums import ApplicationStatus, AssignmentStatus, EditionPhase, Role, RoundStatus
from qpmusic.extensions import db
from qpmusic.jury.models import Assignment, Conflict, Listening
from tests.conftest import PASSWORD
from tests.e2e.axe import assert_accessible
from tests.e2e.test_player import tone
from tests.factories import (
    ApplicationFactory,
    CityFactory,
    CriterionFactory,
    EditionFactory,
    JuryMemberFactory,
    RoundFactory,
    UserFactory,
    WorkFactory,
)
from tests.mail_sink import link_in
from tests.media.playback import media_file

pytestmark = pytest.mark.browser

JUROR_EMAIL = "camille.fournier@example.org"


def fr(msgid, **values):
    with force_locale("fr"):
        return gettext(msgid, **values)


def build_edition():
    """An edition in its jury phase: three shortlisted works, two criteria, a draft round."""
    edition = EditionFactory(phase=EditionPhase.JURY, year=2031)
    for label in ("Qualité artistique", "Originalité"):
        CriterionFactory(edition=edition, label_fr=label, label_en=label, label_de=label)
    metz = CityFactory(name_de="Metz", name_fr="Metz", name_en="Metz", country="FR")
    JuryMemberFactory(edition=edition, city=CityFactory(name_en="Luxembourg"))
    applications = []
    for number, artist in enumerate(("Moselle Drones", "Feedback Choir", "Raumklang"), start=1):
        application = ApplicationFactory(
            edition=edition,
            status=ApplicationStatus.SHORTLISTED,
            reference=f"QP-2031-{number:04d}",
            artist_name=artist,
        )
        applications.append(application)
    data, peaks = tone()
    work = WorkFactory(application=applications[1], title="Grenzgänge", duration_seconds=20)
    media_file(work, data=data, duration_seconds=20.0, peaks=peaks, loudness_lufs=-16.0)
    round_ = RoundFactory(edition=edition, status=RoundStatus.DRAFT, opened_at=None)
    db.session.commit()
    return edition, metz, round_, applications, work


def log_in(page, email):
    page.goto("/login?lang=en")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    expect(page.locator("a[href='/logout'], form[action='/logout']").first).to_be_attached()


def matrix_cell(page, reference: str, column: int):
    row = page.locator("table.progress-matrix tbody tr", has_text=reference)
    return row.locator("td").nth(column)


def test_a_juror_from_metz_joins_declares_a_conflict_listens_scores_and_finalizes(
    browser, live_server, mailbox, screens
):
    edition, metz, round_, applications, work = build_edition()
    admin = UserFactory(role=Role.ADMIN, language="en", email="office@example.org")
    problems = []

    def watch(page):
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on(
            "console",
            # A stale autosave answers 409 by design; nothing else may log an error.
            lambda m: (
                problems.append(m.text) if m.type == "error" and "409" not in m.text else None
            ),
        )

    office = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    admin_page = office.new_page()
    watch(admin_page)
    office_shots = screens(admin_page)
    log_in(admin_page, admin.email)

    # The office invites Camille for Metz, in French.
    admin_page.goto(f"/admin/editions/{edition.id}/jury")
    admin_page.locator("#email").fill(JUROR_EMAIL)
    admin_page.locator("#role").select_option("juror")
    admin_page.locator("#city_id").select_option(str(metz.id))
    admin_page.locator("#language").select_option("fr")
    admin_page.locator("form.grid-form button[type=submit]").click()
    expect(admin_page.locator(".flash").first).to_contain_text(JUROR_EMAIL)
    office_shots.shot("jury-invited")
    assert_accessible(office_shots.page, context="jury-invited")

    [message] = mailbox.wait_for(1)
    assert message["To"] == JUROR_EMAIL
    assert edition.title_fr in message.get_body(("plain",)).get_content()

    # Camille accepts in French.
    juror_context = browser.new_context(
        base_url=live_server, viewport={"width": 1100, "height": 900}, locale="fr-FR"
    )
    page = juror_context.new_page()
    watch(page)
    shots = screens(page)
    page.goto(link_in(message, "/invitation/"))
    expect(page.locator("h1")).to_have_text(fr("Accept invitation"))
    page.locator("#name").fill("Camille Fournier")
    page.locator("#password").fill(PASSWORD)
    page.locator("#confirm").fill(PASSWORD)
    page.locator("#language").select_option("fr")
    shots.shot("accept-invitation")
    assert_accessible(shots.page, context="accept-invitation")
    page.get_by_role("button", name=fr("Accept invitation")).click()
    expect(page.locator("a[href='/logout'], form[action='/logout']").first).to_be_attached()

    # The office opens the round: every juror gets every shortlisted application.
    admin_page.goto(f"/admin/rounds/{round_.id}")
    admin_page.locator(f"form[action='/admin/rounds/{round_.id}/open'] button").click()
    expect(admin_page.locator(".flash").first).to_be_visible()
    admin_page.goto(f"/admin/rounds/{round_.id}/progress")
    office_shots.shot("progress-before")
    assert_accessible(office_shots.page, context="progress-before")
    camille = db.session.scalar(select(User.id).where(User.email == JUROR_EMAIL))
    names = admin_page.locator("table.progress-matrix thead tr").nth(1).locator("th")
    camille_column = names.all_inner_texts().index("Camille Fournier")
    for reference in ("QP-2031-0001", "QP-2031-0002", "QP-2031-0003"):
        expect(matrix_cell(admin_page, reference, camille_column)).to_have_class(
            re.compile("cell-todo")
        )

    # Conflicts first: Camille taught the musician of QP-2031-0001.
    page.goto("/jury/")
    expect(page.locator(".notice")).to_contain_text(fr("Conflicts first."))
    shots.shot("my-reviews")
    assert_accessible(shots.page, context="my-reviews")
    first_row = page.locator("table.jury-list tbody tr", has_text="QP-2031-0001")
    first_row.locator("summary").click()
    first_row.locator("select[name=type]").select_option("teacher")
    first_row.locator("textarea[name=note]").fill("Élève de ma classe de composition en 2024.")
    first_row.locator("form button[type=submit]").click()
    expect(page.locator("table.jury-list tbody tr", has_text="QP-2031-0001")).to_contain_text(
        fr("Teacher or student")
    )
    conflict = db.session.scalar(select(Conflict))
    assert conflict.juror_id == camille and conflict.application_id == applications[0].id

    # QP-2031-0002 has a recording: Camille listens to part of it, then starts scoring.
    page.get_by_role("link", name=fr("Application %(reference)s", reference="QP-2031-0002")).click()
    page.locator("button.player-toggle").first.click()
    page.wait_for_function("() => document.querySelector('audio').currentTime > 4", timeout=15000)
    page.locator("button.player-toggle").first.click()
    expect(page.locator(f"#coverage-work-{work.id}")).not_to_contain_text("0:00", timeout=10000)
    heard = db.session.scalar(select(Listening.heard_seconds))
    assert 3 < heard < 20
    criteria = page.locator("fieldset.criterion")
    criteria.nth(0).locator("input[value='8']").check()
    page.locator("#review-comment").fill("Une forme claire, un son très personnel.")
    expect(page.locator(".review-status")).to_have_text(re.compile(r"\d{1,2}[:.h]\d{2}"))
    shots.shot("scoring-draft")
    assert_accessible(shots.page, context="scoring-draft")
    # Halfway through, the tab closes: the last keystrokes are saved on the way out.
    page.locator("#review-comment").fill("Une forme claire, un son très personnel. À revoir.")
    assignment_url = page.url
    page.close()

    page = juror_context.new_page()
    watch(page)
    page.goto(assignment_url)
    expect(page.locator("#review-comment")).to_have_value(
        "Une forme claire, un son très personnel. À revoir."
    )
    expect(page.locator("fieldset.criterion").nth(0).locator("input[value='8']")).to_be_checked()
    page.locator("fieldset.criterion").nth(1).locator("input[value='7']").check()
    page.get_by_role("button", name=fr("Finalize")).click()
    expect(page.locator(".flash").first).to_be_visible()
    screens(page).shot("finalized")

    # The third application, scored and finalized in one go.
    page.goto("/jury/")
    page.get_by_role("link", name=fr("Application %(reference)s", reference="QP-2031-0003")).click()
    page.locator("fieldset.criterion").nth(0).locator("input[value='6']").check()
    page.locator("fieldset.criterion").nth(1).locator("input[value='9']").check()
    page.locator("#review-comment").fill("Très originale.")
    page.get_by_role("button", name=fr("Finalize")).click()
    expect(page.locator(".flash").first).to_be_visible()

    db.session.expire_all()
    mine = {
        a.application.reference: a
        for a in db.session.scalars(select(Assignment).where(Assignment.juror_id == camille))
    }
    assert mine["QP-2031-0001"].status == AssignmentStatus.TODO
    assert not mine["QP-2031-0001"].scores
    assert mine["QP-2031-0002"].status == AssignmentStatus.FINAL
    assert {s.value for s in mine["QP-2031-0002"].scores} == {Decimal("8"), Decimal("7")}
    assert mine["QP-2031-0003"].status == AssignmentStatus.FINAL
    assert mine["QP-2031-0002"].comment == "Une forme claire, un son très personnel. À revoir."

    # The office sees the matrix change.
    admin_page.reload()
    expected = {"QP-2031-0001": "conflict", "QP-2031-0002": "final", "QP-2031-0003": "final"}
    for reference, state in expected.items():
        expect(matrix_cell(admin_page, reference, camille_column)).to_have_class(
            re.compile(f"cell-{state}")
        )
    expect(matrix_cell(admin_page, "QP-2031-0002", camille_column)).to_contain_text("%")
    office_shots.shot("progress-after")
    assert_accessible(office_shots.page, context="progress-after")
    assert problems == []
