"""The CSV export: same rows as the list, Excel-friendly, defused against formulas."""

import csv
import io
from datetime import UTC, datetime

from flask_babel import force_locale, gettext

from qpmusic.enums import ApplicationStatus, EligibilityKind, Role
from qpmusic.screening.export import safe_cell
from tests.factories import EligibilityBasisFactory, UserFactory
from tests.screening.builders import submitted


def rows(response, delimiter=","):
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=delimiter))


def test_export_is_an_excel_friendly_attachment(client, coordinator, edition):
    submitted(edition)

    response = client.get("/screening/export.csv")

    assert response.status_code == 200
    assert response.content_type == "text/csv; charset=utf-8"
    assert response.data.startswith(b"\xef\xbb\xbf")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="qpmusic-screening-2031-')
    assert disposition.endswith('.csv"')


def test_export_has_one_row_per_application_with_every_column(client, coordinator, edition, trier):
    applicant = UserFactory(name="Greta Grün", email="greta@example.org")
    application = submitted(
        edition,
        city=trier,
        distance=8.4,
        works=2,
        applicant=applicant,
        artist_name="Moselklang",
        contact_email="band@example.org",
        status=ApplicationStatus.INELIGIBLE,
        screening_reason="Lives in Lyon.",
        submitted_at=datetime(2031, 3, 31, 21, 59, 59, tzinfo=UTC),
    )
    EligibilityBasisFactory(
        application=application,
        kind=EligibilityKind.BORN,
        place_id=None,
        place_name="Hof Weiler",
        manual=True,
        distance_km=None,
    )

    header, row = rows(client.get("/screening/export.csv"))

    assert header == [
        "Reference",
        "Artist name",
        "Applicant",
        "E-mail address",
        "Status",
        "Nearest city",
        "Distance (km)",
        "Eligibility bases",
        "Flagged",
        "Works",
        "Submitted at",
        "Screening reason",
    ]
    assert row == [
        application.reference,
        "Moselklang",
        "Greta Grün",
        "band@example.org",
        "Not eligible",
        "Trier",
        "8",
        "Lives in Konz; Born in Hof Weiler",
        "yes",
        "2",
        "2031-03-31T23:59:59+02:00",
        "Lives in Lyon.",
    ]


def test_export_applies_the_list_filters(client, coordinator, edition):
    submitted(edition, kind=EligibilityKind.LIVES)
    student = submitted(edition, kind=EligibilityKind.STUDIES)
    submitted(edition, kind=EligibilityKind.STUDIES, status=ApplicationStatus.WITHDRAWN)

    exported = rows(client.get("/screening/export.csv?kind=studies"))

    assert [row[0] for row in exported[1:]] == [student.reference]


def test_export_defuses_spreadsheet_formulas(client, coordinator, edition):
    submitted(
        edition,
        artist_name='=HYPERLINK("http://evil.example","x")',
        screening_reason="+1 call me",
    )
    submitted(edition, artist_name="@SUM(A1)", screening_reason="-2")

    exported = rows(client.get("/screening/export.csv"))

    assert exported[1][1] == '\'=HYPERLINK("http://evil.example","x")'
    assert exported[1][11] == "'+1 call me"
    assert exported[2][1] == "'@SUM(A1)"
    assert exported[2][11] == "'-2"


def test_safe_cell_leaves_ordinary_text_alone():
    assert safe_cell("Trio = Klang") == "Trio = Klang"
    assert safe_cell(None) == ""
    assert safe_cell(8) == "8"
    assert safe_cell("\t=1") == "'\t=1"


def test_export_in_german_uses_german_labels_and_semicolons(client, auth, edition):
    UserFactory(email="koord@example.org", role=Role.COORDINATOR, language="de")
    auth.login("koord@example.org")
    submitted(edition, status=ApplicationStatus.ELIGIBLE)

    response = client.get("/screening/export.csv")

    header, row = rows(response, delimiter=";")
    assert len(header) == len(row) == 12
    with force_locale("de"):
        assert row[4] == gettext("Eligible")
        assert header[0] == gettext("Reference")
