"""Text people typed is shown as text on every page and in every e-mail, never run as markup."""

import csv
import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from qpmusic.applications.submission import confirmation_context
from qpmusic.enums import ApplicationStatus
from qpmusic.extensions import db
from qpmusic.notifications.templates import SUBJECTS, render_email
from qpmusic.results import letters
from qpmusic.results.protocol import protocol_html
from qpmusic.results.publication import _context as announcement_context
from qpmusic.results.publication import awards_of
from tests.mail_sink import html_of
from tests.security.hostile_world import (
    build_world,
    crawl,
    escaped,
    hostile,
    logged_in,
    raw_markers_in,
)

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@pytest.fixture
def world():
    return build_world()


def visited(client, seeds) -> dict:
    """Path -> visit, for every page reachable from ``seeds``; no page may be a server error."""
    visits = {v.path: v for v in crawl(client, seeds)}
    assert [p for p, v in visits.items() if v.status >= 500] == []
    return visits


def unescaped_pages(visits: dict) -> dict:
    return {p: raw_markers_in(v.text) for p, v in visits.items() if raw_markers_in(v.text)}


def shows(visit, *labels) -> bool:
    missing = [label for label in labels if escaped(label) not in visit.text]
    assert missing == [], f"{visit.path} does not show {missing}"
    return True


def test_applicant_pages_show_every_hostile_text_escaped(app, world):
    application = world.jury.applications[0]
    visits = visited(logged_in(app, world.applicant), ["/", "/apply/"])

    assert unescaped_pages(visits) == {}
    base = f"/applications/{application.id}"
    shows(
        visits[f"{base}/review"],
        "applicant-name",
        "artist",
        "bio",
        "work-title",
        "work-description",
        "techniques",
        "place",
        "file-name",
    )
    shows(visits[f"{base}/biography"], "bio")
    shows(visits[f"{base}/relationships"], "juror-name")


def test_coordinator_pages_show_every_hostile_text_escaped(app, world):
    application = world.jury.applications[0]
    seeds = ["/", "/screening/", f"/screening/?edition={application.edition_id}"]
    visits = visited(logged_in(app, world.coordinator), seeds)

    assert unescaped_pages(visits) == {}
    shows(visits["/screening/"], "artist", "place")
    shows(
        visits[f"/screening/{application.id}"],
        "applicant-name",
        "artist",
        "bio",
        "work-title",
        "work-description",
        "techniques",
        "place",
        "basis-explanation",
        "screening-reason",
        "screening-note",
        "file-name",
    )


def test_juror_pages_show_every_hostile_text_escaped(app, world):
    assignment = world.jury.assignments["Ada", 0]
    visits = visited(logged_in(app, world.juror), ["/", "/jury/"])

    assert unescaped_pages(visits) == {}
    shows(visits["/jury/"], "juror-name", "artist")
    shows(
        visits[f"/jury/assignments/{assignment.id}"],
        "artist",
        "bio",
        "work-title",
        "work-description",
        "techniques",
        "review-comment",
        "score-comment",
        "deliberation",
        "criterion",
    )


def test_office_pages_show_every_hostile_text_escaped(app, world):
    jury = world.jury
    first = jury.applications[0]
    deliberation = f"/jury/rounds/{jury.round.id}/applications/{first.id}"
    seeds = ["/", "/admin/editions", "/screening/", "/admin/audit", deliberation]
    visits = visited(logged_in(app, world.admin), seeds)

    assert unescaped_pages(visits) == {}
    edition = jury.edition.id
    shows(visits[f"/admin/editions/{edition}/conflicts"], "juror-name", "conflict-note")
    shows(visits[f"/admin/rounds/{jury.round.id}/progress"], "juror-name")
    shows(visits[f"/admin/rounds/{jury.round.id}/results"], "juror-name", "artist", "criterion")
    shows(visits[deliberation], "review-comment", "score-comment", "deliberation")
    shows(visits[f"/screening/{first.id}"], "screening-note", "screening-reason")
    published = world.published.edition.id
    shows(visits[f"/admin/editions/{published}/final"], "juror-name", "artist")
    shows(visits[f"/admin/editions/{published}/awards"], "artist")
    previews = [p for p in visits if "/letters/" in p and "part=html" in p]
    assert len(previews) == 3


def test_public_results_page_shows_statements_and_names_escaped(app, world):
    visits = visited(app.test_client(), ["/", "/editions/2032"])

    assert unescaped_pages(visits) == {}
    shows(visits["/editions/2032"], "statement", "artist", "work-title", "juror-name")
    shows(visits["/"], "statement", "artist")


@pytest.mark.parametrize("language", ["de", "fr", "en"])
def test_protocol_html_shows_names_and_statements_escaped(world, language):
    html = protocol_html(world.published.edition, language=language)

    assert raw_markers_in(html) == []
    for label in ("juror-name", "artist", "statement", "criterion"):
        assert escaped(label) in html, label


def test_no_template_turns_escaping_off():
    offending = []
    pattern = re.compile(r"\|\s*safe\b|autoescape\s+false|Markup\(")
    for path in TEMPLATES.rglob("*.html"):
        if pattern.search(path.read_text()):
            offending.append(str(path.relative_to(TEMPLATES)))

    assert offending == []


def test_every_html_email_template_is_autoescaped(app):
    names = sorted(p.name for p in (TEMPLATES / "emails").glob("*.html"))

    assert {f"{name}.html" for name in SUBJECTS} <= set(names)
    assert [n for n in names if not app.select_jinja_autoescape(f"emails/{n}")] == []


def rendered(template: str, context: dict, language="en") -> str:
    return render_email(template=template, language=language, context=context)[2]


@pytest.mark.parametrize(
    "template",
    ["verify_email", "password_reset", "password_changed", "confirm_new_email", "jury_reminder"],
)
def test_account_emails_escape_the_name(app, template):
    context = {
        "name": hostile("applicant-name"),
        "url": "http://localhost/x",
        "reset_url": "http://localhost/password/forgot",
        "edition_titles": {"de": "E", "fr": "E", "en": "E"},
        "kind": "3d",
        "round_kind": "jury",
        "deadline": "2031-05-01T10:00:00+00:00",
        "todo": 2,
        "draft": 1,
        "jury_url": "http://localhost/jury/",
    }
    with app.test_request_context():
        html = rendered(template, context)

    assert raw_markers_in(html) == []
    assert escaped("applicant-name") in html


@pytest.mark.parametrize("template", ["application_submitted", "application_resubmitted"])
def test_application_confirmation_emails_escape_the_application(app, world, template):
    with app.test_request_context():
        html = rendered(template, confirmation_context(world.jury.applications[0]))

    assert raw_markers_in(html) == []
    for label in ("applicant-name", "artist", "work-title", "place"):
        assert escaped(label) in html, label


@pytest.mark.parametrize("kind", [letters.FINALISTS, "not_finalist", letters.SCREENED_OUT])
def test_decision_letters_escape_the_application(app, world, kind):
    application = world.jury.applications[0]
    application.status = ApplicationStatus.INELIGIBLE
    db.session.commit()
    with app.test_request_context():
        html = rendered(kind, letters.letter_context(application, kind))

    assert raw_markers_in(html) == []
    assert escaped("applicant-name") in html
    if kind != letters.SCREENED_OUT:
        assert escaped("artist") in html
    else:
        assert escaped("screening-reason") in html


def test_results_announcement_escapes_the_winners_name(app, world):
    edition = world.published.edition
    application = world.published.applications[0]
    with app.test_request_context():
        context = announcement_context(edition, application, awards_of(edition.id))
        html = rendered("results_announcement", context)

    assert raw_markers_in(html) == []
    assert escaped("artist") in html


def test_a_delivered_email_shows_a_hostile_name_as_text(client, mailbox):
    client.post(
        "/register",
        data={
            "name": hostile("applicant-name"),
            "email": "mallory@example.org",
            "password": "Klangfarbe-2026!",
            "confirm": "Klangfarbe-2026!",
        },
    )

    [message] = mailbox.wait_for(1)
    html = html_of(message)
    assert raw_markers_in(html) == []
    assert escaped("applicant-name") in html


FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cells(body: bytes, language: str) -> list[str]:
    text = body.decode("utf-8-sig")
    delimiter = "," if language == "en" else ";"
    return [cell for row in csv.reader(io.StringIO(text), delimiter=delimiter) for cell in row]


@pytest.fixture
def formula_world(world):
    """The jury edition's first application, and an admin, named like spreadsheet formulas."""
    application = world.jury.applications[0]
    application.artist_name = FORMULAS[0]
    application.applicant.name = FORMULAS[1]
    application.screening_reason = FORMULAS[2]
    world.jury.applications[1].artist_name = FORMULAS[3]
    world.admin.name = FORMULAS[3]
    db.session.commit()
    return world


def export_paths(world) -> list[str]:
    edition, round_ = world.jury.edition.id, world.jury.round.id
    base = f"/admin/editions/{edition}/exports"
    return [
        f"{base}/applications.{{fmt}}",
        f"{base}/rounds/{round_}/reviews.{{fmt}}",
        f"{base}/rounds/{round_}/results.{{fmt}}",
    ]


@pytest.mark.parametrize("language", ["en", "de"])
def test_csv_exports_neutralize_cells_that_spreadsheets_would_run(app, formula_world, language):
    formula_world.admin.language = language  # the export's language, and so its separator
    db.session.commit()
    client = logged_in(app, formula_world.admin)
    paths = [p.format(fmt="csv") for p in export_paths(formula_world)]
    paths += [f"/screening/export.csv?edition={formula_world.jury.edition.id}"]
    for path in paths:
        client.get(path)  # leaves export events in the audit log, named after the admin
    paths.append("/admin/audit/export.csv")

    seen = set()
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        cells = csv_cells(response.data, language)
        assert [c for c in cells if c.startswith(FORMULA_STARTS)] == [], path
        seen.update(c for c in cells if c.lstrip("'") in FORMULAS)

    assert seen == {"'" + formula for formula in FORMULAS}


def test_xlsx_exports_store_formula_like_text_as_text(app, formula_world):
    client = logged_in(app, formula_world.admin)

    texts = set()
    for path in export_paths(formula_world):
        response = client.get(path.format(fmt="xlsx"))
        assert response.status_code == 200, path
        sheet = load_workbook(io.BytesIO(response.data)).active
        cells = [cell for row in sheet.iter_rows() for cell in row]
        assert [c.coordinate for c in cells if c.data_type == "f"] == [], path
        texts.update(c.value for c in cells if c.value in FORMULAS)

    assert texts == {FORMULAS[0], FORMULAS[1], FORMULAS[3]}
