"""The screening list as a CSV file that opens cleanly in Excel and LibreOffice."""

import csv
import io
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from qpmusic.applications.labels import BASIS_LABELS, STATUS_LABELS
from qpmusic.screening.listing import ListedApplication

LUXEMBOURG = ZoneInfo("Europe/Luxembourg")
# Excel reads UTF-8 only when the file starts with a byte order mark.
BOM = "\ufeff"
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """The value as text, defused with a leading quote if a spreadsheet would run it."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def delimiter_for(language: str) -> str:
    """Excel splits on the list separator of the reader's region: ';' where the comma is decimal."""
    return "," if language == "en" else ";"


def _headers() -> list[str]:
    return [
        _("Reference"),
        _("Artist name"),
        _("Applicant"),
        _("E-mail address"),
        _("Status"),
        _("Nearest city"),
        _("Distance (km)"),
        _("Eligibility bases"),
        _("Flagged"),
        _("Works"),
        _("Submitted at"),
        _("Screening reason"),
    ]


def _row(item: ListedApplication, language: str) -> list:
    application = item.application
    nearest = item.nearest
    city = nearest.nearest_city if nearest else None
    bases = "; ".join(f"{BASIS_LABELS[b.kind]} {b.place_name}" for b in application.bases)
    submitted = application.submitted_at
    return [
        application.reference,
        application.artist_name,
        application.applicant.name,
        application.contact_email or application.applicant.email,
        STATUS_LABELS[application.status],
        city.name(language) if city else "",
        round(nearest.distance_km) if nearest else "",
        bases,
        _("yes") if application.flagged else _("no"),
        item.works_count,
        submitted.astimezone(LUXEMBOURG).isoformat(timespec="seconds") if submitted else "",
        application.screening_reason,
    ]


def screening_csv(items: list[ListedApplication], *, language: str) -> str:
    """One row per application, headers in ``language``, starting with a byte order mark."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter_for(language), lineterminator="\r\n")
    writer.writerow(_headers())
    for item in items:
        writer.writerow([safe_cell(value) for value in _row(item, language)])
    return BOM + buffer.getvalue()
