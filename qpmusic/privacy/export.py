"""An applicant's copy of their data: one JSON document and their original files, as a ZIP.

Only the person's own data: their account, what they wrote in each application, the decisions
they were told about, the relationships they named. Nothing of the jury (who reviewed them, the
scores, comments, votes) and nothing of other applicants. The ZIP is written to a file the caller
provides, file by file, never held in memory: recordings run to gigabytes.
"""

import json
import logging
import zipfile
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from qpmusic.applications.models import Application, Work
from qpmusic.applications.relationships import named_relationships
from qpmusic.editions.models import Edition
from qpmusic.enums import ApplicationStatus, MediaKind
from qpmusic.extensions import db
from qpmusic.media.models import MediaFile
from qpmusic.media.storage import get_storage
from qpmusic.results.media_zip import safe_name
from qpmusic.results.models import Award

log = logging.getLogger(__name__)

DATA_FILE = "data.json"
CHUNK = 1024 * 1024
# Sound, video and pictures are compressed already; deflating them costs time for nothing.
DEFLATED_KINDS = {MediaKind.DOCUMENT}


def _when(value) -> str | None:
    return value.isoformat() if value is not None else None


def applications_of(user) -> list[Application]:
    """Every application of the user, oldest edition first, with works and files loaded."""
    return list(
        db.session.scalars(
            select(Application)
            .join(Edition, Edition.id == Application.edition_id)
            .where(Application.applicant_id == user.id)
            .options(
                selectinload(Application.works).selectinload(Work.media),
                selectinload(Application.bases),
            )
            .order_by(Edition.year, Application.id)
        )
    )


def _account(user) -> dict:
    return {
        "email": user.email,
        "name": user.name,
        "language": user.language,
        "roles": sorted(role.value for role in user.roles),
        "created_at": _when(user.created_at),
        "email_verified_at": _when(user.email_verified_at),
        "last_login_at": _when(user.last_login_at),
    }


def _file(media: MediaFile, path: str) -> dict:
    return {
        "name": media.original_name,
        "kind": media.kind.value,
        "size": media.size,
        "sha256": media.sha256,
        "type": media.detected_type,
        "duration_seconds": media.duration_seconds,
        "status": media.status.value,
        "uploaded_at": _when(media.created_at),
        # Where the original is in this ZIP; None when it is missing from storage.
        "file_in_zip": path or None,
    }


def _work(work: Work, paths: dict[int, str]) -> dict:
    return {
        "position": work.position,
        "title": work.title,
        "year_composed": work.year_composed,
        "in_progress": work.in_progress,
        "duration_seconds": work.duration_seconds,
        "description": work.description,
        "techniques": work.techniques,
        "links": work.links,
        "files": [_file(media, paths.get(media.id, "")) for media in work.media],
    }


def _relationships(application: Application) -> list[dict]:
    # The jurors' names here are the ones the applicant chose from the published jury.
    return [
        {
            "juror": conflict.juror.name,
            "type": conflict.type.value,
            "note": conflict.note,
            "status": conflict.status.value,
            "named_at": _when(conflict.declared_at),
        }
        for conflict in named_relationships(application)
    ]


def _awards(application: Application) -> list[dict]:
    awards = db.session.scalars(select(Award).where(Award.application_id == application.id))
    return [
        {
            "kind": award.kind.value,
            "statement": {lang: award.statement(lang) for lang in ("de", "fr", "en")},
        }
        for award in awards
    ]


def _application(application: Application, paths: dict[int, str]) -> dict:
    edition = application.edition
    ineligible = application.status == ApplicationStatus.INELIGIBLE
    return {
        "edition": {"year": edition.year, "title": edition.title_en},
        "reference": application.reference,
        "status": application.status.value,
        "artist_name": application.artist_name,
        "contact_email": application.contact_email,
        "phone": application.phone,
        "website": application.website,
        "biography": application.biography,
        "links": application.links,
        "consents": {
            "rules_accepted_at": _when(application.consent_rules_at),
            "privacy_accepted_at": _when(application.consent_privacy_at),
        },
        "eligibility": [
            {
                "basis": basis.kind.value,
                "place": basis.place_name,
                "country": basis.country,
                "typed_by_hand": basis.manual,
                "explanation": basis.explanation,
                "nearest_city": basis.nearest_city.name_en if basis.nearest_city else None,
                "distance_km": basis.distance_km,
            }
            for basis in application.bases
        ],
        "works": [_work(work, paths) for work in application.works],
        "relationships_with_the_jury": _relationships(application),
        # The reason the screening letter gave; the office's other notes are not the applicant's.
        "screening_reason": application.screening_reason if ineligible else "",
        "awards": _awards(application),
        "created_at": _when(application.created_at),
        "updated_at": _when(application.updated_at),
        "submitted_at": _when(application.submitted_at),
        "withdrawn_at": _when(application.withdrawn_at),
        "anonymized_at": _when(application.anonymized_at),
    }


def personal_data(user, *, now, applications=None, paths: dict[int, str] | None = None) -> dict:
    """The JSON document: account and applications; ``paths`` maps media ids to ZIP names."""
    applications = applications_of(user) if applications is None else applications
    paths = paths or {}
    return {
        "exported_at": _when(now),
        "account": _account(user),
        "applications": [_application(a, paths) for a in applications],
    }


def _zip_names(applications: list[Application]) -> list[tuple[MediaFile, str]]:
    """Each stored original with a unique, safe name under files/<reference>/."""
    taken: set[str] = set()
    named = []
    for application in applications:
        folder = safe_name(
            application.reference or "", fallback=f"{application.edition.year}-draft"
        )
        for work in application.works:
            for media in work.media:
                stem, dot, extension = (
                    f"{work.position}-{safe_name(media.original_name)}".rpartition(".")
                )
                if not dot:
                    stem, extension = extension, ""
                name, number = f"files/{folder}/{stem}{dot}{extension}", 1
                while name.casefold() in taken:
                    number += 1
                    name = f"files/{folder}/{stem}-{number}{dot}{extension}"
                taken.add(name.casefold())
                named.append((media, name))
    return named


def _add_file(archive: zipfile.ZipFile, media: MediaFile, name: str) -> None:
    path = get_storage().local_path(media.storage_key)
    size = path.stat().st_size
    info = zipfile.ZipInfo(name)
    info.compress_type = (
        zipfile.ZIP_DEFLATED if media.kind in DEFLATED_KINDS else zipfile.ZIP_STORED
    )
    info.external_attr = 0o644 << 16
    with (
        path.open("rb") as source,
        archive.open(info, "w", force_zip64=size >= zipfile.ZIP64_LIMIT) as out,
    ):
        while chunk := source.read(CHUNK):
            out.write(chunk)


def write_personal_data_zip(user, target: BinaryIO, *, now) -> dict:
    """Write ``data.json`` and the user's original files as a ZIP to ``target``; returns counts."""
    applications = applications_of(user)
    paths: dict[int, str] = {}
    with zipfile.ZipFile(target, "w", allowZip64=True) as archive:
        for media, name in _zip_names(applications):
            try:
                _add_file(archive, media, name)
            except FileNotFoundError:
                log.error("media file missing from storage: %s", media.storage_key)
                continue
            paths[media.id] = name
        document = personal_data(user, now=now, applications=applications, paths=paths)
        archive.writestr(
            DATA_FILE,
            json.dumps(document, ensure_ascii=False, indent=2),
            compress_type=zipfile.ZIP_DEFLATED,
        )
    return {"applications": len(applications), "files": len(paths)}
