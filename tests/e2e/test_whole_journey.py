"""A whole edition from an empty database, tried in a real browser as new users would.

The first admin comes from the CLI command the README documents; everything else happens
through the pages: the office adds the four cities, creates the edition and its criteria and
invites eight jurors (two per city) and a coordinator; three musicians apply in German, French
and English with a real recording and a PDF score; after the deadline the coordinator screens
and shortlists; jurors declare a conflict, listen and score; the office tallies, chooses the
finalists, sends the letters, runs the final ballot, records the prize and a special prize and
publishes; a visitor reads the result in all three languages. Every distinct page is saved as a
screenshot at desktop and phone width (tests/e2e/artifacts/) and checked: no raw template text,
its language, no horizontal scrolling on a phone, no serious or critical axe violation.
"""

from datetime import datetime, time, timedelta
from pprint import pformat
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from qpmusic.timestamps import utcnow
from tests.conftest import PASSWORD
from tests.e2e.journey import jury, office_setup, results, screening
from tests.e2e.journey.applicants import musician_applies
from tests.e2e.journey.inspector import Inspector
from tests.e2e.journey.people import ADMIN, MUSICIANS, log_in, mail_to, new_page, t
from tests.e2e.journey.staff import accept_invitations
from tests.mail_sink import text_of

pytestmark = pytest.mark.browser
LUXEMBOURG = ZoneInfo("Europe/Luxembourg")


@pytest.fixture(autouse=True)
def patient_expect():
    """Two CPUs shared by many runs: auto-waiting assertions get 15 s, then back to the default."""
    expect.set_options(timeout=15_000)
    yield
    expect.set_options(timeout=5_000)


def test_a_whole_edition_from_the_call_to_the_published_winner(
    browser, live_server, mailbox, runner, screens, tmp_path
):
    email, name = ADMIN
    result = runner.invoke(
        args=["qp", "create-admin", "--email", email, "--name", name, "--password", PASSWORD]
    )
    assert result.exit_code == 0, result.output
    inspector = Inspector(screens(None))
    today = utcnow().astimezone(LUXEMBOURG).date()
    closes = today + timedelta(days=10)
    year = closes.year

    office = new_page(browser, inspector, live_server, "de")

    def check(page, name, language="de"):
        inspector.page(page, name, language=language)

    log_in(office, email)
    office_setup.add_cities(office, check)
    office_setup.create_edition(office, check, today=today, closes=closes)
    edition_url = office.url
    office_setup.invite(office, check, edition_url=edition_url)
    accept_invitations(browser, inspector, live_server, mailbox)

    for musician in MUSICIANS:
        musician_applies(
            browser, inspector, live_server, musician, mailbox, year=year, files_dir=tmp_path
        )

    after_deadline = datetime.combine(closes + timedelta(days=1), time(9, 0), LUXEMBOURG)
    with time_machine.travel(after_deadline, tick=True):
        # A new day: every form below comes from a page loaded after the jump.
        for button, phase, shot in (
            ("Close the call", "Call closed", "admin-edition-closed"),
            ("Start the pre-selection", "Pre-selection", "admin-edition-preselection"),
        ):
            screening.move_phase(
                office, check, edition_url=edition_url, button=button, phase=phase, shot=shot
            )
        screening.coordinator_shortlists(browser, inspector, live_server, MUSICIANS)
        screening.move_phase(
            office,
            check,
            edition_url=edition_url,
            button="Start the jury phase",
            phase="Jury",
            shot="admin-edition-jury",
        )
        jury.open_round(
            office, check, edition_url=edition_url, deadline=closes + timedelta(days=20)
        )
        jury.jurors_score(browser, inspector, live_server, MUSICIANS)
        jury.close_round(office, check, edition_url=edition_url)

        raumklang, moselle, feedback = MUSICIANS
        results.tally_and_choose(
            office, check, edition_url=edition_url, ranking=[moselle, raumklang, feedback]
        )
        concert = closes + timedelta(days=60)
        office_setup.plan_concert(office, check, edition_url=edition_url, concert=concert)
        mailbox.clear()
        results.send_letters(office, check, edition_url=edition_url)
        # Each musician reads the decision in their own language.
        [invitation] = mail_to(mailbox, moselle.email)
        assert invitation["Subject"] == t("fr", "You are a finalist of the QuattroPole Music Prize")
        assert invitation["Content-Language"] == "fr"
        assert office_setup.CONCERT_PLACE in text_of(invitation)
        [invitation] = mail_to(mailbox, raumklang.email)
        assert invitation["Content-Language"] == "de"
        [letter] = mail_to(mailbox, feedback.email)
        assert letter["Content-Language"] == "en"

        results.open_ballot(office, check, edition_url=edition_url)
        results.jurors_vote(browser, inspector, live_server, winner=moselle, runner_up=raumklang)
        results.close_ballot_and_award(
            office, check, edition_url=edition_url, winner=moselle, special=feedback
        )
        results.visitor_reads(
            browser,
            inspector,
            live_server,
            year=year,
            winner=moselle,
            special=feedback,
            finalists=[moselle, raumklang],
        )

    report = inspector.report()
    assert not report, pformat(report, width=100)
