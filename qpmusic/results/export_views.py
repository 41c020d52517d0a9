"""The office's exports of an edition: spreadsheets, the shortlist's media, the jury protocol."""

import tempfile

from flask import Blueprint, Response, abort, render_template, request, send_file
from flask_babel import get_locale
from flask_login import current_user

from qpmusic.accounts.guards import role_required
from qpmusic.audit.services import record_event
from qpmusic.editions.models import Edition
from qpmusic.enums import Role, RoundKind
from qpmusic.extensions import db
from qpmusic.jury.models import Round
from qpmusic.results import exports
from qpmusic.results.media_zip import media_entries, write_media_zip
from qpmusic.results.protocol import LANGUAGES, protocol_pdf
from qpmusic.results.snapshots import snapshot_to_show
from qpmusic.results.spreadsheets import Table, to_csv, to_xlsx
from qpmusic.timestamps import utcnow

bp = Blueprint("exports", __name__)

admins_only = role_required(Role.ADMIN)
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _edition_or_404(edition_id: int) -> Edition:
    return db.session.get(Edition, edition_id) or abort(404)


def _jury_round_or_404(edition: Edition, round_id: int) -> Round:
    """A scored round of this edition (pre-selection has votes, the final a ballot)."""
    round_ = db.session.get(Round, round_id)
    if round_ is None or round_.edition_id != edition.id or round_.kind != RoundKind.JURY:
        abort(404)
    return round_


def _language() -> str:
    return str(get_locale())


def _filename(edition: Edition, what: str, extension: str) -> str:
    """Built from the year, fixed words and the time only, so it is safe in any header."""
    return f"qpmusic-{edition.year}-{what}-{utcnow().strftime('%Y%m%d-%H%M')}.{extension}"


def _logged(edition: Edition, what: str, **details) -> None:
    """Who took which personal data out of the system, and when, stays on record."""
    record_event(
        actor=current_user._get_current_object(),
        action=f"export.{what}",
        target=edition,
        after=details,
    )
    db.session.commit()


def _attachment(body: bytes, *, mimetype: str, filename: str) -> Response:
    return Response(
        body,
        content_type=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


def _spreadsheet(edition: Edition, table: Table, what: str, fmt: str) -> Response:
    if fmt not in FORMATS:
        abort(404)
    body = to_csv(table, language=_language()) if fmt == "csv" else to_xlsx(table)
    _logged(edition, what, format=fmt, rows=len(table.rows))
    return _attachment(body, mimetype=FORMATS[fmt], filename=_filename(edition, what, fmt))


@bp.route("/admin/editions/<int:edition_id>/exports")
@admins_only
def index(edition_id):
    edition = _edition_or_404(edition_id)
    rounds = [(r, snapshot_to_show(r)) for r in exports.jury_rounds(edition.id)]
    entries = media_entries(edition)
    included = [e for e in entries if e.name]
    return render_template(
        "results/exports_index.html",
        edition=edition,
        rounds=rounds,
        media_count=len(included),
        media_without_copy=len(entries) - len(included),
        media_size=sum(e.media.size for e in included),
        languages=LANGUAGES,
    )


@bp.route("/admin/editions/<int:edition_id>/exports/applications.<fmt>")
@admins_only
def applications(edition_id, fmt):
    edition = _edition_or_404(edition_id)
    table = exports.applications_table(edition, language=_language())
    return _spreadsheet(edition, table, "applications", fmt)


@bp.route("/admin/editions/<int:edition_id>/exports/rounds/<int:round_id>/reviews.<fmt>")
@admins_only
def reviews(edition_id, round_id, fmt):
    edition = _edition_or_404(edition_id)
    round_ = _jury_round_or_404(edition, round_id)
    table = exports.reviews_table(round_, language=_language())
    return _spreadsheet(edition, table, "reviews", fmt)


@bp.route("/admin/editions/<int:edition_id>/exports/rounds/<int:round_id>/results.<fmt>")
@admins_only
def results(edition_id, round_id, fmt):
    edition = _edition_or_404(edition_id)
    snapshot = snapshot_to_show(_jury_round_or_404(edition, round_id)) or abort(404)
    return _spreadsheet(edition, exports.results_table(snapshot), "results", fmt)


@bp.route("/admin/editions/<int:edition_id>/exports/media.zip")
@admins_only
def media(edition_id):
    edition = _edition_or_404(edition_id)
    # On disk, not in memory; the response closes the file once sent, which deletes it.
    archive = tempfile.TemporaryFile(prefix="qpmusic-media-", suffix=".zip")  # noqa: SIM115
    try:
        entries = write_media_zip(edition, archive, language=_language())
        size = archive.tell()
        archive.seek(0)
    except BaseException:
        archive.close()
        raise
    _logged(edition, "media", files=sum(1 for e in entries if e.name), blind=edition.blind_review)
    response = send_file(
        archive,
        mimetype="application/zip",
        as_attachment=True,
        download_name=_filename(edition, "media", "zip"),
        conditional=False,
        etag=False,
        max_age=0,
    )
    response.content_length = size
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/admin/editions/<int:edition_id>/exports/protocol.pdf")
@admins_only
def protocol(edition_id):
    edition = _edition_or_404(edition_id)
    language = request.args.get("lang")
    if language not in LANGUAGES:
        language = _language()
    body = protocol_pdf(edition, language=language)
    _logged(edition, "protocol", language=language)
    return _attachment(
        body,
        mimetype="application/pdf",
        filename=_filename(edition, f"protocol-{language}", "pdf"),
    )
