"""Every shortlisted application's ready files in one ZIP with a listing, for offline listening.

Written file by file to a file the caller provides (a temporary file), never held in memory:
an edition's recordings run to gigabytes.
"""

import hashlib
import logging
import mimetypes
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import BinaryIO

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import defer

from qpmusic.applications.models import Application, Work
from qpmusic.editions.localtime import LUXEMBOURG
from qpmusic.editions.models import Edition
from qpmusic.enums import ApplicationStatus, MediaKind, MediaStatus
from qpmusic.extensions import db
from qpmusic.media.display import clock
from qpmusic.media.models import MediaFile
from qpmusic.media.storage import get_storage
from qpmusic.results.spreadsheets import Table, to_csv

log = logging.getLogger(__name__)

# Shortlisted, and every status only a shortlisted application can reach.
SHORTLISTED_STATUSES = (
    ApplicationStatus.SHORTLISTED,
    ApplicationStatus.FINALIST,
    ApplicationStatus.NOT_FINALIST,
    ApplicationStatus.WINNER,
    ApplicationStatus.SPECIAL_PRIZE,
)
# Sound, video and pictures are compressed already; deflating them costs time for nothing.
DEFLATED_KINDS = {MediaKind.DOCUMENT}
CHUNK = 1024 * 1024
MAX_NAME = 120
LISTING = "listing.csv"
# What Windows, macOS or a shell would trip over in a file name.
UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,8}")


@dataclass
class Entry:
    reference: str
    work_title: str
    media: MediaFile
    key: str | None
    name: str = ""
    sha256: str = ""
    note: str = ""


def safe_name(raw: str, *, fallback: str = "file") -> str:
    """A file or folder name every unzip tool accepts: no paths, reserved or control characters."""
    name = unicodedata.normalize("NFC", raw or "")
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = UNSAFE.sub("_", name)
    name = " ".join(name.split()).strip(" .")
    if not name or set(name) <= {"_", "."}:
        return fallback
    if len(name) <= MAX_NAME:
        return name
    stem, dot, extension = name.rpartition(".")
    if dot and stem and len(extension) <= 8:
        return f"{stem[: MAX_NAME - len(extension) - 1].rstrip(' .')}.{extension}"
    return name[:MAX_NAME].rstrip(" .")


def _extension(media: MediaFile) -> str:
    suffix = PurePosixPath(media.original_name).suffix
    if EXTENSION.fullmatch(suffix):
        return suffix.lower()
    return mimetypes.guess_extension(media.detected_type or "") or ""


def _file_name(media: MediaFile, position: int, *, blind: bool) -> str:
    if blind:
        # The original name often carries the artist's: the anonymous copy gets a neutral one.
        return f"work-{position}-{media.kind.value}{_extension(media)}"
    return f"{position}-{safe_name(media.original_name)}"


def media_entries(edition: Edition) -> list[Entry]:
    """The ready files of the shortlist, named for the ZIP, in one query."""
    rows = db.session.execute(
        select(MediaFile, Work.position, Work.title, Application.reference, Application.id)
        # Waveform peaks are the heavy part of a row and of no use here.
        .options(defer(MediaFile.peaks))
        .join(Work, Work.id == MediaFile.work_id)
        .join(Application, Application.id == Work.application_id)
        .where(
            Application.edition_id == edition.id,
            Application.status.in_(SHORTLISTED_STATUSES),
            MediaFile.status == MediaStatus.READY,
        )
        .order_by(Application.reference, Application.id, Work.position, MediaFile.id)
    ).all()
    blind = edition.blind_review
    taken: set[str] = set()
    entries = []
    for media, position, title, reference, application_id in rows:
        folder = safe_name(reference or "", fallback=f"application-{application_id}")
        entry = Entry(
            reference or "", title, media, media.blind_key if blind else media.storage_key
        )
        if entry.key is None:
            # Without its anonymous copy a file stays out, as it stays closed to blind jurors.
            entry.note = _("no anonymous copy")
            entries.append(entry)
            continue
        stem, dot, extension = _file_name(media, position, blind=blind).rpartition(".")
        name, number = f"{folder}/{stem}{dot}{extension}", 1
        while name.casefold() in taken:
            number += 1
            name = f"{folder}/{stem}-{number}{dot}{extension}"
        taken.add(name.casefold())
        entry.name = name
        entries.append(entry)
    return entries


def _add_file(archive: zipfile.ZipFile, entry: Entry) -> None:
    path = get_storage().local_path(entry.key)
    size = path.stat().st_size
    info = zipfile.ZipInfo(entry.name, date_time=_zip_time(entry.media))
    info.compress_type = (
        zipfile.ZIP_DEFLATED if entry.media.kind in DEFLATED_KINDS else zipfile.ZIP_STORED
    )
    info.external_attr = 0o644 << 16
    digest = hashlib.sha256()
    with (
        path.open("rb") as source,
        archive.open(info, "w", force_zip64=size >= zipfile.ZIP64_LIMIT) as out,
    ):
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            out.write(chunk)
    entry.sha256 = digest.hexdigest()


def _zip_time(media: MediaFile) -> tuple:
    moment = (media.processed_at or media.created_at).astimezone(LUXEMBOURG)
    return (max(moment.year, 1980), *moment.timetuple()[1:6])


def listing_table(entries: list[Entry]) -> Table:
    table = Table(
        title=_("Listing"),
        headers=[
            _("Reference"),
            _("Work"),
            _("File in the ZIP"),
            _("Duration"),
            "SHA-256",
            _("Note"),
        ],
    )
    for entry in entries:
        table.rows.append(
            [
                entry.reference,
                entry.work_title,
                entry.name,
                clock(entry.media.duration_seconds) if entry.media.duration_seconds else "",
                entry.sha256,
                entry.note,
            ]
        )
    return table


def write_media_zip(edition: Edition, target: BinaryIO, *, language: str) -> list[Entry]:
    """Write the shortlist's files and ``listing.csv`` as a ZIP to ``target``; returns the entries.

    A blind edition gets the anonymous copies, named by reference and work only.
    """
    entries = media_entries(edition)
    with zipfile.ZipFile(target, "w", allowZip64=True) as archive:
        for entry in entries:
            if not entry.name:
                continue
            try:
                _add_file(archive, entry)
            except FileNotFoundError:
                log.error("media file missing from storage: %s", entry.key)
                entry.note, entry.name = _("missing from storage"), ""
        archive.writestr(
            LISTING,
            to_csv(listing_table(entries), language=language),
            compress_type=zipfile.ZIP_DEFLATED,
        )
    return entries
