"""From the closed jury round to the published winner, tried as the office, jurors and a visitor.

The jury round's reviews are set up with factories; everything after that happens through the
pages: the office tallies, reads the table and an explanation, confirms the proposed four
finalists, previews and sends the decision letters, starts the final and opens the ballot;
jurors rank the finalists on their phones, each in their own language; the office closes the
ballot, records the prize and a special prize and publishes; a visitor reads the public page in
German, French and English; the jury protocol PDF has the table and the winner.
"""

import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import expect
from pypdf import PdfReader

from qpmusic.enums import ApplicationStatus, AssignmentStatus, EditionPhase, Role, RoundStatus
from qpmusic.extensions import db
from qpmusic.timestamps import utcnow
from tests.conftest import PASSWORD
from tests.e2e.axe import assert_accessible
from tests.factories import (
    ApplicationFactory,
    AssignmentFactory,
    CityFactory,
    CriterionFactory,
    EditionFactory,
    EligibilityBasisFactory,
    JuryMemberFactory,
    RoundFactory,
    ScoreFactory,
    UserFactory,
    WorkFactory,
)
from tests.mail_sink import text_of

pytestmark = pytest.mark.browser

YEAR = 2032
CONCERT_AT = datetime(2032, 6, 12, 18, 0, tzinfo=UTC)  # Saturday, 20:00 in Luxembourg
CONCERT_PLACE = "Rotondes, Luxembourg-Bonnevoie"
# Juror: name, city, language, how much above or below the jury they score (harsh/lenient).
JURORS = (
    ("Anouk Weber", "Luxembourg", "fr", 0),
    ("Jean Hoffmann", "Luxembourg", "de", 1),
    ("Camille Fournier", "Metz", "fr", -1),
    ("Lucas Martin", "Metz", "en", 0),
    ("Greta Schmitt", "Saarbrücken", "de", 1),
    ("Jonas Becker", "Saarbrücken", "en", -1),
    ("Maria Klein", "Trier", "de", 0),
    ("Tom Wagner", "Trier", "en", 0),
)
# Shortlist: artist, applicant's language, the jury's base score, work, home city. The
# bases are one point apart or more, so every method gives this order and the cut at four
# falls between 5 and 3.
SHORTLIST = (
    ("Moselle Drones", "fr", 8, "Confluences", "Metz"),
    ("Raumklang Kollektiv", "de", 7, "Grenzgänge", "Saarbrücken"),
    ("Feedback Choir", "en", 6, "Loops for Four Cities", "Luxembourg"),
    ("Élise Marchal", "fr", 5, "Fer et sel", "Metz"),
    ("Saar Pulse", "de", 3, "Hüttenwerk", "Saarbrücken"),
    ("Quiet Signals", "en", 2, "Low Tide", "Trier"),
)
OTHERS = (
    ("Porta Nigra Noise", "de", ApplicationStatus.NOT_SHORTLISTED),
    ("Kirchberg Beats", "en", ApplicationStatus.NOT_SHORTLISTED),
    ("Les Ondes Vertes", "fr", ApplicationStatus.INELIGIBLE),
)
# (juror index, ranks of the four finalists in shortlist order): Moselle Drones wins 3:2
# against Raumklang Kollektiv and 5:0 against the others.
VOTES = (
    (0, (1, 2, 3, 4)),
    (1, (2, 1, 4, 3)),
    (2, (1, 2, 3, 4)),
    (4, (2, 1, 3, 3)),
    (5, (1, 3, 2, 4)),
)
STATEMENTS = {
    "prize": {
        "de": "Eine Musik, die die Mosel hörbar macht.",
        "fr": "Une musique qui rend la Moselle audible.",
        "en": "Music that makes the Moselle audible.",
    },
    "special": {
        "de": "Für den Mut zum Lärm.",
        "fr": "Pour le courage du bruit.",
        "en": "For the courage to be loud.",
    },
}


def t(language, msgid, **values):
    with force_locale(language):
        return gettext(msgid, **values)


def build_edition():
    """An edition in its jury phase whose jury round is closed with every review final."""
    edition = EditionFactory(
        year=YEAR,
        phase=EditionPhase.JURY,
        final_concert_at=CONCERT_AT,
        final_concert_place=CONCERT_PLACE,
        finalists_count=4,
    )
    criteria = [
        CriterionFactory(
            edition=edition, position=n, weight=Decimal(w), label_en=label, label_de=label
        )
        for n, (label, w) in enumerate(
            (("Artistic quality", "2"), ("Originality", "1"), ("Use of digital means", "1")),
            start=1,
        )
    ]
    cities = {
        name: CityFactory(name_de=name, name_fr=name, name_en=name)
        for name in ("Luxembourg", "Metz", "Saarbrücken", "Trier")
    }
    jurors = []
    for name, city, language, _offset in JURORS:
        member = JuryMemberFactory(
            edition=edition,
            city=cities[city],
            user__name=name,
            user__email=f"{name.split()[0].lower()}@jury.example.org",
            user__language=language,
        )
        jurors.append(member.user)
    shortlist = []
    for n, (artist, language, _base, title, home) in enumerate(SHORTLIST, start=1):
        application = ApplicationFactory(
            edition=edition,
            status=ApplicationStatus.SHORTLISTED,
            reference=f"QP-{YEAR}-{n:04d}",
            artist_name=artist,
            applicant__language=language,
            applicant__email=f"applicant{n}@example.org",
        )
        WorkFactory(application=application, title=title, links=f"https://music.example.org/{n}")
        EligibilityBasisFactory(application=application, nearest_city=cities[home])
        shortlist.append(application)
    others = []
    for n, (artist, language, status) in enumerate(OTHERS, start=len(SHORTLIST) + 1):
        others.append(
            ApplicationFactory(
                edition=edition,
                status=status,
                reference=f"QP-{YEAR}-{n:04d}",
                artist_name=artist,
                applicant__language=language,
                applicant__email=f"applicant{n}@example.org",
                screening_reason="Keine Verbindung zu den vier Städten belegt."
                if status == ApplicationStatus.INELIGIBLE
                else "",
            )
        )
    round_ = RoundFactory(edition=edition, status=RoundStatus.CLOSED, closed_at=utcnow())
    for j, (juror, (_name, _city, _language, offset)) in enumerate(
        zip(jurors, JURORS, strict=True)
    ):
        for a, (application, (*_, base, _title, _home)) in enumerate(
            zip(shortlist, SHORTLIST, strict=True)
        ):
            assignment = AssignmentFactory(
                round=round_,
                juror=juror,
                application=application,
                status=AssignmentStatus.FINAL,
                finalized_at=utcnow(),
            )
            # The weighted total (2, 1, 1) is base + offset; the criteria differ around it.
            swing = 1 if (j + a) % 2 else 0
            total = base + offset
            for criterion, value in zip(
                criteria, (total, total + swing, total - swing), strict=True
            ):
                ScoreFactory(assignment=assignment, criterion=criterion, value=Decimal(value))
    db.session.commit()
    return edition, round_, jurors, shortlist, others


def log_in(page, email):
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    expect(page.locator("form[action='/logout']").first).to_be_attached()


def test_the_office_tallies_chooses_finalists_runs_the_ballot_and_publishes(
    browser, live_server, mailbox, screens
):
    edition, _round, jurors, shortlist, others = build_edition()
    admin = UserFactory(role=Role.ADMIN, language="en", email="office@example.org", name="Office")
    references = [a.reference for a in shortlist]
    winner, runner_up = shortlist[0], shortlist[1]
    problems = []

    def watch(page):
        page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
        page.on(
            "console",
            lambda m: problems.append(f"{page.url}: {m.text}") if m.type == "error" else None,
        )

    office = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    page = office.new_page()
    watch(page)
    shots = screens(page)
    log_in(page, admin.email)

    # The edition's page leads to the tally of the jury round.
    page.goto(f"/admin/editions/{edition.id}")
    shots.shot("edition-jury")
    assert_accessible(shots.page, context="edition-jury")
    page.get_by_role("link", name="Tally of the jury round").click()
    expect(page.locator("h1")).to_contain_text("Results")
    expect(page.locator(".results-table")).to_have_count(0)
    page.get_by_role("button", name="Tally now").click()
    expect(page.locator(".flash").first).to_contain_text("The tally is being computed")
    rows = page.locator("table.results-table tbody tr")
    expect(rows).to_have_count(6)
    expect(rows.locator("th[scope=row] a")).to_have_text(references)
    expect(rows.locator("td.num").first).to_have_text("1")
    expect(page.locator("#tally-refused")).to_have_count(0)
    expect(page.locator("#chart-calibration")).to_be_visible()
    shots.shot("results")
    assert_accessible(shots.page, context="results")

    # Every number leads to its explanation: the first application's eight reviews.
    rows.first.locator("th[scope=row] a").click()
    expect(page.locator("h1")).to_contain_text(references[0])
    expect(page.locator("#final-rank")).to_have_text("Final rank: 1")
    expect(page.locator("section[aria-labelledby=reviews] tbody tr")).to_have_count(8)
    shots.shot("explanation")
    assert_accessible(shots.page, context="explanation")
    page.go_back()

    # The proposal is the four best; taken as it is, no reason is needed.
    page.locator(".panel").get_by_role("link", name="Finalists").click()
    expect(page.locator("h1")).to_have_text(f"Choose the finalists of {YEAR}")
    expect(page.locator("#tie-note")).to_have_count(0)
    for application in shortlist[:4]:
        expect(page.locator(f"#finalist-{application.id}")).to_be_checked()
    for application in shortlist[4:]:
        expect(page.locator(f"#finalist-{application.id}")).not_to_be_checked()
    shots.shot("finalists-proposed")
    assert_accessible(shots.page, context="finalists-proposed")
    page.get_by_role("button", name="Confirm the finalists").click()
    expect(page.locator(".flash").first).to_contain_text("The finalists have been chosen")
    expect(page.locator("h1")).to_have_text(f"The finalists of {YEAR}")
    expect(page.locator(".panel dl")).to_contain_text("none: the proposal was taken as it was")
    shots.shot("finalists-chosen")
    assert_accessible(shots.page, context="finalists-chosen")

    # The letters: the finalists' invitation previewed in three languages, then all three sent.
    page.get_by_role("link", name="Decision letters").click()
    groups = {
        kind: page.locator(f"section[aria-labelledby=group-{kind}]")
        for kind in ("finalist_invitation", "not_finalist", "screened_out")
    }
    expect(groups["finalist_invitation"]).to_contain_text("4 recipients")
    expect(groups["not_finalist"]).to_contain_text("2 recipients")
    expect(groups["screened_out"]).to_contain_text("3 recipients")
    expect(groups["finalist_invitation"]).to_contain_text(CONCERT_PLACE)
    shots.shot("letters")
    assert_accessible(shots.page, context="letters")
    groups["finalist_invitation"].get_by_role(
        "link", name="Preview the letter in German, French and English"
    ).click()
    french = page.locator("section[aria-labelledby=preview-fr]")
    expect(french.locator("dd").first).to_contain_text(winner.artist_name)
    expect(french.locator("pre.mail-text")).to_contain_text("12 juin 2032")
    expect(french.locator("pre.mail-text")).to_contain_text(CONCERT_PLACE)
    expect(page.locator("iframe.mail-preview")).to_have_count(3)
    shots.shot("letter-preview")
    assert_accessible(shots.page, context="letter-preview")
    page.get_by_role("link", name="Back to the decision letters").click()
    for kind, count in (("finalist_invitation", 4), ("not_finalist", 2), ("screened_out", 3)):
        group = page.locator(f"section[aria-labelledby=group-{kind}]")
        group.locator(f"#{kind}-confirm").check()
        group.get_by_role("button", name=f"Send {count} letters").click()
        expect(page.locator(".flash").first).to_contain_text(f"{count} letters are on their way.")
        expect(page.locator("#count-sent")).to_have_text(str(count))
        if kind == "finalist_invitation":
            shots.shot("letters-sent")
            assert_accessible(shots.page, context="letters-sent")
        page.get_by_role("link", name="Back to the decision letters").click()
        expect(page.locator(f"section[aria-labelledby=group-{kind}]")).to_contain_text(
            "Everyone in this group has received this letter."
        )

    letters = mailbox.wait_for(9)
    applicants = [a.applicant for a in shortlist + others]
    assert sorted(m["To"] for m in letters) == sorted(u.email for u in applicants)
    [invitation] = mailbox.to(winner.applicant.email)
    assert invitation["Subject"] == t("fr", "You are a finalist of the QuattroPole Music Prize")
    assert invitation["Content-Language"] == "fr"
    assert "samedi 12 juin 2032" in text_of(invitation)
    assert CONCERT_PLACE in text_of(invitation)
    [refusal] = mailbox.to(others[2].applicant.email)
    assert "Keine Verbindung zu den vier Städten belegt." in text_of(refusal)

    # The final: the edition moves on, the ballot is prepared and opened.
    page.goto(f"/admin/editions/{edition.id}")
    page.locator("form.phase-forward").get_by_role("button", name="Start the final").click()
    expect(page.locator("li[aria-current=step]")).to_have_text("Final")
    shots.shot("edition-final")
    assert_accessible(shots.page, context="edition-final")
    page.get_by_role("link", name="Final ballot").click()
    page.get_by_role("button", name="Prepare the final ballot").click()
    expect(page.locator("#open-problems")).to_have_count(0)
    page.get_by_role("button", name="Open the ballot").click()
    expect(page.locator(".flash").first).to_contain_text("The final ballot is open")
    expect(page.locator("section[aria-labelledby=state-title]")).to_contain_text(
        "0 of 8 jurors have voted."
    )
    shots.shot("ballot-open")
    assert_accessible(shots.page, context="ballot-open")

    # Five jurors rank the finalists on their phones, each in their own language.
    finalists = shortlist[:4]
    for number, (juror_index, ranks) in enumerate(VOTES):
        juror = jurors[juror_index]
        language = juror.language
        phone = browser.new_context(
            base_url=live_server,
            viewport={"width": 390, "height": 844},
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            locale={"de": "de-DE", "fr": "fr-FR", "en": "en-GB"}[language],
        )
        mobile = phone.new_page()
        watch(mobile)
        log_in(mobile, juror.email)
        mobile.get_by_role("link", name=t(language, "My reviews")).tap()
        mobile.get_by_role("link", name=t(language, "Rank the finalists")).tap()
        expect(mobile.locator("h1")).to_contain_text(t(language, "Final ballot"))
        # Listed by artist name; the order of the list says nothing about the jury round.
        names = mobile.locator(".ballot-finalist h2")
        expect(names).to_have_count(4)
        assert sorted(names.all_inner_texts()) == sorted(a.artist_name for a in finalists)
        for application, rank in zip(finalists, ranks, strict=True):
            mobile.get_by_label(
                t(language, "Your rank for %(name)s", name=application.artist_name)
            ).select_option(str(rank))
        if number < 2:
            screens(mobile).shot(f"phone-ballot-{language}")
        mobile.get_by_role("button", name=t(language, "Save my ballot")).tap()
        expect(mobile.locator(".flash").first).to_contain_text(
            t(language, "Your ballot has been saved. You can change it until the ballot closes.")
        )
        for application, rank in zip(finalists, ranks, strict=True):
            expect(mobile.locator(f"#rank-{application.id}")).to_have_value(str(rank))
        # Nothing on the page is wider than the phone.
        assert mobile.evaluate("document.documentElement.scrollWidth") <= 390
        if number == 0:
            screens(mobile).shot(f"phone-saved-{language}")
        phone.close()

    # Three jurors have not voted: the office closes anyway and sees the Schulze winner.
    page.reload()
    expect(page.locator("section[aria-labelledby=state-title]")).to_contain_text(
        "5 of 8 jurors have voted."
    )
    page.get_by_label("Close anyway, although not every juror has voted").check()
    page.get_by_role("button", name="Close the ballot").click()
    expect(page.locator(".flash").first).to_contain_text("The final ballot is closed.")
    result = page.locator("section[aria-labelledby=result-title]")
    expect(result).to_contain_text(f"Winner by the Schulze method: {winner.artist_name}")
    expect(result).to_contain_text("5 ballots counted.")
    expect(result.locator("ol.final-ranking > li")).to_have_text([a.artist_name for a in finalists])
    pairwise = result.locator("table[aria-labelledby=pairwise-title]")
    winner_row = pairwise.locator("tbody tr").first
    expect(winner_row.locator("th")).to_have_text(winner.artist_name)
    expect(winner_row.locator("td")).to_have_text(["—", "3", "5", "5"])
    expect(result.locator("table[aria-labelledby=strongest-title]")).to_be_visible()
    shots.shot("ballot-closed")
    assert_accessible(shots.page, context="ballot-closed")

    # The prize goes to the proposed winner, a special prize to a shortlisted non-finalist.
    page.get_by_role("link", name="Awards and publication").click()
    expect(page.locator("#prize")).to_have_value(str(winner.id))
    special = shortlist[4]
    for language, text in STATEMENTS["prize"].items():
        page.locator(f"#prize_{language}").fill(text)
    page.locator("#special").select_option(str(special.id))
    for language, text in STATEMENTS["special"].items():
        page.locator(f"#special_{language}").fill(text)
    page.get_by_role("button", name="Record the awards").click()
    expect(page.locator(".flash").first).to_contain_text("The awards have been recorded.")
    awarded = page.locator("section[aria-labelledby=awards-title] dl")
    expect(awarded.locator("dd")).to_have_text([winner.artist_name, special.artist_name])
    expect(page.locator("#publish-problems")).to_have_count(0)
    shots.shot("awards")
    assert_accessible(shots.page, context="awards")
    page.locator(f"form[action='/admin/editions/{edition.id}/publish'] button").click()
    expect(page.locator(".flash").first).to_contain_text(
        "The results are published. 9 announcement e-mails are on their way."
    )
    shots.shot("published")
    assert_accessible(shots.page, context="published")
    announcements = mailbox.wait_for(18)[9:]
    assert sorted(m["To"] for m in announcements) == sorted(u.email for u in applicants)

    # A visitor finds the edition in the archive and reads it in German, French and English.
    visitor = browser.new_context(
        base_url=live_server, viewport={"width": 1280, "height": 900}, locale="de-DE"
    )
    public = visitor.new_page()
    watch(public)
    public_shots = screens(public)
    public.goto("/")
    archive = public.locator("section.archive")
    expect(archive.locator(".award-prize .award-name")).to_have_text(winner.artist_name)
    public_shots.shot("home")
    assert_accessible(public_shots.page, context="home")
    archive.get_by_role("link", name=edition.title_de).click()
    expect(public).to_have_url(f"{live_server}/editions/{YEAR}")

    def read(language):
        expect(public.locator("html")).to_have_attribute("lang", language)
        prize = public.locator("section.award-prize")
        expect(prize.locator(".award-kind")).to_have_text(t(language, "Prize winner"))
        expect(prize.locator(".award-name")).to_have_text(winner.artist_name)
        expect(prize.locator(".award-statement")).to_have_text(STATEMENTS["prize"][language])
        expect(prize.locator("cite")).to_have_text(SHORTLIST[0][3])
        extra = public.locator("section.award-special")
        expect(extra.locator(".award-kind")).to_have_text(t(language, "Special prize"))
        expect(extra.locator(".award-name")).to_have_text(special.artist_name)
        expect(extra.locator(".award-statement")).to_have_text(STATEMENTS["special"][language])
        listed = public.locator("ul.finalists h3")
        expect(listed).to_have_count(4)
        assert sorted(listed.all_inner_texts()) == sorted(a.artist_name for a in finalists)
        expect(public.locator("ul.jury li")).to_have_count(8)
        public_shots.shot(f"public-{language}")
        assert_accessible(public_shots.page, context=f"public-{language}")

    read("de")
    public.locator("form.language-switch button[value=fr]").click()
    expect(public).to_have_url(f"{live_server}/editions/{YEAR}")
    read("fr")
    public.goto(f"/editions/{YEAR}?lang=en")
    read("en")
    visitor.close()

    # The jury protocol, linked from the exports page, has the table and the winner.
    page.goto(f"/admin/editions/{edition.id}")
    page.get_by_role("link", name="Exports").click()
    expect(page.locator("h1")).to_contain_text("Exports")
    shots.shot("exports")
    assert_accessible(shots.page, context="exports")
    link = page.locator("section[aria-labelledby=protocol-heading] a[hreflang=en]")
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    for reference in references:
        assert reference in text
    assert winner.artist_name in text
    assert runner_up.artist_name in text
    office.close()

    assert problems == []
