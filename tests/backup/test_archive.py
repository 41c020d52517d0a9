"""An edition's archive: its rows and files read at one moment, nothing of other editions,
no password hashes; a tampered archive is caught by verify-archive."""

import io
import json
import tarfile
from decimal import Decimal

import pytest

from qpmusic.audit.services import record_event
from qpmusic.enums import Role
from qpmusic.extensions import db
from qpmusic.jury.models import Assignment, Score
from tests.factories import (
    ApplicationFactory,
    CriterionFactory,
    EditionFactory,
    RoundFactory,
    UserFactory,
    WorkFactory,
)
from tests.media.playback import DATA, media_file


@pytest.fixture
def edition_2031():
    edition = EditionFactory(year=2031)
    application = ApplicationFactory(edition=edition, artist_name="Trio Sillons")
    audio = media_file(WorkFactory(application=application, title="Sillons"), blind_data=b"blind")
    criterion = CriterionFactory(edition=edition)
    juror = UserFactory(email="anne@example.org", role=Role.JUROR)
    assignment = Assignment(
        round=RoundFactory(edition=edition), juror=juror, application=application
    )
    db.session.add(assignment)
    db.session.flush()
    db.session.add(
        Score(assignment_id=assignment.id, criterion_id=criterion.id, value=Decimal("7.5"))
    )
    record_event(actor=juror, action="application.note", target=application)
    db.session.commit()
    other = ApplicationFactory(edition=EditionFactory(year=2030), artist_name="Other Year")
    db.session.commit()
    return edition, application, audio, other


def members(path) -> dict:
    with tarfile.open(path) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers()}


def test_an_edition_archive_holds_its_rows_and_files_and_nothing_else(
    runner, tmp_path, edition_2031
):
    edition, application, audio, _ = edition_2031
    path = tmp_path / "2031.tar"

    result = runner.invoke(args=["qp", "archive-edition", "2031", "--output", str(path)])

    assert result.exit_code == 0, result.output
    assert "2 file(s)" in result.output
    archive = members(path)
    manifest = json.loads(archive["manifest.json"])
    assert manifest["edition"] == {"id": edition.id, "year": 2031}
    assert manifest["isolation"] == "repeatable read"
    assert manifest["missing_files"] == []
    applications = json.loads(archive["data/application.json"])
    assert [a["artist_name"] for a in applications] == ["Trio Sillons"]
    assert "Other Year" not in archive["data/application.json"].decode()
    [score] = json.loads(archive["data/score.json"])
    assert score["value"] == "7.50"  # Numeric(.., 2), as stored
    [event] = json.loads(archive["data/audit_event.json"])
    assert (event["action"], event["target_id"]) == ("application.note", application.id)
    users = json.loads(archive["data/user.json"])
    assert {u["email"] for u in users} >= {"anne@example.org", application.applicant.email}
    assert all("password_hash" not in u and "auth_token" not in u for u in users)
    assert archive[f"media/{audio.storage_key}"] == DATA
    assert archive[f"media/{audio.blind_key}"] == b"blind"
    assert manifest["tables"]["media_file"] == 1

    verified = runner.invoke(args=["qp", "verify-archive", str(path)])
    assert verified.exit_code == 0, verified.output


def test_a_tampered_archive_fails_verification(runner, tmp_path, edition_2031):
    _, _, audio, _ = edition_2031
    path = tmp_path / "2031.tar"
    runner.invoke(args=["qp", "archive-edition", "2031", "--output", str(path)])
    original = members(path)
    tampered = tmp_path / "tampered.tar"
    with tarfile.open(tampered, "w") as tar:
        for name, data in original.items():
            if name == f"media/{audio.storage_key}":
                data = data[:-1] + b"\x00"
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))

    result = runner.invoke(args=["qp", "verify-archive", str(tampered)])

    assert result.exit_code == 1
    assert f"{audio.storage_key}: its bytes differ from the manifest" in result.output


def test_an_unknown_edition_is_refused_and_writes_nothing(runner, tmp_path):
    result = runner.invoke(args=["qp", "archive-edition", "1999", "--output", str(tmp_path / "x")])

    assert result.exit_code == 1
    assert "There is no edition 1999." in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_file_deleted_since_is_listed_as_missing(runner, tmp_path, edition_2031):
    _, _, audio, _ = edition_2031
    from qpmusic.media.storage import get_storage

    get_storage().delete(audio.blind_key)
    path = tmp_path / "2031.tar"

    result = runner.invoke(args=["qp", "archive-edition", "2031", "--output", str(path)])

    assert result.exit_code == 0
    assert f"missing from storage (deleted since?): {audio.blind_key}" in result.output
    manifest = json.loads(members(path)["manifest.json"])
    assert manifest["missing_files"] == [audio.blind_key]
