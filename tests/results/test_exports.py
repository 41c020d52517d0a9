"""The office's exports: spreadsheets that open in their tools, the shortlist's media as a ZIP."""

import csv
import hashlib
import io
import zipfile
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from qpmusic.audit.models import AuditEvent
from qpmusic.enums import ApplicationStatus, MediaKind, MediaStatus, Role
from qpmusic.extensions import db
from qpmusic.results.media_zip import safe_name
from qpmusic.results.snapshots import compute_snapshot
from qpmusic.timestamps import utcnow
from tests.factories import UserFactory, WorkFactory
from tests.results.export_builders import (
    admin_user,
    build_scene,
    final_ballot,
    media_file,
    snapshot,
)


@pytest.fixture
def admin(auth):
    user = admin_user()
    auth.login(user.email)
    return user


@pytest.fixture
def scene():
    return build_scene()


def url(scene, tail=""):
    return f"/admin/editions/{scene.edition.id}/exports{tail}"


def csv_rows(response, delimiter=","):
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=delimiter))


def xlsx_sheet(response):
    return load_workbook(io.BytesIO(response.data)).active


def test_applications_csv_keeps_accents_and_has_every_column(client, admin, scene):
    response = client.get(url(scene, "/applications.csv"))

    assert response.status_code == 200
    assert response.content_type == "text/csv; charset=utf-8"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="qpmusic-2031-applications-')
    assert disposition.endswith('.csv"')
    header, *rows = csv_rows(response)
    assert header == [
        "Reference",
        "Status",
        "Artist name",
        "Applicant",
        "E-mail address",
        "Language",
        "Eligibility bases",
        "Works",
        "Submitted at",
    ]
    assert rows[0] == [
        "QP-2031-0001",
        "Shortlisted",
        "Klangwerk Müller",
        "Léa Müller",
        "contact1@example.org",
        "fr",
        "Lives in Konz (Trier, 8 km)",
        "Étude 1",
        "2031-03-31T23:59:30+02:00",
    ]
    # A name a spreadsheet would run as a formula is defused.
    assert rows[1][2] == "'=cmd|' /C calc'!A0"
    assert [row[0] for row in rows] == ["QP-2031-0001", "QP-2031-0002", "QP-2031-0003"]


def test_csv_in_german_is_separated_and_numbered_as_german_excel_expects(client, auth, scene):
    user = admin_user(language="de")
    auth.login(user.email)

    header, *rows = csv_rows(client.get(url(scene, "/applications.csv")), delimiter=";")
    _, first, *_ = csv_rows(
        client.get(url(scene, f"/rounds/{scene.round.id}/reviews.csv")), delimiter=";"
    )

    assert header[0] == "Referenz"
    assert rows[0][3] == "Léa Müller"
    assert first[3:7] == ["9", "8", "8,667", "8,75"]


def test_drafts_are_not_exported(client, admin, scene):
    scene.applications[2].status = ApplicationStatus.DRAFT
    db.session.commit()

    _, *rows = csv_rows(client.get(url(scene, "/applications.csv")))

    assert [row[0] for row in rows] == ["QP-2031-0001", "QP-2031-0002"]


def test_applications_xlsx_opens_with_a_bold_frozen_header(client, admin, scene):
    response = client.get(url(scene, "/applications.xlsx"))

    assert response.status_code == 200
    assert response.content_type == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response.headers["Content-Disposition"].endswith('.xlsx"')
    sheet = xlsx_sheet(response)
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].value == "Reference" and sheet["A1"].font.b
    assert [c.value for c in sheet[2]][:4] == [
        "QP-2031-0001",
        "Shortlisted",
        "Klangwerk Müller",
        "Léa Müller",
    ]
    # Luxembourg wall-clock time, as a real date Excel can sort.
    assert sheet["I2"].value.isoformat() == "2031-03-31T23:59:30"
    # Text, never a formula.
    assert sheet["C3"].value == "=cmd|' /C calc'!A0" and sheet["C3"].data_type == "s"
    assert sheet.column_dimensions["D"].width >= len("Léa Müller")
    assert sheet.max_row == 4


def test_reviews_export_has_scores_totals_state_conflict_and_listening(client, admin, scene):
    response = client.get(url(scene, f"/rounds/{scene.round.id}/reviews.csv"))

    header, *rows = csv_rows(response)
    assert header == [
        "Reference",
        "Juror",
        "City",
        "Originality",
        "Craft",
        "Weighted total",
        "Normalized total",
        "Status",
        "Conflict",
        "Listening share (%)",
    ]
    assert rows == [
        [
            "QP-2031-0001",
            "Ada Achterberg",
            "Trier",
            "9",
            "8",
            "8.667",
            "8.75",
            "Finalized",
            "no",
            "50",
        ],
        ["QP-2031-0001", "Bruno Béranger", "Metz", "8", "8", "8", "9.05", "Finalized", "no", "0"],
        [
            "QP-2031-0002",
            "Ada Achterberg",
            "Trier",
            "6",
            "7",
            "6.333",
            "5.5",
            "Finalized",
            "no",
            "",
        ],
        ["QP-2031-0002", "Bruno Béranger", "Metz", "5", "4", "4.667", "4.7", "Finalized", "no", ""],
        ["QP-2031-0003", "Ada Achterberg", "Trier", "3", "", "3", "", "Draft", "no", ""],
        ["QP-2031-0003", "Bruno Béranger", "Metz", "", "", "", "", "To do", "yes", ""],
    ]


def test_reviews_xlsx_keeps_numbers_as_numbers(client, admin, scene):
    sheet = xlsx_sheet(client.get(url(scene, f"/rounds/{scene.round.id}/reviews.xlsx")))

    assert [c.value for c in sheet[2]][3:7] == [9.0, 8.0, pytest.approx(8.6667, abs=1e-4), 8.75]
    assert sheet.max_row == 7


def test_results_export_without_a_current_tally_follows_the_newest(client, admin, scene):
    snapshot(
        scene, computed_at=utcnow() + timedelta(minutes=5), normalized=(7.7, 6.6), digest="c" * 64
    )

    response = client.get(url(scene, f"/rounds/{scene.round.id}/results.csv"))

    header, *rows = csv_rows(response)
    assert header == [
        "Rank",
        "Jury decides (tie)",
        "Reference",
        "Artist name",
        "Raw mean",
        "Median",
        "Normalized",
        "City-balanced",
        "Rank: Raw mean",
        "Rank: Median",
        "Rank: Normalized",
        "Rank: City-balanced",
        "Spread",
        "Reviews",
        "Conflicts",
    ]
    assert rows[0] == [
        "1", "no", "QP-2031-0001", "Klangwerk Müller",
        "8.5", "8.5", "7.7", "8.5", "1", "1", "1", "1", "0.5", "2", "0",
    ]  # fmt: skip
    assert rows[1][:3] == ["2", "yes", "QP-2031-0002"]
    assert rows[2][:7] == ["3", "no", "QP-2031-0003", "Ondes Martenot Trio", "", "", ""]


def results_csv(client, scene):
    _header, *rows = csv_rows(client.get(url(scene, f"/rounds/{scene.round.id}/results.csv")))
    return rows


def reviews_csv(client, scene):
    _header, *rows = csv_rows(client.get(url(scene, f"/rounds/{scene.round.id}/reviews.csv")))
    return rows


def test_results_and_reviews_of_a_frozen_round_follow_its_frozen_tally(client, admin, scene):
    snapshot(
        scene, computed_at=utcnow() + timedelta(minutes=5), normalized=(7.7, 6.6), digest="c" * 64
    )
    scene.round.frozen_snapshot_id = scene.snapshot.id
    scene.round.frozen_at = utcnow()
    db.session.commit()

    results = results_csv(client, scene)
    reviews = reviews_csv(client, scene)

    assert [row[6] for row in results[:2]] == ["8.9", "5.1"]
    assert reviews[0][6] == "8.75"


def test_results_export_follows_the_current_tally_not_a_newer_one(client, admin, scene):
    db.session.delete(scene.snapshot)
    db.session.commit()
    current = compute_snapshot(round_=scene.round, actor=None)
    db.session.commit()
    # Computed later from another input (reviews that have changed back since).
    snapshot(scene, computed_at=utcnow() + timedelta(minutes=5), digest="c" * 64)

    rows = results_csv(client, scene)

    # The tally of today's reviews has the two reviewed applications; the other has three.
    assert [row[2] for row in rows] == ["QP-2031-0001", "QP-2031-0002"]
    assert len(current.rows) == 2


def test_results_export_counts_every_conflict_in_force_as_the_page_does(client, admin, scene):
    ada, bruno = scene.jurors["Ada"].id, scene.jurors["Bruno"].id
    first, _second, third = (a.id for a in scene.applications)
    # Ada named a conflict with the first application after finalizing her review of it:
    # the tally's row counts conflicted final reviews only, the conflicts in force are two.
    scene.snapshot.parameters = {
        **scene.snapshot.parameters,
        "conflicts": [[bruno, third], [ada, first]],
    }
    db.session.commit()
    assert scene.snapshot.rows[0]["conflicts"] == 0

    rows = results_csv(client, scene)
    sheet = xlsx_sheet(client.get(url(scene, f"/rounds/{scene.round.id}/results.xlsx")))

    assert [row[-1] for row in rows] == ["1", "0", "1"]
    assert [row[-1].value for row in sheet.iter_rows(min_row=2)] == [1, 0, 1]


def test_results_xlsx_opens_with_the_ranked_rows(client, admin, scene):
    sheet = xlsx_sheet(client.get(url(scene, f"/rounds/{scene.round.id}/results.xlsx")))

    assert [row[2].value for row in sheet.iter_rows(min_row=2)] == [
        "QP-2031-0001",
        "QP-2031-0002",
        "QP-2031-0003",
    ]
    assert sheet["G2"].value == 8.9


def test_results_of_an_untallied_round_are_not_found(client, admin, scene):
    db.session.delete(scene.snapshot)
    db.session.commit()

    assert client.get(url(scene, f"/rounds/{scene.round.id}/results.csv")).status_code == 404


def test_a_round_of_another_edition_is_not_found(client, admin, scene):
    other = build_scene(year=2033)

    response = client.get(url(scene, f"/rounds/{other.round.id}/reviews.csv"))

    assert response.status_code == 404


def test_only_the_jury_round_has_review_and_result_files(client, admin, scene):
    final = final_ballot(scene)

    for what in ("reviews", "results"):
        assert client.get(url(scene, f"/rounds/{final.id}/{what}.csv")).status_code == 404


def test_unknown_format_is_not_found(client, admin, scene):
    assert client.get(url(scene, "/applications.ods")).status_code == 404


def test_each_download_is_on_record(client, admin, scene):
    client.get(url(scene, "/applications.xlsx"))

    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action.like("export.%")))
    assert (event.action, event.target_type, event.target_id) == (
        "export.applications",
        "edition",
        scene.edition.id,
    )
    assert event.actor_id == admin.id
    assert event.after == {"format": "xlsx", "rows": 3}


def test_index_links_every_file(client, admin, scene):
    page = client.get(url(scene)).get_data(as_text=True)

    for tail in (
        "/applications.csv",
        "/applications.xlsx",
        f"/rounds/{scene.round.id}/reviews.xlsx",
        f"/rounds/{scene.round.id}/results.csv",
        "/media.zip",
        "/protocol.pdf?lang=fr",
    ):
        assert url(scene, tail) in page


@pytest.mark.parametrize("role", [Role.JUROR, Role.COORDINATOR, Role.APPLICANT])
@pytest.mark.parametrize(
    "tail", ["", "/applications.csv", "/media.zip", "/protocol.pdf", "/rounds/1/reviews.csv"]
)
def test_only_admins_export(client, auth, scene, role, tail):
    user = UserFactory(role=role)
    auth.login(user.email)

    assert client.get(url(scene, tail)).status_code == 403


def test_visitors_are_sent_to_log_in(client, scene):
    response = client.get(url(scene, "/applications.csv"))

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def open_zip(response):
    assert response.status_code == 200
    assert response.content_type == "application/zip"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith(
        "attachment; filename=qpmusic-2031-media-"
    )
    assert int(response.headers["Content-Length"]) == len(response.data)
    return zipfile.ZipFile(io.BytesIO(response.data))


def listing(archive):
    text = archive.read("listing.csv").decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_media_zip_has_the_shortlists_files_and_a_listing(client, admin, scene):
    second = scene.applications[1].works[0]
    media_file(second, name="Étude 2 \u2013 Mix/final?.flac", data=b"second-original")
    media_file(second, name="score.pdf", data=b"%PDF-1.7", kind=MediaKind.DOCUMENT)
    media_file(second, name="half.flac", data=b"unfinished", status=MediaStatus.PROCESSING)
    not_shortlisted = scene.applications[2]
    not_shortlisted.status = ApplicationStatus.NOT_SHORTLISTED
    db.session.commit()
    media_file(not_shortlisted.works[0], data=b"not-on-the-shortlist")

    archive = open_zip(client.get(url(scene, "/media.zip")))

    assert archive.namelist() == [
        "QP-2031-0001/1-take.flac",
        "QP-2031-0002/1-Étude 2 \u2013 Mix_final_.flac",
        "QP-2031-0002/1-score.pdf",
        "listing.csv",
    ]
    assert archive.read("QP-2031-0001/1-take.flac") == b"fLaC-original"
    assert archive.getinfo("QP-2031-0001/1-take.flac").compress_type == zipfile.ZIP_STORED
    assert archive.read("QP-2031-0002/1-score.pdf") == b"%PDF-1.7"
    header, *rows = listing(archive)
    assert header == ["Reference", "Work", "File in the ZIP", "Duration", "SHA-256", "Note"]
    assert rows[0] == [
        "QP-2031-0001",
        "Étude 1",
        "QP-2031-0001/1-take.flac",
        "1:40",
        hashlib.sha256(b"fLaC-original").hexdigest(),
        "",
    ]
    assert [row[2] for row in rows] == archive.namelist()[:-1]


def test_blind_edition_zip_has_the_anonymous_copies_under_neutral_names(client, admin):
    scene = build_scene(year=2032, blind=True)
    second = scene.applications[1].works[0]
    media_file(second, name="Jonas Weber - Nachtstück.flac", data=b"original", blind=b"blind")
    media_file(second, name="no-copy.flac", data=b"original-only", blind=None)

    response = client.get(url(scene, "/media.zip"))

    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert archive.namelist() == [
        "QP-2032-0001/work-1-audio.flac",
        "QP-2032-0002/work-1-audio.flac",
        "listing.csv",
    ]
    assert archive.read("QP-2032-0001/work-1-audio.flac") == b"fLaC-blind"
    assert archive.read("QP-2032-0002/work-1-audio.flac") == b"blind"
    _, *rows = listing(archive)
    assert rows[-1][:3] == ["QP-2032-0002", "Étude 2", ""]
    assert rows[-1][5] == "no anonymous copy"
    assert "Weber" not in archive.read("listing.csv").decode("utf-8")


def test_two_files_with_one_name_both_arrive(client, admin, scene):
    work = WorkFactory(application=scene.applications[0], position=1, title="Zweite Fassung")
    media_file(work, name="take.flac", data=b"second take")

    archive = zipfile.ZipFile(io.BytesIO(client.get(url(scene, "/media.zip")).data))

    assert archive.namelist()[:2] == ["QP-2031-0001/1-take.flac", "QP-2031-0001/1-take-2.flac"]


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("../../etc/passwd", "_.._etc_passwd"),
        ("C:\\Users\\léa\\take.wav", "C__Users_léa_take.wav"),
        ("a\nb\x00c.wav", "abc.wav"),
        ("  ..  ", "file"),
        ("CON?.wav", "CON_.wav"),
        ("x" * 200 + ".flac", "x" * 115 + ".flac"),
    ],
)
def test_names_in_the_zip_are_safe(raw, safe):
    assert safe_name(raw) == safe
