"""An applicant downloads their data: JSON and the original files in one ZIP."""

import io
import json
import zipfile

from sqlalchemy import select

from qpmusic.audit.models import AuditEvent
from qpmusic.enums import ApplicationStatus, ConflictSource, ConflictStatus, Role
from qpmusic.extensions import db
from tests.factories import (
    ApplicationFactory,
    AssignmentFactory,
    ConflictFactory,
    JuryMemberFactory,
    RoundFactory,
    ScoreFactory,
    UserFactory,
)
from tests.privacy.builders import (
    CONSENTED_AT,
    application_with_file,
    musician,
    published_edition,
    running_edition,
)
from tests.results.export_builders import media_file


def download(client):
    response = client.post("/profile/data.zip")
    assert response.status_code == 200
    return response, zipfile.ZipFile(io.BytesIO(response.data))


def test_export_holds_account_applications_and_identical_files(client, auth):
    user = musician(language="fr")
    edition = running_edition(2031)
    application = application_with_file(
        user,
        edition,
        status=ApplicationStatus.SUBMITTED,
        reference="QP-2031-0007",
        data=b"A" * 5000,
    )
    media_file(application.works[0], name="partition.pdf", data=b"%PDF-1.7 score", blind=None)
    member = JuryMemberFactory(edition=edition, user__name="Claire Fontaine")
    ConflictFactory(
        application=application,
        juror=member.user,
        source=ConflictSource.APPLICANT,
        note="She taught me in Metz.",
    )
    auth.login("mia@example.org")

    response, archive = download(client)

    assert response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=qpmusic-my-")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert sorted(archive.namelist()) == [
        "data.json",
        "files/QP-2031-0007/1-nachtstueck.flac",
        "files/QP-2031-0007/1-partition.pdf",
    ]
    assert archive.read("files/QP-2031-0007/1-nachtstueck.flac") == b"A" * 5000
    assert archive.read("files/QP-2031-0007/1-partition.pdf") == b"%PDF-1.7 score"
    data = json.loads(archive.read("data.json"))
    assert data["account"] == {
        "email": "mia@example.org",
        "name": "Mia Sommer",
        "language": "fr",
        "roles": ["applicant"],
        "created_at": user.created_at.isoformat(),
        "email_verified_at": user.email_verified_at.isoformat(),
        "last_login_at": data["account"]["last_login_at"],
    }
    assert data["account"]["last_login_at"] is not None
    [exported] = data["applications"]
    assert exported["edition"] == {"year": 2031, "title": "QuattroPole Music Prize 2031"}
    assert exported["reference"] == "QP-2031-0007"
    assert exported["status"] == "submitted"
    assert exported["artist_name"] == "Mia Sommer Trio"
    assert exported["contact_email"] == "mia@example.org"
    assert exported["phone"] == "+352 621 000 111"
    assert exported["biography"] == "Born in Konz, studies in Saarbrücken."
    assert exported["consents"] == {
        "rules_accepted_at": CONSENTED_AT.isoformat(),
        "privacy_accepted_at": CONSENTED_AT.isoformat(),
    }
    assert exported["eligibility"][0]["place"] == "Konz"
    assert exported["eligibility"][0]["basis"] == "lives"
    [work] = exported["works"]
    assert (work["title"], work["description"], work["techniques"]) == (
        "Nachtstück",
        "For tape and viola.",
        "Granular synthesis",
    )
    assert [(f["name"], f["kind"], f["size"], f["file_in_zip"]) for f in work["files"]] == [
        ("nachtstueck.flac", "audio", 5000, "files/QP-2031-0007/1-nachtstueck.flac"),
        ("partition.pdf", "audio", 14, "files/QP-2031-0007/1-partition.pdf"),
    ]
    assert exported["relationships_with_the_jury"] == [
        {
            "juror": "Claire Fontaine",
            "type": "teacher",
            "note": "She taught me in Metz.",
            "status": ConflictStatus.DECLARED.value,
            "named_at": exported["relationships_with_the_jury"][0]["named_at"],
        }
    ]


def test_export_leaves_out_the_jury_and_other_applicants(client, auth):
    user = musician()
    edition = published_edition()
    application = application_with_file(
        user, edition, status=ApplicationStatus.NOT_FINALIST, reference="QP-2029-0003"
    )
    ApplicationFactory(edition=edition, artist_name="Someone Else", biography="Not yours.")
    assignment = AssignmentFactory(
        round=RoundFactory(edition=edition),
        application=application,
        juror=UserFactory(role=Role.JUROR, name="Hidden Juror"),
        comment="A private jury comment.",
    )
    ScoreFactory(assignment=assignment, comment="A private score comment.")
    auth.login("mia@example.org")

    _, archive = download(client)

    text = archive.read("data.json").decode()
    for secret in (
        "Hidden Juror",
        "A private jury comment.",
        "A private score comment.",
        "Someone Else",
        "Not yours.",
    ):
        assert secret not in text
    assert [a["reference"] for a in json.loads(text)["applications"]] == ["QP-2029-0003"]


def test_export_is_logged_in_the_audit_log(client, auth):
    user = musician()
    application_with_file(user, running_edition(), status=ApplicationStatus.DRAFT)
    auth.login("mia@example.org")

    download(client)

    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "account.exported"))
    assert (event.actor_id, event.target_type, event.target_id) == (user.id, "user", user.id)
    assert event.after == {"applications": 1, "files": 1}


def test_export_needs_a_login(client):
    response = client.post("/profile/data.zip")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
